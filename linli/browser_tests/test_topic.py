"""A topic raised from three requests picked on the request list, taken through 四议两公开,
which refuses a skipped step."""

import re

import pytest

from linli.cases import actions
from linli.cases.models import Category
from linli.deliberation.models import Procedure, Topic
from linli.testing import PASSWORD, build_world

from .conftest import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    w = build_world()
    cat = Category.objects.get(name="设施维修")
    w.cases = [
        actions.report_case(
            actor=None, category=cat, grid=w.grid_a, compound=w.cp1, description=f"自行车棚漏雨{i}", channel="hotline"
        )
        for i in range(3)
    ]
    return w


def test_topic_from_three_requests_and_no_skipped_step(world, page):
    log_in(page, "community", PASSWORD)
    page.goto(page.base + "/cases/")
    for case in world.cases:
        page.get_by_label(case.number, exact=True).check()
    page.get_by_role("button", name="将选中的诉求转为议题").click()
    page.get_by_label("标题").fill("荣锦苑自行车棚改造")
    page.get_by_label("社区").select_option(label="馨和苑社区")
    page.get_by_label("事项类别").select_option(label="大事")
    page.get_by_label("协商程序").select_option(label="四议两公开")
    for case in world.cases:
        assert page.get_by_label(re.compile(case.number)).is_checked()
    page.get_by_role("button", name="保存").click()
    follow(page.get_by_role("button", name="列入议题目录"))
    topic = Topic.objects.get()
    assert topic.cases.count() == 3

    steps = list(Procedure.objects.get(name="四议两公开").steps.all())
    assert page.locator("form textarea[name=note]").count() == 1  # only the next step is offered
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    topic.refresh_from_db()
    r = page.request.post(
        page.base + f"/deliberation/topics/{topic.pk}/step/",
        max_redirects=0,
        headers={"Referer": page.url},
        form={
            "csrfmiddlewaretoken": token,
            "version": str(topic.version),
            "step": str(steps[2].pk),
            "note": "直接开党员大会",
        },
    )
    assert r.status == 400 and "须按顺序进行，下一步是“党组织提议”" in r.text()
    assert topic.records.count() == 0
    page.get_by_placeholder("请填写开展情况或决定内容。").fill("社区党委提议改造车棚")
    page.get_by_role("button", name="完成此步骤").click()
    page.get_by_text("已完成：完成此步骤").wait_for()
    assert "两委会商议" in page.get_by_test_id("steps").locator(".list-group-item-warning").inner_text()
