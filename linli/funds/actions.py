"""Writes of the fund domain, each atomic and audited: opening a compound's fund with a
sub-account per house, booking a deposit, interest or top-up, a reversing entry, interest
apportioned by balance, the fund bank's file taken over (import_openings), and proposing a use
(whose further moves are workflow.USE's). Every posting goes through book.post under the fund's row lock."""

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.people.public_text import check_public_text
from linli.places.models import Compound, House

from . import book, rules
from .models import Account, Entry, EntryKind, Fund, Use
from .money import yuan

MANUAL_KINDS = (EntryKind.FIRST_DEPOSIT, EntryKind.OPENING, EntryKind.INTEREST, EntryKind.TOP_UP)


def _require(actor, fund_id, action="change"):
    if not Fund.objects.restrict(actor, action).filter(pk=fund_id).exists():
        raise PermissionDenied


@transaction.atomic
def open_fund(*, actor, compound, bank=""):
    """A compound's fund, with a sub-account for each of its houses (and, run again, for the
    houses added since)."""
    if not Compound.objects.restrict(actor, "change", domain="funds").filter(pk=compound.pk).exists():
        raise PermissionDenied
    fund = Fund.objects.filter(compound=compound).first()
    if fund is None:
        fund = create_object(Fund, actor=actor, compound=compound, bank=bank)
    have = set(Account.objects.filter(fund=fund).values_list("house_id", flat=True))
    new = []
    for house in House.objects.filter(compound=compound).exclude(pk__in=have):
        account = Account(fund=fund, house=house)
        account.copy_places(house)  # bulk_create calls no save()
        new.append(account)
    Account.objects.bulk_create(new, batch_size=1000)
    if new:
        audit.record(actor, AuditLog.Action.UPDATE, fund, {"accounts": [len(have), len(have) + len(new)]})
    return fund


@transaction.atomic
def book_entry(*, actor, account, kind, amount, booked_on, note=""):
    """A first deposit, an opening balance, interest or a top-up of one house (amount > 0 fen)."""
    _require(actor, account.fund_id)
    if kind not in MANUAL_KINDS:
        raise ValidationError({"kind": _("Choose a first deposit, an opening balance, interest or a top-up.")})
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    fund = book.locked_fund(account.fund_id)
    return book.post(fund, [(account, kind, amount, None)], actor=actor, booked_on=booked_on, note=note)[0]


@transaction.atomic
def book_entries(*, actor, fund, kind, amounts, booked_on, note=""):
    """One kind of entry for many houses at once ({account id: amount in fen > 0}): the first
    deposits of a new compound, a bank's statement of interest (the importer's posting)."""
    _require(actor, fund.pk)
    if kind not in MANUAL_KINDS:
        raise ValidationError({"kind": _("Choose a first deposit, an opening balance, interest or a top-up.")})
    if any(amount <= 0 for amount in amounts.values()):
        raise ValidationError({"amount": _("The amount must be positive.")})
    fund = book.locked_fund(fund.pk)
    accounts = Account.objects.filter(fund=fund, pk__in=sorted(amounts)).in_bulk()
    if len(accounts) != len(amounts):
        raise ValidationError(_("The sub-account belongs to another fund."))
    lines = [(accounts[pk], kind, amount, None) for pk, amount in sorted(amounts.items())]
    return book.post(fund, lines, actor=actor, booked_on=booked_on, note=note)


class Opening(NamedTuple):
    """One house of the fund bank's file, checked (importer.py)."""

    account: int
    fund: int
    first: int  # fen: the first deposit (首次交存); 0 when the file gives none
    opening: int  # fen: the bank's balance beyond it (期初余额 − first deposit); may be negative or 0
    booked_on: dt.date


@dataclass
class Imported:
    fund: Fund
    houses: int
    first: int  # fen: the file's first deposits for this fund
    balance: int  # fen: the file's balances for this fund


@transaction.atomic
def import_openings(*, actor, lines, filename):
    """The fund bank's file taken over: for each house a first deposit entry and an opening entry
    (what the bank's balance holds beyond it), posted through book.post, one posting per fund and
    value date under the fund's row lock, and one import record per fund. A house whose
    sub-account has a first deposit or an opening balance (not reversed) is refused: checked
    again under the lock, so two uploads of one file cannot both pass."""
    if len({line.account for line in lines}) != len(lines):
        raise ValidationError(_("A house is named twice."))
    by_fund: dict[int, list[Opening]] = {}
    for line in lines:
        by_fund.setdefault(line.fund, []).append(line)
    done = []
    for fund_id in sorted(by_fund):  # locked in one order: two imports never wait on each other in a cycle
        _require(actor, fund_id)
        fund = book.locked_fund(fund_id)
        mine = by_fund[fund_id]
        accounts = Account.objects.filter(fund=fund, pk__in=sorted(line.account for line in mine)).in_bulk()
        if len(accounts) != len(mine):
            raise ValidationError(_("The sub-account belongs to another fund."))
        opened = Entry.objects.filter(
            fund=fund,
            account_id__in=sorted(accounts),
            kind__in=(EntryKind.FIRST_DEPOSIT, EntryKind.OPENING),
            reversal__isnull=True,
        )
        if opened.exists():
            raise ValidationError(
                _("A house of the file has been opened meanwhile; upload the file again to see which.")
            )
        note = _("Imported from %(file)s") % {"file": filename}
        for day in sorted({line.booked_on for line in mine}):
            posting = []
            for line in (line for line in mine if line.booked_on == day):
                if line.first:
                    posting.append((accounts[line.account], EntryKind.FIRST_DEPOSIT, line.first, None))
                if line.opening:
                    posting.append((accounts[line.account], EntryKind.OPENING, line.opening, None))
            book.post(fund, posting, actor=actor, booked_on=day, note=note[:200])
        first = sum(line.first for line in mine)
        balance = first + sum(line.opening for line in mine)
        changes = {"houses": [None, len(mine)], "first": [None, first], "balance": [None, balance]}
        summary = f"{filename}: {len(mine)} houses, first ¥{yuan(first)}, balance ¥{yuan(balance)}"
        audit.record(actor, AuditLog.Action.IMPORT, fund, changes, note=summary)
        done.append(Imported(fund, len(mine), first, balance))
    return done


@transaction.atomic
def reverse_entry(*, actor, entry, booked_on, note):
    """冲正: an entry is corrected by its exact opposite, never edited; a reversal is not reversed
    again, and an entry is reversed once."""
    _require(actor, entry.fund_id)
    fund = book.locked_fund(entry.fund_id)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError(_("A reversing entry is not reversed: post a new entry instead."))
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry has been reversed already."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the entry is reversed.")})
    line = (entry.account, EntryKind.REVERSAL, -entry.amount, entry)
    return book.post(fund, [line], actor=actor, booked_on=booked_on, note=note, use=entry.use)[0]


@transaction.atomic
def credit_interest(*, actor, fund, total, booked_on, note=""):
    """The interest the bank credited to the fund, shared by the houses' balances (largest
    remainder: the shares sum to `total`)."""
    _require(actor, fund.pk)
    if total <= 0:
        raise ValidationError({"total": _("The amount must be positive.")})
    fund = book.locked_fund(fund.pk)
    accounts = {a.pk: a for a in Account.objects.filter(fund=fund, balance__gt=0)}
    if not accounts:
        raise ValidationError(_("No sub-account has a balance to earn interest."))
    shares = rules.apportion(total, {pk: a.balance for pk, a in accounts.items()})
    lines = [(accounts[pk], EntryKind.INTEREST, share, None) for pk, share in shares.items() if share]
    return book.post(fund, lines, actor=actor, booked_on=booked_on, note=note)


@transaction.atomic
def propose_use(*, actor, fund, title, budget, description="", emergency="", buildings=(), unit=None):
    """维修资金使用 proposed for the compound, some buildings or one unit. Its title and
    description go on the board (checked for personal data); a budget that would take the
    compound's balance under the floor is refused at once, with the shortfall (R2.2)."""
    _require(actor, fund.pk)
    fund = Fund.objects.select_related("compound__community").get(pk=fund.pk)  # its balance now
    if unit is not None and unit.compound_id != fund.compound_id:
        raise ValidationError({"unit": _("The unit is not in this compound.")})
    if any(b.compound_id != fund.compound_id for b in buildings):
        raise ValidationError({"buildings": _("The buildings are not in this compound.")})
    if unit is not None and buildings:
        raise ValidationError({"unit": _("Choose some buildings or one unit, not both.")})
    check_public_text(fund.compound.community, title=title, description=description)
    accounts = book.concerned(fund.pk, buildings, unit)
    count = accounts.count()
    if not count:
        raise ValidationError(_("No house concerned has a sub-account in this fund."))
    refusal = book.floor_refusal(fund, budget)
    if refusal:
        raise ValidationError({"budget": refusal})
    use = create_object(
        Use,
        actor=actor,
        m2m={"buildings": list(buildings)},
        fund=fund,
        title=title,
        description=description,
        emergency=emergency,
        unit=unit,
        budget=budget,
        houses=count,
        created_by=actor,
    )
    return use
