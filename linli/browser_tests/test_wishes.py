"""微心愿 on a 375 px phone: a visitor reads the community's wish wall without logging in; the 在职党员
who did 双报到 claims a wish from the wall as the party member of their household; the wisher
confirms the delivery with a photo on their phone; the board shows it delivered. Nothing wider
than the screen, nothing of the household on the wall."""

import io

import pytest
from PIL import Image

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.party import actions as party_actions
from linli.party.models import MemberKind
from linli.party.workflow import CHECK_IN
from linli.testing import PASSWORD, make_id
from linli.wishes import actions
from linli.wishes.models import State, Wish
from linli.wishes.workflow import WISH

from .conftest import log_in
from .test_board import world  # noqa: F401 - the same world, photos in a temporary directory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), "orange").save(buf, "JPEG")
    return buf.getvalue()


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_member_claims_and_the_wisher_confirms_on_a_phone(world, phone, browser):  # noqa: F811
    from linli.orgs.models import Kind, Organisation, PartyLevel

    u = world.users
    workplace = Organisation.objects.create(
        kind=Kind.PARTY,
        name="某单位党支部",
        subdistrict=world.sub,
        community=world.c1,
        party_level=PartyLevel.WORKPLACE,
    )
    check_in = party_actions.report_member(actor=u.community, organisation=workplace, id_number=make_id(7))
    CHECK_IN.perform(check_in.pk, "confirm", actor=u.community, version=0, data={})
    member = check_in.member
    member.refresh_from_db()
    assert member.kind == MemberKind.IN_SERVICE and member.in_roster
    zaizhi = User.objects.create_user("zaizhi", password=PASSWORD, display_name="在职党员")
    RoleAssignment.objects.create(user=zaizhi, role=Role.RESIDENT, household=world.hh_b2)
    wish = actions.post_wish(
        actor=u.resident, title="一个新书包", story="孩子的书包背带断了", category="study", value=12_000
    )
    WISH.perform(wish.pk, "approve", actor=u.community, version=0)

    # a visitor reads the wall
    phone.goto(f"{phone.base}/wishes/wall/{world.c1.pk}/")
    phone.get_by_text("一个新书包").wait_for()
    assert phone.get_by_text("等待认领").count() == 1 and fits(phone)
    wall = phone.content()
    assert world.p_a1h.name not in wall and world.bld_a.name not in wall

    # the 在职党员 claims it from the wall, as the party member of their household, by name
    member_ctx = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    claimant = member_ctx.new_page()
    claimant.base = phone.base
    try:
        log_in(claimant, "zaizhi", PASSWORD)
        claimant.goto(f"{claimant.base}/wishes/wall/{world.c1.pk}/")
        claimant.get_by_role("link", name="认领").click()
        claimant.get_by_label("认领身份").select_option(label="党员（双报到）")
        claimant.get_by_label("党员", exact=True).select_option(label=member.person.name)
        claimant.get_by_label("晒事公示栏署名").select_option(label="署名")
        claimant.get_by_test_id("move-claim").click()
        claimant.get_by_test_id("state").filter(has_text="已认领").wait_for()
        assert fits(claimant)
        assert world.p_a1h.name not in claimant.content()
    finally:
        member_ctx.close()

    # the wisher confirms on their phone with a photo
    log_in(phone, "resident", PASSWORD)
    phone.goto(f"{phone.base}/wishes/{wish.pk}/")
    phone.get_by_label("圆梦照片").set_input_files(
        files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    phone.get_by_test_id("move-confirm").click()
    phone.get_by_test_id("state").filter(has_text="已圆梦").wait_for()
    assert fits(phone)
    assert Wish.objects.get(pk=wish.pk).state == State.DELIVERED

    # the board shows it, with the member's name as chosen
    phone.goto(f"{phone.base}/board/{world.c1.pk}/")
    section = phone.get_by_test_id("wishes").inner_text()
    assert "一个新书包" in section and member.person.name in section
    assert fits(phone)
