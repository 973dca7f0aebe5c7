"""The ledger: running balances, immutable entries, reversals, R2.1 at its boundary with the
owners told, and the floor (R2.2) at its boundary."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.core.models import Notification
from linli.funds import actions
from linli.funds.models import Account, Entry, EntryKind, Fund
from linli.funds.tests.conftest import DAY, DEPOSIT
from linli.funds.tests.helpers import paid_emergency

pytestmark = pytest.mark.django_db


def test_open_fund_makes_a_sub_account_per_house_and_deposits_keep_running_totals(world, funds):
    assert funds.fund.accounts.count() == 4
    assert funds.fund.first_total == funds.fund.balance == 4 * DEPOSIT
    acc = Account.objects.get(pk=funds.acc["a1"].pk)
    assert (acc.first_deposit, acc.balance, acc.needs_topup) == (DEPOSIT, DEPOSIT, False)
    # the running balances are the sums of the ledger
    assert sum(Entry.objects.filter(fund=funds.fund).values_list("amount", flat=True)) == funds.fund.balance
    # opening again adds only the houses added since
    assert actions.open_fund(actor=world.users.community, compound=world.cp1).accounts.count() == 4


def test_an_entry_is_never_changed_or_deleted(funds):
    entry = Entry.objects.filter(account=funds.acc["a1"]).first()
    entry.amount = 1
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert Entry.objects.get(pk=entry.pk).amount == DEPOSIT


def test_a_reversal_is_the_exact_opposite_once_and_never_reversed_again(world, funds):
    u = world.users
    entry = Entry.objects.get(account=funds.acc["a1"], kind=EntryKind.FIRST_DEPOSIT)
    with pytest.raises(ValidationError):
        actions.reverse_entry(actor=u.community, entry=entry, booked_on=DAY, note=" ")
    rev = actions.reverse_entry(actor=u.community, entry=entry, booked_on=DAY, note="录入错误")
    assert (rev.amount, rev.reverses_id, rev.balance_after) == (-DEPOSIT, entry.pk, 0)
    acc = Account.objects.get(pk=funds.acc["a1"].pk)
    assert (acc.first_deposit, acc.balance, acc.needs_topup) == (0, 0, False)
    fund = Fund.objects.get(pk=funds.fund.pk)
    assert fund.first_total == fund.balance == 3 * DEPOSIT
    with pytest.raises(ValidationError):
        actions.reverse_entry(actor=u.community, entry=entry, booked_on=DAY, note="再次")
    with pytest.raises(ValidationError):
        actions.reverse_entry(actor=u.community, entry=rev, booked_on=DAY, note="冲正的冲正")


def test_only_staff_of_the_fund_book_entries(world, funds):
    for user in (world.users.other_community, world.users.resident, world.users.grid_a):
        with pytest.raises(PermissionDenied):
            actions.book_entry(actor=user, account=funds.acc["a1"], kind=EntryKind.TOP_UP, amount=100, booked_on=DAY)
    with pytest.raises(ValidationError):
        actions.book_entry(actor=world.users.community, account=funds.acc["a1"], kind=EntryKind.USE, amount=1,
                           booked_on=DAY)  # fmt: skip


def test_r2_1_exactly_30_percent_is_not_flagged_one_fen_below_is_and_the_owners_are_told(
    world, funds, django_capture_on_commit_callbacks
):
    # unit_a: houses a1 and a2 of equal area; 1,400,000 fen leaves each at 300,000 = exactly 30 %
    with django_capture_on_commit_callbacks(execute=True):
        paid_emergency(world, funds.fund, 2 * (DEPOSIT - 300_000), unit=world.unit_a)
    a1 = Account.objects.get(pk=funds.acc["a1"].pk)
    assert (a1.balance, a1.needs_topup) == (300_000, False)
    assert not Notification.objects.filter(user=world.users.resident, text__contains="需续交").exists()
    with django_capture_on_commit_callbacks(execute=True):
        paid_emergency(world, funds.fund, 2, unit=world.unit_a)  # one fen each: 299,999
    a1.refresh_from_db()
    assert (a1.balance, a1.needs_topup) == (299_999, True)
    told = Notification.objects.filter(user=world.users.resident, text__contains="需续交")
    assert told.count() == 1 and "1号楼1单元101" in told.get().text
    # the other building's houses are untouched
    assert not Account.objects.get(pk=funds.acc["b1"].pk).needs_topup
    assert list(Account.objects.filter(fund=funds.fund, needs_topup=True).values_list("house_id", flat=True)) == [
        world.house_a1.pk,
        world.house_a2.pk,
    ]
    # a top-up back to 30 % clears the flag
    actions.book_entry(actor=world.users.community, account=a1, kind=EntryKind.TOP_UP, amount=1, booked_on=DAY)
    a1.refresh_from_db()
    assert not a1.needs_topup


def test_interest_is_shared_by_balance_and_sums_exactly(world, funds):
    entries = actions.credit_interest(actor=world.users.community, fund=funds.fund, total=1001, booked_on=DAY)
    assert sum(e.amount for e in entries) == 1001
    assert sorted(e.amount for e in entries) == [250, 250, 250, 251]
    assert Fund.objects.get(pk=funds.fund.pk).balance == 4 * DEPOSIT + 1001


def test_r2_2_a_use_to_exactly_the_floor_is_proposed_one_fen_more_is_refused_with_the_shortfall(world, funds):
    # first deposits 4,000,000: floor 1,200,000; the balance may give 2,800,000
    u = world.users
    use = actions.propose_use(actor=u.community, fund=funds.fund, title="道路修缮", budget=2_800_000)
    assert use.budget == 2_800_000
    with pytest.raises(ValidationError) as exc:
        actions.propose_use(actor=u.community, fund=funds.fund, title="道路修缮", budget=2_800_001)
    message = exc.value.message_dict["budget"][0]
    assert "0.01" in message and "12,000.00" in message and "30%" in message
