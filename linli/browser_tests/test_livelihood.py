"""荣锦苑 (seed 002) in the browser, as issue 15 asks. The compound's maintenance fund refuses the
bicycle sheds under the 30 % floor, with the shortfall; the community applies for 为民服务专项资金 as a
民生实事 after its 四议两公开 resolution; the sub-district approves it (立项) on the project's page;
the works start, a progress photo is uploaded, the sub-district pays within the approved budget
(one fen beyond is refused), the residents' representatives accept it, the residents evaluate it,
and the public board — on a 375 px phone — shows the result, the accounts and the photo, and no
person."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from linli.deliberation import procedures
from linli.deliberation.models import Procedure
from linli.funds import actions as fund_actions
from linli.funds.models import EntryKind, Use
from linli.projects.models import Payment, Project
from linli.testing import PASSWORD

from .conftest import _page, follow, log_in
from .test_board import world  # noqa: F401 - the same world, photos in a temporary directory
from .test_wishes import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def field(label):
    return re.compile(rf"^{re.escape(label)}( \*)?$")


def setup(world):  # noqa: F811 - the fixture's value
    """馨和苑 (cp1)'s fund: ¥10,000 first deposit for each of its four houses, so the floor is
    ¥12,000 and ¥28,000 can be spent; the 四议两公开 topic of the sheds, decided and published."""
    u = world.users
    fund = fund_actions.open_fund(actor=u.community, compound=world.cp1, bank="宁夏银行")
    for account in fund.accounts.order_by("house_id"):
        fund_actions.book_entry(
            actor=u.community, account=account, kind=EntryKind.FIRST_DEPOSIT, amount=1_000_000,
            booked_on=dt.date(2016, 6, 30),
        )  # fmt: skip
    topic = procedures.raise_topic(
        actor=u.community, title="申请为民服务专项资金改造自行车棚", community=world.c1, compound=world.cp1,
        procedure=Procedure.builtin(Procedure.FOUR_AND_TWO), scale="minor",
    )  # fmt: skip
    procedures.screen(topic, actor=u.community, accept=True)
    figures = {"党员大会审议": {"eligible": 30, "present": 25, "approving": 20},
               "居民（代表）会议决议": {"eligible": 40, "present": 30, "approving": 25}}  # fmt: skip
    for _ in range(5):
        step = procedures.next_step(topic)
        procedures.complete_step(topic.pk, step.pk, actor=u.community, note="通过", **figures.get(step.name, {}))
    return fund, topic


def form_of(page, move):
    return page.locator("form", has=page.get_by_test_id(f"move-{move}"))


def test_rongjinyuan_sheds_from_the_refused_reserve_to_the_published_accounts(world, browser, live_server, request):  # noqa: F811
    fund, topic = setup(world)
    today = timezone.localdate()
    contexts = {}
    for who, width in (("community", 1280), ("subdistrict", 1280), ("public", 375)):
        ctx, page, external = _page(browser, request, viewport={"width": width, "height": 800 if width > 375 else 740})
        page.base = live_server.url
        contexts[who] = page
    staff, sub, public = contexts["community"], contexts["subdistrict"], contexts["public"]
    log_in(staff, "community", PASSWORD)
    log_in(sub, "subdistrict", PASSWORD)

    # the reserve: ¥30,000 for the sheds would leave ¥10,000, under the ¥12,000 floor — refused
    staff.goto(staff.base + "/funds/uses/new/")
    staff.get_by_label(field("维修资金")).select_option(value=str(fund.pk))
    staff.get_by_label(field("标题")).fill("自行车棚改造")
    staff.get_by_label(field("预算（元）")).fill("30000")
    follow(staff.get_by_role("button", name="保存"))
    assert "2,000.00" in staff.content()  # the shortfall is shown
    assert not Use.objects.filter(title="自行车棚改造").exists()

    # 问需 · 申报: the community applies for the special fund as a 民生实事
    staff.goto(staff.base + "/projects/livelihood/")
    follow(staff.get_by_role("link", name="新增项目"))
    assert staff.get_by_label(field("项目类别")).input_value() == "livelihood"
    staff.get_by_label(field("项目")).fill("自行车棚改造")
    staff.get_by_label(field("需求类别")).select_option(value="environment")
    staff.get_by_label(field("社区")).select_option(value=str(world.c1.pk))
    staff.get_by_label(field("责任单位")).select_option(label=world.pm.name)
    staff.get_by_label(field("责任人")).fill("社区主任")
    staff.get_by_label(field("开始日期")).fill((today - dt.timedelta(days=30)).isoformat())
    staff.get_by_label(field("期限")).fill((today + dt.timedelta(days=60)).isoformat())
    staff.get_by_label(field("资金来源")).select_option(value="service_fund")
    staff.get_by_label(field("金额（元）")).fill("428000")
    follow(staff.get_by_role("button", name="保存"))
    project = Project.objects.get(title="自行车棚改造")
    assert project.state == Project.State.PROPOSED and project.livelihood
    assert staff.get_by_test_id("move-approve").count() == 0  # the community does not approve

    # 立项: the sub-district approves with the 四议两公开 topic
    sub.goto(sub.base + project.get_absolute_url())
    approve = form_of(sub, "approve")
    approve.get_by_label(field("立项日期")).fill((today - dt.timedelta(days=20)).isoformat())
    approve.get_by_label(field("申报议题（四议两公开）")).select_option(value=str(topic.pk))
    follow(sub.get_by_test_id("move-approve"))
    assert Project.objects.get(pk=project.pk).state == Project.State.APPROVED

    # 开工, a progress photo
    staff.goto(staff.base + project.get_absolute_url())
    works = form_of(staff, "works")
    works.get_by_label(field("施工单位")).fill("宁夏建工维修公司")
    works.get_by_label(field("开工日期")).fill((today - dt.timedelta(days=10)).isoformat())
    follow(staff.get_by_test_id("move-works"))
    photo = form_of(staff, "photo")
    photo.get_by_label(field("照片")).set_input_files(
        files=[{"name": "shed.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    photo.get_by_label(field("说明")).fill("新车棚封顶")
    photo.get_by_label(field("拍摄日期")).fill(today.isoformat())
    follow(staff.get_by_test_id("move-photo"))
    assert list(project.photos.values_list("caption", flat=True)) == ["新车棚封顶"]
    # the photo decodes (decode() waits for it to load, and fails on a broken image)
    assert (
        staff.get_by_test_id("photos").locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    )

    # payments: one fen beyond the approved ¥428,000 is refused, asking for 追加
    sub.goto(sub.base + project.get_absolute_url())
    pay = form_of(sub, "pay")
    pay.get_by_label(field("资金来源")).select_option(value="service_fund")
    pay.get_by_label(field("金额（元）")).fill("428000.01")
    pay.get_by_label(field("收款单位")).fill("宁夏建工维修公司")
    follow(sub.get_by_test_id("move-pay"))
    assert "追加" in sub.content() and not Payment.objects.exists()
    pay = form_of(sub, "pay")
    pay.get_by_label(field("资金来源")).select_option(value="service_fund")
    pay.get_by_label(field("金额（元）")).fill("428000")
    pay.get_by_label(field("收款单位")).fill("宁夏建工维修公司")
    pay.get_by_label(field("支付日期")).fill(today.isoformat())
    follow(sub.get_by_test_id("move-pay"))
    assert Payment.objects.get().amount_fen == 42_800_000
    assert "428,000.00" in sub.get_by_test_id("accounts").inner_text()

    # 验收 and 问效 · 晒账
    staff.goto(staff.base + project.get_absolute_url())
    form_of(staff, "accept").get_by_label(field("签字的居民代表人数")).fill("9")
    follow(staff.get_by_test_id("move-accept"))
    assert Project.objects.get(pk=project.pk).state == Project.State.ACCEPTED  # today's date was filled in
    evaluate = form_of(staff, "evaluate")
    evaluate.get_by_label(field("受访居民人数")).fill("186")
    evaluate.get_by_label(field("满意人数")).fill("177")
    evaluate.get_by_label(field("公示的成效")).fill("新建自行车棚7处，可停放约400辆")
    follow(staff.get_by_test_id("move-evaluate"))
    project.refresh_from_db()
    assert project.state == Project.State.DELIVERED and project.satisfaction == 95.2

    # the board, on a phone: the result, the accounts, the payment, the photo; no person, no invoice
    public.goto(public.base + f"/board/{world.c1.pk}/")
    section = public.get_by_test_id("livelihood")
    text = section.inner_text()
    assert "自行车棚改造" in text and "新建自行车棚7处" in text and "428,000.00" in text
    assert "186" in text and "177" in text
    assert section.locator("img").evaluate("img => img.naturalWidth") > 0
    content = public.content()
    assert "社区主任" not in content and world.p_a1h.name not in content
    width = public.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # nothing runs past the phone's screen
