"""The 五事 loop in the browser: a resident reports on a phone, the grid worker dispatches to
the property company, property staff handle it, the grid worker verifies, the resident rates,
the community closes it, and it appears on the public board."""

import pytest

from linli.cases.tests.test_photos import jpeg_with_gps
from linli.testing import PASSWORD, build_world

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    return build_world()


def act(page, url, button, **fields):
    page.goto(url)
    if "handler" in fields:
        page.get_by_label("承办单位").select_option(label=fields["handler"])
    if "rating" in fields:
        page.get_by_label("评价", exact=True).select_option(label=fields["rating"])
    if "note" in fields:
        page.get_by_label("备注、原因或处理结果").fill(fields["note"])
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text(f"已完成：{button}").wait_for()


def test_report_dispatch_handle_verify_rate_publish(world, browser, live_server, request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from .conftest import _finish, _page

    pages = {}
    for who, viewport in (
        ("resident", {"width": 375, "height": 740}),
        ("grid_a", None),
        ("property", None),
        ("community", None),
    ):
        ctx, page, external = _page(browser, request, viewport=viewport or {"width": 1280, "height": 800})
        page.base = live_server.url
        log_in(page, who, PASSWORD)
        pages[who] = (ctx, page, external)
    resident = pages["resident"][1]
    try:
        resident.get_by_role("link", name="我要说事").click()
        resident.get_by_label("分类").select_option(label="物业与设施 · 设施维修")
        resident.get_by_label("遇到了什么问题？").fill("3楼楼道灯不亮，晚上看不见")
        resident.get_by_label("问题在哪里？").select_option(label="1号楼")
        resident.get_by_label("照片").set_input_files(
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
        )
        resident.get_by_role("button", name="提交").click()
        resident.get_by_text("您的诉求").wait_for()
        url = resident.url
        assert resident.get_by_test_id("photos").locator("img").count() == 1
        assert resident.evaluate("document.documentElement.scrollWidth") <= 375

        act(pages["grid_a"][1], url, "派单", handler="宁和物业")
        act(pages["property"][1], url, "开始办理")
        act(pages["property"][1], url, "办结", note="已更换声控灯")
        act(pages["grid_a"][1], url, "现场核查通过")
        act(resident, url, "评价", rating="满意", note="修得很快")
        act(pages["community"][1], url, "结案")

        timeline = pages["community"][1].get_by_test_id("timeline").inner_text()
        for step in ("反映", "派单", "开始办理", "办结", "现场核查通过", "评价", "结案"):
            assert step in timeline
        board = pages["community"][1]
        board.goto(live_server.url + f"/board/{world.c1.pk}/")
        assert "设施维修" in board.get_by_test_id("board").inner_text()
        assert "楼道灯" not in board.content() and "居民a1h" not in board.content()
    finally:
        for ctx, page, external in pages.values():
            _finish(request, ctx, page, external)


def test_escalation_through_the_subdistrict_to_a_department_and_back(world, browser, live_server, request):
    from linli.cases import actions
    from linli.cases.models import Case, Category

    from .conftest import _finish, _page

    cat = Category.objects.get(name="停车与消防通道")
    case = actions.report_case(
        actor=world.users.grid_a,
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        description="消防通道被长期占用",
        channel="patrol",
    )
    url = live_server.url + case.get_absolute_url()
    pages = {}
    for who in ("community", "subdistrict", "department", "grid_a"):
        ctx, page, external = _page(browser, request, viewport={"width": 1280, "height": 800})
        page.base = live_server.url
        log_in(page, who, PASSWORD)
        pages[who] = (ctx, page, external)
    try:
        act(pages["community"][1], url, "吹哨报街道", note="物业协调无果，需执法")
        sub = pages["subdistrict"][1]
        sub.goto(url)
        sub.get_by_label("承办单位").select_option(label="综合执法局")
        sub.get_by_label("期限").fill("2030-01-31T17:00")
        sub.get_by_role("button", name="交办部门", exact=True).click()
        sub.get_by_text("已完成：交办部门").wait_for()
        act(sub, url, "督办")
        act(pages["department"][1], url, "反馈", note="已立案，三日内清理")
        act(pages["department"][1], url, "开始办理")
        act(pages["department"][1], url, "办结", note="车辆已清理")
        act(pages["grid_a"][1], url, "现场核查通过")
        body = pages["grid_a"][1].content()
        assert "综合执法局" in body and "已立案，三日内清理" in body and "已督办 1 次" in body
        assert Case.objects.get(pk=case.pk).state == "verified"
        bell = pages["department"][1]
        bell.goto(live_server.url + "/notifications/")
        assert "交办" in bell.content() and "督办提醒" in bell.content()
    finally:
        for ctx, page, external in pages.values():
            _finish(request, ctx, page, external)
