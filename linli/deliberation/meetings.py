"""Meetings: notice, invitations, sign-in, speakers' opinions and the minutes. Every write is one
transaction with an audit record; a closed meeting's record no longer changes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.models import AuditLog
from linli.people.public_text import check_public_text

from .models import Invitation, Meeting, Opinion


def _open(meeting):
    if meeting.closed_at:
        raise ValidationError(_("The meeting is closed; its record no longer changes."))


@transaction.atomic
def create_meeting(*, actor, kind, title, community, starts_at, location, compound=None, topics=()):
    meeting = Meeting(kind=kind, title=title, community=community, subdistrict_id=community.subdistrict_id, compound=compound,
                      starts_at=starts_at, location=location, created_by=actor)
    meeting.full_clean(exclude=["subdistrict"])
    check_public_text(community, title=title, location=location)  # what the notice puts on the board
    meeting.save()
    meeting.topics.set(topics)
    audit.record(actor, AuditLog.Action.CREATE, meeting, {"title": [None, title], "starts_at": [None, str(starts_at)]})
    return meeting


@transaction.atomic
def publish_notice(meeting, *, actor):
    _open(meeting)
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("A notice is published before the meeting."))
    check_public_text(meeting.community, title=meeting.title, location=meeting.location)
    meeting.notice_published_at = timezone.now()
    meeting.save(update_fields=["notice_published_at"])
    audit.record(actor, AuditLog.Action.UPDATE, meeting, {"notice_published_at": [None, str(meeting.notice_published_at)]})


@transaction.atomic
def invite(meeting, *, actor, name, party, organisation=None):
    _open(meeting)
    if organisation is not None and not party.strip():
        party = organisation.name  # invited as an organisation: it is the party
    if not name.strip() or not party.strip():
        raise ValidationError(_("Give the participant's name and party."))
    inv = Invitation.objects.create(meeting=meeting, name=name.strip(), party=party.strip(), organisation=organisation)
    audit.record(actor, AuditLog.Action.CREATE, meeting, {"invitation": [None, str(inv)]})
    return inv


@transaction.atomic
def sign_in(invitation, *, actor):
    _open(invitation.meeting)
    if not invitation.signed_in_at:
        invitation.signed_in_at = timezone.now()
        invitation.save(update_fields=["signed_in_at"])
        audit.record(actor, AuditLog.Action.UPDATE, invitation.meeting, {"signed_in": [None, str(invitation)]})


@transaction.atomic
def record_opinion(meeting, *, actor, speaker, text, topic=None, mode="in_turn"):
    _open(meeting)
    if speaker.meeting_id != meeting.pk or not speaker.signed_in_at:
        raise ValidationError({"speaker": _("Only a participant who signed in can speak.")})
    if topic is not None and not meeting.topics.filter(pk=topic.pk).exists():
        raise ValidationError({"topic": _("The topic is not on this meeting's agenda.")})
    if not text.strip():
        raise ValidationError({"text": _("Write what was said.")})
    if mode not in Opinion.Mode.values:
        raise ValidationError({"mode": _("Unknown format.")})
    opinion = Opinion.objects.create(meeting=meeting, speaker=speaker, topic=topic, text=text.strip(), mode=mode)
    audit.record(actor, AuditLog.Action.CREATE, meeting, {"opinion": [None, f"{speaker}: {opinion.text[:40]}"]})
    return opinion


@transaction.atomic
def close_meeting(meeting, *, actor, conclusions):
    _open(meeting)
    if not conclusions.strip():
        raise ValidationError({"minutes": _("Write the conclusions: who does what by when.")})
    if not meeting.invitations.filter(signed_in_at__isnull=False).exists():
        raise ValidationError(_("Nobody signed in: there is no meeting to close."))
    meeting.minutes, meeting.closed_at = conclusions.strip(), timezone.now()
    meeting.save(update_fields=["minutes", "closed_at"])
    audit.record(actor, AuditLog.Action.UPDATE, meeting, {"closed": [None, str(meeting.closed_at)]})


@transaction.atomic
def show_of_hands(meeting, *, actor, question, rule, yes, no, abstain):
    """Record a show of hands; those present are the participants signed in now."""
    from .models import HandVote

    _open(meeting)
    present = meeting.invitations.filter(signed_in_at__isnull=False).count()
    if not question.strip():
        raise ValidationError({"question": _("Write the question put to the vote.")})
    if min(yes, no, abstain) < 0 or yes + no + abstain != present:
        raise ValidationError(_("In favour, against and abstaining must add up to the %(n)s present.") % {"n": present})
    vote = HandVote(meeting=meeting, question=question.strip(), rule=rule, invited=meeting.invitations.count(),
                    present=present, yes=yes, no=no, abstain=abstain)
    vote.full_clean(exclude=["meeting"])  # the question's length, a known rule (PostgreSQL refused a long one: a 500)
    vote.save()
    audit.record(actor, AuditLog.Action.UPDATE, meeting, {"show_of_hands": [None, f"{question[:40]}: {yes}/{no}/{abstain}"]})
    return vote
