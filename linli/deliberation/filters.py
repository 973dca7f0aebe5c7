"""The filters of the meeting and vote lists, also counted on the workbench (linli.home)."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import Meeting, OwnerVote


def meetings_today_q(now) -> Q:
    """Not yet closed, starting on the local (Asia/Shanghai) calendar day of `now`: from its
    midnight included to the next midnight excluded."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(now), time()))
    return Q(starts_at__gte=start, starts_at__lt=start + timedelta(days=1)) & ~Q(status=Meeting.Status.CLOSED)


def open_votes_q() -> Q:
    return Q(status=OwnerVote.Status.OPEN)


def meetings(queryset, params, now=None):
    """`?when=today`: the meetings of today only."""
    return queryset.filter(meetings_today_q(now or timezone.now())) if params.get("when") == "today" else queryset


def votes(queryset, params):
    """`?status=open`: the votes still open only."""
    return queryset.filter(open_votes_q()) if params.get("status") == "open" else queryset
