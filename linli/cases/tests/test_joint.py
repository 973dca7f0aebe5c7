"""联合处置 (issue 12): a work order with a lead organisation and co-handlers, each giving feedback;
handled when the lead says so (cases.CoHandler, the moves co_handlers and co_feedback)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.cases import actions
from linli.cases.filters import awaiting
from linli.cases.models import Case, CaseEvent, Category, CoHandler, State
from linli.core.actions import create_object
from linli.core.models import AuditLog, Notification
from linli.orgs.models import Kind, Organisation
from linli.places.models import Subdistrict
from linli.testing import log_in, response_text

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def staff(username, org):
    user = User.objects.create_user(username, display_name=username)
    RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT_STAFF, organisation=org)
    return user


@pytest.fixture
def police(world):
    return create_object(Organisation, actor=None, kind=Kind.DEPARTMENT, name="贺兰山中路派出所", subdistrict=world.sub)


@pytest.fixture
def power(world):
    return create_object(Organisation, actor=None, kind=Kind.UTILITY, name="国网供电公司", subdistrict=world.sub)


@pytest.fixture
def officer(police):
    return staff("officer", police)


@pytest.fixture
def electrician(power):
    return staff("electrician", power)


def report(world, **kw):
    return actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        compound=world.cp1,
        building=world.bld_a,
        description="楼道飞线充电",
        channel="patrol",
        **kw,
    )


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


def names(case, user):
    case = Case.objects.prefetch_related("co_handlers__organisation", "assignments").get(pk=case.pk)
    return [m.name for m in actions.allowed(case, user)]


@pytest.fixture
def joint(world, police, power, officer, electrician):
    """综合执法 leads; the police and the power company co-handle."""
    case = report(world)
    step(case, "dispatch", world.users.grid_a, assignee_org=world.dept, co_handlers=[police, power])
    case.refresh_from_db()
    return case


def page(user, case):
    return log_in(Client(), user).get(reverse("cases:detail", args=[case.pk]))


def listed(user, **params):
    return [c.pk for c in log_in(Client(), user).get(reverse("cases:list"), params).context["object_list"]]


# --- dispatching with co-handlers ---------------------------------------------------------------


def test_dispatch_names_the_co_handlers_on_the_timeline_and_in_the_audit(world, joint, police, power):
    assert [c.organisation for c in joint.co_handlers.all()] == [police, power]
    assert joint.assignee_org == world.dept and joint.state == State.DISPATCHED
    event = joint.events.get(action="dispatch")
    assert event.note == "协办单位：贺兰山中路派出所、国网供电公司。"
    record = AuditLog.objects.filter(note="dispatch").latest("id")
    assert record.changes["co_handlers"] == ["", "贺兰山中路派出所、国网供电公司"]


def test_the_lead_cannot_also_be_a_co_handler(world, police):
    case = report(world)
    with pytest.raises(ValidationError) as exc:
        step(case, "dispatch", world.users.grid_a, assignee_org=police, co_handlers=[police])
    assert exc.value.message_dict == {"co_handlers": ["主办单位不能同时是协办单位。"]}
    assert not CoHandler.objects.exists() and Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_a_co_handler_of_another_sub_district_is_refused_in_chinese(world):
    other_sub = create_object(Subdistrict, actor=None, name="另一街道")
    stranger = create_object(Organisation, actor=None, kind=Kind.DEPARTMENT, name="外区派出所", subdistrict=other_sub)
    case = report(world)
    with pytest.raises(ValidationError) as exc:
        step(case, "dispatch", world.users.grid_a, assignee_org=world.dept, co_handlers=[stranger])
    assert exc.value.message_dict == {"co_handlers": ["请选择本街道的协办单位。"]}
    assert not CoHandler.objects.exists()


def test_the_dispatch_form_on_the_page_shows_a_field_error(world, police):
    case = report(world)
    c = log_in(Client(), world.users.grid_a)
    r = c.post(
        reverse("cases:move_dispatch", args=[case.pk]),
        {"version": 0, "assignee_org": police.pk, "co_handlers": [police.pk]},
    )
    assert r.status_code == 400
    assert "主办单位不能同时是协办单位。" in response_text(r)
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_assign_names_co_handling_departments_too(world, police, officer):
    case = report(world)
    step(case, "whistle", world.users.community, note="需联合执法")
    deadline = timezone.now() + dt.timedelta(days=3)
    step(case, "assign", world.users.subdistrict, assignee_org=world.dept, deadline=deadline, co_handlers=[police])
    assert [c.organisation for c in case.co_handlers.all()] == [police]
    assert names(case, officer) == ["co_feedback"]


# --- who sees it, who may do what ---------------------------------------------------------------


def test_co_handlers_staff_see_the_order_in_the_list_the_page_and_the_api(world, joint, officer, electrician):
    for user in (officer, electrician, world.users.department):
        assert listed(user) == [joint.pk]
        assert page(user, joint).status_code == 200
        assert api(user).get(f"/api/v1/cases/{joint.pk}/").status_code == 200
        assert [c["id"] for c in api(user).get("/api/v1/cases/").json()["results"]] == [joint.pk]


def test_an_organisation_that_does_not_co_handle_sees_nothing(world, joint):
    outsider = world.users.property  # staff of 宁和物业, the compound's own property company
    assert listed(outsider) == []
    assert page(outsider, joint).status_code == 404
    assert api(outsider).get(f"/api/v1/cases/{joint.pk}/").status_code == 404
    assert api(outsider).get("/api/v1/cases/").json()["results"] == []
    with pytest.raises(Case.DoesNotExist):  # 404, not 403
        step(joint, "co_feedback", outsider, note="我们也来看看")
    r = api(outsider).post(f"/api/v1/cases/{joint.pk}/co_feedback/", {"note": "看看"}, format="json")
    assert r.status_code == 404


def test_a_co_handler_gives_feedback_but_never_handles(world, joint, officer):
    assert names(joint, officer) == ["co_feedback"]
    with pytest.raises(PermissionDenied):
        step(joint, "start", officer)
    step(joint, "start", world.users.department)
    assert names(joint, officer) == ["co_feedback"]
    for move, kw in (("handle", {"note": "已处理"}), ("return", {"note": "不归我们"})):
        with pytest.raises(PermissionDenied):
            step(joint, move, officer, **kw)
    assert Case.objects.get(pk=joint.pk).state == State.IN_PROGRESS
    assert "co_feedback" not in names(joint, world.users.department)  # the lead handles; it gives no co-feedback


def test_a_removed_co_handler_no_longer_sees_it(world, joint, police, power, officer, electrician):
    step(joint, "co_handlers", world.users.grid_a, co_handlers=[power])
    assert listed(officer) == [] and page(officer, joint).status_code == 404
    assert api(officer).get(f"/api/v1/cases/{joint.pk}/").status_code == 404
    assert listed(electrician) == [joint.pk]
    assert joint.events.filter(action="co_handlers").get().note == "协办单位：国网供电公司。"
    step(joint, "co_handlers", world.users.grid_a)  # none chosen: all removed
    assert not joint.co_handlers.exists() and listed(electrician) == []


def test_changing_co_handlers_is_a_dispatchers_move_while_the_order_is_worked(world, joint, power, officer):
    with pytest.raises(PermissionDenied):  # handlers hold no cases.dispatch
        step(joint, "co_handlers", world.users.department, co_handlers=[power])
    with pytest.raises(ValidationError) as exc:
        step(joint, "co_handlers", world.users.grid_a, co_handlers=[world.dept])
    assert exc.value.message_dict == {"co_handlers": ["主办单位不能同时是协办单位。"]}
    step(joint, "start", world.users.department)
    step(joint, "handle", world.users.department, note="已拆除飞线")
    with pytest.raises(ValidationError):  # handled: no longer being worked
        step(joint, "co_handlers", world.users.grid_a, co_handlers=[power])


# --- feedback -------------------------------------------------------------------------------------


def test_feedback_is_kept_latest_and_every_answer_is_on_the_timeline(world, joint, police, officer):
    joint.refresh_from_db()
    version = joint.version
    step(joint, "co_feedback", officer, note="已联合上门劝导")
    later = timezone.now() + dt.timedelta(hours=2)
    actions.transition(joint.pk, "co_feedback", actor=officer, version=None, note="已复查，无飞线", now=later)
    row = joint.co_handlers.get(organisation=police)
    assert (row.feedback, row.feedback_at, row.feedback_by) == ("已复查，无飞线", later, officer)
    notes = list(joint.events.filter(action="co_feedback").values_list("note", flat=True))
    assert notes == ["贺兰山中路派出所：已联合上门劝导", "贺兰山中路派出所：已复查，无飞线"]
    assert Case.objects.get(pk=joint.pk).version == version  # feedback bumps no version: the lead's form stays valid


def test_feedback_needs_a_note_in_chinese(joint, officer):
    with pytest.raises(ValidationError) as exc:
        step(joint, "co_feedback", officer, note="")
    assert exc.value.message_dict == {"note": ["请填写原因或处理结果。"]}
    r = api(officer).post(f"/api/v1/cases/{joint.pk}/co_feedback/", {"note": ""}, format="json")
    assert r.status_code == 400 and "note" in str(r.json())


def test_feedback_is_refused_once_the_order_is_closed(world, joint, officer):
    step(joint, "start", world.users.department)
    step(joint, "handle", world.users.department, note="已处理")
    step(joint, "co_feedback", officer, note="处理后补充")  # handled: a late answer is still recorded
    step(joint, "verify", world.users.grid_a)
    step(joint, "close", world.users.community)
    with pytest.raises(ValidationError):
        step(joint, "co_feedback", officer, note="太迟了")
    assert joint.events.filter(action="co_feedback").count() == 1


def test_the_lead_may_handle_with_feedback_missing_and_the_page_warns(world, joint, officer):
    step(joint, "co_feedback", officer, note="已到场")
    step(joint, "start", world.users.department)
    body = response_text(page(world.users.department, joint))
    warning = body.split('data-testid="co-handlers-unanswered"')[1].split("</div>")[0]
    assert "尚未反馈的协办单位： 国网供电公司" in warning and "贺兰山中路派出所" not in warning
    step(joint, "handle", world.users.department, note="已拆除")  # the lead decides
    assert Case.objects.get(pk=joint.pk).state == State.HANDLED


def test_the_page_shows_the_co_handlers_table(world, joint, officer, electrician):
    step(joint, "co_feedback", officer, note="已联合上门")
    step(joint, "co_feedback", electrician, note="已断电整改")
    r = page(world.users.grid_a, joint)
    table = r.content.decode().split('data-testid="co-handlers"')[1].split("</table>")[0]
    assert "贺兰山中路派出所" in table and "已联合上门" in table and "已断电整改" in table
    assert "尚未反馈" not in response_text(r)


def test_community_staff_answer_for_their_communitys_organisations_and_choose_when_several(world, police):
    committee = create_object(
        Organisation, actor=None, kind=Kind.PARTY, name="馨和苑社区党委", subdistrict=world.sub, community=world.c1
    )
    branch = create_object(
        Organisation, actor=None, kind=Kind.PARTY, name="馨和苑小区党支部", subdistrict=world.sub, community=world.c1
    )
    case = report(world)
    step(case, "dispatch", world.users.grid_a, assignee_org=police, co_handlers=[committee, branch])
    u = world.users
    assert "co_feedback" in names(case, u.community) and "co_feedback" not in names(case, u.other_community)
    with pytest.raises(ValidationError) as exc:
        step(case, "co_feedback", u.community, note="网格员已到场")
    assert exc.value.message_dict == {"co_handler": ["请选择您代为反馈的协办单位。"]}
    step(case, "co_feedback", u.community, note="网格员已到场", co_handler=branch.pk)
    assert case.co_handlers.get(organisation=branch).feedback == "网格员已到场"
    assert case.co_handlers.get(organisation=committee).feedback_at is None


# --- notifications --------------------------------------------------------------------------------


def test_co_handlers_are_told_when_added_and_the_lead_when_one_answers(
    world, police, power, officer, electrician, django_capture_on_commit_callbacks
):
    case = report(world)
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "dispatch", world.users.grid_a, assignee_org=world.dept, co_handlers=[police])
    # the lead's staff get the new work order (cases.notices), the co-handler's theirs to help with
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"department", "officer"}
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "co_handlers", world.users.grid_a, co_handlers=[police, power])  # only the one added is told
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"electrician"}
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "co_feedback", electrician, note="已断电")
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"department"}


# --- the to-do and the lists ----------------------------------------------------------------------


def test_awaiting_feedback_counts_only_unanswered_orders_of_the_users_organisations(world, joint, officer):
    assert list(awaiting(officer, "co_feedback")) == [joint]
    assert list(awaiting(officer, "handle")) == []  # the lead's, not theirs
    assert list(awaiting(world.users.department, "co_feedback")) == []
    assert list(awaiting(world.users.property, "co_feedback")) == []
    step(joint, "co_feedback", officer, note="已到场")
    assert list(awaiting(officer, "co_feedback")) == []


def test_the_workbench_shows_joint_orders_awaiting_feedback(world, joint, officer):
    client = log_in(Client(), officer)
    body = client.get(reverse("home:home")).content.decode()
    assert 'data-testid="todo-co_feedback"' in body
    assert client.get(reverse("cases:list"), {"mine": "co_feedback"}).context["paginator"].count == 1


def test_the_list_of_a_co_handler_costs_the_same_queries_whatever_the_orders(
    world, police, power, officer, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            case = report(world)
            step(case, "dispatch", world.users.grid_a, assignee_org=world.dept, co_handlers=[police, power])

    grow(1)
    client = log_in(Client(), officer)
    client.get(reverse("cases:list"))
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("cases:list"), {"mine": "co_feedback"})
        client.get(reverse("cases:list"))
    grow(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(reverse("cases:list"), {"mine": "co_feedback"}).context["page_obj"]) == 7
        client.get(reverse("cases:list"))


# --- the API --------------------------------------------------------------------------------------


def test_the_api_shows_co_handlers_and_takes_the_moves(world, police, power, officer):
    case = report(world)
    r = api(world.users.grid_a).post(
        f"/api/v1/cases/{case.pk}/dispatch/",
        {"version": 0, "assignee_org": world.dept.pk, "co_handlers": [police.pk, power.pk]},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert [(c["organisation_name"], c["feedback_at"]) for c in r.json()["co_handlers"]] == [
        ("贺兰山中路派出所", None),
        ("国网供电公司", None),
    ]
    r = api(officer).post(f"/api/v1/cases/{case.pk}/co_feedback/", {"note": "已联合上门"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["co_handlers"][0]["feedback"] == "已联合上门"
    assert r.json()["events"][-1]["action"] == "co_feedback"
    r = api(world.users.grid_a).post(
        f"/api/v1/cases/{case.pk}/co_handlers/", {"version": 1, "co_handlers": [world.dept.pk]}, format="json"
    )
    assert r.status_code == 400 and "co_handlers" in str(r.json())
    r = api(world.users.grid_a).post(
        f"/api/v1/cases/{case.pk}/co_handlers/", {"version": 1, "co_handlers": ["x"]}, format="json"
    )
    assert r.status_code == 400 and "co_handlers" in str(r.json())
    r = api(world.users.grid_a).post(
        f"/api/v1/cases/{case.pk}/co_handlers/", {"version": 1, "co_handlers": [power.pk]}, format="json"
    )
    assert r.status_code == 200 and [c["organisation"] for c in r.json()["co_handlers"]] == [power.pk]


# --- privacy --------------------------------------------------------------------------------------


def test_a_co_handler_of_a_whisper_learns_no_more_than_the_lead(world, police, officer):
    reporter = world.users.resident
    case = actions.report_case(
        actor=reporter,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        compound=world.cp1,
        building=world.bld_a,
        description="有人在楼道飞线充电",
        channel="whisper",
        reporter=reporter,
        reporter_household=world.hh_a1,
        reporter_name="居民a1h",
    )
    step(case, "dispatch", world.users.grid_a, assignee_org=world.dept, co_handlers=[police])
    for user in (officer, world.users.department):
        # the request's own number and links may hold its id, 101 when the sequence gets there
        body = response_text(page(user, case)).replace(case.number, "").replace(f"/cases/{case.pk}/", "/cases/ID/")
        assert "居民a1h" not in body and "resident" not in body and "101" not in body
        assert 'data-testid="reveal-reporter"' not in page(user, case).content.decode()
        data = api(user).get(f"/api/v1/cases/{case.pk}/").json()
        assert data["reporter_name"] is None and data["house"] is None
        assert "居民a1h" not in str(data)
        assert api(user).post(f"/api/v1/cases/{case.pk}/reveal_reporter/").status_code in (403, 404)


def test_reopening_clears_the_co_handlers(world, joint, officer):
    step(joint, "co_feedback", officer, note="已到场")
    step(joint, "start", world.users.department)
    step(joint, "handle", world.users.department, note="已拆除")
    step(joint, "verify", world.users.grid_a)
    step(joint, "rate", world.users.grid_a, rating="dissatisfied")
    step(joint, "reopen", world.users.community, note="居民不满意")
    assert not joint.co_handlers.exists() and listed(officer) == []
    assert CaseEvent.objects.filter(case=joint, action="co_feedback").count() == 1  # the timeline keeps it


def test_the_page_asks_which_co_handler_only_of_who_answers_for_several(world, joint, officer):
    body = page(officer, joint).content.decode()
    assert 'type="hidden" name="co_handler"' in body and "代为反馈的单位" not in body
    assert "协办反馈" in body and 'name="co_handlers"' not in body  # a co-handler does not change the co-handlers
    body = page(world.users.grid_a, joint).content.decode()
    assert 'name="co_handlers"' in body and "调整协办单位" in body and 'name="co_handler"' not in body
