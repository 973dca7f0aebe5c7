"""A wish from the household to the delivery: posted, checked, on the wall, claimed (one claimant
at a time), released, claimed again, confirmed with a photo; the value limit at its boundary, the
personal-data check, who may take which move, who is told."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.core.lifecycle import Conflict
from linli.core.models import Notification
from linli.wishes import actions
from linli.wishes.models import ClaimantKind, State, Wish, WishPolicy

from .conftest import WISH, claim, photo, post, published


def test_the_whole_way(world, wishes, django_capture_on_commit_callbacks):
    u = world.users
    with django_capture_on_commit_callbacks(execute=True):
        wish = post(world)
    assert (wish.state, wish.household, wish.on_behalf, wish.community) == (
        State.SUBMITTED,
        world.hh_a1,
        False,
        world.c1,
    )
    assert set(Notification.objects.filter(url=wish.get_absolute_url()).values_list("user__username", flat=True)) == {
        "community"
    }
    with django_capture_on_commit_callbacks(execute=True):
        wish = WISH.perform(wish.pk, "approve", actor=u.community, version=0, data={"title": "新书包一个"})
    assert (wish.state, wish.title) == (State.PUBLISHED, "新书包一个")
    assert wish.published_at and wish.waiting_since == wish.published_at
    with django_capture_on_commit_callbacks(execute=True):
        wish = claim(wish, wishes.zaizhi, "member", "name", member=wishes.member.pk)
    assert (wish.state, wish.claimant_kind, wish.claimant_member, wish.credit_name) == (
        State.CLAIMED,
        ClaimantKind.MEMBER,
        wishes.member,
        "居民b2h",
    )
    assert wish.deliver_by == timezone.localdate() + dt.timedelta(days=14)
    told = set(Notification.objects.filter(text__contains="认领").values_list("user__username", flat=True))
    assert {"community", "resident"} <= told
    wish = WISH.perform(wish.pk, "release", actor=wishes.zaizhi, version=wish.version)
    assert (wish.state, wish.claimant_user, wish.claimant_member, wish.deliver_by, wish.credit_name) == (
        State.PUBLISHED,
        None,
        None,
        None,
        "",
    )
    wish = claim(wish, wishes.party.bank_staff, "partner", "organisation", organisation=wishes.party.bank.pk)
    assert (wish.claimant_org, wish.credit_name) == (wishes.party.bank, "宁夏银行金凤支行")
    with django_capture_on_commit_callbacks(execute=True):
        wish = WISH.perform(wish.pk, "confirm", actor=u.resident, version=wish.version, files={"photo": photo()})
    assert wish.state == State.DELIVERED and wish.delivered_at and wish.photo.name.endswith(".jpg")
    assert Notification.objects.filter(user=wishes.party.bank_staff, text__contains="已圆梦").exists()
    record = actions.claimant_record(Wish.objects.filter(claimant_user=wishes.party.bank_staff))
    assert record == {"delivered": 1, "open": 0}


@pytest.mark.parametrize(("value", "ok"), [(50_000, True), (50_001, False), (49_999, True)])
def test_the_default_limit_is_500_yuan_inclusive(world, value, ok):
    if ok:
        assert post(world, value=value).value_fen == value
    else:
        with pytest.raises(ValidationError) as exc:
            post(world, value=value)
        assert "500" in exc.value.message_dict["value"][0]


@pytest.mark.parametrize(("value", "ok"), [(20_000, True), (20_001, False)])
def test_a_community_sets_its_own_limit(world, value, ok):
    actions.set_policy(
        actor=world.users.community, community=world.c1, max_value=20_000, deliver_days=7, unclaimed_days=10
    )
    if ok:
        post(world, value=value)
    else:
        with pytest.raises(ValidationError):
            post(world, value=value)


def test_another_community_cannot_set_the_policy(world):
    with pytest.raises(ValidationError):
        actions.set_policy(
            actor=world.users.other_community, community=world.c1, max_value=1, deliver_days=1, unclaimed_days=1
        )
    with pytest.raises(PermissionDenied):
        actions.set_policy(
            actor=world.users.resident, community=world.c1, max_value=1, deliver_days=1, unclaimed_days=1
        )
    assert not WishPolicy.objects.exists()


def test_deadline_follows_the_community_days(world, wishes):
    actions.set_policy(
        actor=world.users.community, community=world.c1, max_value=50_000, deliver_days=3, unclaimed_days=5
    )
    wish = claim(published(world), wishes.neighbour)
    assert wish.deliver_by == timezone.localdate() + dt.timedelta(days=3)


def test_text_with_personal_data_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        post(world, story="居民a1h家孩子想要书包，住1号楼101")
    assert "story" in exc.value.message_dict
    wish = post(world)
    with pytest.raises(ValidationError) as exc:
        WISH.perform(wish.pk, "approve", actor=world.users.community, version=0, data={"story": "电话13800001234"})
    assert Wish.objects.get(pk=wish.pk).state == State.SUBMITTED


def test_one_claimant_at_a_time(world, wishes):
    wish = published(world)
    version = wish.version
    claim(wish, wishes.neighbour)
    with pytest.raises((Conflict, Wish.DoesNotExist)):  # a second claimant who saw it on the wall at the same version
        WISH.perform(
            wish.pk, "claim", actor=wishes.zaizhi, version=version, data={"as_kind": "volunteer", "credit": "anonymous"}
        )
    fresh = Wish.objects.get(pk=wish.pk)
    with pytest.raises(Wish.DoesNotExist):  # and one who saw it claimed: it has left the wall's claimable set
        claim(fresh, wishes.zaizhi)
    with pytest.raises(ValidationError):  # staff, who still see it, are refused by its state
        claim(fresh, world.users.community, "member", member=wishes.party.m_b.pk)
    assert Wish.objects.get(pk=wish.pk).claimant_user == wishes.neighbour


def test_the_household_cannot_claim_its_own_wish(world, wishes):
    with pytest.raises(PermissionDenied):
        claim(published(world), world.users.resident)


def test_claimant_kinds_are_checked(world, wishes):
    wish = published(world)
    with pytest.raises(ValidationError):  # a member of someone else's household: not offered
        claim(wish, wishes.neighbour, "member", member=wishes.member.pk)
    with pytest.raises(ValidationError):  # member kind without a member
        claim(wish, wishes.zaizhi, "member")
    with pytest.raises(ValidationError):  # a partner not theirs
        claim(wish, wishes.neighbour, "partner", organisation=wishes.party.bank.pk)
    with pytest.raises(ValidationError):  # partner staff are no residents: not a volunteer
        claim(wish, wishes.party.bank_staff)
    with pytest.raises(ValidationError):  # only a partner is named by organisation
        claim(wish, wishes.neighbour, credit="organisation")
    with pytest.raises(ValidationError):  # a member out of the roster
        member = wishes.member
        member.in_roster = False
        member.save(update_fields=["in_roster"])
        claim(wish, wishes.zaizhi, "member", member=member.pk)
    # the community records a claim for a member of its roster
    wish = claim(wish, world.users.community, "member", "anonymous", member=wishes.party.m_b.pk)
    assert wish.claimant_member == wishes.party.m_b and wish.credit_name == ""


def test_a_resident_of_another_community_cannot_claim(world, wishes):
    wish = published(world)
    with pytest.raises(Wish.DoesNotExist):
        claim(wish, wishes.west)


def test_only_the_claimant_or_staff_release(world, wishes):
    wish = claim(published(world), wishes.neighbour)
    with pytest.raises((PermissionDenied, Wish.DoesNotExist)):
        WISH.perform(wish.pk, "release", actor=wishes.zaizhi, version=wish.version)
    wish = WISH.perform(wish.pk, "release", actor=world.users.community, version=wish.version)
    assert wish.state == State.PUBLISHED


def test_the_claimant_does_not_confirm_their_own_delivery(world, wishes):
    wish = claim(published(world), wishes.neighbour)
    with pytest.raises(PermissionDenied):
        WISH.perform(wish.pk, "confirm", actor=wishes.neighbour, version=wish.version, files={"photo": photo()})


def test_confirmation_needs_a_photo(world, wishes):
    wish = claim(published(world), wishes.neighbour)
    with pytest.raises(ValidationError) as exc:
        WISH.perform(wish.pk, "confirm", actor=world.users.community, version=wish.version)
    assert "photo" in exc.value.message_dict
    with pytest.raises(ValidationError):
        WISH.perform(
            wish.pk, "confirm", actor=world.users.community, version=wish.version,
            files={"photo": photo().__class__("x.jpg", b"not an image", content_type="image/jpeg")},
        )  # fmt: skip
    wish = WISH.perform(wish.pk, "confirm", actor=world.users.community, version=wish.version, files={"photo": photo()})
    assert wish.state == State.DELIVERED


def test_reject_and_withdraw(world, wishes, django_capture_on_commit_callbacks):
    wish = post(world)
    with pytest.raises(ValidationError):
        WISH.perform(wish.pk, "reject", actor=world.users.community, version=0, data={})  # reason needed
    with django_capture_on_commit_callbacks(execute=True):
        wish = WISH.perform(
            wish.pk, "reject", actor=world.users.community, version=0, data={"reason": "超出微心愿范围"}
        )
    assert (wish.state, wish.reason) == (State.REJECTED, "超出微心愿范围")
    assert Notification.objects.filter(user=world.users.resident, text__contains="超出微心愿范围").exists()
    wish = published(world)
    with pytest.raises(PermissionDenied):  # a neighbour cannot withdraw it
        WISH.perform(wish.pk, "withdraw", actor=wishes.neighbour, version=wish.version)
    wish = WISH.perform(wish.pk, "withdraw", actor=world.users.resident, version=wish.version)
    assert wish.state == State.WITHDRAWN


def test_residents_do_not_check_wishes(world, wishes):
    wish = post(world)
    with pytest.raises(PermissionDenied):
        WISH.perform(wish.pk, "approve", actor=world.users.resident, version=0)
    with pytest.raises(PermissionDenied):
        WISH.perform(wish.pk, "approve", actor=world.users.subdistrict, version=0)


def test_staff_post_on_behalf_of_a_household(world):
    u = world.users
    wish = actions.post_on_behalf(
        actor=u.community, household=world.hh_b2, wisher=world.p_b2h, title="上门理发",
        story="行动不便，想请人上门理发", category="visit", value=3000,
    )  # fmt: skip
    assert (wish.on_behalf, wish.household, wish.wisher, wish.posted_by) == (
        True,
        world.hh_b2,
        world.p_b2h,
        u.community,
    )
    with pytest.raises(ValidationError):  # the wisher must live in the household
        actions.post_on_behalf(
            actor=u.community, household=world.hh_b2, wisher=world.p_a1h, title="x", story="", category="other", value=1
        )
    with pytest.raises(ValidationError):  # another community's household
        actions.post_on_behalf(
            actor=u.other_community, household=world.hh_b2, title="x", story="", category="other", value=1
        )
