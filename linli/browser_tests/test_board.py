"""The public board (晒事) on a 375 px phone, without logging in: from the navigation to a
community's board, a request read as 问题—措施—结果 with its public photo, the vote result, the
month's chart, the filters and the feed; nothing wider than the screen."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from linli.cases import actions
from linli.cases.models import Case, Category
from linli.deliberation import actions as vote_actions
from linli.testing import build_world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), "green").save(buf, "JPEG")
    return SimpleUploadedFile("result.jpg", buf.getvalue(), content_type="image/jpeg")


def settled(world, category, summary, measures):
    u = world.users
    case = actions.report_case(
        actor=u.resident,
        category=Category.objects.get(name=category),
        grid=world.grid_a,
        compound=world.cp1,
        description="居民a1h：楼道灯坏了",
        channel="self_service",
        reporter=u.resident,
        reporter_household=world.hh_a1,
    )
    for name, user, kw in (
        ("dispatch", u.grid_a, {"assignee_org": world.pm}),
        ("start", u.property, {}),
        ("handle", u.property, {"note": "已修好", "photos": [jpeg()], "photo_public": True}),
        ("verify", u.grid_a, {"public_summary": summary, "public_measures": measures}),
    ):
        actions.transition(case.pk, name, actor=user, version=Case.objects.get(pk=case.pk).version, **kw)


def test_a_visitor_reads_the_board_on_a_phone(world, phone):
    settled(world, "设施维修", "1号楼楼道灯不亮", "物业更换了灯泡")
    settled(world, "环境卫生", "垃圾桶满溢", "增加清运次数")
    vote = vote_actions.open_vote(
        actor=world.users.community,
        title="加装电梯",
        matter=7,
        compound=world.cp1,
        unit=world.unit_a,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    for elector in vote.electors.all():
        vote_actions.cast(vote.pk, elector.pk, "agree", actor=world.users.community)
    vote_actions.close_vote(vote, actor=world.users.community)

    phone.goto(phone.base + "/accounts/login/")
    phone.get_by_test_id("nav-board").click()
    phone.get_by_role("link", name="测试街道 · 馨和苑社区").click()
    phone.get_by_role("heading", name="馨和苑社区：晒事公示栏").wait_for()
    board = phone.get_by_test_id("board")
    assert board.get_by_text("1号楼楼道灯不亮").is_visible() and board.get_by_text("物业更换了灯泡").is_visible()
    photo = board.get_by_role("img", name="处理结果照片").first
    photo.scroll_into_view_if_needed()
    assert phone.evaluate("(img) => img.complete && img.naturalWidth", photo.element_handle()) == 60
    assert "居民a1h" not in phone.content() and "楼道灯坏了" not in phone.content()
    votes = phone.get_by_test_id("votes")
    assert votes.get_by_text("通过", exact=True).is_visible()
    assert phone.get_by_test_id("chart").locator("rect").count() == 18
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the board is {width}px wide on a 375px phone"

    phone.get_by_label("分类").select_option(label=str(Category.objects.get(name="环境卫生")))
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_url("**category=**")
    assert board.get_by_text("垃圾桶满溢").is_visible() and board.get_by_text("1号楼楼道灯不亮").count() == 0

    response = phone.request.get(phone.base + f"/board/{world.c1.pk}/feed/")
    assert response.ok and "垃圾桶满溢" in response.text()
