"""Each move of the meeting's lifecycle (workflow.MEETING) through its own endpoint: who may take
it, who may not (403 without votes.manage, 404 outside the scope), the states it starts from, and
what it writes. The meeting page posts the same forms to meetings/<id>/<move>/."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from linli.core.audit import history
from linli.deliberation import meetings
from linli.deliberation.models import HandVote, Invitation, Meeting, Opinion
from linli.deliberation.workflow import MEETING
from linli.testing import log_in

from .moves import api_move, post_move

M = Meeting.Status


@pytest.fixture
def meeting(world):
    m = meetings.create_meeting(
        actor=world.users.community,
        kind="consultation",
        title="车棚协商会",
        community=world.c1,
        compound=world.cp1,
        starts_at=timezone.now() + dt.timedelta(days=2),
        location="社区会议室",
    )
    meetings.invite(m, actor=world.users.community, name="李主任", party="业委会")
    return m


def body(meeting, name):
    inv = meeting.invitations.get()
    if name in ("opinion", "hands", "close"):  # someone is present
        Invitation.objects.filter(pk=inv.pk).update(signed_in_at=timezone.now())
    return {
        "notice": {},
        "invite": {"name": "王经理", "party": "物业公司"},
        "sign_in": {"invitation": inv.pk},
        "opinion": {"speaker": inv.pk, "text": "建议加装雨棚"},
        "hands": {"question": "是否同意改造", "yes": 1},
        "close": {"minutes": "物业公司7日内完成"},
    }[name]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def web(user):
    return log_in(Client(), user)


NAMES = [m.name for m in MEETING]


def test_every_move_has_a_body_here():
    assert set(NAMES) == {"notice", "invite", "sign_in", "opinion", "hands", "close"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_a_move_is_taken_by_staff_in_scope_and_audited(world, meeting, name):
    data = body(meeting, name)
    audited = history(meeting).filter(action="update", note=name).count()
    r = api_move(api(world.users.community), meeting, name, data)
    assert r.status_code == 200, r.content
    assert r.json()["version"] == meeting.version + MEETING[name].versioned
    assert history(meeting).filter(action="update", note=name).count() == audited + 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_a_move_is_refused_without_votes_manage_and_outside_the_scope(world, meeting, name):
    data = body(meeting, name)
    before = (
        Meeting.objects.get(pk=meeting.pk).version,
        Invitation.objects.count(),
        Opinion.objects.count(),
        HandVote.objects.count(),
    )
    for client in (api(world.users.grid_a), web(world.users.grid_a)):  # sees the meeting, manages nothing
        r = (
            api_move(client, meeting, name, data)
            if isinstance(client, APIClient)
            else post_move(client, meeting, name, data)
        )
        assert r.status_code == 403
    assert api_move(api(world.users.other_community), meeting, name, data).status_code == 404
    assert post_move(web(world.users.other_community), meeting, name, data).status_code == 404
    after = (
        Meeting.objects.get(pk=meeting.pk).version,
        Invitation.objects.count(),
        Opinion.objects.count(),
        HandVote.objects.count(),
    )
    assert after == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_no_move_once_the_meeting_is_closed(world, meeting, name):
    data = body(meeting, name)
    Meeting.objects.filter(pk=meeting.pk).update(status=M.CLOSED, closed_at=timezone.now())
    r = api_move(api(world.users.community), meeting, name, data)
    assert r.status_code == 400 and "已结束" in r.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_the_notice_once_and_before_the_meeting(world, meeting, client):
    staff = api(world.users.community)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    r = api_move(staff, meeting, "notice")
    assert r.status_code == 400 and "会前" in r.json()["errors"][0]["message"]
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + dt.timedelta(days=1))
    assert api_move(staff, meeting, "notice").status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == M.NOTICED and meeting.notice_published_at
    assert api_move(staff, meeting, "notice").status_code == 400  # published already
    page = web(world.users.community).get(meeting.get_absolute_url()).content.decode()
    assert "/notice/" not in page and f"/meetings/{meeting.pk}/invite/" in page


@pytest.mark.django_db
def test_invitations_by_person_or_organisation(world, meeting):
    staff = api(world.users.community)
    r = api_move(staff, meeting, "invite", {"name": "王经理"})
    assert r.status_code == 400 and "参会方" in r.json()["errors"][0]["message"]
    assert api_move(staff, meeting, "invite", {"name": "周经理", "organisation": world.pm.pk}).status_code == 200
    assert meeting.invitations.filter(name="周经理", party=world.pm.name, organisation=world.pm).exists()


@pytest.mark.django_db
def test_sign_in_opinion_and_hands_count_those_present(world, meeting):
    staff = api(world.users.community)
    inv = meeting.invitations.get()
    assert api_move(staff, meeting, "opinion", {"speaker": inv.pk, "text": "x"}).status_code == 400  # not signed in
    r = api_move(staff, meeting, "hands", {"question": "是否同意", "yes": 1})
    assert r.status_code == 400 and "0" in r.json()["errors"][0]["message"]  # nobody present yet
    assert api_move(staff, meeting, "sign_in", {"invitation": inv.pk}).status_code == 200
    assert api_move(staff, meeting, "sign_in", {"invitation": 999999}).status_code == 400  # not this meeting's
    assert api_move(staff, meeting, "opinion", {"speaker": inv.pk, "text": "同意", "mode": "form"}).status_code == 200
    assert Opinion.objects.get().get_mode_display() == "填写意见征求表"
    assert api_move(staff, meeting, "hands", {"question": "是否同意", "yes": 1}).status_code == 200
    assert (HandVote.objects.get().present, HandVote.objects.get().rule) == (1, "majority")


@pytest.mark.django_db
def test_close_needs_someone_present_and_conclusions(world, meeting):
    staff = api(world.users.community)
    r = api_move(staff, meeting, "close", {"minutes": "x"})
    assert r.status_code == 400 and "无人签到" in r.json()["errors"][0]["message"]
    meetings.sign_in(meeting.invitations.get(), actor=world.users.community)
    r = api_move(staff, meeting, "close", {"minutes": " "})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "minutes"
    assert api_move(staff, meeting, "close", {"minutes": "物业公司7日内完成"}).status_code == 200
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == (M.CLOSED, "物业公司7日内完成") and meeting.closed_at


@pytest.mark.django_db
def test_two_staff_recording_at_once_do_not_conflict_but_a_stale_close_does(world, meeting):
    shown = meeting.version
    inv = meeting.invitations.get()
    secretary = web(world.users.community)
    assert post_move(secretary, meeting, "sign_in", {"invitation": inv.pk, "version": shown}).status_code == 302
    assert (
        post_move(web(world.users.subdistrict), meeting, "notice", {"version": shown}).status_code == 302
    )  # still current
    r = post_move(
        secretary, meeting, "close", {"minutes": "结论", "version": shown}, follow=True
    )  # the notice moved it on
    assert "其他人刚刚修改了此会议" in r.content.decode() and Meeting.objects.get(pk=meeting.pk).status == M.NOTICED


@pytest.mark.django_db
def test_a_participants_own_link_signs_in_without_a_user(world, meeting):
    inv = meeting.invitations.get()
    meetings.confirm_attendance(inv)
    meetings.confirm_attendance(inv)  # twice: once
    inv.refresh_from_db()
    assert inv.signed_in_at
    assert list(history(meeting).filter(note="confirm_attendance").values_list("actor", flat=True)) == [None]
    Meeting.objects.filter(pk=meeting.pk).update(status=M.CLOSED)
    late = Invitation.objects.create(meeting=meeting, name="赵", party="居民代表")
    with pytest.raises(ValidationError):  # a closed meeting's record no longer changes, not even through the link
        meetings.confirm_attendance(late)
    late.refresh_from_db()
    assert late.signed_in_at is None


@pytest.mark.django_db
def test_the_notice_is_refused_from_the_moment_the_meeting_starts(world, meeting):
    staff = api(world.users.community)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=now)  # starting this very moment: too late
        assert api_move(staff, meeting, "notice").status_code == 400
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=now + dt.timedelta(microseconds=1))
        assert api_move(staff, meeting, "notice").status_code == 200


@pytest.mark.django_db
def test_the_audit_record_of_an_opinion_or_a_show_of_hands_keeps_the_first_40_characters(world, meeting):
    staff = api(world.users.community)
    inv = meeting.invitations.get()
    Invitation.objects.filter(pk=inv.pk).update(signed_in_at=timezone.now())
    text = "甲" * 40 + "乙"  # 41 characters: the 41st is cut
    assert api_move(staff, meeting, "opinion", {"speaker": inv.pk, "text": text}).status_code == 200
    meeting.refresh_from_db()
    assert api_move(staff, meeting, "hands", {"question": text, "yes": 1}).status_code == 200
    assert history(meeting).get(note="opinion").changes["opinion"] == [None, f"{inv}: {'甲' * 40}"]
    assert history(meeting).get(note="hands").changes["show_of_hands"] == [None, f"{'甲' * 40}: 1/0/0"]


@pytest.mark.django_db
def test_invitations_opinions_and_shows_of_hands_leave_the_page_current(world, meeting):
    staff, shown = api(world.users.community), meeting.version
    for name in ("opinion", "hands", "invite"):
        assert api_move(staff, meeting, name, body(meeting, name)).status_code == 200
    assert Meeting.objects.get(pk=meeting.pk).version == shown


@pytest.mark.django_db
def test_a_sign_in_is_audited_with_whom_once(world, meeting):
    staff, inv = api(world.users.community), meeting.invitations.get()
    for _ in range(2):  # the second finds them present already
        assert api_move(staff, meeting, "sign_in", {"invitation": inv.pk}).status_code == 200
    assert [r.changes for r in history(meeting).filter(note="sign_in").order_by("pk")] == [
        {"signed_in": [None, str(inv)]},
        {},
    ]
