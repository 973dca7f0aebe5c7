"""The filters of the topic, meeting and vote lists (screens, exports and the API), also counted on
the workbench (linli.home). `q` is the full-text search (deliberation.search): best match first,
in the list's own scope, combined with the other filters."""

from datetime import datetime, time, timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.scope import scope_for
from linli.core.search import MAX_QUERY

from . import search
from .models import Meeting, OwnerVote, Topic


def meetings_today_q(now) -> Q:
    """Not yet closed, starting on the local (Asia/Shanghai) calendar day of `now`: from its
    midnight included to the next midnight excluded."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(now), time()))
    return Q(starts_at__gte=start, starts_at__lt=start + timedelta(days=1)) & ~Q(status=Meeting.Status.CLOSED)


def open_votes_q() -> Q:
    return Q(status=OwnerVote.Status.OPEN)


def votes(queryset, params):
    """`?status=open`: the votes still open only."""
    return queryset.filter(open_votes_q()) if params.get("status") == "open" else queryset


class SearchFilter(django_filters.FilterSet):
    """`q`: every word in the text of `index`, best first. The lists and the API restrict their rows
    with votes.view: the index is read in that scope first (core.search, `narrow`)."""

    index = search.TOPICS
    # longer is no search anyone types: refused with the form's message (a 400 on the API)
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=MAX_QUERY)

    @property
    def qs(self):
        return super().qs if not self.is_bound or self.is_valid() else self.queryset.none()

    def search(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return self.index.search(queryset, value, scope=scope_for(user, "votes.view") if user else None)


class TopicFilter(SearchFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Topic.Status.choices)

    class Meta:
        model = Topic
        fields: list[str] = []


class MeetingFilter(SearchFilter):
    index = search.MEETINGS
    # ?when=today: the workbench's link to the meetings of today
    when = django_filters.ChoiceFilter(label=_("When"), method="by_day", choices=[("today", _("Today"))])

    class Meta:
        model = Meeting
        fields: list[str] = []

    def by_day(self, queryset, name, value):
        return queryset.filter(meetings_today_q(timezone.now()))
