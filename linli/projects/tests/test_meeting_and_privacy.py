"""The quarterly 党建联席会议 resolves projects as its action items (a work order each, dispatched to
the owner with the project's deadline); a need collected from a request shows the request only to
those who may open it; the delivered project is on the public board crediting the partner, with
nothing personal."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from linli.cases import actions as case_actions
from linli.cases.models import Category, State
from linli.deliberation import meetings, procedures
from linli.deliberation.models import ActionItem, Meeting
from linli.projects import actions
from linli.projects.models import Heading, Need, Project, Resource
from linli.projects.workflow import PROJECT

from .conftest import api, new_project, page

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 15, 10, 0)


def joint_meeting(world):
    proc = procedures.add_procedure(actor=world.users.admin, name="联席会议决议")
    procedures.add_step(proc, actor=world.users.admin, name="决议", rule="record")
    topic = procedures.raise_topic(
        actor=world.users.community, title="第二季度个性化共建清单", community=world.c1, compound=world.cp1,
        procedure=proc,
    )  # fmt: skip
    procedures.screen(topic, actor=world.users.community, accept=True)
    meeting = meetings.create_meeting(
        actor=world.users.community, kind=Meeting.Kind.PARTY_JOINT, title="2026年第二季度党建联席会议",
        community=world.c1, starts_at=dt.datetime(2026, 4, 15, 9, 0, tzinfo=dt.UTC), location="党群服务中心",
        topics=[topic],
    )  # fmt: skip
    return meeting, topic


def request_of(world):
    return case_actions.report_case(
        actor=world.users.resident, category=Category.objects.get(name="设施维修"), grid=world.grid_a,
        compound=world.cp1, description="居民a1h反映：老人看病不方便", channel="self_service",
        reporter=world.users.resident, reporter_household=world.hh_a1,
    )  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_the_joint_meeting_shows_the_lists_and_resolves_a_project_as_an_action_item(world, lists):
    meeting, topic = joint_meeting(world)
    staff = page(world.users.community)
    assert "joint-agenda" in staff.get(meeting.get_absolute_url()).content.decode()  # the hook on its page
    url = reverse("projects:meeting", args=[meeting.pk])
    text = staff.get(url).content.decode()
    assert "独居老人健康体检" in text and "营业网点二楼会议室" in text and "青少年课后托管" not in text
    category = Category.objects.filter(active=True, children=None).first()
    post = {
        "title": "银行助老义诊日", "heading": Heading.HEALTH, "community": world.c1.pk, "grid": world.grid_a.pk,
        "needs": [lists.need.pk], "resources": [lists.doctor.pk], "owner_org": lists.party.bank.pk,
        "owner_name": "马经理", "starts_on": "2026-04-20", "ends_on": "2026-06-30", "topic": topic.pk,
        "category": category.pk, "funding_source": "partner", "funding_yuan": "2000.50",
    }  # fmt: skip
    response = staff.post(url, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(title="银行助老义诊日")
    assert project.meeting == meeting and project.budget_fen() == 200_050
    item = ActionItem.objects.get(project=project)
    assert item.meeting == meeting and item.topic == topic and item.responsible == "马经理"
    assert item.case.assignee_org == lists.party.bank and item.case.state == State.DISPATCHED
    assert item.case.resolve_by.date() == dt.date(2026, 6, 30)
    assert lists.need.__class__.objects.get(pk=lists.need.pk).state == Need.State.PLANNED
    # a past deadline is a field error, and nothing is written
    response = staff.post(url, post | {"title": "迟到的项目", "ends_on": "2026-04-14", "starts_on": "2026-04-01",
                                       "needs": [], "resources": []})  # fmt: skip
    assert response.status_code == 400 and not Project.objects.filter(title="迟到的项目").exists()
    # the paired partner reads the agenda (test below); nobody outside the community sees it
    assert page(lists.party.school_staff).get(url).status_code == 404
    assert page(world.users.other_community).get(url).status_code == 404
    # the owner's staff handle the work order like any handling organisation; another partner cannot see it
    work = item.case
    assert page(lists.party.school_staff).get(work.get_absolute_url()).status_code == 404
    bank = lists.party.bank_staff
    assert page(bank).get(work.get_absolute_url()).status_code == 200
    case_actions.transition(work.pk, "start", actor=bank, version=work.version)
    work.refresh_from_db()
    case_actions.transition(work.pk, "handle", actor=bank, version=work.version, note="义诊日已举办")
    work.refresh_from_db()
    assert work.state == State.HANDLED


@time_machine.travel(NOW, tick=False)
def test_a_paired_partner_reads_the_joint_meeting_agenda_and_cannot_resolve(world, lists):
    """A partner sits at its paired community's 党建联席会议: its staff read the agenda page — the
    open needs, their own resources, the projects they are part of — with no resolve form and no
    link to the meeting's page (deliberation's, not theirs). Another community's partner, and
    any meeting that is not that community's joint meeting, are 404."""
    meeting, topic = joint_meeting(world)
    url = reverse("projects:meeting", args=[meeting.pk])
    bank = page(lists.party.bank_staff)
    response = bank.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "独居老人健康体检" in text and "营业网点二楼会议室" in text  # the need, their own resource
    assert "退休教师书法班" not in text and "青少年课后托管" not in text  # the talent pool's; c2's need
    assert 'data-testid="resolve"' not in text and f'href="{meeting.get_absolute_url()}"' not in text
    assert bank.get(meeting.get_absolute_url()).status_code == 403  # the meeting itself: deliberation's (no votes.view)
    category = Category.objects.filter(active=True, children=None).first()
    post = {
        "title": "伙伴自定项目", "heading": Heading.HEALTH, "community": world.c1.pk, "owner_org": lists.party.bank.pk,
        "owner_name": "马经理", "starts_on": "2026-04-20", "ends_on": "2026-06-30", "topic": topic.pk,
        "category": category.pk,
    }  # fmt: skip
    assert bank.post(url, post).status_code == 403
    assert not Project.objects.filter(title="伙伴自定项目").exists()
    # a project resolved at it that credits the bank shows on its agenda; the sub-district reads, no form
    new_project(world, lists, meeting=meeting, topic=topic, category=category, grid=world.grid_a)
    assert "银行助老义诊日" in bank.get(url).content.decode()
    sub = page(world.users.subdistrict).get(url)
    assert sub.status_code == 200 and 'data-testid="resolve"' not in sub.content.decode()
    # out of scope: the other community's partner (read and post), a meeting of c2, a c1 meeting of another kind
    school = page(lists.party.school_staff)
    assert school.get(url).status_code == 404 and school.post(url, post).status_code == 404
    for kind, community in ((Meeting.Kind.PARTY_JOINT, world.c2), (Meeting.Kind.CONSULTATION, world.c1)):
        actor = world.users.community if community == world.c1 else world.users.other_community
        other = meetings.create_meeting(
            actor=actor, kind=kind, title="另一会议", community=community,
            starts_at=dt.datetime(2026, 4, 16, 9, 0, tzinfo=dt.UTC), location="会议室",
        )  # fmt: skip
        assert bank.get(reverse("projects:meeting", args=[other.pk])).status_code == 404, kind
    assert school.get(reverse("projects:meeting", args=[other.pk - 1])).status_code == 200  # c2's joint meeting


@time_machine.travel(NOW, tick=False)
def test_a_need_from_a_request_shows_the_request_only_to_who_may_open_it(world, lists):
    case = request_of(world)
    need = actions.create_need(
        actor=world.users.community, community=world.c1, title="就医不便", heading=Heading.HEALTH,
        beneficiaries="高龄老人", people_count=12, case_numbers=[case.number],
    )  # fmt: skip
    assert need.source == Need.Source.REQUEST and list(need.cases.all()) == [case]
    assert case.number in page(world.users.community).get(need.get_absolute_url()).content.decode()
    partner_page = page(lists.party.bank_staff).get(need.get_absolute_url()).content.decode()
    partner_api = api(lists.party.bank_staff).get(f"/api/v1/needs/{need.pk}/").content.decode()
    for text in (partner_page, partner_api):
        assert "就医不便" in text
        for secret in (case.number, "居民a1h", "看病不方便", "101"):
            assert secret not in text
    # a number of another community's request is refused without saying whether it exists
    r = page(world.users.other_community).post(
        reverse("projects:need_create"),
        {"title": "x", "heading": "health", "community": world.c2.pk, "beneficiaries": "老人",
         "people_count": 1, "source": "staff", "case_numbers": case.number},
    )  # fmt: skip
    assert r.status_code == 400 and not Need.objects.filter(title="x").exists()


@time_machine.travel(NOW, tick=False)
def test_the_delivered_project_is_on_the_board_crediting_the_partner_without_personal_data(world, lists):
    project = new_project(world, lists)
    project.refresh_from_db()
    PROJECT.perform(project.pk, "start", actor=world.users.community, version=project.version)
    PROJECT.perform(
        project.pk, "deliver", actor=world.users.community, version=project.version + 1,
        data={"delivered_on": "2026-04-15", "result": "为36位独居老人完成健康体检"},
    )  # fmt: skip
    board = page(world.users.nobody).get(reverse("board:community", args=[world.c1.pk])).content.decode()
    assert "银行助老义诊日" in board and "为36位独居老人完成健康体检" in board and "宁夏银行金凤支行" in board
    assert "马经理" not in board  # the person responsible stays off the public board
    other = page(world.users.nobody).get(reverse("board:community", args=[world.c2.pk])).content.decode()
    assert "银行助老义诊日" not in other


def test_form_errors_are_field_errors_in_chinese_never_500(world, lists):
    c = page(world.users.community)
    r = c.post(reverse("projects:need_create"), {"title": "", "people_count": "0", "heading": "nope"})
    assert r.status_code == 400
    r = c.post(reverse("projects:resource_create"), {"kind": "money", "heading": "poverty", "title": "钱",
                                                      "partner": lists.party.bank.pk, "quantity": 1})  # fmt: skip
    assert r.status_code == 400  # money needs its amount
    r = c.post(reverse("projects:project_create"), {"title": "x", "starts_on": "2026-05-01", "ends_on": "2026-04-01"})
    assert r.status_code == 400
    r = api(world.users.community).post("/api/v1/projects/", {"community": world.c1.pk, "title": "x"}, format="json")
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} >= {"heading", "owner_org"}
    project = new_project(world, lists)
    r = c.post(reverse("projects:funding_add", args=[project.pk]), {"source": "partner", "amount_yuan": "0"})
    assert r.status_code == 400 and project.funding.count() == 2
    assert Resource.objects.count() == 4


def test_a_request_page_offers_to_add_it_to_the_needs_list(world, lists):
    case = request_of(world)
    staff = page(world.users.community)
    assert "to-need" in staff.get(case.get_absolute_url()).content.decode()
    assert "to-need" not in page(world.users.grid_a).get(case.get_absolute_url()).content.decode()
    form = staff.get(reverse("projects:need_create"), {"case": case.pk}).content.decode()
    assert case.number in form
    other = page(world.users.other_community).get(reverse("projects:need_create"), {"case": case.pk})
    assert case.number not in other.content.decode()  # a request out of scope fills nothing


def test_a_partner_handling_a_whisper_dispatched_to_it_learns_nothing_of_the_reporter(world, lists):
    """Partner staff hold cases.handle over their own organisation's work orders (a joint meeting's
    project): a 网格悄悄话 dispatched to the partner shows them no reporter, household, house or phone,
    as it shows any handler; the other partner cannot open it."""
    u, bank = world.users, lists.party.bank_staff
    whisper = case_actions.report_case(
        actor=u.resident, category=Category.objects.get(name="邻里纠纷"), grid=world.grid_a, compound=world.cp1,
        building=world.bld_a, description="楼上装修噪音，请协调", channel="whisper", reporter=u.resident,
        reporter_household=world.hh_a1, reporter_name=str(u.resident),
    )  # fmt: skip
    case_actions.transition(whisper.pk, "dispatch", actor=u.grid_a, version=whisper.version,
                            assignee_org=lists.party.bank)  # fmt: skip
    whisper.refresh_from_db()
    case_actions.transition(whisper.pk, "start", actor=bank, version=whisper.version)
    assert page(lists.party.school_staff).get(whisper.get_absolute_url()).status_code == 404
    for text in (
        page(bank).get(whisper.get_absolute_url()).content.decode(),
        api(bank).get(f"/api/v1/cases/{whisper.pk}/").content.decode(),
        page(bank).get(reverse("cases:list")).content.decode(),
    ):
        assert "楼上装修噪音" in text
        for private in (str(u.resident), world.p_a1h.name, world.p_a1s.name, str(world.hh_a1), str(world.hh_a1.house)):
            assert private not in text, private
    assert "匿名" in page(bank).get(whisper.get_absolute_url()).content.decode()
