"""The workbench's to-do: each count is the user's own, in their scope, equal to the list it links
to, exact at the deadlines, and costs the same queries whatever the data."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.cases import actions
from linli.cases.models import Case, Category
from linli.deliberation import actions as vote_actions
from linli.deliberation import meetings
from linli.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def login():
    """A client of its own for each user (the shared `login` fixture has one client for all)."""
    return lambda user: log_in(Client(), user)


def report(world, grid, compound, *, reporter=None, household=None, resolve_by=None, now=None):
    return actions.report_case(
        actor=reporter or world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=grid,
        compound=compound,
        description="楼道灯坏了",
        channel="self_service",
        reporter=reporter,
        reporter_household=household,
        resolve_by=resolve_by,
        now=now,
    )


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


def todo(client):
    """{key: (count, url)} of the to-do on the home page."""
    body = client.get(reverse("home:home")).content.decode()
    found = re.findall(r'href="([^"]+)" data-testid="todo-(\w+)">.*?data-testid="count">(\d+)<', body)
    return {key: (int(count), url.replace("&amp;", "&")) for url, key, count in found}


def listed(client, url) -> int:
    """How many requests the list behind a to-do link shows."""
    return client.get(url).context["paginator"].count


def test_each_role_sees_the_moves_its_permissions_allow(world, login):
    u = world.users
    keys = {name: set(todo(login(getattr(u, name)))) for name in ("grid_a", "subdistrict", "property", "resident")}
    assert {"dispatch", "verify", "overdue", "due_soon", "meetings_today", "votes_open"} <= keys["grid_a"]
    assert not {"handle", "assign", "supervise", "feedback"} & keys["grid_a"]
    assert {"dispatch", "verify", "assign", "supervise"} <= keys["subdistrict"]
    assert {"handle", "feedback", "overdue"} <= keys["property"] and "dispatch" not in keys["property"]
    assert keys["resident"] == set()  # a resident's page is their requests and votes, below


def test_the_loop_moves_a_request_from_one_persons_todo_to_the_next(world, login):
    u = world.users
    case = report(world, world.grid_a, world.cp1)
    report(world, world.grid_c, world.cp2, reporter=u.other_community)  # another community's
    grid_a, grid_b, community, other = login(u.grid_a), login(u.grid_b), login(u.community), login(u.other_community)
    assert todo(grid_a)["dispatch"][0] == 1 and todo(community)["dispatch"][0] == 1
    assert todo(grid_b)["dispatch"][0] == 0  # grid B's worker: not in their grid
    assert todo(other)["dispatch"][0] == 1  # only their own community's request
    for client in (grid_a, community, other):
        count, url = todo(client)["dispatch"]
        assert listed(client, url) == count

    step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    prop, dept = login(u.property), login(u.department)
    assert todo(grid_a)["dispatch"][0] == 0
    assert todo(prop)["handle"][0] == 1 and todo(dept)["handle"][0] == 0
    assert listed(prop, todo(prop)["handle"][1]) == 1
    step(case, "start", u.property)
    step(case, "handle", u.property, note="已更换灯泡")
    assert todo(prop)["handle"][0] == 0
    assert todo(grid_a)["verify"][0] == 1 and todo(other)["verify"][0] == 0
    assert listed(grid_a, todo(grid_a)["verify"][1]) == 1


def test_escalations_await_the_departments_feedback(world, login):
    u = world.users
    case = report(world, world.grid_a, world.cp1)
    step(case, "whistle", u.community, note="需执法")
    sub, dept = login(u.subdistrict), login(u.department)
    assert todo(sub)["assign"][0] == 1 and listed(sub, todo(sub)["assign"][1]) == 1
    step(case, "assign", u.subdistrict, assignee_org=world.dept, deadline=timezone.now() + dt.timedelta(days=3))
    assert todo(sub)["assign"][0] == 0
    assert todo(sub)["supervise"][0] == 1 and listed(sub, todo(sub)["supervise"][1]) == 1
    assert todo(dept)["feedback"][0] == 1 and listed(dept, todo(dept)["feedback"][1]) == 1
    step(case, "feedback", u.department, note="已安排执法")
    assert todo(sub)["supervise"][0] == 0 and todo(dept)["feedback"][0] == 0


def test_overdue_from_just_after_the_deadline_and_due_soon_up_to_exactly_24_hours(world, login):
    now = timezone.now().replace(microsecond=0)
    tick = dt.timedelta(microseconds=1)
    day = dt.timedelta(hours=24)
    # at the deadline / just past it / exactly 24 h ahead / just beyond 24 h
    for resolve_by in (now, now - tick, now + day, now + day + tick):
        report(world, world.grid_a, world.cp1, resolve_by=resolve_by, now=now - dt.timedelta(days=2))
    report(world, world.grid_c, world.cp2, resolve_by=now - tick, now=now - dt.timedelta(days=2))  # community 2
    with time_machine.travel(now, tick=False):
        client = login(world.users.community)
        items = todo(client)
        assert items["overdue"][0] == 1  # now − 1 µs only: at the deadline itself it is not overdue
        assert items["due_soon"][0] == 2  # now (due, not yet overdue) and now + 24 h; not 24 h + 1 µs
        assert listed(client, items["overdue"][1]) == 1 and listed(client, items["due_soon"][1]) == 2


def test_action_items_due_are_the_topics_work_orders_due_within_24_hours_or_overdue(world, login):
    now = timezone.now().replace(microsecond=0)
    day = dt.timedelta(hours=24)
    for resolve_by in (now - day, now + day, now + day + dt.timedelta(microseconds=1)):
        case = report(world, world.grid_a, world.cp1, resolve_by=resolve_by, now=now - dt.timedelta(days=2))
        Case.objects.filter(pk=case.pk).update(channel="resolution")
    report(world, world.grid_a, world.cp1, resolve_by=now, now=now - dt.timedelta(days=2))  # not an action item
    with time_machine.travel(now, tick=False):
        client = login(world.users.community)
        count, url = todo(client)["action_items"]
        assert count == 2 and listed(client, url) == 2


def test_meetings_today_are_those_of_the_local_calendar_day(world, login):
    now = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))  # Asia/Shanghai
    midnight = timezone.make_aware(dt.datetime(2026, 12, 7))
    tick = dt.timedelta(microseconds=1)
    with time_machine.travel(now, tick=False):
        for when, community in (
            (midnight, world.c1),  # today's first instant: counted
            (midnight + dt.timedelta(days=1) - tick, world.c1),  # today's last: counted
            (midnight - tick, world.c1),  # yesterday
            (midnight + dt.timedelta(days=1), world.c1),  # tomorrow
            (midnight + dt.timedelta(hours=15), world.c2),  # another community's
        ):
            meetings.create_meeting(
                actor=world.users.admin,
                kind="consultation",
                title="车棚协商会",
                community=community,
                starts_at=when,
                location="会议室",
            )
        client = login(world.users.community)
        count, url = todo(client)["meetings_today"]
        assert count == 2
        assert len(client.get(url).context["page_obj"].object_list) == 2
        assert todo(login(world.users.other_community))["meetings_today"][0] == 1


def open_vote(world, compound, title="加装电梯"):
    return vote_actions.open_vote(
        actor=world.users.admin,
        title=title,
        matter=7,
        compound=compound,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )


def test_open_votes_are_counted_in_scope_and_a_closed_one_is_not(world, login):
    open_vote(world, world.cp1)
    closed = open_vote(world, world.cp1, "更换物业")
    vote_actions.close_vote(closed, actor=world.users.admin)
    open_vote(world, world.cp2)
    client = login(world.users.community)
    count, url = todo(client)["votes_open"]
    assert count == 1 and len(client.get(url).context["page_obj"].object_list) == 1


def test_a_resident_sees_their_own_requests_with_status_and_the_votes_open_to_them(world, login):
    u = world.users
    mine = report(world, world.grid_a, world.cp1, reporter=u.resident, household=world.hh_a1)
    theirs = report(world, world.grid_a, world.cp1)  # a grid worker's, in the same building
    vote = open_vote(world, world.cp1, "加装电梯")
    elsewhere = open_vote(world, world.cp2, "西湖小区停车")
    body = login(u.resident).get("/").content.decode()
    my_requests = body.split('data-testid="my-requests"')[1].split('data-testid="my-votes"')[0]
    assert mine.get_absolute_url() in my_requests and "已受理" in my_requests
    assert theirs.get_absolute_url() not in body
    assert vote.get_absolute_url() in body and elsewhere.get_absolute_url() not in body
    assert 'data-testid="todo-rate"' not in body

    for name, kw in (("dispatch", {"assignee_org": world.pm}), ("start", {}), ("handle", {"note": "已修"})):
        step(mine, name, u.grid_a if name == "dispatch" else u.property, **kw)
    step(mine, "verify", u.grid_a)
    client = login(u.resident)
    url, count = re.search(r'href="([^"]+)" data-testid="todo-rate">(\d+)', client.get("/").content.decode()).groups()
    assert count == "1" and listed(client, url.replace("&amp;", "&")) == 1
    assert todo(login(u.grid_a))["verify"][0] == 0


def test_the_home_page_costs_the_same_queries_whatever_the_data(world, login, django_assert_num_queries):
    def grow(n):
        for _ in range(n):
            case = report(world, world.grid_a, world.cp1, reporter=world.users.resident, household=world.hh_a1)
            step(case, "whistle", world.users.community, note="需执法")
            report(world, world.grid_a, world.cp1, reporter=world.users.resident, household=world.hh_a1)
            open_vote(world, world.cp1)
            meetings.create_meeting(
                actor=world.users.admin,
                kind="consultation",
                title="协商会",
                community=world.c1,
                starts_at=timezone.now(),
                location="会议室",
            )

    for user in (world.users.subdistrict, world.users.resident):
        grow(1)
        client = login(user)
        client.get("/")  # sessions and the second factor settle on the first request
        with CaptureQueriesContext(connection) as small:
            client.get("/")
        grow(5)
        with django_assert_num_queries(len(small)):
            assert client.get("/").status_code == 200
