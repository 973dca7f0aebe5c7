"""Electors told when a vote opens and once when it closes soon; an organisation's meeting
invitation with its personal sign-in link; the printable cards with their QR codes
(deliberation.notices, docs/notifications.md)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.cases.models import Category
from linli.core.models import Notification
from linli.deliberation import actions, meetings, procedures
from linli.deliberation.models import OwnerVote, Procedure
from linli.deliberation.notices import remind_closing
from linli.testing import response_text


@pytest.fixture
def neighbours(world):
    """A resident account in house 201 of unit A (an elector of unit A's votes), one in unit B."""
    a2 = User.objects.create_user("resident_a2")
    RoleAssignment.objects.create(user=a2, role=Role.RESIDENT, household=world.hh_a2)
    b1 = User.objects.create_user("resident_b1")
    RoleAssignment.objects.create(user=b1, role=Role.RESIDENT, household=world.hh_b1)
    return a2, b1


def open_unit_vote(world, closes_at):
    return actions.open_vote(
        actor=world.users.community,
        title="1单元加装电梯",
        matter=7,
        compound=world.cp1,
        unit=world.unit_a,
        closes_at=closes_at,
    )


def told():
    return sorted(Notification.objects.values_list("user__username", "key"))


@pytest.mark.django_db
def test_the_electors_accounts_are_told_when_the_vote_opens(world, neighbours, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vote = open_unit_vote(world, timezone.now() + dt.timedelta(days=7))
    key = f"deliberation.ownervote:{vote.pk}:open"
    assert told() == [("resident", key), ("resident_a2", key)]  # not unit B's resident, not the staff
    note = Notification.objects.get(user=world.users.resident)
    closes = timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
    assert (note.text, note.url) == (f"业主表决“1单元加装电梯”已开始，截止时间 {closes}。", vote.get_absolute_url())


@pytest.mark.django_db
@override_settings(LINLI_VOTE_REMINDER_HOURS=24)
def test_closing_soon_is_told_once_at_24_hours_to_those_who_have_not_voted(
    world, neighbours, django_capture_on_commit_callbacks
):
    closes = timezone.now() + dt.timedelta(days=3)
    vote = open_unit_vote(world, closes)  # the test's transaction never commits: no "open" messages
    mine = actions.own_elector(vote, world.users.resident)
    actions.cast(vote.pk, mine.pk, "agree", actor=world.users.community)  # the resident of 101 voted

    assert remind_closing(now=closes - dt.timedelta(hours=24, seconds=1)) == 0  # not yet soon
    assert told() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_closing(now=closes - dt.timedelta(hours=24)) == 1  # exactly 24 hours before: soon
    assert told() == [("resident_a2", f"deliberation.ownervote:{vote.pk}:closing")]
    assert "您尚未投票" in Notification.objects.get().text
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_closing(now=closes - dt.timedelta(hours=1)) == 0  # once per vote
    assert Notification.objects.count() == 1
    assert OwnerVote.objects.get(pk=vote.pk).reminded_at is not None


@pytest.mark.django_db
def test_a_closed_or_past_vote_is_not_reminded(world, neighbours):
    closes = timezone.now() + dt.timedelta(hours=3)
    vote = open_unit_vote(world, closes)
    assert remind_closing(now=closes) == 0  # closing now: too late to remind
    actions.close_vote(vote, actor=world.users.community)
    assert remind_closing(now=closes - dt.timedelta(hours=1)) == 0
    call_command("remind_votes")  # the command runs the same job
    assert told() == []


@pytest.fixture
def meeting(world):
    return meetings.create_meeting(
        actor=world.users.community,
        kind="consultation",
        title="消防通道协商议事会",
        community=world.c1,
        compound=world.cp1,
        starts_at=timezone.now() + dt.timedelta(days=3),
        location="社区会议室",
    )


@pytest.mark.django_db
def test_an_organisations_invitation_reaches_its_staff_with_the_sign_in_link(
    world, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited = meetings.invite(meeting, actor=world.users.community, name="李经理", party="", organisation=world.pm)
        meetings.invite(meeting, actor=world.users.community, name="张阿姨", party="居民代表")  # no account
    note = Notification.objects.get()
    assert note.user == world.users.property
    assert note.url == invited.get_confirm_url()
    assert "消防通道协商议事会" in note.text and "社区会议室" in note.text


@pytest.mark.django_db
def test_the_invitation_cards_carry_each_link_and_its_qr_code_for_the_meetings_managers_only(
    world, meeting, login, client
):
    first = meetings.invite(meeting, actor=world.users.community, name="张阿姨", party="居民代表")
    second = meetings.invite(meeting, actor=world.users.community, name="李经理", party="", organisation=world.pm)
    url = f"/deliberation/meetings/{meeting.pk}/invitations/"
    login(world.users.community)
    with CaptureQueriesContext(connection) as two_cards:
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('src="data:image/svg+xml') == 2
    for invitation in (first, second):
        assert f"http://127.0.0.1:8000{invitation.get_confirm_url()}" in html
    assert "消防通道协商议事会" in response_text(page)
    for i in range(3):
        meetings.invite(meeting, actor=world.users.community, name=f"代表{i}", party="居民代表")
    with CaptureQueriesContext(connection) as five_cards:
        assert client.get(url).content.decode().count('src="data:image/svg+xml') == 5
    assert len(five_cards) == len(two_cards)  # as many cards, the same queries

    for outsider in (world.users.other_community, world.users.grid_b):
        login(outsider)
        assert client.get(url).status_code in (403, 404)
    login(world.users.resident)
    assert client.get(url).status_code in (403, 404)


@pytest.mark.django_db
def test_an_action_items_organisation_is_told_of_its_new_work_order(world, django_capture_on_commit_callbacks):
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="车棚改造",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="城乡社区协商"),
    )
    procedures.screen(topic, actor=world.users.community, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = procedures.add_action_item(
            topic,
            actor=world.users.community,
            organisation=world.pm,
            measure="改造车棚顶棚",
            deadline=timezone.now() + dt.timedelta(days=5),
            category=Category.objects.get(name="设施维修"),
            building=world.bld_a,
        )
    # through the work order's dispatch; nobody asked to dispatch what is dispatched already
    assert told() == [("property", f"cases.case:{case.pk}:dispatch")]
