"""认岗 and 践诺: a member of the roster claims a post of their grid (a people.ResidentPost) with
the year's commitment; it is checked from 1 December of that year."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.party import actions
from linli.party.models import Commitment
from linli.party.workflow import COMMITMENT
from linli.people.models import ResidentPost

from .conftest import page
from .test_check_in import report

TZ = dt.timezone(dt.timedelta(hours=8))


def claim(world, member, **kw):
    data = {"post": ResidentPost.Post.BUILDING_HEAD, "building": world.bld_a, "year": 2026,
            "duties": "楼栋安全巡查", "promise": "每月走访本楼住户"} | kw  # fmt: skip
    return actions.claim_post(actor=world.users.community, member=member, **data)


def test_a_member_in_the_roster_claims_a_post_once_a_year(world, party):
    c = claim(world, party.m_a)
    post = c.post
    assert (post.person, post.post, post.grid, post.building) == (
        world.p_a1h,
        "building_head",
        world.grid_a,
        world.bld_a,
    )
    assert (c.state, c.grid, c.community) == (Commitment.State.PLEDGED, world.grid_a, world.c1)
    with pytest.raises(ValidationError):
        claim(world, party.m_a)
    nxt = claim(world, party.m_a, year=2027)
    assert nxt.post == post and ResidentPost.objects.filter(person=world.p_a1h).count() == 1


def test_a_member_not_yet_in_the_roster_claims_nothing(world, party):
    pending = report(party).member
    with pytest.raises(ValidationError):
        claim(world, pending, building=None, post=ResidentPost.Post.DELIBERATION_REP)
    assert not Commitment.objects.exists()


def test_the_claim_form_puts_errors_on_its_fields(world, party):
    url = reverse("party:claim_post", args=[party.m_a.pk])
    r = page(world.users.community).post(url, {"post": "building_head", "year": "2026", "duties": "", "promise": "x"})
    assert r.status_code == 400 and "必填" in r.content.decode()
    r = page(world.users.community).post(
        url, {"post": "building_head", "year": "2026", "duties": "巡查", "promise": "走访"}
    )
    assert r.status_code == 400 and "楼栋长需要指定楼栋" in r.content.decode()
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (dt.datetime(2026, 11, 30, 23, 59, tzinfo=TZ), False),
        (dt.datetime(2026, 12, 1, 0, 0, tzinfo=TZ), True),
        (dt.datetime(2027, 1, 5, 9, 0, tzinfo=TZ), True),
    ],
)
def test_a_commitment_is_checked_from_the_first_of_december(world, party, now, allowed):
    c = claim(world, party.m_a)
    with time_machine.travel(now, tick=False):
        if allowed:
            COMMITMENT.perform(c.pk, "kept", actor=world.users.community, version=0)
            assert Commitment.objects.get(pk=c.pk).state == Commitment.State.KEPT
        else:
            with pytest.raises(ValidationError) as exc:
                COMMITMENT.perform(c.pk, "kept", actor=world.users.community, version=0)
            assert "2026-12-01" in exc.value.messages[0]


def test_partly_or_not_kept_needs_a_note_and_the_community_sees_it(world, party):
    c = claim(world, party.m_a)
    url = reverse("party:commitment_move", args=[c.pk, "partly"])
    with time_machine.travel(dt.datetime(2026, 12, 20, tzinfo=TZ), tick=False):
        r = page(world.users.community).post(url, {"version": 0, "note": ""})
        assert r.status_code == 400
        r = page(world.users.community).post(url, {"version": 0, "note": "走访了8户，未走访完"})
        assert r.status_code == 302
    c.refresh_from_db()
    assert (c.state, c.check_note) == (Commitment.State.PARTLY, "走访了8户，未走访完")
    listing = page(world.users.community).get(reverse("party:commitments")).content.decode()
    assert "每月走访本楼住户" in listing and "部分践诺" in listing
    # the grid worker of grid B does not see grid A's commitment; grid A's does
    assert page(world.users.grid_b).get(c.get_absolute_url()).status_code == 404
    assert page(world.users.grid_a).get(c.get_absolute_url()).status_code == 200
