import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from linli.cases import actions
from linli.cases.models import CaseEvent, Category
from linli.cases.overdue import mark_overdue
from linli.core.models import Notification


@pytest.fixture
def case(world):
    cat = Category.objects.get(name="设施维修")
    c = actions.report_case(actor=world.users.grid_a, category=cat, grid=world.grid_a, compound=world.cp1, description="电梯坏了", channel="patrol")
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
