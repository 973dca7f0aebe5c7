"""Meetings: convening one, and the moves of its lifecycle (workflow.MEETING) for callers that
read the meeting themselves — the demo, tests; the screens and the API call `MEETING.perform`.
A participant confirming attendance through their own link is no user, so no move: the same
write under the meeting's lock (`confirm_attendance`). A closed meeting's record no longer
changes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.models import AuditLog
from linli.people.public_text import check_public_text

from .models import HandVote, Invitation, Meeting, Opinion
from .workflow import MEETING, mark_signed_in


@transaction.atomic
def create_meeting(*, actor, kind, title, community, starts_at, location, compound=None, topics=()):
    meeting = Meeting(
        kind=kind,
        title=title,
        community=community,
        subdistrict_id=community.subdistrict_id,
        compound=compound,
        starts_at=starts_at,
        location=location,
        created_by=actor,
    )
    meeting.full_clean(exclude=["subdistrict"])
    check_public_text(community, title=title, location=location)  # what the notice puts on the board
    meeting.save()
    meeting.topics.set(topics)
    audit.record(actor, AuditLog.Action.CREATE, meeting, {"title": [None, title], "starts_at": [None, str(starts_at)]})
    return meeting


def _move(meeting, move, /, *, actor, **data):
    """Perform the move `move` on `meeting` (a versioned one at the version the caller read) and
    bring `meeting` up to date."""
    version = meeting.version if MEETING[move].versioned else None
    moved = MEETING.perform(meeting.pk, move, actor=actor, version=version, data=data)
    for f in Meeting._meta.concrete_fields:
        setattr(meeting, f.attname, getattr(moved, f.attname))
    return moved


def publish_notice(meeting, *, actor):
    _move(meeting, "notice", actor=actor)


def invite(meeting, *, actor, name, party, organisation=None):
    _move(meeting, "invite", actor=actor, name=name, party=party, organisation=organisation)
    return meeting.invitations.order_by("-id").first()


def sign_in(invitation, *, actor):
    _move(invitation.meeting, "sign_in", actor=actor, invitation=invitation)
    invitation.refresh_from_db()


def record_opinion(meeting, *, actor, speaker, text, topic=None, mode="in_turn"):
    _move(meeting, "opinion", actor=actor, speaker=speaker, text=text, topic=topic, mode=mode)
    return Opinion.objects.filter(meeting=meeting).order_by("-id").first()


def show_of_hands(meeting, *, actor, question, rule, yes, no, abstain):
    """Record a show of hands; those present are the participants signed in now."""
    _move(meeting, "hands", actor=actor, question=question, rule=rule, yes=yes, no=no, abstain=abstain)
    return HandVote.objects.filter(meeting=meeting).order_by("-id").first()


def close_meeting(meeting, *, actor, conclusions, chair="", recorder=""):
    _move(meeting, "close", actor=actor, minutes=conclusions, chair=chair, recorder=recorder)


@transaction.atomic
def confirm_attendance(invitation):
    """The participant's own sign-in through their personal link (no user): under the meeting's
    lock, while it is open; audited without an actor."""
    meeting = Meeting.objects.select_for_update().get(pk=invitation.meeting_id)
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError(_("The meeting is closed; its record no longer changes."))
    invitation = Invitation.objects.get(pk=invitation.pk)
    if mark_signed_in(invitation, timezone.now()):
        audit.record(
            None, AuditLog.Action.UPDATE, meeting, {"signed_in": [None, str(invitation)]}, note="confirm_attendance"
        )
