"""The printable papers in Chromium: reached from their pages by the 打印/PDF links, laid out by
print.css with nothing refused by the Content-Security-Policy; screenshots in test-artifacts/."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.cases import actions
from linli.cases.models import Category
from linli.testing import PASSWORD, build_world

from .conftest import ARTIFACTS, follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


@pytest.fixture
def case(transactional_db):
    w = build_world()
    u = w.users
    case = actions.report_case(
        actor=u.grid_a,
        category=Category.objects.get(name="停车与消防通道"),
        grid=w.grid_a,
        compound=w.cp1,
        building=w.bld_a,
        description="消防通道长期被占，车辆无法通行",
        channel="patrol",
    )
    step(case, "whistle", u.community, note="需综合执法局处理")
    step(case, "assign", u.subdistrict, assignee_org=w.dept, deadline=timezone.now() + dt.timedelta(days=3))
    step(case, "supervise", u.subdistrict)
    step(case, "feedback", u.department, note="已约谈车主，三日内清理")
    return case


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / f"paper-{name}.png"), full_page=True)
    page.emulate_media(media="screen")


def test_papers_of_an_assigned_request(case, page):
    log_in(page, "subdistrict", PASSWORD)
    for testid, heading, name in (
        ("slip", "派单单", "slip"),
        ("assignment-paper", "交办单", "assignment"),
        ("feedback-paper", "反馈单", "feedback"),
    ):
        page.goto(page.base + case.get_absolute_url())
        follow(page.get_by_test_id(testid))
        assert page.locator("h1").inner_text() == heading
        assert page.get_by_test_id("unit").inner_text() in ("馨和苑社区", "测试街道", "综合执法局")
        assert "号" in page.get_by_test_id("docno").inner_text()
        shoot(page, name)
    assert page.get_by_test_id("feedback").inner_text().strip() == "已约谈车主，三日内清理"


def test_papers_of_an_owners_vote_and_a_meeting(transactional_db, page):
    from linli.deliberation import actions as votes
    from linli.deliberation import meetings

    w = build_world()
    vote = votes.open_vote(
        actor=w.users.community,
        title="1号楼1单元加装电梯",
        matter=7,  # adding a lift: three quarters
        compound=w.cp1,
        unit=w.unit_a,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    votes.cast(vote.pk, vote.electors.first().pk, "agree", actor=w.users.community, paper_reference="P-1")
    meeting = meetings.create_meeting(
        actor=w.users.community,
        kind="consultation",
        title="加装电梯协商议事会",
        community=w.c1,
        compound=w.cp1,
        starts_at=timezone.now() + dt.timedelta(days=3),
        location="社区会议室",
    )
    for name, party in (("李主任", "业委会"), ("王经理", "物业公司")):
        meetings.invite(meeting, actor=w.users.community, name=name, party=party)
    meetings.sign_in(meeting.invitations.first(), actor=w.users.community)
    log_in(page, "community", PASSWORD)
    for path, heading in (
        ("notice", "业主共同决定公告"),
        ("ballots", "业主表决票"),
        ("result", "业主共同决定表决结果公告"),
    ):
        page.goto(page.base + vote.get_absolute_url())
        follow(page.get_by_test_id("papers").locator(f"a[href*='/{path}/']"))
        assert page.locator("h1").first.inner_text() == heading
        shoot(page, f"vote-{path}")
    page.goto(page.base + meeting.get_absolute_url())
    follow(page.get_by_role("link", name="会议纪要"))
    assert "签到表" in page.content()
    shoot(page, "minutes")
    page.goto(page.base + meeting.get_absolute_url())
    follow(page.get_by_role("link", name="邀请函"))
    assert page.get_by_test_id("invitation").count() == 2
    shoot(page, "invitations")
