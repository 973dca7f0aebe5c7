"""An owners' vote on a lift, entered from paper ballots in the browser: it passes at exactly 3/4,
and a second vote fails just below."""

from decimal import Decimal

import pytest

from linli.core.actions import create_object
from linli.people.models import Household, Person, Relation, Tenure
from linli.places.models import House
from linli.testing import PASSWORD, build_world, make_id

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    w = build_world()
    for n in ("301", "401"):  # four owner households of equal area in unit A
        h = create_object(House, actor=None, unit=w.unit_a, number=n, area=Decimal("89.50"))
        hh = create_object(Household, actor=None, house=h, tenure=Tenure.OWNER)
        create_object(
            Person,
            actor=None,
            household=hh,
            name=f"业主{n}",
            relation=Relation.HEAD,
            id_number=make_id(int(n), "19660101"),
        )
    return w


def run_vote(page, title, choices):
    page.goto(page.base + "/deliberation/votes/new/")
    page.get_by_label("标题").fill(title)
    page.get_by_label("表决事项").select_option(value="7")
    page.get_by_label("小区").select_option(label="馨和苑")
    page.get_by_label("仅限该单元").select_option(label="馨和苑 1号楼 1单元")
    page.get_by_label("截止时间").fill("2030-06-30T18:00")
    page.get_by_role("button", name="保存").click()
    rows = page.get_by_test_id("electors").locator("tbody tr")
    rows.first.wait_for()
    assert rows.count() == 4
    for i, choice in enumerate(choices):
        row = page.get_by_test_id("electors").locator("tbody tr").nth(i)
        row.get_by_label("表决意见").select_option(label=choice)
        row.get_by_label("纸质表决票编号").fill(f"P{i + 1:03d}")
        row.get_by_role("button", name="保存").click()
        page.get_by_text("已记录表决票").wait_for()
    return page.get_by_test_id("verdict").inner_text()


def test_lift_vote_passes_at_three_quarters_and_fails_just_below(world, page):
    log_in(page, "community", PASSWORD)
    verdict = run_vote(page, "加装电梯（一）", ["同意", "同意", "同意", "不同意"])
    assert "通过：" in verdict and "暂未" not in verdict
    figures = page.get_by_test_id("figures").inner_text()
    assert "75.0%" in figures and "≥ 3/4" in figures
    verdict = run_vote(page, "加装电梯（二）", ["同意", "同意", "不同意", "不同意"])
    assert "暂未通过" in verdict
