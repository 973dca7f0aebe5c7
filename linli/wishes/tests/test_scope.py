"""Scope is security: every page and API endpoint of wishes, for each persona. Another community's
staff and residents get 404; partner staff see only their paired community's published wishes;
a resident sees the private details of their own household's wishes only."""

import pytest
from django.urls import reverse

from linli.core.masking import mask_name
from linli.wishes.models import Wish

from .conftest import WISH, api, claim, page, photo, post, published


def _wishes(world, wishes):
    submitted = post(world, title="轮椅维修")
    on_wall = published(world, title="一盒彩笔", story="小学生想画画")
    claimed = claim(published(world, title="上门理发", story="想请人上门理发"), wishes.neighbour)
    delivered = claim(published(world, title="台灯", story="写作业用的台灯"), wishes.neighbour)
    delivered = WISH.perform(
        delivered.pk, "confirm", actor=world.users.community, version=delivered.version, files={"photo": photo()}
    )
    return {"submitted": submitted, "published": on_wall, "claimed": claimed, "delivered": delivered}


EVERY = {"submitted", "published", "claimed", "delivered"}


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("community", EVERY),
        ("subdistrict", EVERY),
        ("admin", EVERY),
        ("resident", EVERY),  # the wisher's household: all four are theirs
        ("neighbour", {"published", "claimed", "delivered"}),  # the wall, and what they claimed
        ("zaizhi", {"published"}),
        ("bank_staff", {"published"}),
        ("school_staff", set()),
        ("other_community", set()),
        ("west", set()),
    ],
)
def test_who_sees_which_wish(world, wishes, who, visible):
    rows = _wishes(world, wishes)
    user = getattr(wishes, who, None) or getattr(wishes.party, who, None) or getattr(world.users, who)
    c, a = page(user), api(user)
    for name, wish in rows.items():
        code = c.get(wish.get_absolute_url()).status_code
        assert code == (200 if name in visible else 404), (who, name, code)
        assert a.get(f"/api/v1/wishes/{wish.pk}/").status_code == (200 if name in visible else 404)
    listed = {r["title"] for r in a.get("/api/v1/wishes/").json()["results"]}
    assert listed == {rows[n].title for n in visible}
    html = c.get(reverse("wishes:list")).content.decode()
    for name, wish in rows.items():
        assert (wish.get_absolute_url() in html) == (name in visible), (who, name)


@pytest.mark.parametrize("who", ["grid_a", "building_head", "property", "department", "nobody"])
def test_roles_without_the_permission_get_403(world, who):
    user = getattr(world.users, who)
    assert page(user).get(reverse("wishes:list")).status_code == 403
    assert api(user).get("/api/v1/wishes/").status_code == 403


def test_private_details_only_to_the_household_and_staff(world, wishes):
    wish = actions_on_behalf(world)
    wish = WISH.perform(wish.pk, "approve", actor=world.users.community, version=0)
    wish = claim(wish, wishes.neighbour)
    masked = mask_name(world.p_a2h.name)
    seen = 0
    for user, shows in (
        (world.users.community, True), (world.users.resident, False), (wishes.neighbour, False),
        (wishes.zaizhi, False), (wishes.party.bank_staff, False),
    ):  # fmt: skip
        r = page(user).get(wish.get_absolute_url())
        if r.status_code == 404:
            continue
        seen += 1
        text = r.content.decode()
        assert (masked in text) == shows, user
        assert world.p_a2h.name not in text and str(world.house_a2) not in text
        data = api(user).get(f"/api/v1/wishes/{wish.pk}/").json()
        assert data["wisher"] == (masked if shows else None)
    assert seen == 2  # staff and the claimant; the others no longer see a claimed wish


def actions_on_behalf(world):
    from linli.wishes import actions

    return actions.post_on_behalf(
        actor=world.users.community, household=world.hh_a2, wisher=world.p_a2h, title="上门理发",
        story="想请人上门理发", category="visit", value=3000,
    )  # fmt: skip


def test_the_photo_only_to_household_and_staff(world, wishes):
    rows = _wishes(world, wishes)
    url = reverse("wishes:photo", args=[rows["delivered"].pk])
    assert page(world.users.community).get(url).status_code == 200
    assert page(world.users.resident).get(url).status_code == 200
    assert page(wishes.neighbour).get(url).status_code == 404  # the claimant
    assert page(world.users.other_community).get(url).status_code == 404


def test_the_policy_page_is_the_community_staff(world):
    assert page(world.users.community).get(reverse("wishes:policy")).status_code == 200
    assert page(world.users.resident).get(reverse("wishes:policy")).status_code == 403
    r = page(world.users.other_community).get(reverse("wishes:policy"), {"community": world.c1.pk})
    assert r.status_code == 404
    r = page(world.users.community).post(
        reverse("wishes:policy"),
        {"community": world.c1.pk, "max_value": "300.50", "deliver_days": 7, "unclaimed_days": 10},
    )
    assert r.status_code == 302
    from linli.wishes.models import WishPolicy

    assert WishPolicy.objects.get(community=world.c1).max_value_fen == 30_050
    r = page(world.users.community).post(
        reverse("wishes:policy"),
        {"community": world.c1.pk, "max_value": "abc", "deliver_days": 0, "unclaimed_days": 10},
    )
    assert r.status_code == 400


def test_posting_from_the_screen(world, wishes):
    c = page(world.users.resident)
    assert c.get(reverse("wishes:post")).status_code == 200
    r = c.post(reverse("wishes:post"), {"title": "书包", "story": "", "category": "study", "value": "500.00"})
    assert r.status_code == 302
    assert Wish.objects.get(title="书包").value_fen == 50_000
    r = c.post(reverse("wishes:post"), {"title": "书包", "story": "", "category": "study", "value": "500.01"})
    assert r.status_code == 400 and "500" in r.content.decode()
    r = c.post(reverse("wishes:post"), {"title": "书包", "story": "", "category": "study", "value": "1.001"})
    assert r.status_code == 400
    assert page(world.users.community).get(reverse("wishes:post")).status_code == 403  # staff post on behalf
    assert page(world.users.community).get(reverse("wishes:post_on_behalf")).status_code == 200
    assert page(world.users.resident).get(reverse("wishes:post_on_behalf")).status_code == 403


def test_claim_and_confirm_through_the_screens(world, wishes):
    wish = published(world)
    r = page(wishes.zaizhi).post(
        reverse("wishes:wish_move", args=[wish.pk, "claim"]),
        {"version": wish.version, "as_kind": "member", "member": wishes.member.pk, "credit": "name"},
    )
    assert r.status_code == 302
    wish.refresh_from_db()
    assert wish.claimant_member == wishes.member
    r = page(world.users.resident).post(
        reverse("wishes:wish_move", args=[wish.pk, "confirm"]), {"version": wish.version, "photo": photo()}
    )
    assert r.status_code == 302
    wish.refresh_from_db()
    assert wish.state == "delivered"
    mine = page(wishes.zaizhi).get(reverse("wishes:mine")).content.decode()
    assert 'data-testid="record"' in mine and "1" in mine


def test_a_claim_that_came_second_lands_on_the_wall_with_a_word(world, wishes):
    """Two neighbours press 认领 on the wall: the second is told it was taken, on the wall it came
    from, not shown a 404; the wish stays the first's, and nothing more of it is shown."""
    wish = claim(published(world, title="上门理发"), wishes.neighbour)
    second = page(wishes.party.bank_staff)
    r = second.post(
        reverse("wishes:wish_move", args=[wish.pk, "claim"]),
        {"version": wish.version - 1, "as_kind": "partner", "organisation": wishes.party.bank.pk, "credit": "name"},
        follow=True,
    )
    assert r.redirect_chain == [(reverse("wishes:wall", args=[world.c1.pk]), 302)]
    assert "这个心愿刚被别人认领了" in r.content.decode()
    wish.refresh_from_db()
    assert wish.claimant_user == wishes.neighbour
    # a move other than claim, a wish never claimed, or a user who may not claim: still the 404
    assert second.post(reverse("wishes:wish_move", args=[wish.pk, "release"]), {"version": 0}).status_code == 404
    hidden = post(world, title="轮椅维修")
    assert second.post(reverse("wishes:wish_move", args=[hidden.pk, "claim"]), {"version": 0}).status_code == 404
    # …and nor does anyone who could not have claimed it there: the redirect would name its community
    for outsider in (world.users.other_community, wishes.west):
        r = page(outsider).post(reverse("wishes:wish_move", args=[wish.pk, "claim"]), {"version": 0})
        assert r.status_code == 404, outsider
