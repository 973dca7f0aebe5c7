"""The floor policy is a setting (RULES.md: the national rule by default, local variants as
settings): the Shanghai variant asks a fund below 30 % to be topped up to 50 % within 90 days."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.funds import actions
from linli.funds.models import Entry, EntryKind, Fund
from linli.funds.status import floor_status
from linli.funds.tests.conftest import DAY, DEPOSIT
from linli.funds.tests.helpers import paid_emergency

pytestmark = pytest.mark.django_db


def _just_below_the_floor(world, funds):
    """Interest, then a use down to exactly the floor, then one interest entry reversed."""
    u = world.users
    actions.credit_interest(actor=u.community, fund=funds.fund, total=400, booked_on=DAY)
    paid_emergency(world, funds.fund, 4 * DEPOSIT + 400 - 1_200_000)
    fund = Fund.objects.get(pk=funds.fund.pk)
    assert fund.balance == 1_200_000 and not floor_status(fund).below and fund.below_floor_since is None
    interest = Entry.objects.filter(fund=fund, kind=EntryKind.INTEREST).first()
    actions.reverse_entry(actor=u.community, entry=interest, booked_on=DAY, note="利息错记")
    return Fund.objects.get(pk=fund.pk)


def test_national_policy_below_the_floor_refuses_every_use(world, funds):
    fund = _just_below_the_floor(world, funds)
    status = floor_status(fund)
    assert fund.balance == 1_199_900 and status.below and status.available == 0
    assert status.topup_target is None and status.topup_by is None
    with pytest.raises(ValidationError):
        actions.propose_use(actor=world.users.community, fund=fund, title="小修", budget=1)


def test_shanghai_policy_asks_a_top_up_to_50_percent_within_90_days(world, funds, settings):
    settings.LINLI_FUND_FLOOR_POLICY = "shanghai"
    fund = _just_below_the_floor(world, funds)
    status = floor_status(fund)
    assert fund.below_floor_since == timezone.localdate()
    assert status.topup_target == 2_000_000 and status.topup_short == 800_100
    assert status.topup_by == timezone.localdate() + dt.timedelta(days=90)
    # back at the floor, the clock stops
    actions.book_entry(actor=world.users.community, account=funds.acc["a1"], kind=EntryKind.TOP_UP, amount=100,
                       booked_on=DAY)  # fmt: skip
    fund.refresh_from_db()
    assert fund.below_floor_since is None and not floor_status(fund).below


def test_the_floor_percent_is_a_setting(world, funds, settings):
    settings.LINLI_FUND_FLOOR_PERCENT = 50  # floor 2,000,000 of 4,000,000
    with pytest.raises(ValidationError):
        actions.propose_use(actor=world.users.community, fund=funds.fund, title="道路", budget=2_000_001)
    actions.propose_use(actor=world.users.community, fund=funds.fund, title="道路", budget=2_000_000)
