import datetime as dt
from fractions import Fraction

import pytest
from django.utils import timezone

from linli.cases import metrics
from linli.cases.models import Case, Category, State


def make(world, n=1, **fields):
    cat = Category.objects.get(name="设施维修")
    now = timezone.now()
    base = {
        "channel": "hotline",
        "category": cat,
        "grid": world.grid_a,
        "community": world.c1,
        "subdistrict": world.sub,
        "description": "x",
        "respond_by": now + dt.timedelta(hours=24),
        "resolve_by": now + dt.timedelta(days=7),
    }
    return [Case.objects.create(**(base | fields)) for _ in range(n)]


@pytest.mark.django_db
def test_rates_against_hand_computed_figures(world):
    now = timezone.now()
    due = now - dt.timedelta(hours=1)
    # 4 due for response: 2 answered on time, 1 late, 1 not answered; 1 not yet due and unanswered
    make(world, 2, respond_by=due, responded_at=due - dt.timedelta(minutes=5), state=State.CLOSED, rating="satisfied")
    make(world, 1, respond_by=due, responded_at=due + dt.timedelta(seconds=1), state=State.RATED, rating="dissatisfied")
    make(world, 1, respond_by=due)  # accepted, never answered, overdue for response
    make(world, 1, respond_by=now + dt.timedelta(hours=3))
    make(world, 1, respond_by=due, responded_at=due, state=State.DECLINED)  # answered exactly at the deadline: on time
    s = metrics.summary(Case.objects.all(), now=now)
    assert s["response_due"] == 5 and s["responded_in_time"] == 3
    assert s["response_rate"] == Fraction(3, 5)
    assert s["accepted"] == 5 and s["resolved"] == 2 and s["resolution_rate"] == Fraction(2, 5)
    assert s["rated"] == 3 and s["satisfied"] == 2 and s["satisfaction_rate"] == Fraction(2, 3)


@pytest.mark.django_db
def test_counts_at_exactly_the_deadline(world):
    # 以内 includes the deadline: due for a response / for closure from the deadline on; overdue after it
    now = timezone.now()
    tick = dt.timedelta(microseconds=1)
    make(world, respond_by=now, resolve_by=now)  # at both deadlines: due, not overdue
    make(world, respond_by=now + tick, resolve_by=now + tick)  # not due yet
    make(world, respond_by=now - tick, resolve_by=now - tick)  # past both: due and overdue
    s = metrics.summary(Case.objects.all(), now=now)
    assert (s["open"], s["response_due"], s["due"], s["overdue"]) == (3, 2, 2, 1)
    assert (s["responded_in_time"], s["response_rate"]) == (0, 0)


@pytest.mark.django_db
def test_escalated_counts_open_requests_escalated_assigned_or_for_the_supervisor(world):
    from linli.cases.models import Assignment

    make(world, state=State.ESCALATED)  # whistle blown, not yet assigned
    assigned = make(world, state=State.DISPATCHED)[0]  # assigned to a department
    Assignment.objects.create(case=assigned, department=world.dept, deadline=timezone.now() + dt.timedelta(days=3))
    make(world, needs_supervisor=True)  # dissatisfied twice
    make(world, state=State.DISPATCHED)  # ordinary: not counted
    make(world, state=State.CLOSED, needs_supervisor=True)  # closed: not counted
    assert metrics.summary(Case.objects.all())["escalated"] == 3


@pytest.mark.django_db
def test_nothing_due_is_no_rate_not_zero(world):
    make(world, 2)
    s = metrics.summary(Case.objects.all())
    assert s["response_rate"] is None and s["satisfaction_rate"] is None


@pytest.mark.django_db
def test_grouped_rates_in_one_query(world, django_assert_num_queries):
    make(world, 3, rating="satisfied", state=State.CLOSED)
    make(world, 2, grid=world.grid_b, rating="dissatisfied", state=State.RATED)
    with django_assert_num_queries(1):
        rows = metrics.by(Case.objects.all(), "grid__name")
    assert {r["label"]: r["satisfaction_rate"] for r in rows} == {"第一网格": 1, "第二网格": 0}


@pytest.mark.django_db
def test_rates_by_month(world, django_assert_num_queries):
    make(
        world,
        2,
        created_at=timezone.make_aware(dt.datetime(2026, 9, 30, 23, 30)),
        rating="satisfied",
        state=State.CLOSED,
    )
    make(
        world,
        1,
        created_at=timezone.make_aware(dt.datetime(2026, 10, 1, 0, 30)),
        rating="dissatisfied",
        state=State.RATED,
    )
    with django_assert_num_queries(1):
        rows = metrics.by_month(Case.objects.all())
    assert [(r["label"], r["total"], r["satisfaction_rate"]) for r in rows] == [("2026-09", 2, 1), ("2026-10", 1, 0)]


@pytest.mark.django_db
def test_email_backend_sends_to_users_with_an_address(mailoutbox):
    from linli.accounts.models import User
    from linli.core.notify import EmailBackend

    with_mail = User.objects.create_user("m1", email="a@example.org")
    without = User.objects.create_user("m2")
    EmailBackend().send([with_mail, without], "诉求已超期", "/cases/1/")
    assert [m.to for m in mailoutbox] == [["a@example.org"]] and "/cases/1/" in mailoutbox[0].body


@pytest.mark.django_db
def test_the_list_filters_overdue_requests_from_its_select(world, login):
    """The list draws each filter as a <select> of its choices: the overdue filter has two, and
    each keeps the requests it names (the dashboard's 已超期 card links to ?overdue=true)."""
    now = timezone.now()
    (late,) = make(world, resolve_by=now - dt.timedelta(minutes=1), description="逾期的")
    (on_time,) = make(world, resolve_by=now + dt.timedelta(minutes=1), description="未到期的")
    (done,) = make(world, resolve_by=now - dt.timedelta(days=1), state=State.CLOSED, description="已办结的")
    c = login(world.users.admin)
    page = c.get("/cases/").content.decode()
    assert '<option value="true">已超期</option>' in page and '<option value="false">未超期</option>' in page
    listed = lambda value: {x.pk for x in c.get("/cases/", {"overdue": value}).context["page_obj"]}  # noqa: E731
    assert late.pk in listed("true") and not {on_time.pk, done.pk} & listed("true")
    assert {on_time.pk, done.pk} <= listed("false") and late.pk not in listed("false")
    assert {late.pk, on_time.pk, done.pk} <= listed("")
