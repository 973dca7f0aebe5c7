"""The fund bank's file taken over (importer.py): amounts at their boundaries, houses in scope
and named once, houses already opened, all or nothing, the fund's totals equal to the file's sums,
and only the staff who keep the funds may import."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse
from openpyxl import Workbook

from linli.core.models import AuditLog
from linli.funds import actions, importer
from linli.funds.importer import BALANCE, DATE, FIRST, HOUSE, CellError, to_fen
from linli.funds.models import Account, Entry, EntryKind, Fund
from linli.funds.tests.conftest import page

pytestmark = pytest.mark.django_db

HEADERS = ["小区", "楼栋", "单元", "门牌号", FIRST, BALANCE, DATE]
DAY = "2025-12-31"


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "维修资金"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def house(building, number, first="", balance="", day=DAY, compound="馨和苑"):
    return [compound, building, "1单元", number, first, balance, day]


FOUR = [
    house("1号楼", "101", "10000.00", "10250.37"),  # interest on top of the first deposit
    house("1号楼", "201", "0.01"),  # the smallest deposit; no balance column: the balance is the deposit
    house("2号楼", "101", "", "5000"),  # only the bank's balance
    house("2号楼", "201", 8000, 0),  # numbers typed into Excel; all of it used before Linli
]


@pytest.fixture
def fund(world):
    return actions.open_fund(actor=world.users.community, compound=world.cp1, bank="宁夏银行")


def run(user, rows, **kwargs):
    return importer.run(user, "银行.xlsx", xlsx(rows, **kwargs))


def nothing_written(fund):
    fund.refresh_from_db()
    assert not Entry.objects.filter(fund=fund).exists()
    assert (fund.balance, fund.first_total) == (0, 0)
    assert not Account.objects.filter(fund=fund).exclude(balance=0, first_deposit=0).exists()
    assert not AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()


def cells(outcome):
    return [(e["row"], e["column"]) for e in outcome.errors]


def test_an_import_posts_every_house_and_the_fund_totals_equal_the_files_sums(world, fund):
    outcome = run(world.users.community, FOUR)
    assert outcome.errors == [] and outcome.message == ""
    fund.refresh_from_db()
    assert fund.first_total == 1_000_000 + 1 + 800_000
    assert fund.balance == 1_025_037 + 1 + 500_000 + 0
    by_house = {a.house_id: a for a in Account.objects.filter(fund=fund)}
    a1, a2, b1, b2 = (by_house[getattr(world, f"house_{k}").pk] for k in ("a1", "a2", "b1", "b2"))
    assert (a1.first_deposit, a1.balance) == (1_000_000, 1_025_037)
    assert (a2.first_deposit, a2.balance) == (1, 1)
    assert (b1.first_deposit, b1.balance, b1.needs_topup) == (0, 500_000, False)
    assert (b2.first_deposit, b2.balance, b2.needs_topup) == (800_000, 0, True)  # R2.1 from the opening on
    kinds = sorted((e.account_id, e.kind, e.amount) for e in Entry.objects.filter(fund=fund))
    assert kinds == sorted(
        [
            (a1.pk, EntryKind.FIRST_DEPOSIT, 1_000_000),
            (a1.pk, EntryKind.OPENING, 25_037),
            (a2.pk, EntryKind.FIRST_DEPOSIT, 1),
            (b1.pk, EntryKind.OPENING, 500_000),
            (b2.pk, EntryKind.FIRST_DEPOSIT, 800_000),
            (b2.pk, EntryKind.OPENING, -800_000),
        ]
    )
    assert set(Entry.objects.filter(fund=fund).values_list("booked_on", flat=True)) == {dt.date(2025, 12, 31)}
    assert sum(Entry.objects.filter(fund=fund).values_list("amount", flat=True)) == fund.balance
    record = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
    assert (record.actor, record.object_id, record.changes["houses"]) == (
        world.users.community,
        str(fund.pk),
        [None, 4],
    )
    # book.post's own record of the fund's totals, before and after
    assert AuditLog.objects.filter(object_id=str(fund.pk), changes__balance=[0, fund.balance]).exists()


@pytest.mark.parametrize(
    ("cell", "fen"),
    [("0.01", 1), (0.01, 1), ("1,234.56", 123_456), ("¥12", 1200), ("1.100", 110), (0.1 + 0.2, 30), (7, 700)],
)
def test_amounts_in_yuan_to_fen(cell, fen):
    assert to_fen(cell) == fen


@pytest.mark.parametrize("cell", ["0.001", 0.001, "-1", -0.01, "abc", "1e5", "12元", True, float("nan"), "1" * 11])
def test_amounts_refused(cell):
    with pytest.raises(CellError):
        to_fen(cell)


def test_bad_rows_are_listed_row_by_row_with_their_column_and_nothing_is_written(world, fund):
    rows = [
        house("1号楼", "101", "100.001"),  # three decimals
        house("1号楼", "201", "100", "-5"),  # negative
        house("2号楼", "101", "一百"),  # not a number
        house("2号楼", "201", "", "", ""),  # no amount, no date
        house("2号楼", "202", "100", day="2099-01-01"),  # no such house; a date after today
    ]
    outcome = run(world.users.community, rows)
    assert cells(outcome) == [(2, FIRST), (3, BALANCE), (4, FIRST), (5, DATE), (5, FIRST), (6, DATE), (6, HOUSE)]
    assert all(e["message"] for e in outcome.errors)
    nothing_written(fund)


def test_the_last_row_failing_leaves_nothing_written(world, fund):
    outcome = run(world.users.community, [*FOUR[:3], house("2号楼", "201", "8000.999")])
    assert cells(outcome) == [(5, FIRST)]
    nothing_written(fund)


def test_a_write_failing_at_the_last_posting_rolls_everything_back(world, fund):
    """The last row has its own value date, so its posting is the second; the database refuses it."""
    posted = []

    def refuse_second(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "funds_entry"'):
            posted.append(sql)
            if len(posted) == 2:
                raise DatabaseError("could not write to funds_entry")
        return execute(sql, params, many, context)

    rows = [*FOUR[:3], house("2号楼", "201", "8000", day="2026-01-05")]
    with connection.execute_wrapper(refuse_second), pytest.raises(DatabaseError):
        run(world.users.community, rows)
    assert len(posted) == 2
    nothing_written(fund)


def test_a_house_outside_the_scope_is_refused_as_if_it_did_not_exist(world, fund):
    actions.open_fund(actor=world.users.other_community, compound=world.cp2)
    outside = run(world.users.community, [house("1号楼", "101", "100", compound="西湖小区")])
    nowhere = run(world.users.community, [house("1号楼", "101", "100", compound="东湖小区")])
    assert cells(outside) == cells(nowhere) == [(2, "小区")]
    assert outside.errors[0]["message"].replace("西湖", "东湖") == nowhere.errors[0]["message"]
    assert not Entry.objects.exists()
    # the same house is imported by the staff it belongs to
    assert run(world.users.other_community, [house("1号楼", "101", "100", compound="西湖小区")]).funds


def test_a_house_named_twice_in_the_file_is_refused(world, fund):
    outcome = run(world.users.community, [house("1号楼", "101", "100"), house("1号楼", "101", "200")])
    assert cells(outcome) == [(3, HOUSE)]
    assert "2" in outcome.errors[0]["message"]
    nothing_written(fund)


def test_a_house_already_opened_is_refused_until_its_entries_are_reversed(world, fund):
    u = world.users
    account = world.house_a1.fund_account
    day = dt.date(2025, 6, 1)
    entry = actions.book_entry(actor=u.community, account=account, kind=EntryKind.OPENING, amount=500, booked_on=day)
    outcome = run(u.community, FOUR)
    assert cells(outcome) == [(2, HOUSE)]
    assert Entry.objects.filter(fund=fund).count() == 1
    actions.reverse_entry(actor=u.community, entry=entry, booked_on=day, note="以银行对账单为准")
    assert run(u.community, FOUR).funds
    assert Account.objects.get(pk=account.pk).balance == 1_025_037


def test_the_action_checks_again_under_the_lock(world, fund):
    """Two uploads of one file: the second finds the houses opened under the fund's lock."""
    account = world.house_a1.fund_account
    line = actions.Opening(account.pk, fund.pk, 100, 0, dt.date(2025, 12, 31))
    actions.import_openings(actor=world.users.community, lines=[line], filename="a.xlsx")
    with pytest.raises(Exception, match="在此期间"):
        actions.import_openings(actor=world.users.community, lines=[line], filename="a.xlsx")


def test_headers_in_the_banks_words_and_excel_dates(world, fund):
    headers = ["小区", "楼栋", "单元", "房号", "首次交存金额（元）", "期初余额 (元)", "余额日期"]
    rows = [house("1号楼", "101", Decimal("12.5"), 13, dt.datetime(2025, 12, 31))]
    assert run(world.users.community, rows, headers=headers).funds
    assert Account.objects.get(house=world.house_a1).balance == 1300


def test_a_file_without_the_headers_is_refused_whole(world, fund):
    outcome = run(world.users.community, [["馨和苑", "1号楼"]], headers=["小区", "楼栋"])
    assert outcome.message and "门牌号" in outcome.message and FIRST in outcome.message
    assert run(world.users.community, []).message
    nothing_written(fund)


def test_only_staff_who_keep_the_funds_may_import(world, fund):
    url = reverse("funds:import")
    upload = {"file": io.BytesIO(xlsx(FOUR))}
    for user in (world.users.nobody, world.users.resident, world.users.grid_a, world.users.subdistrict):
        client = page(user)
        assert client.get(url).status_code == 403
        upload["file"].seek(0)
        upload["file"].name = "银行.xlsx"
        assert client.post(url, upload).status_code == 403
    nothing_written(fund)


def test_the_page_imports_and_shows_the_outcome(world, fund):
    client = page(world.users.community)
    assert reverse("funds:import") in client.get(fund.get_absolute_url()).content.decode()
    assert "首次交存金额(元)" in client.get(reverse("funds:import")).content.decode()
    bad = io.BytesIO(xlsx([house("1号楼", "101", "-1")]))
    bad.name = "银行.xlsx"
    answer = client.post(reverse("funds:import"), {"file": bad})
    assert answer.status_code == 400
    assert 'data-testid="import-errors"' in answer.content.decode() and FIRST in answer.content.decode()
    good = io.BytesIO(xlsx(FOUR))
    good.name = "银行.xlsx"
    answer = client.post(reverse("funds:import"), {"file": good}, follow=True)
    assert answer.redirect_chain[-1][0] == fund.get_absolute_url()
    fund = Fund.objects.get(pk=fund.pk)
    assert fund.balance == 1_525_038
    assert "15,250.38" in answer.content.decode()


def test_a_file_beyond_the_row_bound_is_refused_whole(world, fund, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    assert "3" in run(world.users.community, FOUR).message
    blank = [[None] * 7] * 30 + [house("1号楼", "101", "1")]  # blank rows count towards the sheet's bound
    assert run(world.users.community, blank).message
    nothing_written(fund)
