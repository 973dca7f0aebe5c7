import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.cases import actions
from linli.cases.models import Case, CaseEvent, Category, State


@pytest.fixture
def case(world):
    cat = Category.objects.get(name="设施维修")
    return actions.report_case(actor=world.users.resident, category=cat, grid=world.grid_a, compound=world.cp1,
                               building=world.bld_a, house=world.house_a1, description="楼道灯坏了", channel="self_service",
                               reporter=world.users.resident, reporter_household=world.hh_a1, reporter_name="居民a1h")


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


@pytest.mark.django_db
def test_full_loop_with_the_right_roles(world, case):
    u = world.users
    assert case.state == State.ACCEPTED and case.community_id == world.c1.pk
    assert (case.resolve_by - case.created_at) > dt.timedelta(days=4)  # 5 working days
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
    assert list(case.events.values_list("action", flat=True)) == ["report", "dispatch", "start", "handle", "verify", "rate", "close"]
    assert case.responded_at and case.handled_at and case.closed_at


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
    for round_ in (1, 2):
        step(case, "dispatch", u.grid_a, assignee_org=world.pm)
        step(case, "start", u.property)
        step(case, "handle", u.property, note=f"第{round_}次处理")
        step(case, "verify", u.grid_a)
        step(case, "rate", u.resident, rating="dissatisfied", note="没修好")
        step(case, "reopen", u.community, note="居民不满意")
        case.refresh_from_db()
        assert case.state == State.ACCEPTED and case.reopen_count == round_
        assert case.needs_supervisor == (round_ == 2)


@pytest.mark.django_db
def test_only_the_reporter_or_staff_rate(world, case):
    u = world.users
    for name, user, kw in (("dispatch", u.grid_a, {"assignee_org": world.pm}), ("start", u.property, {}),
                           ("handle", u.property, {"note": "ok"}), ("verify", u.grid_a, {})):
        step(case, name, user, **kw)
    with pytest.raises(PermissionDenied):
        step(case, "rate", u.property, rating="satisfied")
    step(case, "rate", u.grid_a, rating="basic", note="电话回访")  # staff call-back
    case.refresh_from_db()
    assert case.rating == "basic"


@pytest.mark.django_db
def test_detail_page_offers_only_permitted_actions_and_hides_anonymous_reporter(world, login):
    cat = Category.objects.get(name="邻里纠纷")
    c = actions.report_case(actor=world.users.resident, category=cat, grid=world.grid_a, description="楼上噪音", channel="whisper",
                            reporter=world.users.resident, reporter_household=world.hh_a1, reporter_name="居民a1h")
    assert c.anonymous
    page = login(world.users.grid_a).get(c.get_absolute_url()).content.decode()
    assert "居民a1h" not in page and "匿名" in page
    assert 'value="dispatch"' in page and 'value="start"' not in page
    assert login(world.users.grid_b).get(c.get_absolute_url()).status_code == 404
    assert login(world.users.property).get(c.get_absolute_url()).status_code == 404
    assert login(world.users.department).get(reverse("cases:list")).status_code == 200


@pytest.mark.django_db
def test_ui_dispatch_and_conflict_message(world, login, case):
    c = login(world.users.grid_a)
    r = c.post(case.get_absolute_url(), {"action": "dispatch", "version": 0, "assignee_org": world.pm.pk})
    assert r.status_code == 302
    r = c.post(case.get_absolute_url(), {"action": "decline", "version": 0, "note": "x"}, follow=True)
    assert "刚刚" in r.content.decode() or "当前状态" in r.content.decode()
    r = c.post(case.get_absolute_url(), {"action": "dispatch", "version": 1})
    assert r.status_code == 400


@pytest.mark.django_db
def test_resident_reports_from_their_house(world, login):
    c = login(world.users.resident)
    cat = Category.objects.get(name="环境卫生")
    r = c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "垃圾桶满了", "place": "home"})
    assert r.status_code == 302
    case = Case.objects.get()
    assert (case.house, case.grid, case.reporter, case.channel) == (world.house_a1, world.grid_a, world.users.resident, "self_service")
    assert c.get(reverse("cases:list")).status_code == 200
    assert login(world.users.grid_a).get(case.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_staff_intake_form_checks_place_and_phone(world, login):
    c = login(world.users.grid_a)
    cat = Category.objects.get(name="飞线充电")
    r = c.post(reverse("cases:report"), {"channel": "patrol", "category": cat.pk, "grid": world.grid_c.pk, "description": "x"})
    assert "grid" in r.context["form"].errors
    r = c.post(reverse("cases:report"), {"channel": "patrol", "category": cat.pk, "grid": world.grid_a.pk, "building": world.bld_b.pk, "description": "x"})
    assert r.status_code == 200  # building of grid B is outside grid A's scope
    r = c.post(reverse("cases:report"), {"channel": "patrol", "category": cat.pk, "grid": world.grid_a.pk, "description": "x", "reporter_phone": "123"})
    assert "reporter_phone" in r.context["form"].errors
    assert not Case.objects.exists()
    r = c.post(reverse("cases:report"), {"channel": "patrol", "category": cat.pk, "grid": world.grid_a.pk, "building": world.bld_a.pk, "description": "电动车飞线"})
    case = Case.objects.get()
    assert r.status_code == 302 and case.compound == world.cp1 and case.created_by == world.users.grid_a
    assert case.respond_by - case.created_at == dt.timedelta(hours=4)


@pytest.mark.django_db
def test_case_list_query_count_is_constant(world, login, case, django_assert_max_num_queries):
    c = login(world.users.community)
    c.get(reverse("cases:list"))
    with django_assert_max_num_queries(30) as before:
        c.get(reverse("cases:list"))
    cat = Category.objects.get(name="供暖")
    for i in range(15):
        actions.report_case(actor=None, category=cat, grid=world.grid_b, compound=world.cp1, description=f"暖气不热{i}", channel="hotline")
    with django_assert_max_num_queries(len(before.captured_queries)):
        r = c.get(reverse("cases:list"))
    assert r.context["page_obj"].paginator.count == 16


@pytest.mark.django_db
def test_dashboard_counts_scope_and_chart(world, login, case):
    from django.utils import timezone

    Case.objects.filter(pk=case.pk).update(resolve_by=timezone.now() - dt.timedelta(minutes=1))
    r = login(world.users.grid_a).get(reverse("cases:dashboard"))
    assert r.status_code == 200
    assert r.context["summary"]["open"] == 1 and r.context["summary"]["overdue"] == 1
    assert r.context["chart"]["values"] == [1]
    assert login(world.users.grid_b).get(reverse("cases:dashboard")).context["summary"]["open"] == 0
    assert login(world.users.property).get(reverse("cases:dashboard")).status_code == 403
    assert login(world.users.resident).get(reverse("cases:dashboard")).status_code == 403


@pytest.mark.django_db
def test_public_board_shows_handled_cases_without_personal_data(world, client, case):
    u = world.users
    for name, user, kw in (("dispatch", u.grid_a, {"assignee_org": world.pm}), ("start", u.property, {}),
                           ("handle", u.property, {"note": "已修复，住户居民a1h确认"}), ("verify", u.grid_a, {})):
        step(case, name, user, **kw)
    cat = Category.objects.get(name="邻里纠纷")
    whisper = actions.report_case(actor=u.resident, category=cat, grid=world.grid_a, description="秘密", channel="whisper")
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
    c.post(case.get_absolute_url(), {"action": "comment", "note": "已电话联系居民"})
    assert case.events.filter(action="comment", note="已电话联系居民", actor=world.users.grid_a).exists()
    assert login(world.users.grid_b).post(case.get_absolute_url(), {"action": "comment", "note": "x"}).status_code == 404
    r = login(world.users.grid_a).post(case.get_absolute_url(), {"action": "comment", "note": "  "}, follow=True)
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
        x = actions.report_case(actor=None, category=cat, grid=world.grid_b, compound=world.cp1, description=f"暖气{i}", channel="hotline")
        actions.transition(x.pk, "dispatch", actor=world.users.grid_b, version=0, assignee_org=world.pm)
    with django_assert_max_num_queries(len(before.captured_queries)):
        r = c.get(reverse("cases:dashboard"))
    assert r.context["summary"]["total"] == 13
