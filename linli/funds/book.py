"""Posting to a fund's ledger: the one place that writes entries and keeps the running balances.

The caller holds the fund's row lock (`select_for_update`), so the postings of one compound are
serialised; the sub-accounts concerned are locked, their running balance, first deposit and
需续交 flag updated with the entries in one bulk write, and the fund's totals with them. A
compound's balance and its list of houses to top up are therefore one row and one index range,
whatever the length of the ledger (docs/funds.md, "Balances at scale")."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.models import AuditLog
from linli.deliberation.tally import hundredths

from . import notices, rules
from .models import Account, Entry, EntryKind, Fund
from .money import yuan


def locked_fund(fund_id) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund_id)


def post(fund: Fund, lines, *, actor, booked_on, note="", use=None) -> list[Entry]:
    """Write one entry per line (account, kind, amount in fen, the entry it reverses or None)."""
    if not lines:
        raise ValidationError(_("Nothing to post."))
    accounts = {
        a.pk: a for a in Account.objects.select_for_update().filter(pk__in=sorted({line[0].pk for line in lines}))
    }
    if any(a.fund_id != fund.pk for a in accounts.values()):
        raise ValidationError(_("The sub-account belongs to another fund."))
    house_percent = rules.policy().house_percent
    entries, flipped = [], []
    first_delta = total = 0
    for account, kind, amount, reverses in lines:
        acc = accounts[account.pk]
        acc.balance += amount
        total += amount
        if kind == EntryKind.FIRST_DEPOSIT or (reverses is not None and reverses.kind == EntryKind.FIRST_DEPOSIT):
            acc.first_deposit += amount
            first_delta += amount
        flag = rules.needs_topup(acc.balance, acc.first_deposit, house_percent)
        if flag and not acc.needs_topup:
            flipped.append(acc)
        acc.needs_topup = flag
        entries.append(
            Entry(
                fund=fund,
                account=acc,
                kind=kind,
                amount=amount,
                balance_after=acc.balance,
                use=use,
                reverses=reverses,
                booked_on=booked_on,
                note=note,
                created_by=actor,
                compound_id=fund.compound_id,
                community_id=fund.community_id,
                subdistrict_id=fund.subdistrict_id,
            )
        )
    Entry.objects.bulk_create(entries, batch_size=1000)
    Account.objects.bulk_update(list(accounts.values()), ["balance", "first_deposit", "needs_topup"], batch_size=1000)
    before = (fund.balance, fund.first_total)
    fund.balance += total
    fund.first_total += first_delta
    floor = rules.policy().floor_percent
    if rules.below(fund.balance, fund.first_total, floor):
        fund.below_floor_since = fund.below_floor_since or timezone.localdate()
    else:
        fund.below_floor_since = None
    fund.save(update_fields=["balance", "first_total", "below_floor_since"])
    changes = {
        "balance": [before[0], fund.balance],
        "first_total": [before[1], fund.first_total],
        "entries": [None, len(entries)],
    }
    audit.record(actor, AuditLog.Action.UPDATE, fund, changes, note=f"ledger: {entries[0].kind}")
    if flipped:
        notices.topup_due(flipped, {e.account_id: e.pk for e in entries})
    return entries


def floor_refusal(fund: Fund, amount: int) -> str | None:
    """R2.2: why a use of `amount` fen is refused (the compound's balance would fall below the
    floor), with the shortfall; None when it is allowed."""
    percent = rules.policy().floor_percent
    short = rules.floor_shortfall(fund.balance, amount, fund.first_total, percent)
    if not short:
        return None
    return _(
        "Refused: after this use of ¥%(amount)s the compound's balance would be ¥%(after)s, below the floor of "
        "¥%(floor)s (%(percent)s%% of the first deposits of ¥%(first)s); it is short by ¥%(short)s."
    ) % {
        "amount": yuan(amount),
        "after": yuan(fund.balance - amount),
        "floor": yuan(rules.share_of(fund.first_total, percent)),
        "percent": percent,
        "first": yuan(fund.first_total),
        "short": yuan(short),
    }


def concerned(fund_id, buildings=(), unit=None):
    """The sub-accounts of the houses a use concerns: one unit, some buildings, or the compound."""
    accounts = Account.objects.filter(fund_id=fund_id)
    if unit is not None:
        return accounts.filter(unit=unit)
    if buildings:
        return accounts.filter(building__in=list(buildings))
    return accounts


def by_area(accounts) -> dict[int, int]:
    """{account id: the house's exclusive area in hundredths of m²} (one query)."""
    return {pk: hundredths(area) for pk, area in accounts.values_list("pk", "house__area")}
