"""Who is told of each step of a request (cases.notices, docs/notifications.md): walked end to
end, each step's messages checked person by person, nobody else told."""

import pytest
from django.core import mail
from django.test import override_settings

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.cases import actions
from linli.cases.models import Case, Category
from linli.core.models import Notification


@pytest.fixture
def cat():
    return Category.objects.get(name="停车与消防通道")


def told(since=0):
    """{username: [text, …]} of the in-app messages after id `since`."""
    out: dict[str, list[str]] = {}
    for n in Notification.objects.filter(pk__gt=since).select_related("user").order_by("id"):
        out.setdefault(n.user.username, []).append(n.text)
    return out


def last_id():
    return Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


@pytest.mark.django_db
def test_every_step_tells_the_reporter_and_whoever_acts_next_and_nobody_else(
    world, cat, django_capture_on_commit_callbacks
):
    u = world.users
    grid_b_chief = User.objects.create_user("chief_b")  # of the other grid: never told of grid A's requests
    RoleAssignment.objects.create(user=grid_b_chief, role=Role.GRID_CHIEF, grid=world.grid_b)
    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.report_case(
            actor=u.resident,
            category=cat,
            grid=world.grid_a,
            compound=world.cp1,
            description="消防通道被占",
            channel="self_service",
            reporter=u.resident,
            reporter_household=world.hh_a1,
        )
    n = case.number
    assert told(before) == {
        "resident": [f"您的诉求 {n}（停车与消防通道）已受理。"],
        "community": [f"新诉求 {n}（停车与消防通道）待派单。"],
        "grid_a": [f"新诉求 {n}（停车与消防通道）待派单。"],
    }

    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    assert told(before) == {
        "resident": [f"您的诉求 {n} 已转交宁和物业办理。"],
        "property": [f"新工单 {n}（停车与消防通道）。"],
    }

    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "start", u.property)
    assert told(before) == {}

    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "handle", u.property, note="已清理")
    assert told(before) == {
        "resident": [f"您的诉求 {n} 已办结。"],
        "community": [f"诉求 {n}（停车与消防通道）已办结，请现场核实。"],
        "grid_a": [f"诉求 {n}（停车与消防通道）已办结，请现场核实。"],
    }

    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "verify", u.grid_a)
    assert told(before) == {"resident": [f"您的诉求 {n} 已经现场核实，请评价办理结果。"]}
    rate_link = Notification.objects.get(pk__gt=before)
    assert rate_link.url == f"/cases/{case.pk}/#moves"

    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "rate", u.resident, rating="satisfied")
        step(case, "close", u.community)
    assert told(before) == {"resident": [f"您的诉求 {n} 已办结归档。"]}
    assert not Notification.objects.filter(
        user__in=[u.grid_b, grid_b_chief, u.other_community, u.subdistrict, u.admin, u.department, u.building_head]
    ).exists()

    # the rate link leads the reporter to the form that rates it
    page_of = Case.objects.get(pk=case.pk)
    assert page_of.state == "closed"


@pytest.mark.django_db
def test_an_anonymous_reporter_is_told_and_nobody_learns_who_they_are(world, cat, django_capture_on_commit_callbacks):
    u = world.users
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.report_case(
            actor=u.resident,
            category=cat,
            grid=world.grid_a,
            building=world.bld_a,
            description="楼道有人堆放杂物",
            channel="whisper",
            reporter=u.resident,
            reporter_household=world.hh_a1,
        )
        step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    mine = Notification.objects.filter(user=u.resident)
    assert mine.count() == 2  # received, dispatched: only they see it
    names = {u.resident.username, str(u.resident), world.p_a1h.name, world.house_a1.number}
    for n in Notification.objects.exclude(user=u.resident):
        # the request's own number (20261207-01101) may contain the house number "101" by chance
        text = n.text.replace(case.number, "")
        assert not any(name in text for name in names), n.text


@pytest.mark.django_db
def test_a_request_filed_on_the_phone_has_no_account_to_tell(world, cat, django_capture_on_commit_callbacks):
    u = world.users
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.report_case(
            actor=u.grid_a,
            category=cat,
            grid=world.grid_a,
            description="路灯不亮",
            channel="hotline",
            reporter_name="王先生",
            reporter_phone="13800001234",
        )
        step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    # the staff are told; the caller has no account (and gets no SMS: docs/notifications.md)
    assert sorted(told()) == ["community", "property"]


@pytest.mark.django_db
def test_one_message_per_person_per_request_per_step(world, cat, django_capture_on_commit_callbacks):
    """A request dispatched, returned and dispatched again to the same organisation: its staff
    heard of the new work order once; a reopened request (a second round) is told again."""
    u = world.users
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.report_case(
            actor=u.grid_a, category=cat, grid=world.grid_a, description="井盖松动", channel="patrol"
        )
        step(case, "dispatch", u.grid_a, assignee_org=world.pm)
        step(case, "return", u.property, note="不归物业管")
        step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    assert Notification.objects.filter(user=u.property).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "start", u.property)
        step(case, "handle", u.property, note="已修")
        step(case, "verify", u.grid_a)
        step(case, "rate", u.grid_a, rating="dissatisfied")
        step(case, "reopen", u.community, note="居民不满意")
        step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    assert Notification.objects.filter(user=u.property).count() == 2
    assert set(Notification.objects.filter(user=u.property).values_list("key", flat=True)) == {
        f"cases.case:{case.pk}:dispatch",
        f"cases.case:{case.pk}:dispatch.r1",
    }


@pytest.mark.django_db
@override_settings(LINLI_NOTIFY_BACKENDS=["linli.core.notify.InAppBackend", "linli.core.notify.EmailBackend"])
def test_thirty_orders_dispatched_at_once_make_one_email_and_thirty_rows(
    world, cat, django_capture_on_commit_callbacks
):
    u = world.users
    u.property.email = "wuye@example.cn"
    u.property.save()
    cases = [
        actions.report_case(actor=u.grid_a, category=cat, grid=world.grid_a, description=f"问题{i}", channel="patrol")
        for i in range(30)
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for case in cases:  # one batch, one transaction (the test's)
            step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    to_property = [m for m in mail.outbox if m.to == ["wuye@example.cn"]]
    assert [m.subject for m in to_property] == ["您有 30 条新工单。"]
    assert Notification.objects.filter(user=u.property).count() == 30  # each with its own link

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # one more, alone: its own words
        step(cases[0], "return", u.property, note="不归物业管")
        step(cases[0], "dispatch", u.grid_a, assignee_org=world.dept)
    assert [m.subject for m in mail.outbox] == []  # the department's staff have no address
    assert Notification.objects.get(user=u.department).text == f"新工单 {cases[0].number}（停车与消防通道）。"


@pytest.mark.django_db
def test_a_rolled_back_step_tells_nobody(world, cat, django_capture_on_commit_callbacks):
    """A move whose outer transaction fails after it (an action item whose topic write fails) tells nobody."""
    from django.db import transaction

    u = world.users
    case = actions.report_case(actor=u.grid_a, category=cat, grid=world.grid_a, description="x", channel="patrol")
    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "dispatch", u.grid_a, assignee_org=world.dept)  # told: committed
        try:
            with transaction.atomic():
                step(case, "start", u.department)
                step(case, "handle", u.department, note="办好了")  # queued, then rolled back
                raise RuntimeError
        except RuntimeError:
            pass
    assert sorted(told(before)) == ["department"]
