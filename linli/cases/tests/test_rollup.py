"""The dashboard's pre-aggregation is exact: rollup + live equals counting everything live, after
rolling up, after changes to rolled-up requests, after deletes; and the 90 % bound is nearest-rank."""

import datetime as dt
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.cases import actions, rollup
from linli.cases.models import Case, CaseStat, Category, State
from linli.core.scope import Scope, scope_for

from .test_metrics import make


def both(cases=None, stats=None, now=None):
    cases = cases if cases is not None else Case.objects.all()
    stats = stats if stats is not None else CaseStat.objects.all()
    return rollup.dashboard(cases, stats, now=now), rollup.dashboard(cases, None, now=now)


def assert_exact(cases=None, stats=None, now=None):
    (summary, hours, tables), (live_summary, live_hours, live_tables) = both(cases, stats, now)
    assert summary == live_summary
    assert hours == live_hours
    assert tables == live_tables
    return summary


@pytest.fixture
def history(world):
    """Requests of last month in every kind of end state, all past their deadlines."""
    start = timezone.now() - dt.timedelta(days=40)
    due = start + dt.timedelta(days=5)
    heat = Category.objects.get(name="供暖")
    make(
        world,
        3,
        created_at=start,
        respond_by=start + dt.timedelta(hours=2),
        resolve_by=due,
        responded_at=start + dt.timedelta(hours=1),
        handled_at=start + dt.timedelta(hours=30),
        closed_at=due,
        state=State.CLOSED,
        rating="satisfied",
        assignee_org=world.pm,
    )
    make(
        world,
        2,
        grid=world.grid_b,
        category=heat,
        created_at=start,
        respond_by=start + dt.timedelta(hours=2),
        resolve_by=due,
        responded_at=start + dt.timedelta(hours=3),
        handled_at=due + dt.timedelta(hours=1),
        state=State.RATED,
        rating="dissatisfied",
    )
    make(
        world,
        1,
        created_at=start,
        respond_by=start + dt.timedelta(hours=2),
        resolve_by=due,
        deferred=True,
        needs_supervisor=True,
    )
    make(
        world,
        1,
        created_at=start,
        respond_by=start + dt.timedelta(hours=2),
        resolve_by=due,
        responded_at=start,
        state=State.DECLINED,
    )
    make(world, 2)  # this week's: deadlines ahead, never rolled up yet
    return start


@pytest.mark.django_db
def test_refresh_rolls_up_settled_requests_only_and_stays_exact(world, history):
    assert_exact()
    assert rollup.refresh() == 7
    assert Case.objects.filter(rolled_up=True).count() == 7 and Case.objects.filter(rolled_up=False).count() == 2
    assert CaseStat.objects.filter(dimension="grid").count() == 2  # one month, two grids
    summary = assert_exact()
    assert summary["total"] == 9 and summary["open"] == 3 and summary["overdue"] == 1 and summary["due_deferred"] == 1
    assert rollup.refresh() == 0  # nothing left to add; nothing added twice
    assert_exact()


@pytest.mark.django_db
def test_settled_means_both_deadlines_strictly_past(world):
    now = timezone.now()
    on_the_dot = make(world, respond_by=now - dt.timedelta(hours=1), resolve_by=now)[0]
    just_past = make(world, respond_by=now - dt.timedelta(hours=1), resolve_by=now - dt.timedelta(microseconds=1))[0]
    response_ahead = make(world, respond_by=now + dt.timedelta(seconds=1), resolve_by=now - dt.timedelta(seconds=1))[0]
    assert rollup.refresh(now=now) == 1
    assert set(Case.objects.filter(rolled_up=True).values_list("pk", flat=True)) == {just_past.pk}
    assert set(Case.objects.filter(rolled_up=False).values_list("pk", flat=True)) == {on_the_dot.pk, response_ahead.pk}


@pytest.mark.django_db
def test_a_change_to_a_rolled_up_request_takes_it_out_first(world, history):
    rollup.refresh()
    declined = Case.objects.get(state=State.DECLINED)
    open_one = Case.objects.get(state=State.ACCEPTED, deferred=True)
    actions.transition(
        open_one.pk, "dispatch", actor=world.users.grid_a, version=open_one.version, assignee_org=world.pm
    )
    open_one.refresh_from_db()
    assert not open_one.rolled_up and open_one.state == State.DISPATCHED
    summary = assert_exact()
    assert summary["escalated"] == 1 and summary["total"] == 9
    Case.objects.get(pk=declined.pk).delete()
    assert assert_exact()["total"] == 8
    assert rollup.refresh() == 1  # the dispatched one is settled still: back in, with its new state
    assert_exact()
    assert (
        sum(CaseStat.objects.filter(dimension="category").values_list("total", flat=True)) == 6
    )  # 7 settled, 1 deleted


@pytest.mark.django_db
def test_any_writer_of_a_rolled_up_request_takes_it_out_first(world, history):
    """Not only the transitions: a save from anywhere (here the audited update of core.actions)
    goes through Case's pre_save."""
    from linli.core.actions import update_object

    rollup.refresh()
    closed = Case.objects.filter(state=State.CLOSED, rolled_up=True).first()
    update_object(closed, actor=None, description="补充说明")
    assert not Case.objects.get(pk=closed.pk).rolled_up
    assert assert_exact()["total"] == 9


@pytest.mark.django_db
def test_scope_and_period_filters_apply_to_both_parts(world, history):
    rollup.refresh()
    user = world.users.community
    assert rollup.covers(scope_for(user, "cases.dispatch"))
    assert not rollup.covers(scope_for(world.users.grid_a, "cases.dispatch"))
    assert rollup.covers(Scope(everything=True)) and not rollup.covers(Scope(ids={"organisation": {1}}))
    mine = Case.objects.restrict(user, "dispatch")
    assert_exact(mine, CaseStat.objects.restrict(user, "dispatch"))
    other = world.users.other_community
    assert (
        both(Case.objects.restrict(other, "dispatch"), CaseStat.objects.restrict(other, "dispatch"))[0][0]["total"] == 0
    )
    year = timezone.localtime(history).year
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    in_year = Case.objects.filter(created_at__gte=start, created_at__lt=start.replace(year=year + 1))
    assert_exact(in_year, CaseStat.objects.filter(month__year=year))


@pytest.mark.django_db
def test_dashboard_page_adds_the_rollup_of_its_own_scope_only(world, login, history):
    make(
        world,
        grid=world.grid_c,
        community=world.c2,
        created_at=history,
        respond_by=history,
        resolve_by=history + dt.timedelta(days=1),
    )
    assert rollup.refresh() == 8
    assert CaseStat.objects.filter(community=world.c1).exists() and CaseStat.objects.filter(community=world.c2).exists()
    for user, total in ((world.users.community, 9), (world.users.other_community, 1), (world.users.subdistrict, 10)):
        r = login(user).get(reverse("cases:dashboard"))
        assert r.context["summary"]["total"] == total, user
        assert sum(row["total"] for row in r.context["tables"][1][1]) == total


@pytest.mark.django_db
def test_ninety_percent_bound_is_nearest_rank_on_the_buckets(world):
    start = timezone.now() - dt.timedelta(days=60)
    for hours in (1, 2, 3, 4, 4, 5, 6, 7, 8, 50):  # 10 handled: the 9th is 8 h → within 8 h
        make(
            world,
            created_at=start,
            respond_by=start,
            resolve_by=start + dt.timedelta(days=1),
            handled_at=start + dt.timedelta(hours=hours),
            state=State.HANDLED,
        )
    rollup.refresh()
    _summary, hours, _tables = rollup.dashboard(Case.objects.all(), CaseStat.objects.all())
    assert hours["p90"] == 8 and hours["n"] == 10 and hours["average"] == pytest.approx(9.0)
    make(
        world,
        created_at=start,
        respond_by=start,
        resolve_by=start + dt.timedelta(days=1),
        handled_at=start + dt.timedelta(hours=8, seconds=1),
        state=State.HANDLED,
    )  # 11 handled: ceil(9.9) = 10th is 8 h 1 s → the next bound, 24 h
    assert rollup.dashboard(Case.objects.all(), CaseStat.objects.all())[1]["p90"] == 24
    assert rollup.percentile_hours({f"within_{h}h": 0 for h in rollup.WITHIN_HOURS}, 0) is None


@pytest.mark.django_db
def test_dashboard_page_uses_the_rollup_and_a_year(world, login, history):
    rollup.refresh()
    c = login(world.users.community)
    r = c.get(reverse("cases:dashboard"))
    assert r.status_code == 200 and r.context["summary"]["total"] == 9
    year = timezone.localtime(history).year
    assert (
        c.get(reverse("cases:dashboard"), {"year": year}).context["summary"]["total"]
        == Case.objects.filter(created_at__year=year).count()
    )
    bad = c.get(reverse("cases:dashboard"), {"year": "1900"})
    assert bad.status_code == 200 and bad.context["summary"]["total"] == 9
    assert "选择一个有效的选项" in bad.content.decode()


@pytest.mark.django_db
def test_rebuild_recounts_what_refresh_and_release_kept(world, history):
    rollup.refresh()
    case = Case.objects.get(state=State.DECLINED)
    Case.objects.get(pk=case.pk).delete()

    def sums():
        from django.db.models import Sum

        return {
            d: CaseStat.objects.filter(dimension=d).aggregate(**{c: Sum(c) for c in rollup.COUNTERS})
            for d in rollup.KEYS
        }

    before = sums()
    assert rollup.rebuild() == CaseStat.objects.count()
    assert sums() == before
    assert_exact()


@pytest.mark.django_db
def test_dashboard_tables_against_hand_counted_figures(world, history):
    rollup.refresh()
    summary, hours, tables = rollup.dashboard(Case.objects.all(), CaseStat.objects.all())
    then, now = timezone.localtime(history).strftime("%Y-%m"), timezone.localtime().strftime("%Y-%m")

    def rows(name, *counters):
        return [(r["label"], *(r[c] for c in counters)) for r in tables[name]]

    assert rows("month", "total", "open", "handled", "satisfied") == [(then, 7, 1, 5, 3), (now, 2, 2, 0, 0)]
    assert rows("community", "total", "overdue") == [("馨和苑社区", 9, 1)]
    assert rows("grid", "total", "rated") == [("馨和苑社区 · 第一网格", 7, 3), ("馨和苑社区 · 第二网格", 2, 2)]
    assert rows("category", "total", "resolved") == [("供暖", 2, 0), ("设施维修", 7, 3)]
    assert rows("org", "total", "closed_on_time") == [("宁和物业", 3, 3)]
    assert (summary["total"], summary["handled"], summary["satisfaction_rate"]) == (9, 5, Fraction(3, 5))
    # handled in 30 h three times and in 121 h (5 days + 1 h) twice: the 5th of 5 is 121 h → bound 168 h
    assert hours == {"average": (3 * 30 + 2 * 121) / 5, "p90": 168, "n": 5}


def test_handling_time_bounds_are_the_documented_ones():
    assert rollup.WITHIN_HOURS == (4, 8, 24, 48, 72, 120, 168, 240, 360, 720)  # docs/metrics.md


@pytest.mark.django_db
@pytest.mark.parametrize("bound", rollup.WITHIN_HOURS)
def test_handling_time_bounds_include_their_hour(world, bound):
    start = timezone.now() - dt.timedelta(days=60)
    case = make(
        world,
        created_at=start,
        respond_by=start,
        resolve_by=start,
        state=State.HANDLED,
        handled_at=start + dt.timedelta(hours=bound),
    )[0]
    assert rollup.dashboard(Case.objects.all(), None)[1]["p90"] == bound
    Case.objects.filter(pk=case.pk).update(handled_at=start + dt.timedelta(hours=bound, seconds=1))
    later = [h for h in rollup.WITHIN_HOURS if h > bound]
    assert rollup.dashboard(Case.objects.all(), None)[1]["p90"] == (later[0] if later else None)
    rollup.refresh()
    assert rollup.dashboard(Case.objects.all(), CaseStat.objects.all())[1]["p90"] == (later[0] if later else None)


@pytest.mark.django_db
def test_average_handling_time_keeps_minutes_and_seconds(world):
    start = timezone.now() - dt.timedelta(days=60)
    for spent in (dt.timedelta(hours=1, minutes=30), dt.timedelta(hours=2, minutes=15, seconds=36)):
        make(
            world,
            created_at=start,
            respond_by=start,
            resolve_by=start + dt.timedelta(days=1),
            handled_at=start + spent,
            state=State.HANDLED,
        )
    assert (
        rollup.dashboard(Case.objects.all(), None)[1]["average"] == (5400 + 8136) / 3600 / 2
    )  # 1.88 h, not whole hours
    rollup.refresh()
    assert rollup.dashboard(Case.objects.all(), CaseStat.objects.all())[1]["average"] == (5400 + 8136) / 3600 / 2


def test_ninety_percent_bound_where_the_count_jumps_past_the_rank():
    # 10 handled, the 9th needed: 8 within 4 h, all 10 within 8 h — the bound is 8 h though no bucket holds exactly 9
    within = {f"within_{h}h": 8 if h == 4 else 10 for h in rollup.WITHIN_HOURS}
    assert rollup.percentile_hours(within, 10) == 8


@pytest.mark.django_db
def test_release_takes_a_request_out_once_and_clears_its_mark(world, history):
    rollup.refresh()
    rows = CaseStat.objects.count()
    declined = Case.objects.get(state=State.DECLINED)
    never = Case.objects.filter(rolled_up=False).first()  # this week's: not settled, never rolled up
    assert rollup.release([declined.pk, never.pk]) == 1
    assert not Case.objects.get(pk=declined.pk).rolled_up  # counted live again, not lost between the two
    assert_exact()
    assert rollup.release([declined.pk]) == 0  # out already: nothing subtracted twice
    assert_exact()
    assert rollup.refresh() == 1
    assert_exact()
    # taken out and put back in place: the same rows, one per dimension, month, community and key
    assert CaseStat.objects.count() == rows


@pytest.mark.django_db
def test_a_few_requests_are_grouped_in_one_query_and_all_of_them_in_one_per_dimension(
    world, history, django_assert_num_queries
):
    """_grouped's two ways (docs: a few requests on every key at once, folded; all of them one
    dimension at a time) give the same rows."""
    rollup.refresh()
    ids = list(Case.objects.filter(rolled_up=True).values_list("pk", flat=True))

    def rows(grouped):
        return sorted(((dimension, key, sorted(row.items())) for dimension, key, row in grouped), key=repr)

    with django_assert_num_queries(1):
        few = rows(rollup._grouped(ids))
    with django_assert_num_queries(len(rollup.KEYS)):
        everything = rows(rollup._grouped(None))
    assert few == everything and len(few) == CaseStat.objects.count()
