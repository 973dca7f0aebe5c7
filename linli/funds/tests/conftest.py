"""The fund world on top of linli.testing's: 馨和苑 (cp1, four houses of 89.50 m² in two buildings)
with a fund of ¥10,000.00 first deposit per house, and 西湖小区 (cp2, of the other community) with
its own. Amounts in fen."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from linli.funds import actions
from linli.funds.models import EntryKind
from linli.testing import log_in

DEPOSIT = 1_000_000  # ¥10,000.00 a house
DAY = dt.date(2026, 3, 1)


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def page(user):
    return log_in(Client(), user)


def deposit_all(fund, actor, amount=DEPOSIT):
    for account in fund.accounts.order_by("house_id"):
        actions.book_entry(actor=actor, account=account, kind=EntryKind.FIRST_DEPOSIT, amount=amount, booked_on=DAY)
    fund.refresh_from_db()


@pytest.fixture
def funds(world):
    f = SimpleNamespace()
    u = world.users
    f.fund = actions.open_fund(actor=u.community, compound=world.cp1, bank="宁夏银行")
    deposit_all(f.fund, u.community)
    f.other = actions.open_fund(actor=u.other_community, compound=world.cp2)
    deposit_all(f.other, u.other_community)
    f.acc = {key: getattr(world, f"house_{key}").fund_account for key in ("a1", "a2", "b1", "b2", "c1", "c2")}
    return f
