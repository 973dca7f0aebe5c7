"""Running a 协商议事会 in the browser: convene, publish the notice, invite, sign in, record
opinions, close with conclusions, and read the minutes."""

import pytest

from linli.deliberation import procedures
from linli.deliberation.models import Procedure
from linli.testing import PASSWORD, build_world

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    w = build_world()
    topic = procedures.raise_topic(
        actor=w.users.community,
        title="枫林湾消防通道治理",
        community=w.c1,
        compound=w.cp1,
        procedure=Procedure.objects.get(name="城乡社区协商"),
    )
    procedures.screen(topic, actor=w.users.community, accept=True)
    return w


def test_run_a_consultation_meeting(world, page):
    log_in(page, "community", PASSWORD)
    page.goto(page.base + "/deliberation/meetings/new/")
    page.get_by_label("标题").fill("消防通道协商议事会")
    page.get_by_label("社区").select_option(label="馨和苑社区")
    page.get_by_label("开始时间").fill("2030-03-01T19:30")
    page.get_by_label("地点").fill("社区会议室")
    page.get_by_label("枫林湾消防通道治理").check()
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="在社区公示栏发布会议通知").click()
    for party, name in (("业委会", "李主任"), ("物业公司", "王经理"), ("居民代表", "张阿姨")):
        page.get_by_placeholder("参会方").fill(party)
        page.get_by_placeholder("名称").fill(name)
        page.get_by_role("button", name="邀请").click()
        page.get_by_test_id("participants").get_by_text(name).wait_for()
    for _ in range(2):  # two of the three come
        page.get_by_role("button", name="签到").first.click()
        page.get_by_text("已完成：签到").wait_for()
    page.get_by_label("发言人").select_option(label="业委会 李主任")
    page.get_by_label("议题").select_option(label="枫林湾消防通道治理")
    page.get_by_placeholder("发言内容").fill("建议施划禁停黄线")
    page.get_by_role("button", name="记录发言").click()
    page.get_by_test_id("opinions").get_by_text("建议施划禁停黄线").wait_for()
    page.get_by_placeholder("谁、在何时之前、做什么").fill("物业公司7日内施划黄线")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="以此结论结束会议").click()
    page.get_by_test_id("conclusions").wait_for()
    page.get_by_role("link", name="会议纪要").click()
    present = page.get_by_test_id("present").inner_text()
    assert "业委会李主任" in present and "物业公司王经理" in present and "张阿姨" not in present
    assert "建议施划禁停黄线" in page.content() and "物业公司7日内施划黄线" in page.content()
    page.goto(page.base + f"/board/{world.c1.pk}/")
    assert "消防通道协商议事会" in page.get_by_test_id("notices").inner_text()
