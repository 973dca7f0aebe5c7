"""The benchmark district's maintenance funds are what funds.book.post would have written, and the
funds benchmark reports constant queries and a clean ledger check. (Speed: `make bench`.)"""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum

from linli.bench import funds, runner
from linli.bench.district import District
from linli.bench.management.commands import bench_data
from linli.cases.models import Case
from linli.deliberation.tally import hundredths
from linli.funds import rules
from linli.funds.models import Account, Entry, EntryKind, Fund, Use
from linli.people.models import Household
from linli.places.models import Compound, House


@pytest.fixture
def district(db):
    return District(0.001, seed=7, out=lambda *_a: None).build(funds_only=True)


def test_funds_only_builds_places_staff_and_funds(district):
    assert not Household.objects.exists() and not Case.objects.exists()
    assert Fund.objects.count() == Compound.objects.count() == district["funds"]["fund"]
    assert Account.objects.count() == House.objects.count() == district["funds"]["account"]
    assert not Account.objects.exclude(compound_id=F("fund__compound_id")).exists()
    assert not Account.objects.exclude(unit_id=F("house__unit_id")).exists()
    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert kinds == {EntryKind.FIRST_DEPOSIT, EntryKind.INTEREST, EntryKind.USE, EntryKind.TOP_UP}
    years = Entry.objects.filter(kind=EntryKind.INTEREST).dates("booked_on", "year")
    assert len(years) == funds.YEARS


def test_running_figures_are_the_sums_of_the_entries(district):
    flagged = 0
    for fund in Fund.objects.all():
        checked, bad = runner.fund_ledger_check(fund, sample=10_000)
        assert bad == 0 and checked >= fund.accounts.count()
        flagged += fund.accounts.filter(needs_topup=True).count()
        assert not rules.below(fund.balance, fund.first_total, rules.policy().floor_percent)
    assert flagged == district["funds"]["needs_topup"] > 0, "the 需续交 list is not empty"
    for a in Account.objects.filter(needs_topup=True)[:20]:
        assert 100 * a.balance < 30 * a.first_deposit


def test_a_use_is_its_invoice_apportioned_by_area(district):
    uses = Use.objects.annotate(n=Count("entries")).filter(n__gt=1)
    assert uses.exists() and not Use.objects.exclude(state=Use.State.PAID).exists()
    for use in uses[:10]:
        entries = list(use.entries.select_related("account__house").order_by("account_id"))
        assert -sum(e.amount for e in entries) == use.invoice_total
        areas = {e.account_id: hundredths(e.account.house.area) for e in entries}
        concerned = Account.objects.filter(fund=use.fund)
        concerned = concerned.filter(unit=use.unit) if use.unit_id else concerned
        buildings = list(use.buildings.all())
        concerned = concerned.filter(building__in=buildings) if buildings else concerned
        weights = {a.pk: hundredths(a.house.area) for a in concerned.select_related("house")}
        assert use.houses == len(weights) and set(areas) <= set(weights)
        shares = rules.apportion(use.invoice_total, weights)
        assert {e.account_id: -e.amount for e in entries} == {k: v for k, v in shares.items() if v}
        assert use.emergency and use.balance_after is not None


def test_the_check_sees_a_balance_that_is_not_its_entries(district):
    fund = Fund.objects.order_by("id").first()
    assert runner.fund_ledger_check(fund)[1] == 0
    Account.objects.filter(pk=fund.accounts.order_by("id").first().pk).update(balance=F("balance") + 1)
    assert runner.fund_ledger_check(fund)[1] == 2  # the account against its entries; the fund against its accounts
    Fund.objects.filter(pk=fund.pk).update(balance=F("balance") + 1)
    assert runner.fund_ledger_check(fund)[1] == 2  # the account; the fund against its entries


def test_the_benchmark_reports_constant_queries_and_a_clean_check(district, settings):
    opts = runner.Options(repeat=1, out=lambda *_a: None)
    report = runner.run(opts, only=["funds"])
    rows = report["results"]
    assert {r["group"] for r in rows} == {"funds"} and len(rows) >= 9
    assert [p for p in runner.check(report) if "did not report" not in p] == []
    check = rows[-1]
    assert check["mismatches"] == 0 and check["accounts"] > 0
    deep = [r for r in rows if r.get("same_as")]
    assert deep and all(r["queries"] > 0 for r in rows)
    assert "10 · Maintenance funds" in runner.to_markdown(report)


def test_the_funds_are_added_to_a_district_made_without_them(db, monkeypatch):
    monkeypatch.setattr(District, "build_funds", lambda self: None)
    District(0.001, seed=7, out=lambda *_a: None).build(funds_only=True)
    assert not funds.present()
    out = io.StringIO()
    call_command(bench_data.Command(), scale=0.001, if_absent=True, funds_only=True, stdout=out)
    assert funds.present() and Account.objects.count() == House.objects.count()
    total = Entry.objects.aggregate(s=Sum("amount"))["s"]
    call_command(bench_data.Command(), scale=0.001, if_absent=True, funds_only=True, stdout=out)  # once only
    assert Entry.objects.aggregate(s=Sum("amount"))["s"] == total


def test_monthly_interest_is_twelve_postings_a_year(db):
    District(0.001, seed=7, out=lambda *_a: None, fund_interest="monthly").build(funds_only=True)
    account = Account.objects.order_by("id").first()
    months = account.entries.filter(kind=EntryKind.INTEREST).dates("booked_on", "month")
    assert len(months) == 12 * funds.YEARS
    assert runner.fund_ledger_check(account.fund)[1] == 0
