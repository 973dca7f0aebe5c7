"""The register's numbers at their boundaries: overdue (the due day itself is not), due soon
within LINLI_INSPECTION_SOON_DAYS days (the last day included, the next not), repeated failures
(N requests within M days: exactly N flags, N−1 does not; a request exactly M days old counts,
one M days and a day old — or M days and a second — does not; a request merged into another
does not count), and the workbench's counts equal to the lists they open."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from linli.cases import actions as case_actions
from linli.facilities import rules
from linli.facilities.models import Facility

from .conftest import TZ, at, page, report

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=TZ)


def flagged(f, now=NOW):
    return rules.topic_candidates(Facility.objects.filter(pk=f.pk), now).exists()


def test_overdue_is_after_the_due_day(world, fac):
    f = fac.lift_a  # due 2026-06-14
    assert f.inspection_overdue(dt.date(2026, 6, 15))
    assert not f.inspection_overdue(dt.date(2026, 6, 14))
    assert Facility.objects.filter(rules.overdue_q(dt.date(2026, 6, 15)), pk=f.pk).exists()
    assert not Facility.objects.filter(rules.overdue_q(dt.date(2026, 6, 14)), pk=f.pk).exists()
    assert Facility.objects.filter(rules.due_soon_q(dt.date(2026, 6, 14)), pk=f.pk).exists()  # due today


@override_settings(LINLI_INSPECTION_SOON_DAYS=30)
def test_due_soon_includes_the_last_day(world, fac):
    f = fac.lift_b  # due 2026-07-15
    assert Facility.objects.filter(rules.due_soon_q(dt.date(2026, 6, 15)), pk=f.pk).exists()  # 30 days
    assert not Facility.objects.filter(rules.due_soon_q(dt.date(2026, 6, 14)), pk=f.pk).exists()  # 31 days


def test_a_retired_facility_is_never_due(world, fac):
    from .test_lifecycle import move

    move(fac.lift_a, "retire", world.users.community, note="拆除")
    assert not Facility.objects.filter(rules.overdue_q(dt.date(2026, 6, 15)), pk=fac.lift_a.pk).exists()


@override_settings(LINLI_FACILITY_FAILURES=3, LINLI_FACILITY_FAILURE_DAYS=30)
def test_n_requests_flag_n_minus_one_do_not(world, fac):
    for _ in range(2):
        report(world, fac.lift_a, now=NOW - dt.timedelta(days=1))
    assert not flagged(fac.lift_a)
    report(world, fac.lift_a, now=NOW - dt.timedelta(days=1))
    assert flagged(fac.lift_a)
    assert not flagged(fac.lift_b)


@override_settings(LINLI_FACILITY_FAILURES=3, LINLI_FACILITY_FAILURE_DAYS=30)
@pytest.mark.parametrize(
    ("age", "counted"),
    [
        (dt.timedelta(days=30), True),
        (dt.timedelta(days=30, seconds=1), False),
        (dt.timedelta(days=31), False),
    ],
)
def test_the_window_is_m_days(world, fac, age, counted):
    report(world, fac.lift_a, now=NOW - dt.timedelta(days=1))
    report(world, fac.lift_a, now=NOW - dt.timedelta(days=2))
    report(world, fac.lift_a, now=NOW - age)
    assert flagged(fac.lift_a) is counted


@override_settings(LINLI_FACILITY_FAILURES=2, LINLI_FACILITY_FAILURE_DAYS=7)
def test_the_thresholds_are_settings_and_merged_requests_do_not_count(world, fac):
    first = report(world, fac.lift_a, now=NOW - dt.timedelta(days=1))
    second = report(world, fac.lift_a, now=NOW - dt.timedelta(days=1))
    assert flagged(fac.lift_a)
    second.refresh_from_db()
    case_actions.merge(second.pk, first.pk, actor=world.users.grid_a, version=second.version)
    assert not flagged(fac.lift_a)


@override_settings(LINLI_FACILITY_FAILURES=3, LINLI_FACILITY_FAILURE_DAYS=30)
def test_candidates_on_the_page_and_in_the_list(world, fac):
    for days in (1, 2, 3):
        report(world, fac.lift_a, now=NOW - dt.timedelta(days=days))
    report(world, fac.lift_b, now=NOW - dt.timedelta(days=1))
    with at(2026, 6, 15):
        c = page(world.users.grid_a)
        html = c.get(reverse("facilities:list") + "?failing=1").content.decode()
        assert f"facility-{fac.lift_a.pk}" in html and f"facility-{fac.lift_b.pk}" not in html
        assert 'data-testid="candidate"' in c.get(fac.lift_a.get_absolute_url()).content.decode()
        assert (
            'data-testid="candidate"'
            not in page(world.users.grid_b).get(fac.lift_b.get_absolute_url()).content.decode()
        )


@override_settings(LINLI_INSPECTION_SOON_DAYS=30)
@pytest.mark.parametrize(
    ("who", "overdue", "soon"),
    [("community", 1, 1), ("other_community", 1, 0), ("subdistrict", 2, 1), ("grid_b", 0, 1), ("property", 1, 1)],
)
def test_workbench_counts_are_the_lists(world, fac, who, overdue, soon):
    user = getattr(world.users, who)
    with at(2026, 6, 15):
        c = page(user)
        html = c.get(reverse("home:home")).content.decode()
        for key, expected, q in (("inspections_overdue", overdue, "overdue"), ("inspections_soon", soon, "soon")):
            assert f'data-testid="todo-{key}"' in html
            part = html.split(f'data-testid="todo-{key}"')[1]
            assert f'data-testid="count">{expected}<' in part.split("</a>")[0], (who, key)
            listed = c.get(reverse("facilities:list") + f"?inspection={q}").content.decode()
            assert listed.count('data-testid="facility-') == expected


def test_no_workbench_item_for_residents(world, fac):
    html = page(world.users.resident).get(reverse("home:home")).content.decode()
    assert "todo-inspections" not in html


def test_workbench_queries_do_not_grow(world, fac, django_assert_max_num_queries):
    from linli.facilities import actions
    from linli.facilities.models import FacilityKind

    c = page(world.users.community)
    c.get(reverse("home:home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        c.get(reverse("home:home"))
    for i in range(20):
        actions.add_facility(
            actor=world.users.community, kind=FacilityKind.LIFT, name=f"电梯{i}", compound=world.cp1,
            inspection_due=dt.date(2020, 1, 1),
        )  # fmt: skip
    with django_assert_max_num_queries(len(before)):
        c.get(reverse("home:home"))


@override_settings(LINLI_FACILITY_FAILURES=3, LINLI_FACILITY_FAILURE_DAYS=30)
def test_a_candidate_links_to_a_topic_with_its_requests(world, fac):
    """Community staff (votes.manage) get the topic form with the requests counted; a grid worker
    sees the flag without the link; the form offers those requests."""
    cases = [report(world, fac.lift_a, now=NOW - dt.timedelta(days=d)) for d in (3, 2, 1)]
    report(world, fac.lift_a, now=NOW - dt.timedelta(days=40))  # outside the window
    with at(2026, 6, 15):
        html = page(world.users.community).get(fac.lift_a.get_absolute_url()).content.decode()
        ids = "%2C".join(str(c.pk) for c in cases)
        assert f'{reverse("deliberation:topic_create")}?cases={ids}"' in html
        assert (
            'data-testid="raise-topic"'
            not in page(world.users.grid_a).get(fac.lift_a.get_absolute_url()).content.decode()
        )
        form = page(world.users.community).get(f"{reverse('deliberation:topic_create')}?cases={ids}")
        assert form.status_code == 200
