"""What the wall, the public API and the board must never reveal: who wished, or where they live.

The threat model (docs/wishes.md, "What the wall must not reveal"): the lowest role — a visitor
without login, or a resident of the community — combines the wall with what else they can see (the
board, their own claims, the public API) to find the needy household. The wall publishes the
community only: no compound, building, unit or house, no name, no date of posting, nothing that
says the community posted it on someone's behalf; the text passed the personal-data check. A
claimant learns nothing more (the community passes the gift on); the audit records hold no id of
the household or the wisher."""

import pytest
from django.test import Client
from django.urls import reverse

from linli.core.models import AuditLog
from linli.wishes import actions
from linli.wishes.models import Wish

from .conftest import WISH, api, claim, page, photo, published


@pytest.fixture
def on_behalf(world, wishes):
    wish = actions.post_on_behalf(
        actor=world.users.community, household=world.hh_b1, wisher=world.p_b1s, title="冬天的棉被",
        story="独居老人想要一床厚棉被", category="daily", value=30_000,
    )  # fmt: skip
    return WISH.perform(wish.pk, "approve", actor=world.users.community, version=0)


def forbidden(world):
    """Everything that would point at the needy household or its building."""
    return [
        world.p_b1s.name, world.p_b1h.name, str(world.house_b1), world.house_b1.number, world.bld_b.name,
        world.unit_b.name, world.cp1.name, world.grid_b.name,
    ]  # fmt: skip


def test_the_wall_shows_the_wish_and_nothing_of_who_or_where(world, wishes, on_behalf):
    published(world, title="一盒彩笔", story="小学生想画画")
    r = Client().get(reverse("wishes:wall", args=[world.c1.pk]))
    assert r.status_code == 200
    text = r.content.decode()
    assert "冬天的棉被" in text and "一盒彩笔" in text and "300.00" in text
    for word in forbidden(world):
        assert word not in text.replace(world.c1.name, ""), word


def test_the_public_api_carries_only_the_wall_fields(world, wishes, on_behalf):
    r = Client().get(f"/api/v1/wall/{world.c1.pk}/")
    assert r.status_code == 200
    (row,) = r.json()["results"]
    assert set(row) == {"id", "title", "story", "category", "value_fen", "state"}
    text = r.content.decode()
    for word in forbidden(world):
        assert word not in text, word
    assert Client().get("/api/v1/wall/999999/").status_code == 404
    assert Client().get("/api/v1/wishes/").status_code in (401, 403)


def test_a_neighbour_who_claims_learns_nothing_more(world, wishes, on_behalf):
    """The claimant's page, list and API: the wish, the deadline; not the household."""
    wish = claim(on_behalf, wishes.zaizhi)
    pages = [
        page(wishes.zaizhi).get(wish.get_absolute_url()),
        page(wishes.zaizhi).get(reverse("wishes:list")),
        page(wishes.zaizhi).get(reverse("wishes:mine")),
        api(wishes.zaizhi).get(f"/api/v1/wishes/{wish.pk}/"),
        api(wishes.zaizhi).get("/api/v1/wishes/"),
    ]
    for r in pages:
        assert r.status_code == 200
        text = r.content.decode().replace(world.c1.name, "")
        for word in forbidden(world):
            assert word not in text, (word, r.request["PATH_INFO"])


def test_the_wall_does_not_move_with_the_compound_filter_or_order_of_posting(world, wishes, on_behalf):
    """No way to ask the wall for a compound: an unknown parameter changes nothing."""
    published(world, title="一盒彩笔", story="小学生想画画")  # another household's (a1, 1号楼)
    c = Client()

    def wall(**params):
        text = c.get(reverse("wishes:wall", args=[world.c1.pk]), params).content.decode()
        return text.split('<ul class="list-unstyled">', 1)[1].split("</ul>", 1)[0]

    plain = wall()
    assert "冬天的棉被" in plain and "一盒彩笔" in plain
    assert wall(compound=world.cp1.pk) == plain
    assert wall(building=world.bld_b.pk) == wall(household=world.hh_b1.pk) == wall(order="created_at") == plain


def test_the_wall_shows_no_submitted_rejected_or_withdrawn_wish(world, wishes):
    from .conftest import post

    post(world, title="待审核的心愿")
    rejected = post(world, title="没通过的心愿")
    WISH.perform(rejected.pk, "reject", actor=world.users.community, version=0, data={"reason": "不符合"})
    withdrawn = published(world, title="撤回的心愿")
    WISH.perform(withdrawn.pk, "withdraw", actor=world.users.resident, version=withdrawn.version)
    text = Client().get(reverse("wishes:wall", args=[world.c1.pk])).content.decode()
    assert "待审核" not in text and "没通过" not in text and "撤回" not in text


def test_the_board_shows_delivered_wishes_as_the_claimant_chose(world, wishes, on_behalf):
    named = claim(on_behalf, wishes.party.bank_staff, "partner", "organisation", organisation=wishes.party.bank.pk)
    WISH.perform(named.pk, "confirm", actor=world.users.community, version=named.version, files={"photo": photo()})
    hidden = claim(
        published(world, title="一盒彩笔", story="小学生想画画"),
        wishes.zaizhi,
        "member",
        "anonymous",
        member=wishes.member.pk,
    )
    WISH.perform(hidden.pk, "confirm", actor=world.users.resident, version=hidden.version, files={"photo": photo()})
    text = Client().get(reverse("board:community", args=[world.c1.pk])).content.decode()
    assert "冬天的棉被" in text and "宁夏银行金凤支行" in text and "一盒彩笔" in text
    assert wishes.member.person.name not in text  # anonymous: not named
    for word in forbidden(world):
        if word not in (world.cp1.name, world.grid_b.name, world.bld_b.name, world.unit_b.name):
            assert word not in text, word  # the board names compounds elsewhere; never the household
    assert reverse("wishes:photo", args=[named.pk]) not in text  # the delivery photo is not public
    assert Client().get(reverse("wishes:photo", args=[named.pk])).status_code == 302  # login


def test_audit_records_do_not_name_the_household(world, wishes, on_behalf):
    for record in AuditLog.objects.filter(object_id=str(on_behalf.pk), content_type__model="wish"):
        changes = record.changes or {}
        for name in ("household", "wisher"):
            if name in changes:
                assert changes[name][1] in ("***", None), changes[name]


def test_text_with_the_household_s_house_is_refused_on_posting(world):
    with pytest.raises(Exception) as exc:
        actions.post_on_behalf(
            actor=world.users.community, household=world.hh_b1, title="棉被", story="2号楼1单元101的老人需要棉被",
            category="daily", value=100,
        )  # fmt: skip
    assert "story" in exc.value.message_dict
    assert not Wish.objects.filter(title="棉被").exists()
