import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from linli.cases import actions
from linli.cases.models import Case, CaseEvent, Category
from linli.cases.overdue import mark_overdue, warn_near_deadline
from linli.core.models import Notification


@pytest.fixture
def case(world):
    cat = Category.objects.get(name="设施维修")
    c = actions.report_case(
        actor=world.users.grid_a,
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        description="电梯坏了",
        channel="patrol",
    )
    return actions.transition(c.pk, "dispatch", actor=world.users.grid_a, version=0, assignee_org=world.pm)


@pytest.mark.django_db
def test_overdue_exactly_after_the_deadline_and_only_once(world, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue(now=case.resolve_by) == 0  # at the deadline: still on time
        assert mark_overdue(now=case.resolve_by + dt.timedelta(microseconds=1)) == 1
        assert mark_overdue(now=case.resolve_by + dt.timedelta(hours=5)) == 0  # claimed already
    assert CaseEvent.objects.filter(case=case, action="overdue").count() == 1
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"community", "grid_a", "property"}  # supervisor, grid worker, handler
    assert "已超过办结期限" in Notification.objects.first().text


@pytest.mark.django_db
def test_closed_cases_are_not_overdue(world, case):
    from linli.cases.models import Case

    Case.objects.filter(pk=case.pk).update(state="closed")
    assert mark_overdue(now=case.resolve_by + dt.timedelta(days=1)) == 0


@pytest.mark.django_db
def test_command_and_notification_page(world, case, login, django_capture_on_commit_callbacks):
    from linli.cases.models import Case

    Case.objects.filter(pk=case.pk).update(resolve_by=case.created_at - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_overdue")
    c = login(world.users.property)
    assert 'data-testid="unread">1<' in c.get("/").content.decode()
    page = c.get(reverse("core:notifications")).content.decode()
    assert case.get_absolute_url() in page
    assert Notification.objects.filter(user=world.users.property, read_at=None).count() == 0
    assert 'data-testid="unread"' not in c.get("/").content.decode()


@pytest.fixture
def three_cases(world):
    """Three dispatched requests due at the same time, ten hours from now."""
    cat = Category.objects.get(name="设施维修")
    pks = []
    for text in ("电梯坏了", "路灯不亮", "水管漏水"):
        c = actions.report_case(
            actor=world.users.grid_a,
            category=cat,
            grid=world.grid_a,
            compound=world.cp1,
            description=text,
            channel="patrol",
        )
        pks.append(actions.transition(c.pk, "dispatch", actor=world.users.grid_a, version=0, assignee_org=world.pm).pk)
    due = timezone.now() + dt.timedelta(hours=10)
    Case.objects.filter(pk__in=pks).update(resolve_by=due)
    return pks, due


@contextmanager
def another_worker_claims_first(column, at):
    """Another worker's claim lands between the job's listing and its first claim: just before
    the job's first conditional UPDATE of `column` runs, the same UPDATE (`WHERE pk = … AND column
    IS NULL`) is made for the same row with the other worker's time. Django's execute_wrapper
    around the job's own queries: the database answers both UPDATEs, nothing is mocked, and it
    is the row the job claims first whatever order the job lists them in. Yields the stolen pk."""
    stolen = []

    def wrapper(execute, sql, params, many, context):
        if not stolen and sql.startswith('UPDATE "cases_case"') and f'"{column}" IS NULL' in sql:
            stolen.append(params[-1])  # WHERE "id" = %s AND … IS NULL: the pk is the last parameter
            assert Case.objects.filter(pk=stolen[0], **{column: None}).update(**{column: at}) == 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield stolen


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("job", "column", "action", "after_due"),
    [
        (mark_overdue, "overdue_notified_at", "overdue", dt.timedelta(seconds=1)),
        (warn_near_deadline, "warned_at", "warn", -dt.timedelta(hours=1)),  # 9 of 10 hours used, share 0.5
    ],
)
def test_a_claim_lost_to_another_worker_does_not_stop_the_batch(
    world, three_cases, settings, django_capture_on_commit_callbacks, job, column, action, after_due
):
    settings.LINLI_WARN_SHARE = 0.5
    pks, due = three_cases
    now = due + after_due
    other_worker = now - dt.timedelta(seconds=30)
    with django_capture_on_commit_callbacks(execute=True), another_worker_claims_first(column, other_worker) as stolen:
        assert job(now=now) == 2  # the lost row skipped, the two after it claimed
    assert len(stolen) == 1 and stolen[0] in pks
    events = CaseEvent.objects.filter(case_id__in=pks, action=action)
    assert sorted(events.values_list("case_id", flat=True)) == sorted(set(pks) - {stolen[0]})
    claimed = dict(Case.objects.filter(pk__in=pks).values_list("pk", column))
    assert claimed == {pk: other_worker if pk == stolen[0] else now for pk in pks}  # the other worker's claim stands
    # community staff, the grid worker and the handler, for each of the two claimed: nobody twice for the stolen one
    assert Notification.objects.count() == 2 * 3


@pytest.mark.django_db
def test_a_request_short_of_the_share_does_not_stop_the_warnings(world, three_cases, settings):
    """The request reported in between has used less than half of its time; the ones reported
    before and after it have used more. It is skipped, not the end of the batch, whichever way the
    job lists them (it lies in the middle both ways)."""
    settings.LINLI_WARN_SHARE = 0.5
    (first, middle, last), now = three_cases[0], timezone.now()
    for pk, reported, due in ((first, 9, 1), (middle, 6, 10), (last, 3, 1)):  # hours ago, hours from now
        Case.objects.filter(pk=pk).update(
            created_at=now - dt.timedelta(hours=reported), resolve_by=now + dt.timedelta(hours=due)
        )
    # used 9 of 10 hours, 6 of 16, 3 of 4
    assert warn_near_deadline(now=now) == 2
    assert sorted(CaseEvent.objects.filter(action="warn").values_list("case_id", flat=True)) == sorted([first, last])
