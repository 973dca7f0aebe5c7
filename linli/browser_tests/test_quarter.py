"""A quarter of 一书三单 in the browser, as issue 14 asks. The community collects its needs (one taken
from a resident's request, one from the needs survey); the paired bank's staff offer a resource and
read the agenda of the 党建联席会议 (read-only); the meeting resolves a project on its agenda page
(a work order dispatched to the bank); the community delivers it and the public board (晒事) shows
it crediting the bank. The bank's party branch reports an in-service member (双报到), the community
confirms; the member claims a micro-wish from the wall; the wisher confirms the delivery on a
375 px phone and the board shows it. No public page carries the wisher's household."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.cases import actions as case_actions
from linli.cases.models import Case, Category
from linli.core.actions import create_object
from linli.core.models import Notification
from linli.deliberation import meetings, procedures
from linli.deliberation.models import Meeting
from linli.orgs.models import Kind, Organisation, PartnerCategory, PartyLevel
from linli.party.models import CheckIn, MemberKind, PartyMember
from linli.people.models import Person
from linli.projects.models import Need, Project, Resource
from linli.testing import PASSWORD, make_id
from linli.wishes import actions as wish_actions
from linli.wishes.models import State, Wish
from linli.wishes.workflow import WISH

from .conftest import _finish, _page, follow, log_in
from .test_board import world  # noqa: F401 - the same world, photos in a temporary directory
from .test_wishes import fits, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def quarter_setup(world):  # noqa: F811 - the fixture's value
    """What the quarter starts from, made through the apps' actions: the bank paired with 馨和苑社区
    and its party branch, a login for its staff, a resident's request, the quarter's joint meeting
    with its topic, a resident of 2号楼 who will report as an in-service member, and a wish."""
    u = world.users
    bank = create_object(
        Organisation, actor=None, kind=Kind.PARTNER, name="宁夏银行金凤支行", subdistrict=world.sub,
        partner_category=PartnerCategory.FINANCE, community=world.c1,
    )  # fmt: skip
    create_object(
        Organisation, actor=None, kind=Kind.PARTY, name="宁夏银行金凤支行党支部", subdistrict=world.sub,
        party_level=PartyLevel.NONPUBLIC_BRANCH, host=bank,
    )  # fmt: skip
    bank_staff = User.objects.create_user("bank_staff", password=PASSWORD, display_name="银行联络员")
    RoleAssignment.objects.create(user=bank_staff, role=Role.PARTNER_STAFF, organisation=bank)
    member_login = User.objects.create_user("zaizhi", password=PASSWORD, display_name="在职党员")
    RoleAssignment.objects.create(user=member_login, role=Role.RESIDENT, household=world.hh_b2)
    case = case_actions.report_case(
        actor=u.resident, category=Category.objects.get(name="设施维修"), grid=world.grid_a, compound=world.cp1,
        description="小区老人常接到诈骗电话，希望社区组织防骗宣传", channel="self_service",
        reporter=u.resident, reporter_household=world.hh_a1,
    )  # fmt: skip
    proc = procedures.add_procedure(actor=u.admin, name="联席会议决议")
    procedures.add_step(proc, actor=u.admin, name="决议", rule="record")
    topic = procedures.raise_topic(
        actor=u.community, title="本季度个性化共建清单", community=world.c1, compound=world.cp1, procedure=proc
    )
    procedures.screen(topic, actor=u.community, accept=True)
    meeting = meetings.create_meeting(
        actor=u.community, kind=Meeting.Kind.PARTY_JOINT, title="本季度党建联席会议", community=world.c1,
        starts_at=timezone.now() + dt.timedelta(hours=1), location="党群服务中心", topics=[topic],
    )  # fmt: skip
    wish = wish_actions.post_wish(
        actor=u.resident, title="一个新书包", story="孩子的书包背带断了", category="study", value=12_000
    )
    WISH.perform(wish.pk, "approve", actor=u.community, version=0)
    return bank, case, meeting, wish


def field(label):
    """A form field's label exactly, with or without the required mark (" *")."""
    return re.compile(rf"^{re.escape(label)}( \*)?$")


def told(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_a_quarter_of_the_three_lists_and_a_micro_wish(world, browser, live_server, request):  # noqa: F811
    u = world.users
    bank, case, meeting, wish = quarter_setup(world)
    today = timezone.localdate()
    contexts = {}
    for who, width in (("community", 1280), ("bank_staff", 1280), ("zaizhi", 375), ("resident", 375), ("public", 375)):
        ctx, page, external = _page(browser, request, viewport={"width": width, "height": 800 if width > 375 else 740})
        page.base = live_server.url
        contexts[who] = (ctx, page, external)
    staff, partner, member, wisher, public = (contexts[k][1] for k in contexts)
    try:
        for who in ("community", "bank_staff", "zaizhi", "resident"):
            log_in(contexts[who][1], who, PASSWORD)

        # 需求清单: one need taken from the resident's request, one from the needs survey
        staff.goto(staff.base + case.get_absolute_url())
        follow(staff.get_by_test_id("to-need"))
        assert staff.get_by_label("来源诉求").input_value() == case.number
        staff.get_by_label(field("需求")).fill("老年人防诈骗宣传")
        staff.get_by_label("需求类别").select_option(value="education")
        staff.get_by_label("需求群体").fill("小区老年居民")
        staff.get_by_label("受益人数").fill("60")
        follow(staff.get_by_role("button", name="保存"))
        need = Need.objects.get(title="老年人防诈骗宣传")
        assert (need.source, list(need.cases.all()), need.state) == (Need.Source.REQUEST, [case], Need.State.OPEN)
        staff.goto(staff.base + "/projects/needs/new/")
        staff.get_by_label(field("需求")).fill("青少年暑期托管")
        staff.get_by_label("需求类别").select_option(value="children")
        staff.get_by_label("需求群体").fill("双职工家庭子女")
        staff.get_by_label("受益人数").fill("25")
        staff.get_by_label(field("来源")).select_option(value="survey")
        follow(staff.get_by_role("button", name="保存"))
        assert Need.objects.get(title="青少年暑期托管").source == Need.Source.SURVEY

        # 资源清单: the bank's staff offer to their paired community (the partner is theirs, preselected)
        partner.goto(partner.base + "/projects/resources/new/")
        partner.get_by_label("资源类型").select_option(value="people")
        partner.get_by_label("需求类别").select_option(value="education")
        partner.get_by_label(field("资源")).fill("金融知识宣讲员")
        partner.get_by_label("数量").fill("2")
        partner.get_by_label("使用条件").fill("工作日晚间")
        follow(partner.get_by_role("button", name="保存"))
        resource = Resource.objects.get(title="金融知识宣讲员")
        assert (resource.partner, resource.community, resource.state) == (bank, world.c1, Resource.State.OFFERED)
        assert any("金融知识宣讲员" in t for t in told(u.community))  # the community is told of the offer

        # the bank reads the joint meeting's agenda: its community's open needs, its own resource; no form
        partner.goto(partner.base + f"/projects/meetings/{meeting.pk}/")
        needs_text = partner.get_by_test_id("agenda-needs").inner_text()
        assert "老年人防诈骗宣传" in needs_text and "青少年暑期托管" in needs_text
        assert "金融知识宣讲员" in partner.get_by_test_id("agenda-resources").inner_text()
        assert partner.get_by_test_id("resolve").count() == 0
        assert case.number not in partner.content() and world.p_a1h.name not in partner.content()

        # 党建联席会议: from the meeting's page to its agenda, where the community resolves the project
        staff.goto(staff.base + meeting.get_absolute_url())
        follow(staff.get_by_test_id("joint-agenda").get_by_role("link"))
        staff.get_by_label(field("项目")).fill("金融助老防骗课堂")
        staff.get_by_label("需求类别").select_option(value="education")
        staff.get_by_label("网格").select_option(value=str(world.grid_a.pk))
        staff.get_by_label("对接的需求").select_option(label="老年人防诈骗宣传")
        staff.get_by_label("使用的资源").select_option(label="金融知识宣讲员")
        staff.get_by_label("责任单位").select_option(label=bank.name)
        staff.get_by_label("责任人").fill("马经理")
        staff.get_by_label("开始日期").fill(today.isoformat())
        staff.get_by_label("期限").fill((today + dt.timedelta(days=60)).isoformat())
        staff.get_by_label("工单类别").select_option(label="物业与设施 · 设施维修")
        staff.get_by_label("资金来源").select_option(value="partner")
        staff.get_by_label("金额（元）").fill("2000")
        follow(staff.get_by_test_id("resolve"))
        project = Project.objects.get(title="金融助老防骗课堂")
        assert (project.meeting, project.partner, project.budget_fen()) == (meeting, bank, 200_000)
        work = Case.objects.get(action_item__project=project)
        assert (work.state, work.assignee_org) == ("dispatched", bank)
        assert Need.objects.get(pk=need.pk).state == Need.State.PLANNED
        assert Resource.objects.get(pk=resource.pk).state == Resource.State.IN_USE
        staff.goto(staff.base + f"/projects/meetings/{meeting.pk}/")
        assert "金融助老防骗课堂" in staff.get_by_test_id("resolved").inner_text()
        assert "老年人防诈骗宣传" not in staff.get_by_test_id("agenda-needs").inner_text()  # no longer open

        # delivered and published (晒事): its need met, its resource free again
        staff.goto(staff.base + project.get_absolute_url())
        follow(staff.get_by_test_id("move-start"))
        staff.get_by_label("完成日期").fill(today.isoformat())
        staff.get_by_label("公示的成效").fill("开展防骗课堂两场，60位老年居民参加")
        follow(staff.get_by_test_id("move-deliver"))
        project.refresh_from_db()
        assert (project.state, project.delivered_on, project.public_checked) == (Project.State.DELIVERED, today, True)
        assert Need.objects.get(pk=need.pk).state == Need.State.MET
        assert Resource.objects.get(pk=resource.pk).state == Resource.State.OFFERED
        public.goto(public.base + f"/board/{world.c1.pk}/")
        shown = public.get_by_test_id("projects").inner_text()
        assert "金融助老防骗课堂" in shown and "开展防骗课堂两场" in shown and bank.name in shown
        assert "马经理" not in public.content()  # the person responsible stays off the board

        # 双报到: the bank's party branch reports an in-service member; the community confirms
        partner.goto(partner.base + "/party/check-ins/report/")
        partner.get_by_label("身份证号").fill(make_id(7))  # 居民b2h, at home in 2号楼
        follow(partner.get_by_role("button", name="保存"))
        check_in = CheckIn.objects.get(member__person=world.p_b2h)
        assert check_in.state == CheckIn.State.REPORTED and check_in.community == world.c1
        staff.goto(staff.base + check_in.get_absolute_url())
        follow(staff.get_by_test_id("move-confirm"))
        assert CheckIn.objects.get(pk=check_in.pk).state == CheckIn.State.CONFIRMED
        party_member = PartyMember.objects.get(person=world.p_b2h)
        assert party_member.kind == MemberKind.IN_SERVICE and party_member.in_roster

        # the member claims the wish from the wall, as the party member of their household, by name
        member.goto(f"{member.base}/wishes/wall/{world.c1.pk}/")
        follow(member.get_by_role("link", name="认领"))
        member.get_by_label("认领身份").select_option(label="党员（双报到）")
        member.get_by_label("党员", exact=True).select_option(label=world.p_b2h.name)
        member.get_by_label("晒事公示栏署名").select_option(label="署名")
        follow(member.get_by_test_id("move-claim"))
        wish.refresh_from_db()
        assert (wish.state, wish.claimant_member) == (State.CLAIMED, party_member) and wish.deliver_by
        member.goto(member.base + "/wishes/mine/")  # what they owe, and by when
        assert "一个新书包" in member.content() and fits(member)
        assert world.p_a1h.name not in member.content() and str(world.house_a1) not in member.content()

        # the wisher confirms the delivery on their phone, with a photo
        wisher.goto(wisher.base + wish.get_absolute_url())
        wisher.get_by_label("圆梦照片").set_input_files(
            files=[{"name": "IMG_0003.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
        )
        follow(wisher.get_by_test_id("move-confirm"))
        assert Wish.objects.get(pk=wish.pk).state == State.DELIVERED and fits(wisher)

        # the board: the project and the wish, the member named as chosen, nobody else's data
        public.goto(public.base + f"/board/{world.c1.pk}/")
        wishes = public.get_by_test_id("wishes").inner_text()
        assert "一个新书包" in wishes and world.p_b2h.name in wishes and fits(public)
        assert "金融助老防骗课堂" in public.get_by_test_id("projects").inner_text()
        board = public.content()
        others = set(Person.objects.values_list("name", flat=True)) - {world.p_b2h.name}
        assert not [n for n in others if n in board]
        assert str(world.house_a1) not in board and case.number not in board
    finally:
        for ctx, page, external in contexts.values():
            _finish(request, ctx, page, external)
