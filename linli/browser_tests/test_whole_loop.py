"""The whole 五事 loop in the browser, as issue 12 asks: a resident's anonymous report (说事) is
taken into a topic (议事), decided at a meeting whose resolution is a table of action items; the
item's work order is handled and verified (办事); the procedure's publication steps put the
resolution and the result on the board (晒事); the request receives the outcome and its reporter
rates it (评事). At each step the people who must act, or who asked, are told; no page the
resident or the public sees carries another person's data, and nobody learns who reported."""

import pytest

from linli.cases.models import Case
from linli.core.models import Notification
from linli.deliberation import procedures
from linli.deliberation.models import ActionItem, Topic
from linli.people.models import Person
from linli.testing import PASSWORD, build_world

from .conftest import _finish, _page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    w = build_world()
    proc = procedures.add_procedure(actor=w.users.admin, name="小区议事四步")
    for name, rule in (
        ("确定议题", "record"),
        ("开展协商", "record"),
        ("决议公开", "publication"),
        ("实施结果公开", "publication"),
    ):
        procedures.add_step(proc, actor=w.users.admin, name=name, rule=rule)
    return w


def told(user, step=None):
    """The texts of `user`'s notifications (of one step of a request, when given)."""
    rows = Notification.objects.filter(user=user)
    if step:
        rows = rows.filter(key__endswith=f":{step}")
    return list(rows.values_list("text", flat=True))


def done(page, button, move=None):
    """Click `button` and wait for the page's confirmation of the move (`move`: its name, when the
    button says otherwise)."""
    page.get_by_role("button", name=button, exact=True).first.click()
    page.get_by_text(f"已完成：{move or button}").first.wait_for()


def test_an_anonymous_report_through_a_topic_a_resolution_and_its_work_order_to_the_board(
    world, browser, live_server, request
):
    pages = {}
    for who, viewport in (
        ("resident", {"width": 375, "height": 740}),
        ("community", None),
        ("property", None),
        ("grid_a", None),
    ):
        ctx, page, external = _page(browser, request, viewport=viewport or {"width": 1366, "height": 900})
        page.base = live_server.url
        log_in(page, who, PASSWORD)
        pages[who] = (ctx, page, external)
    public = _page(browser, request, viewport={"width": 375, "height": 740})
    public[1].base = live_server.url
    resident, staff, handler, grid = (pages[k][1] for k in ("resident", "community", "property", "grid_a"))
    u = world.users
    try:
        # 说事: a whisper from the resident's phone, about their building, not their home
        resident.get_by_role("link", name="我要说事").click()
        resident.get_by_label("分类").select_option(label="物业与设施 · 设施维修")
        resident.get_by_label("遇到了什么问题？").fill("车棚顶棚破损漏雨，电动车淋雨有隐患")
        resident.get_by_label("网格悄悄话：不显示我的名字").check()
        resident.get_by_label("问题在哪里？").select_option(label="1号楼")
        resident.get_by_role("button", name="提交").click()
        resident.get_by_text("您的诉求").wait_for()
        case = Case.objects.get()
        assert case.anonymous and case.house_id is None and case.grid == world.grid_a
        assert told(u.resident, "report") and told(u.grid_a, "report")  # a receipt; a request to dispatch
        assert all(name not in text for text in told(u.grid_a) for name in names_of_household(world))

        # 议事: the community raises a topic from it and accepts it: the request waits, its reporter told
        staff.goto(staff.base + "/cases/")
        staff.get_by_label(case.number, exact=True).check()
        staff.get_by_role("button", name="将选中的诉求转为议题").click()
        staff.get_by_label("标题").fill("1号楼车棚改造")
        staff.get_by_label("社区").select_option(label="馨和苑社区")
        staff.get_by_label("协商程序").select_option(label="小区议事四步")
        staff.get_by_role("button", name="保存").click()
        done(staff, "列入议题目录")
        topic = Topic.objects.get()
        case.refresh_from_db()
        assert case.state == "deliberating" and case.paused_at is not None
        assert any("议事中" in t for t in told(u.resident, "deliberate"))
        resident.goto(resident.base + case.get_absolute_url())
        assert "1号楼车棚改造" in resident.get_by_test_id("case-topic").inner_text()

        # the meeting: convened, invited (the property company, told with its sign-in link), held
        staff.goto(staff.base + "/deliberation/meetings/new/")
        staff.get_by_label("标题").fill("车棚改造协商议事会")
        staff.get_by_label("社区").select_option(label="馨和苑社区")
        staff.get_by_label("开始时间").fill("2030-03-01T19:30")
        staff.get_by_label("地点").fill("社区会议室")
        staff.get_by_label("1号楼车棚改造").check()
        staff.get_by_role("button", name="保存").click()
        staff.locator("select[name=organisation]").select_option(label=str(world.pm))
        staff.get_by_placeholder("参会方").fill("物业公司")
        staff.get_by_placeholder("名称").fill("周经理")
        staff.get_by_role("button", name="邀请").click()
        staff.get_by_test_id("participants").get_by_text("周经理").wait_for()
        assert told(u.property)  # the invitation reached the company's staff
        done(staff, "签到")
        staff.get_by_placeholder("谁、在何时之前、做什么").fill("物业公司10日内更换车棚顶棚")
        staff.once("dialog", lambda d: d.accept())
        staff.get_by_role("button", name="以此结论结束会议").click()
        staff.get_by_test_id("conclusions").wait_for()
        meeting_url = staff.url

        # the resolution: a row of the table (事项, 责任单位, 责任人, 措施, 时限), its work order dispatched
        staff.goto(staff.base + topic.get_absolute_url())
        staff.get_by_text("添加落实事项").click()
        staff.get_by_label("事项", exact=True).fill("车棚顶棚更换")
        staff.get_by_label("责任单位").select_option(label=str(world.pm))
        staff.get_by_label("责任人", exact=True).fill("周经理（物业项目经理）")
        staff.get_by_label("分类").select_option(label="物业与设施 · 设施维修")
        staff.get_by_label("措施").fill("更换1号楼车棚顶棚并加装照明")
        staff.get_by_label("期限").fill("2030-01-10T17:00")
        staff.get_by_label("楼栋").select_option(value=str(world.bld_a.pk))
        staff.get_by_label("议定会议").select_option(label="车棚改造协商议事会")
        staff.get_by_role("button", name="添加", exact=True).click()
        staff.get_by_test_id("items").get_by_text("车棚顶棚更换").wait_for()
        work = ActionItem.objects.get().case
        assert (work.state, work.assignee_org, work.grid) == ("dispatched", world.pm, world.grid_a)
        assert told(u.property, "dispatch")  # the owner of the action item: a new work order
        staff.goto(meeting_url.rstrip("/") + "/minutes/")
        assert "周经理（物业项目经理）" in staff.content() and "车棚顶棚更换" in staff.content()

        # the topic cannot complete while its item is not verified
        for note in ("社区党委确定议题", "协商议事会形成意见"):
            staff.goto(staff.base + topic.get_absolute_url())
            staff.locator("textarea[name=note]").fill(note)
            done(staff, "完成此步骤")
        staff.goto(staff.base + topic.get_absolute_url())
        staff.locator("textarea[name=note]").fill("决议：由物业公司10日内更换1号楼车棚顶棚并加装照明。")
        done(staff, "完成此步骤")  # 决议公开

        # 办事: the company handles it, the grid worker (told it waits) verifies it on site
        handler.goto(handler.base + "/notifications/")
        handler.get_by_role("link", name=f"新工单 {work.number}", exact=False).first.click()
        done(handler, "开始办理")
        handler.get_by_label("备注、原因或处理结果").fill("顶棚已更换，照明已安装")
        done(handler, "办结")
        assert told(u.grid_a, "handle")
        grid.goto(grid.base + work.get_absolute_url())
        done(grid, "现场核查通过")

        # 晒事: the last publication completes the topic; the request receives the outcome
        staff.goto(staff.base + topic.get_absolute_url())
        staff.locator("textarea[name=note]").fill("1号楼车棚顶棚已更换，照明已安装，欢迎居民监督。")
        done(staff, "完成此步骤", move="完成最后一步")
        case.refresh_from_db()
        assert (case.state, case.result) == ("verified", "1号楼车棚顶棚已更换，照明已安装，欢迎居民监督。")
        assert any("请评价" in t for t in told(u.resident, "outcome"))

        # 评事: the resident rates from the link in their notification
        resident.goto(resident.base + "/notifications/")
        resident.get_by_role("link", name="请评价", exact=False).first.click()
        resident.get_by_label("评价", exact=True).select_option(label="满意")
        done(resident, "评价")
        assert Case.objects.get(pk=case.pk).rating == "satisfied"

        # the public board shows the resolution and the result, and nobody's data
        board = public[1]
        board.goto(board.base + f"/board/{world.c1.pk}/")
        text = board.get_by_test_id("publications").inner_text()
        assert "决议：由物业公司10日内更换" in text and "车棚顶棚已更换" in text
        everybody = set(Person.objects.values_list("name", flat=True))
        assert not [n for n in everybody if n in board.content()]
        # nobody but the reporter's household is named on the resident's pages; the whisper's
        # reporter is named on no page the handler or the grid worker sees
        others = everybody - set(names_of_household(world))
        for url in (case.get_absolute_url(), topic.get_absolute_url(), "/notifications/", "/"):
            resident.goto(resident.base + url)
            assert not [n for n in others if n in resident.content()], url
        for page in (handler, grid):
            for url in (case.get_absolute_url(), work.get_absolute_url(), "/notifications/"):
                page.goto(page.base + url)
                assert not [n for n in names_of_household(world) if n in page.content()], url
    finally:
        for ctx, page, external in [*pages.values(), public]:
            _finish(request, ctx, page, external)


def names_of_household(world):
    return list(world.hh_a1.members.values_list("name", flat=True))
