"""Who is told of owners' votes and meeting invitations (docs/notifications.md).

Electors are owners (people.Ownership, or the head of an owner-occupier household); an owner is
reached through the resident accounts of their household (the accounts that vote as them:
actions.own_elector). They are told when the vote opens and, once, when it closes within
LINLI_VOTE_REMINDER_HOURS (those who have not voted yet). An organisation's invitation to a
meeting reaches its staff, with the personal sign-in link; a person invited by name has no
account to reach (their link is printed, with its QR code, from the meeting's page).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.core import notify

from .models import Elector, OwnerVote


def elector_users(electors) -> list:
    """The active resident accounts of the households of the owners among `electors` (one query;
    the developer, an organisation and an unregistered house have none)."""
    hashes = {h for e in electors if e.key.startswith("p:") for h in e.key[2:].split("+")}
    if not hashes:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.RESIDENT,
            role_assignments__household__members__id_number_hash__in=sorted(hashes),
        ).distinct()
    )


def key(vote, step) -> str:
    return f"{OwnerVote._meta.label_lower}:{vote.pk}:{step}"


def when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def vote_opened(vote):
    """The electors are told the vote is open (after the opening commits)."""
    text = _("The owners' vote “%(title)s” is open until %(closes)s.") % {
        "title": vote.title,
        "closes": when(vote.closes_at),
    }
    notify.send(elector_users(vote.electors.all()), text, vote.get_absolute_url(), key=key(vote, "open"))


def closing_soon(n: int) -> str:
    return ngettext("%(n)s owners' vote closes soon.", "%(n)s owners' votes close soon.", n) % {"n": n}


def remind_closing(now=None) -> int:
    """临近截止: each open vote that closes within LINLI_VOTE_REMINDER_HOURS (its closing time at
    most that far ahead, not past) is claimed once by a conditional UPDATE, and its electors who
    have not voted are told. Returns how many votes were claimed."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=settings.LINLI_VOTE_REMINDER_HOURS)
    due = OwnerVote.objects.filter(
        status=OwnerVote.Status.OPEN, reminded_at=None, closes_at__gt=now, closes_at__lte=horizon
    ).values_list("pk", flat=True)
    claimed = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            if not OwnerVote.objects.filter(pk=pk, reminded_at=None).update(reminded_at=now):
                continue  # another worker claimed it
            vote = OwnerVote.objects.get(pk=pk)
            text = _("The owners' vote “%(title)s” closes at %(closes)s: you have not voted yet.") % {
                "title": vote.title,
                "closes": when(vote.closes_at),
            }
            users = elector_users(Elector.objects.filter(vote=vote, ballot__isnull=True))
            notify.send(users, text, vote.get_absolute_url(), key=key(vote, "closing"), summary=closing_soon)
            claimed += 1
    return claimed


def invited(ctx, invitation):
    """An organisation's invitation reaches its staff, with the participant's personal sign-in link."""
    if ctx.replaying or invitation.organisation_id is None:
        return
    meeting = ctx.obj
    text = _("You are invited to “%(title)s”, %(starts)s at %(location)s. Your sign-in link is attached.") % {
        "title": meeting.title,
        "starts": when(meeting.starts_at),
        "location": meeting.location,
    }
    ctx.notify(
        lambda: User.objects.filter(
            is_active=True, role_assignments__organisation_id=invitation.organisation_id
        ).distinct(),
        text,
        invitation.get_confirm_url(),
        step=f"invitation{invitation.pk}",
    )
