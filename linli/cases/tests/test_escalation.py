import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.cases import actions
from linli.cases.models import Assignment, Case, Category, State
from linli.core.models import Notification


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


@pytest.mark.django_db
def test_whistle_assign_supervise_feedback(world, django_capture_on_commit_callbacks):
    u = world.users
    cat = Category.objects.get(name="停车与消防通道")
    case = actions.report_case(
        actor=u.grid_a,
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        description="消防通道长期被占",
        channel="patrol",
    )
    with pytest.raises(PermissionDenied):
        step(case, "whistle", u.grid_a, note="物业管不了")  # grid workers go through the community
    due = timezone.now() + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "whistle", u.community, note="需综合执法局处理")
        with pytest.raises(PermissionDenied):
            step(case, "assign", u.community, assignee_org=world.dept, deadline=due)
        with pytest.raises(ValidationError) as err:
            step(case, "assign", u.subdistrict, assignee_org=world.pm, deadline=due)
        assert "assignee_org" in err.value.message_dict  # a department, not the property company
        with pytest.raises(ValidationError):
            step(
                case,
                "assign",
                u.subdistrict,
                assignee_org=world.dept,
                deadline=timezone.now() - dt.timedelta(minutes=1),
            )
        step(case, "assign", u.subdistrict, assignee_org=world.dept, deadline=due)
        assert Case.objects.restrict(u.department).filter(pk=case.pk).exists()
        step(case, "supervise", u.subdistrict)
        step(case, "feedback", u.department, note="已约谈车主，三日内清理")
    case.refresh_from_db()
    a = Assignment.objects.get(case=case)
    assert (case.state, case.assignee_org, case.resolve_by) == (State.DISPATCHED, world.dept, due)
    assert (a.department, a.reminders, a.feedback) == (world.dept, 1, "已约谈车主，三日内清理")
    assert list(case.events.values_list("action", flat=True)) == [
        "report",
        "whistle",
        "assign",
        "supervise",
        "feedback",
    ]
    kinds = ("交办给您", "督办提醒", "吹哨报到", "部门反馈")
    notified = sorted(
        (n.user.username, next(k for k in kinds if k in n.text)) for n in Notification.objects.select_related("user")
    )
    assert notified == [
        ("department", "交办给您"),
        ("department", "督办提醒"),
        ("subdistrict", "吹哨报到"),
        ("subdistrict", "部门反馈"),
    ]


@pytest.mark.django_db
def test_supervision_needs_an_assignment(world):
    cat = Category.objects.get(name="设施维修")
    case = actions.report_case(actor=None, category=cat, grid=world.grid_a, description="x", channel="hotline")
    step(case, "dispatch", world.users.grid_a, assignee_org=world.pm)
    with pytest.raises(ValidationError):
        step(case, "supervise", world.users.subdistrict)
