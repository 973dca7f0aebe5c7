import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.cases import actions
from linli.cases.models import Case, CaseEvent, Category, State
from linli.testing import database_refuses_inserts_into


@pytest.fixture
def case(world):
    cat = Category.objects.get(name="设施维修")
    return actions.report_case(
        actor=world.users.resident,
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        building=world.bld_a,
        house=world.house_a1,
        description="楼道灯坏了",
        channel="self_service",
        reporter=world.users.resident,
        reporter_household=world.hh_a1,
        reporter_name="居民a1h",
    )


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


@pytest.mark.django_db
def test_full_loop_with_the_right_roles(world, case):
    u = world.users
    assert case.state == State.ACCEPTED and case.community_id == world.c1.pk
    assert not Case.objects.restrict(u.property).filter(pk=case.pk).exists()  # not theirs yet
    step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    assert Case.objects.restrict(u.property).filter(pk=case.pk).exists()
    assert not Case.objects.restrict(u.department).filter(pk=case.pk).exists()
    step(case, "start", u.property)
    step(case, "handle", u.property, note="已更换灯泡")
    step(case, "verify", u.grid_a)
    step(case, "rate", u.resident, rating="satisfied", note="很快")
    step(case, "close", u.community)
    case.refresh_from_db()
    assert (case.state, case.result, case.rating, case.version) == (State.CLOSED, "已更换灯泡", "satisfied", 6)
    assert list(case.events.values_list("action", flat=True)) == [
        "report",
        "dispatch",
        "start",
        "handle",
        "verify",
        "rate",
        "close",
    ]
    assert case.responded_at and case.handled_at and case.closed_at


@pytest.mark.django_db
def test_deadlines_are_24_hours_and_5_working_days(world):
    # reported Wednesday 18 November 2026, 10:00 in Shanghai: respond by Thursday 10:00, resolve by
    # the end of the fifth working day after the day of intake, Wednesday 25 November
    reported = timezone.make_aware(dt.datetime(2026, 11, 18, 10, 0))
    c = actions.report_case(
        actor=None,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        description="x",
        channel="hotline",
        now=reported,
    )
    assert timezone.localtime(c.respond_by) == timezone.make_aware(dt.datetime(2026, 11, 19, 10, 0))
    assert timezone.localtime(c.resolve_by) == timezone.make_aware(dt.datetime(2026, 11, 25, 23, 59, 59, 999999))


def handled(world, case):
    u = world.users
    for name, user, kw in (
        ("dispatch", u.grid_a, {"assignee_org": world.pm}),
        ("start", u.property, {}),
        ("handle", u.property, {"note": "已修复"}),
    ):
        step(case, name, user, **kw)


@pytest.mark.django_db
def test_no_closing_or_rating_before_the_verification(world, case):
    u = world.users
    handled(world, case)
    with pytest.raises(ValidationError, match="已办结"):
        step(case, "close", u.community)
    with pytest.raises(ValidationError, match="已办结"):
        step(case, "rate", u.resident, rating="satisfied")
    case.refresh_from_db()
    assert (case.state, case.rating, case.closed_at) == (State.HANDLED, "", None)
    assert [t.name for t in actions.allowed(case, u.community)] == ["verify", "send_back"]
    assert [t.name for t in actions.allowed(case, u.resident)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("rating", ["satisfied", "basic"])
def test_a_satisfied_result_is_not_reopened(world, case, rating):
    u = world.users
    handled(world, case)
    step(case, "verify", u.grid_a)
    step(case, "rate", u.resident, rating=rating)
    with pytest.raises(ValidationError, match="不满意"):
        step(case, "reopen", u.community, note="再看看")
    case.refresh_from_db()
    assert (case.state, case.rating, case.reopen_count, case.assignee_org) == (State.RATED, rating, 0, world.pm)


@pytest.mark.django_db
def test_illegal_and_unpermitted_transitions_are_refused(world, case):
    u = world.users
    with pytest.raises(ValidationError, match="不可|not possible|无法"):
        step(case, "verify", u.grid_a)
    with pytest.raises(PermissionDenied):
        step(case, "dispatch", u.property, assignee_org=world.pm)  # handlers do not dispatch
    with pytest.raises(Case.DoesNotExist):
        step(case, "dispatch", u.grid_b, assignee_org=world.pm)  # out of scope
    with pytest.raises(ValidationError) as err:
        step(case, "dispatch", u.grid_a)
    assert "assignee_org" in err.value.message_dict
    step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    with pytest.raises(ValidationError):
        step(case, "return", u.property)  # a reason is required
    step(case, "return", u.property, note="不属于物业")
    case.refresh_from_db()
    assert case.state == State.RETURNED
    step(case, "dispatch", u.grid_a, assignee_org=world.dept)
    assert CaseEvent.objects.filter(case=case).count() == 4


@pytest.mark.django_db
def test_stale_version_is_a_conflict_and_loses_nothing(world, case):
    actions.transition(case.pk, "dispatch", actor=world.users.grid_a, version=0, assignee_org=world.pm)
    with pytest.raises(actions.Conflict):
        actions.transition(case.pk, "decline", actor=world.users.community, version=0, note="重复")
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.events.count() == 2


@pytest.mark.django_db
def test_dissatisfied_reopens_once_then_goes_to_supervisor(world, case):
    u = world.users
    for round_ in (1, 2, 3):
        step(case, "dispatch", u.grid_a, assignee_org=world.pm)
        step(case, "start", u.property)
        step(case, "handle", u.property, note=f"第{round_}次处理")
        step(case, "verify", u.grid_a)
        step(case, "rate", u.resident, rating="dissatisfied", note="没修好")
        step(case, "reopen", u.community, note="居民不满意")
        case.refresh_from_db()
        assert case.state == State.ACCEPTED and case.reopen_count == round_
        assert case.needs_supervisor == (round_ >= 2)


@pytest.mark.django_db
def test_only_the_reporter_or_staff_rate(world, case):
    u = world.users
    for name, user, kw in (
        ("dispatch", u.grid_a, {"assignee_org": world.pm}),
        ("start", u.property, {}),
        ("handle", u.property, {"note": "ok"}),
        ("verify", u.grid_a, {}),
    ):
        step(case, name, user, **kw)
    with pytest.raises(PermissionDenied):
        step(case, "rate", u.property, rating="satisfied")
    step(case, "rate", u.grid_a, rating="basic", note="电话回访")  # staff call-back
    case.refresh_from_db()
    assert case.rating == "basic"


@pytest.mark.django_db
def test_detail_page_offers_only_permitted_actions_and_hides_anonymous_reporter(world, login):
    cat = Category.objects.get(name="邻里纠纷")
    c = actions.report_case(
        actor=world.users.resident,
        category=cat,
        grid=world.grid_a,
        description="楼上噪音",
        channel="whisper",
        reporter=world.users.resident,
        reporter_household=world.hh_a1,
        reporter_name="居民a1h",
    )
    assert c.anonymous
    page = login(world.users.grid_a).get(c.get_absolute_url()).content.decode()
    assert "居民a1h" not in page and "匿名" in page
    assert reverse("cases:move_dispatch", args=[c.pk]) in page and reverse("cases:move_start", args=[c.pk]) not in page
    assert login(world.users.grid_b).get(c.get_absolute_url()).status_code == 404
    assert login(world.users.property).get(c.get_absolute_url()).status_code == 404
    assert login(world.users.department).get(reverse("cases:list")).status_code == 200


@pytest.mark.django_db
def test_ui_dispatch_and_conflict_message(world, login, case):
    c = login(world.users.grid_a)
    r = c.post(reverse("cases:move_dispatch", args=[case.pk]), {"version": 0, "assignee_org": world.pm.pk})
    assert r.status_code == 302
    r = c.post(reverse("cases:move_decline", args=[case.pk]), {"version": 0, "note": "x"}, follow=True)
    assert (
        "他人刚刚处理了该诉求，以下为当前状态。" in r.content.decode()
    )  # the work order's words, not the generic ones
    r = c.post(reverse("cases:move_dispatch", args=[case.pk]), {"version": 1})
    assert r.status_code == 400
    # no version is negative: bad input (400), not "someone else changed it" (version 0 passed above)
    r = c.post(reverse("cases:move_decline", args=[case.pk]), {"version": -1, "note": "x"})
    assert r.status_code == 400 and "他人刚刚" not in r.content.decode()


@pytest.mark.django_db
def test_each_button_posts_to_its_moves_own_url_with_that_moves_form(world, login, case):
    c = login(world.users.community)
    page = c.get(case.get_absolute_url()).content.decode()
    offered = [m.name for m in actions.allowed(case, world.users.community)]
    assert offered == ["dispatch", "decline", "whistle"]
    for name in offered:
        assert f'formaction="{reverse(f"cases:move_{name}", args=[case.pk])}"' in page
    assert 'name="assignee_org"' in page and 'name="note"' in page and 'name="rating"' not in page
    assert page.count('name="note"') == 2  # the moves' form, and the comment box
    r = c.post(reverse("cases:move_decline", args=[case.pk]), {"version": 0, "note": " ", "assignee_org": world.pm.pk})
    assert r.status_code == 400 and "请填写原因或处理结果。" in r.content.decode()
    assert f'<option value="{world.pm.pk}" selected>' in r.content.decode()  # what was posted stays
    r = c.post(reverse("cases:move_decline", args=[case.pk]), {"note": "重复"})  # no version: refused, not a 500
    assert r.status_code == 400
    assert c.get(reverse("cases:move_decline", args=[case.pk])).status_code == 405
    case.refresh_from_db()
    assert (case.state, case.version, case.events.count()) == (State.ACCEPTED, 0, 1)
    r = c.post(reverse("cases:move_decline", args=[case.pk]), {"version": 0, "note": "重复"})
    assert r.status_code == 302 and Case.objects.get(pk=case.pk).state == State.DECLINED


@pytest.mark.django_db
def test_resident_reports_from_their_house(world, login):
    c = login(world.users.resident)
    cat = Category.objects.get(name="环境卫生")
    r = c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "垃圾桶满了", "place": "home"})
    assert r.status_code == 302
    case = Case.objects.get()
    assert (case.house, case.grid, case.reporter, case.channel) == (
        world.house_a1,
        world.grid_a,
        world.users.resident,
        "self_service",
    )
    assert c.get(reverse("cases:list")).status_code == 200
    assert login(world.users.grid_a).get(case.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_staff_intake_form_checks_place_and_phone(world, login):
    c = login(world.users.grid_a)
    cat = Category.objects.get(name="飞线充电")
    base = {"channel": "patrol", "category": cat.pk, "description": "x"}
    r = c.post(reverse("cases:report"), base | {"where": "map", "map_place": f"grid:{world.grid_c.pk}"})
    assert "map_place" in r.context["form"].errors
    r = c.post(reverse("cases:report"), base | {"where": "building", "building": world.bld_b.pk})
    assert "building" in r.context["form"].errors  # building of grid B is outside grid A's scope
    r = c.post(
        reverse("cases:report"),
        base | {"where": "map", "map_place": f"grid:{world.grid_a.pk}", "reporter_phone": "123"},
    )
    assert "reporter_phone" in r.context["form"].errors
    assert not Case.objects.exists()
    r = c.post(
        reverse("cases:report"), base | {"where": "building", "building": world.bld_a.pk, "description": "电动车飞线"}
    )
    case = Case.objects.get()
    assert r.status_code == 302 and case.compound == world.cp1 and case.created_by == world.users.grid_a
    assert (case.grid, case.where) == (world.grid_a, "building")
    assert case.respond_by - case.created_at == dt.timedelta(hours=4)


@pytest.mark.django_db
def test_case_list_query_count_is_constant(world, login, case, django_assert_max_num_queries):
    c = login(world.users.community)
    c.get(reverse("cases:list"))
    with django_assert_max_num_queries(30) as before:
        c.get(reverse("cases:list"))
    cat = Category.objects.get(name="供暖")
    for i in range(15):
        actions.report_case(
            actor=None,
            category=cat,
            grid=world.grid_b,
            compound=world.cp1,
            description=f"暖气不热{i}",
            channel="hotline",
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        r = c.get(reverse("cases:list"))
    assert r.context["page_obj"].paginator.count == 16


@pytest.mark.django_db
def test_dashboard_counts_scope_and_chart(world, login, case):
    from django.utils import timezone

    Case.objects.filter(pk=case.pk).update(resolve_by=timezone.now() - dt.timedelta(minutes=1))
    r = login(world.users.grid_a).get(reverse("cases:dashboard"))
    assert r.status_code == 200
    assert [r.context["summary"][k] for k in ("total", "open", "overdue")] == [1, 1, 1]
    assert r.context["chart"] == {"labels": [timezone.localtime(case.created_at).strftime("%Y-%m")], "values": [1]}
    for user in (world.users.grid_b, world.users.other_community):  # same community's other grid; other community
        r = login(user).get(reverse("cases:dashboard"))
        assert [r.context["summary"][k] for k in ("total", "open", "overdue")] == [0, 0, 0]
        assert r.context["chart"] == {"labels": [], "values": []}
    assert login(world.users.property).get(reverse("cases:dashboard")).status_code == 403
    assert login(world.users.resident).get(reverse("cases:dashboard")).status_code == 403


@pytest.mark.django_db
def test_public_board_shows_handled_cases_without_personal_data(world, client, case):
    u = world.users
    for name, user, kw in (
        ("dispatch", u.grid_a, {"assignee_org": world.pm}),
        ("start", u.property, {}),
        ("handle", u.property, {"note": "已修复，住户居民a1h确认"}),
        ("verify", u.grid_a, {}),
    ):
        step(case, name, user, **kw)
    cat = Category.objects.get(name="邻里纠纷")
    whisper = actions.report_case(
        actor=u.resident, category=cat, grid=world.grid_a, description="秘密", channel="whisper"
    )
    Case.objects.filter(pk=whisper.pk).update(state=State.CLOSED)
    r = client.get(reverse("board:community", args=[world.c1.pk]))  # no login
    body = r.content.decode()
    assert r.status_code == 200 and "设施维修" in body and "馨和苑" in body
    for private in ("居民a1h", "楼道灯坏了", "已修复", "邻里纠纷", "resident", "101"):
        assert private not in body, private
    assert client.get(reverse("board:community", args=[world.c2.pk])).context["page_obj"].paginator.count == 0


@pytest.mark.django_db
def test_comments_go_on_the_timeline_in_scope_only(world, login, case):
    c = login(world.users.grid_a)
    url = reverse("cases:comment", args=[case.pk])
    c.post(url, {"note": "已电话联系居民"})
    assert case.events.filter(action="comment", note="已电话联系居民", actor=world.users.grid_a).exists()
    assert login(world.users.grid_b).post(url, {"note": "x"}).status_code == 404
    r = login(world.users.grid_a).post(url, {"note": "  "}, follow=True)
    assert "请填写内容" in r.content.decode() and case.events.filter(action="comment").count() == 1


@pytest.mark.django_db
def test_list_filters_by_handler_and_state(world, login, case):
    step(case, "dispatch", world.users.grid_a, assignee_org=world.pm)
    c = login(world.users.community)
    assert c.get(reverse("cases:list"), {"handler": world.pm.pk}).context["page_obj"].paginator.count == 1
    assert c.get(reverse("cases:list"), {"handler": world.dept.pk}).context["page_obj"].paginator.count == 0
    assert c.get(reverse("cases:list"), {"state": "dispatched", "q": "楼道灯"}).context["page_obj"].paginator.count == 1
    assert c.get(reverse("cases:list"), {"state": "bogus"}).context["page_obj"].paginator.count == 0


@pytest.mark.django_db
def test_dashboard_query_count_is_constant(world, login, case, django_assert_max_num_queries):
    c = login(world.users.community)
    c.get(reverse("cases:dashboard"))
    with django_assert_max_num_queries(40) as before:
        c.get(reverse("cases:dashboard"))
    cat = Category.objects.get(name="供暖")
    for i in range(12):
        x = actions.report_case(
            actor=None, category=cat, grid=world.grid_b, compound=world.cp1, description=f"暖气{i}", channel="hotline"
        )
        actions.transition(x.pk, "dispatch", actor=world.users.grid_b, version=0, assignee_org=world.pm)
    with django_assert_max_num_queries(len(before.captured_queries)):
        r = c.get(reverse("cases:dashboard"))
    assert r.context["summary"]["total"] == 13


def names(case, user):
    case.refresh_from_db()
    return [t.name for t in actions.allowed(case, user)]


@pytest.mark.django_db
def test_allowed_transitions_per_state_role_deferral_and_assignment(world, case):
    u = world.users
    assert names(case, u.community) == ["dispatch", "decline", "whistle"]
    assert names(case, u.grid_a) == ["dispatch", "decline"]  # grid workers go through the community to whistle
    assert names(case, u.property) == names(case, u.grid_b) == []
    step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    assert names(case, u.property) == ["start", "return"]
    assert names(case, u.community) == ["whistle", "co_handlers", "defer", "extend"]
    step(case, "defer", u.grid_a, note="等待配件")
    assert names(case, u.grid_a) == ["co_handlers", "resume", "extend"]
    step(case, "resume", u.grid_a)
    assert names(case, u.grid_a) == ["co_handlers", "defer", "extend"]
    step(case, "whistle", u.community, note="需执法")
    assert names(case, u.subdistrict) == ["assign"] and names(case, u.community) == []
    step(case, "assign", u.subdistrict, assignee_org=world.dept, deadline=timezone.now() + dt.timedelta(days=3))
    assert names(case, u.subdistrict) == ["supervise", "co_handlers", "defer", "extend"]
    assert names(case, u.department) == ["start", "return", "feedback"]


@pytest.mark.django_db
def test_a_verified_request_offers_the_rating_to_the_reporter_and_staff_not_to_their_household(world, case):
    """allowed() offers "rate" to exactly those transition() lets rate: the reporter, and staff
    who verify (a telephone call-back); not another member of the reporter's household, who sees
    the request and holds cases.rate over it."""
    u = world.users
    spouse = User.objects.create_user("resident_a1s")
    RoleAssignment.objects.create(user=spouse, role="resident", household=world.hh_a1)
    handled(world, case)
    step(case, "verify", u.grid_a)
    assert names(case, u.resident) == ["rate"]
    assert names(case, u.community) == ["rate", "close"]
    assert Case.objects.restrict(spouse, "rate").filter(pk=case.pk).exists()  # theirs to see, in the rating scope…
    assert names(case, spouse) == []  # …but not theirs to rate
    with pytest.raises(PermissionDenied):
        step(case, "rate", spouse, rating="satisfied")


@pytest.mark.django_db
def test_a_transition_is_not_applied_when_its_timeline_entry_cannot_be_written(world, case):
    """The new state and the timeline entry are one write: the timeline is the audit trail and the
    source of the SLA figures, so a state change without its entry must not happen."""
    with database_refuses_inserts_into("cases_caseevent"), pytest.raises(DatabaseError):
        step(case, "dispatch", world.users.grid_a, assignee_org=world.pm)
    case.refresh_from_db()
    assert (case.state, case.version, case.assignee_org) == (State.ACCEPTED, 0, None)
    assert list(case.events.values_list("action", flat=True)) == ["report"]


@pytest.mark.django_db
def test_a_comment_is_not_written_when_its_audit_record_cannot_be_written(world, case):
    """A comment and its audit record are one write (comment's own transaction): when the audit
    record's INSERT is refused, no comment stands on the timeline without a trace in the log."""
    with database_refuses_inserts_into("core_auditlog"), pytest.raises(DatabaseError):
        actions.comment(case, actor=world.users.grid_a, note="已电话联系")
    assert list(case.events.values_list("action", flat=True)) == ["report"]
    actions.comment(case, actor=world.users.grid_a, note="已电话联系")
    assert list(case.events.values_list("action", flat=True)) == ["report", "comment"]


@pytest.mark.django_db
def test_an_assignment_deadline_must_be_later_than_now(world, case):
    import time_machine

    step(case, "whistle", world.users.community, note="需执法")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        with pytest.raises(ValidationError) as err:
            step(case, "assign", world.users.subdistrict, assignee_org=world.dept, deadline=now)
        assert list(err.value.message_dict) == ["deadline"]
        step(
            case,
            "assign",
            world.users.subdistrict,
            assignee_org=world.dept,
            deadline=now + dt.timedelta(microseconds=1),
        )


@pytest.mark.django_db
def test_decline_send_back_and_whistle_record_their_times(world, case):
    u = world.users
    with pytest.raises(ValidationError) as err:
        step(case, "decline", u.community, note=" ")
    assert list(err.value.message_dict) == ["note"]
    declined = step(case, "decline", u.community, note="不属于受理范围", now=case.created_at + dt.timedelta(hours=1))
    assert (declined.state, declined.responded_at, declined.closed_at) == (
        State.DECLINED,
        case.created_at + dt.timedelta(hours=1),
        case.created_at + dt.timedelta(hours=1),
    )
    other = actions.report_case(
        actor=None, category=case.category, grid=world.grid_a, description="x", channel="hotline"
    )
    t = other.created_at + dt.timedelta(minutes=30)
    whistled = step(other, "whistle", u.community, note="需执法", now=t)
    assert (whistled.state, whistled.responded_at) == (State.ESCALATED, t)
    third = actions.report_case(
        actor=None, category=case.category, grid=world.grid_a, description="y", channel="hotline"
    )
    handled(world, third)
    with pytest.raises(ValidationError):
        step(third, "send_back", u.grid_a)  # a reason is required
    sent = step(third, "send_back", u.grid_a, note="没修好")
    assert (sent.state, sent.reworked) == (State.IN_PROGRESS, True)


@pytest.mark.django_db
def test_deadlines_given_must_be_in_the_future_and_extensions_later(world, case):
    import time_machine

    u = world.users
    step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        with pytest.raises(ValidationError) as err:
            step(case, "extend", u.grid_a, note="施工", deadline=now)  # not in the future
        assert list(err.value.message_dict) == ["deadline"]
        with pytest.raises(ValidationError):
            step(case, "extend", u.grid_a, note="施工", deadline=None)
        with pytest.raises(ValidationError) as err:  # in the future, but earlier than the current deadline
            step(case, "extend", u.grid_a, note="施工", deadline=case.resolve_by - dt.timedelta(seconds=1))
        assert list(err.value.message_dict) == ["deadline"]
        step(
            case, "extend", u.grid_a, note="施工", deadline=now + dt.timedelta(microseconds=1) + (case.resolve_by - now)
        )
    case.refresh_from_db()
    assert case.extended and case.state == State.DISPATCHED


@pytest.mark.django_db
def test_rating_needs_a_known_rating_and_keeps_200_characters_of_comment(world, case):
    u = world.users
    handled(world, case)
    step(case, "verify", u.grid_a)
    with pytest.raises(ValidationError) as err:
        step(case, "rate", u.resident, rating="great")
    assert list(err.value.message_dict) == ["rating"]
    rated = step(case, "rate", u.resident, rating="satisfied", note="好" * 201)
    assert rated.rating_comment == "好" * 200


def test_the_transition_table_cannot_be_edited_at_run_time():
    import dataclasses

    from linli.cases.workflow import LIFECYCLE

    with pytest.raises(dataclasses.FrozenInstanceError):  # one table for every request of the process
        LIFECYCLE["close"].sources = (State.HANDLED,)
    assert LIFECYCLE["close"].sources == (State.RATED, State.VERIFIED)


@pytest.mark.django_db
def test_unknown_transition_is_refused(world, case):
    with pytest.raises(ValidationError, match="未知"):
        step(case, "approve", world.users.admin)
    assert names(case, world.users.admin) == ["dispatch", "decline", "whistle"]


def jpeg(name):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db
def test_photos_of_the_result_are_marked_as_such(world, case, settings, tmp_path):
    from linli.cases.models import CasePhoto

    settings.MEDIA_ROOT = tmp_path
    u = world.users
    step(case, "dispatch", u.grid_a, assignee_org=world.pm, photos=[jpeg("scene.jpg")])
    step(case, "start", u.property)
    step(case, "handle", u.property, note="已修复", photos=[jpeg("done.jpg")])
    assert sorted(CasePhoto.objects.filter(case=case).values_list("kind", "uploaded_by__username")) == [
        ("intake", "grid_a"),
        ("result", "property"),
    ]


@pytest.mark.django_db
def test_a_move_takes_one_photo_and_refuses_two(world, case, settings, tmp_path):
    from linli.cases.models import CasePhoto

    settings.MEDIA_ROOT = tmp_path
    u = world.users
    with pytest.raises(ValueError, match="one photo per move"):
        step(case, "dispatch", u.grid_a, assignee_org=world.pm, photos=[jpeg("a.jpg"), jpeg("b.jpg")])
    case.refresh_from_db()
    assert (case.state, case.version, CasePhoto.objects.filter(case=case).count()) == (State.ACCEPTED, 0, 0)
    step(case, "dispatch", u.grid_a, assignee_org=world.pm, photos=[jpeg("a.jpg")])
    assert CasePhoto.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_timeline_actions_are_the_lifecycles_moves_and_the_other_entries(world, case):
    from linli.cases.workflow import LIFECYCLE

    choices = dict(CaseEvent._meta.get_field("action").choices)
    assert set(choices) == set(LIFECYCLE.moves) | {"report", "comment", "overdue", "warn"}
    assert str(choices["extend"]) == str(LIFECYCLE["extend"].label)
    for action in choices:
        CaseEvent(case=case, action=action, to_state=case.state, actor=world.users.grid_a).full_clean()
    with pytest.raises(ValidationError) as refused:
        CaseEvent(
            case=case, action="escalate", to_state=case.state, actor=world.users.grid_a
        ).full_clean()  # no such move
    assert list(refused.value.message_dict) == ["action"]
