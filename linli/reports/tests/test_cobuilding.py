"""党建共建 in figures (issue 14; docs/reports.md): per community and sub-district, on the figures
page, the dashboard's card, the 月报 (paper and xlsx); events counted in the period at its exact
bounds; only what the user's role sees; a fixed number of queries."""

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.core.actions import create_object
from linli.facilities.tests.conftest import TZ
from linli.funds.models import Account, Fund
from linli.funds.tests.helpers import paid_emergency
from linli.party.models import CheckIn, PartyMember
from linli.people.models import ResidentPost
from linli.places.models import Compound
from linli.projects import actions as project_actions
from linli.projects.models import Heading, Need, Project
from linli.projects.tests.conftest import new_project
from linli.projects.workflow import PROJECT
from linli.reports import cobuilding
from linli.reports.places import Place
from linli.testing import log_in
from linli.wishes.models import Wish
from linli.wishes.tests.conftest import claim, post, published

pytestmark = pytest.mark.django_db
URL = reverse("reports:cobuilding")


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def sub_place(world):
    return Place("subdistrict", world.sub.pk, world.sub.name, subdistrict_id=world.sub.pk)


def row(figures, community):
    return next(r for r in figures.rows if r.place.pk == community.pk)


def start(world, project):
    return PROJECT.perform(project.pk, "start", actor=world.users.community, version=project.version, data={})


def deliver(world, project):
    """Carry a project through to delivered, today."""
    project = start(world, project)
    data = {"delivered_on": timezone.localdate().isoformat(), "result": "为36位老人体检"}
    return PROJECT.perform(project.pk, "deliver", actor=world.users.community, version=project.version, data=data)


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_the_figures_of_each_community_of_a_subdistrict_and_their_total(world, lists, wishes):
    wish = published(world)
    claim(wish, wishes.neighbour)
    project = deliver(world, new_project(world, lists))
    running = start(world, new_project(world, lists, title="书法班进社区", needs=[], resources=[lists.talent]))
    f = cobuilding.figures(world.users.subdistrict, sub_place(world))
    c1, c2 = row(f, world.c1), row(f, world.c2)
    assert f.level == "community" and {r.place.pk for r in f.rows} >= {world.c1.pk, world.c2.pk}
    # states: as they are now, each counted independently of the code under test
    roster = PartyMember.objects.filter(in_roster=True)
    assert c1.counts["members"] == roster.filter(community=world.c1).count() >= 1
    assert c2.counts["members"] == roster.filter(community=world.c2).count()
    assert c1.counts["check_ins"] == 1 and c2.counts["check_ins"] == 0  # wishes' 在职党员, confirmed
    assert c1.counts["partners"] == 1 and c2.counts["partners"] == 1  # the bank, the school
    assert c1.counts["needs_open"] == 0 and c1.counts["needs_met"] == 1  # its need met by the project
    assert c2.counts["needs_open"] == 1 and c2.counts["needs_met"] == 0
    # delivery frees the speakers; the running project holds the calligraphy class
    assert c1.counts["resources_offered"] == 2 and c1.counts["resources_used"] == 1
    assert c2.counts["resources_offered"] == 1 and c2.counts["resources_used"] == 0
    assert (c1.counts["wishes_posted"], c1.counts["wishes_claimed"], c1.counts["wishes_delivered"]) == (1, 1, 0)
    assert c1.projects == {Project.State.DELIVERED: 1, Project.State.IN_PROGRESS: 1} and not c2.projects
    assert c1.money == {"partner": 400_000, "service_fund": 100_000} and c1.money_total == 500_000
    assert (project.state, running.state) == (Project.State.DELIVERED, Project.State.IN_PROGRESS)
    # the total is the rows' sum
    assert f.total.cells == [sum(r.cells[i] for r in f.rows) for i in range(len(cobuilding.COLUMNS))]
    assert f.total.money_total == 500_000


def test_agreements_count_while_signed_and_in_their_term(world, lists):
    from linli.party.workflow import AGREEMENT

    agreement = lists.party.agreement  # 2026-01-01 … 2026-12-31, a draft
    place = sub_place(world)
    user = world.users.subdistrict

    def in_force(day):
        return row(cobuilding.figures(user, place, now=local(*day, 12)), world.c1).counts["agreements"]

    assert in_force((2026, 6, 1)) == 0  # a draft is not in force
    AGREEMENT.perform(agreement.pk, "sign", actor=world.users.community, version=0, data={"signed_on": "2025-12-20"})
    assert [in_force(d) for d in ((2025, 12, 31), (2026, 1, 1), (2026, 12, 31), (2027, 1, 1))] == [0, 1, 1, 0]


def test_events_are_counted_in_the_period_at_its_exact_bounds(world, wishes):
    """A wish posted at the first instant of 2025 counts in 2025, one posted at the first instant
    of 2026 does not; the same for claims and deliveries."""
    times = [local(2024, 12, 31, 23, 59, 59), local(2025, 1, 1), local(2025, 12, 31, 23, 59, 59), local(2026, 1, 1)]
    for t in times:
        wish = post(world)
        Wish.objects.filter(pk=wish.pk).update(
            created_at=t, claimed_at=t, delivered_at=t, state="delivered", claimant_kind="volunteer"
        )
    CheckIn.objects.update(decided_at=local(2025, 1, 1))
    start, end = cobuilding.year_bounds(2025)
    assert (start, end) == (local(2025, 1, 1), local(2026, 1, 1))
    c1 = row(cobuilding.figures(world.users.subdistrict, sub_place(world), start, end), world.c1)
    assert (c1.counts["wishes_posted"], c1.counts["wishes_claimed"], c1.counts["wishes_delivered"]) == (2, 2, 2)
    assert c1.counts["check_ins"] == 1
    every = row(cobuilding.figures(world.users.subdistrict, sub_place(world)), world.c1)
    assert every.counts["wishes_posted"] == 4 and every.counts["wishes_delivered"] == 4
    bounds_2026 = cobuilding.year_bounds(2026)
    c1_2026 = row(cobuilding.figures(world.users.subdistrict, sub_place(world), *bounds_2026), world.c1)
    assert c1_2026.counts["wishes_posted"] == 1 and c1_2026.counts["check_ins"] == 0


def test_a_need_met_counts_in_the_period_its_project_was_delivered(world, lists):
    deliver(world, new_project(world, lists))
    today = timezone.localdate()
    Project.objects.update(delivered_on=dt.date(today.year - 1, 12, 31))
    last_year = cobuilding.year_bounds(today.year - 1)
    this_year = cobuilding.year_bounds(today.year)
    user, place = world.users.subdistrict, sub_place(world)
    met = [row(cobuilding.figures(user, place, *b), world.c1) for b in (last_year, this_year)]
    assert [m.counts["needs_met"] for m in met] == [1, 0]


def test_a_community_worker_counts_their_community_only(world, lists, wishes):
    published(world)
    post(world, actor=wishes.west)  # 西湖社区's resident
    place = Place("community", world.c1.pk, world.c1.name, world.c1.pk, world.sub.pk)
    f = cobuilding.figures(world.users.community, place)
    assert [r.place.pk for r in f.rows] == [world.c1.pk]
    assert f.total.counts["wishes_posted"] == 1 and f.total.counts["partners"] == 1
    client = log_in(Client(), world.users.community)
    body = client.get(URL).content.decode()
    assert world.c1.name in body and world.c2.name not in body
    # another community, the sub-district: not theirs (404, like a missing place)
    for value in (f"community-{world.c2.pk}", f"subdistrict-{world.sub.pk}", "district", "community-99999999999"):
        assert client.get(URL, {"place": value}).status_code == 404, value


@pytest.mark.parametrize("who", ["resident", "nobody", "property", "grid_a"])  # a grid worker: problem lists only
def test_roles_without_reports_see_no_figures(world, client, who):
    user = getattr(world.users, who)
    response = log_in(client, user).get(URL)
    assert response.status_code in (403, 404)
    dash = log_in(client, user).get(reverse("cases:dashboard"))
    assert "cobuilding-panel" not in dash.content.decode()


def test_partner_staff_see_no_figures(world, client, lists):
    response = log_in(client, lists.party.bank_staff).get(URL)
    assert response.status_code in (403, 404)


def test_the_page_its_year_and_a_bad_year(world, client, lists, wishes):
    published(world)
    c = log_in(client, world.users.subdistrict)
    body = c.get(URL).content.decode()
    assert 'data-testid="figures"' in body and 'data-testid="total"' in body
    assert f"?place=community-{world.c1.pk}" in body  # a row opens the community
    year = timezone.localdate().year
    page = c.get(URL, {"place": f"subdistrict-{world.sub.pk}", "year": year})
    assert page.status_code == 200 and f"{year}" in page.content.decode()
    bad = c.get(URL, {"year": "1900"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.content.decode()
    assert 'data-testid="figures"' not in bad.content.decode()


def test_the_dashboard_shows_the_totals(world, client, lists, wishes):
    published(world)
    body = log_in(client, world.users.subdistrict).get(reverse("cases:dashboard")).content.decode()
    assert 'data-testid="cobuilding-panel"' in body
    assert 'data-testid="cobuilding-wishes_posted">1<' in body
    assert 'data-testid="cobuilding-partners">2<' in body  # the bank and the school


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, data or {}).status_code == 200
    return len(ctx.captured_queries)


def test_a_fixed_number_of_queries_whatever_the_rows(world, client, lists, wishes):
    c = log_in(client, world.users.subdistrict)
    before = _queries(c, URL), _queries(c, reverse("cases:dashboard"))
    for i in range(5):
        wish = published(world, title=f"心愿{i}")
        claim(wish, wishes.neighbour)
        post(world, actor=wishes.west, title=f"西湖{i}")
        project_actions.create_need(
            actor=world.users.other_community, community=world.c2, title=f"需求{i}",
            heading=Heading.HEALTH, beneficiaries="居民", people_count=3,
        )  # fmt: skip
        new_project(world, lists, title=f"项目{i}", needs=[], resources=[])
    ResidentPost.objects.create(person=world.p_a1h, post="unit_head", grid=world.grid_a)
    assert (_queries(c, URL), _queries(c, reverse("cases:dashboard"))) == before
    assert Need.objects.count() > 5


def test_the_monthly_report_carries_the_section_on_paper_and_in_xlsx(world, client, lists, wishes):
    published(world)
    today = timezone.localdate()
    c = log_in(client, world.users.subdistrict)
    data = {"place": f"subdistrict-{world.sub.pk}", "kind": "month", "year": today.year, "number": today.month}
    body = c.get(reverse("reports:periodic"), data).content.decode()
    assert 'data-testid="cobuilding"' in body and "党建共建" in body
    xlsx = c.get(reverse("reports:periodic"), data | {"format": "xlsx"})
    wb = load_workbook(io.BytesIO(xlsx.content))
    ws = wb["党建共建"]
    rows = list(ws.iter_rows(values_only=True))
    headers = rows[0]
    by_label = {r[0]: r for r in rows[1:]}
    posted = headers.index("提交的心愿")
    assert by_label[world.c1.name][posted] == 1 and by_label["合计"][posted] == 1
    assert isinstance(by_label[world.c1.name][1], int)  # numbers, not text


def test_funds_and_facilities_per_community_and_their_period(world, client, funds, fac):
    """维修资金与设施 (issue 15): each community's funds, the houses needing a top-up, the uses
    paid in the period (emergency ones apart), the facilities and the overdue inspections — a
    lift due on 14 June is overdue on the 15th, not on the 14th."""
    user, place = world.users.subdistrict, sub_place(world)
    with time_machine.travel(dt.datetime(2026, 6, 14, 10, 0, tzinfo=TZ), tick=False):
        use = paid_emergency(world, funds.fund, 123_457)
        c1 = row(cobuilding.figures(user, place), world.c1)
        assert c1.counts["facilities_overdue"] == 0  # due today: not yet overdue
    Account.objects.filter(pk=funds.acc["a1"].pk).update(needs_topup=True)
    Fund.objects.filter(pk=funds.fund.pk).update(below_floor_since=dt.date(2026, 6, 14))
    funds.fund.refresh_from_db()
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=TZ), tick=False):
        f = cobuilding.figures(user, place)
        this_year = cobuilding.figures(user, place, *cobuilding.year_bounds(2026))
        last_year = cobuilding.figures(user, place, *cobuilding.year_bounds(2025))
        c1, c2 = row(f, world.c1), row(f, world.c2)
        assert use.state == "paid" and funds.fund.balance == 4 * 1_000_000 - 123_457
        assert (c1.counts["funds"], c1.counts["funds_below_floor"], c1.counts["houses_topup"]) == (1, 1, 1)
        assert c1.counts["fund_balance"] == funds.fund.balance
        assert (c1.counts["uses_paid"], c1.counts["uses_emergency"], c1.counts["uses_paid_fen"]) == (1, 1, 123_457)
        assert row(this_year, world.c1).counts["uses_paid_fen"] == 123_457
        assert row(last_year, world.c1).counts["uses_paid"] == 0 and row(last_year, world.c1).counts["funds"] == 1
        assert (c1.counts["facilities"], c1.counts["facilities_overdue"]) == (3, 1)  # lift A, due yesterday
        assert (c2.counts["funds"], c2.counts["uses_paid"], c2.counts["facilities_overdue"]) == (1, 0, 1)
        assert c2.counts["fund_balance"] == Fund.objects.get(pk=funds.other.pk).balance
        assert f.total.estate_cells == [a + b for a, b in zip(c1.estate_cells, c2.estate_cells, strict=True)]
        # the page, the dashboard's card and the community worker's view of it
        page = log_in(client, user).get(URL).content.decode()
        assert 'data-testid="estate"' in page and "1,234.57" in page
        dash = client.get(reverse("cases:dashboard")).content.decode()
        assert 'data-testid="estate-facilities_overdue">2<' in dash
        mine = cobuilding.figures(world.users.community, Place("community", world.c1.pk, "", world.c1.pk))
        assert mine.total.counts["facilities_overdue"] == 1 and mine.total.counts["funds"] == 1


def test_funds_and_facilities_per_compound_of_a_community(world, client, funds, fac, lists):
    """For a community, the 维修资金与设施 rows are its compounds' (a compound with nothing has a
    row of zeros), what belongs to no compound (a community-wide 民生实事) a row of its own, and
    they add up to the community's total — on the page and in the 月报's xlsx."""
    from linli.projects.tests.test_livelihood import apply

    empty = create_object(Compound, actor=None, community=world.c1, name="枫林湾")
    apply(world, compound=None)  # 428,000.00 of special fund applied for, in no compound
    user, place = world.users.community, Place("community", world.c1.pk, "", world.c1.pk)
    f = cobuilding.figures(user, place)
    by = {r.label: r for r in f.estate_rows}
    assert sorted(by) == sorted([world.cp1.name, empty.name, "不属于任何小区"])
    assert by[world.cp1.name].counts["funds"] == 1 and by[world.cp1.name].counts["facilities"] == 3
    assert by[world.cp1.name].counts["fund_balance"] == Fund.objects.get(pk=funds.fund.pk).balance
    assert set(by[empty.name].estate_cells + by[empty.name].estate_money_cells) == {0}
    assert by["不属于任何小区"].counts["special_applied"] == 42_800_000
    assert by["不属于任何小区"].counts["funds"] == 0
    for cells in ("estate_cells", "estate_money_cells"):
        columns = zip(*(getattr(r, cells) for r in f.estate_rows), strict=True)
        assert getattr(f.total, cells) == [sum(c) for c in columns]
    assert f.total.counts["special_applied"] == 42_800_000 and f.total.counts["funds"] == 1
    assert all(r.label != world.cp2.name for r in f.estate_rows)  # another community's compound
    # a sub-district's figures stay per community
    assert [r.label for r in cobuilding.figures(world.users.subdistrict, sub_place(world)).estate_rows] == [
        world.c1.name,
        world.c2.name,
    ]
    page = log_in(client, user).get(URL, {"place": f"community-{world.c1.pk}"}).content.decode()
    assert "按小区" in page and "枫林湾" in page and "不属于任何小区" in page
    today = timezone.localdate()
    data = {"place": f"community-{world.c1.pk}", "kind": "month", "year": today.year, "number": today.month}
    wb = load_workbook(io.BytesIO(client.get(reverse("reports:periodic"), data | {"format": "xlsx"}).content))
    labels = [r[0] for r in wb["维修资金与设施"].iter_rows(values_only=True)][1:]
    assert sorted(labels) == sorted([world.cp1.name, empty.name, "不属于任何小区", "合计"])


def test_special_funds_applied_approved_and_paid_in_the_period(world, lists, settings, tmp_path):
    """为民服务专项资金 of the 民生实事 (issue 15): applied for and approved as they stand, paid by the
    day of payment — 31 December in its year, 1 January in the next; a co-building project's
    service-fund row and a cancelled 民生实事 are not counted."""
    from linli.projects.tests.test_livelihood import apply, decided_topic, move

    settings.MEDIA_ROOT = tmp_path
    user, place = world.users.subdistrict, sub_place(world)
    with time_machine.travel(dt.datetime(2026, 12, 31, 10, 0, tzinfo=TZ), tick=False):
        new_project(world, lists)  # co-building, with 500.00 of service fund
        project = apply(world)
        move(project, "approve", user, approved_on="2026-12-01", application=decided_topic(world).pk,
             service_fund_yuan="400000")  # fmt: skip
        move(project, "works", world.users.community, contractor="某建设公司", works_started_on="2026-12-01")
        pay = {"source": "service_fund", "payee": "某建设公司"}
        move(project, "pay", user, amount_yuan="100000", paid_on="2026-12-31", **pay)
        cancelled = apply(world, title="取消的项目")
        move(cancelled, "cancel", world.users.community, reason="改由维修资金")
    with time_machine.travel(dt.datetime(2027, 1, 1, 10, 0, tzinfo=TZ), tick=False):
        move(project, "pay", user, amount_yuan="50000", paid_on="2027-01-01", **pay)
        y2026 = row(cobuilding.figures(user, place, *cobuilding.year_bounds(2026)), world.c1).counts
        y2027 = row(cobuilding.figures(user, place, *cobuilding.year_bounds(2027)), world.c1).counts
    assert (y2026["special_applied"], y2026["special_approved"], y2026["special_spent"]) == (
        42_800_000, 40_000_000, 10_000_000,
    )  # fmt: skip
    assert (y2027["special_applied"], y2027["special_spent"]) == (42_800_000, 5_000_000)
