"""The facility register's rules with numbers (docs/facilities.md, "Rules"), each tested at its
boundaries: an inspection is overdue once its due date has passed (the due day is not); it is
due soon within `LINLI_INSPECTION_SOON_DAYS` days (以内: the last day included); a facility named
by `LINLI_FACILITY_FAILURES` requests or more within `LINLI_FACILITY_FAILURE_DAYS` days (the
request made exactly that many days ago included) is a topic candidate (议题候选)."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .extensions import REPORTS
from .models import Facility


def failures_threshold() -> tuple[int, int]:
    """(N requests, M days)."""
    return settings.LINLI_FACILITY_FAILURES, settings.LINLI_FACILITY_FAILURE_DAYS


def overdue_q(today: dt.date) -> Q:
    return Q(inspection_due__lt=today) & ~Q(state=Facility.State.RETIRED)


def due_soon_q(today: dt.date) -> Q:
    """Due today or within the next LINLI_INSPECTION_SOON_DAYS days (not yet overdue)."""
    last = today + dt.timedelta(days=settings.LINLI_INSPECTION_SOON_DAYS)
    return Q(inspection_due__gte=today, inspection_due__lte=last) & ~Q(state=Facility.State.RETIRED)


INSPECTION = {"overdue": overdue_q, "soon": due_soon_q}


def failures_since(now=None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=failures_threshold()[1])


def with_recent_failures(qs, now=None):
    """Each facility annotated with `recent_failures`: the requests naming it made within the last
    M days (one subquery, so a page costs no query per row). Without an app registering the
    requests (REPORTS), zero."""
    rows = REPORTS.get("rows")
    if rows is None:
        return qs.annotate(recent_failures=Value(0, output_field=IntegerField()))
    counted = (
        rows()
        .filter(facility_id=OuterRef("pk"), created_at__gte=failures_since(now))
        .order_by()
        .values("facility_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(recent_failures=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def topic_candidates(qs, now=None):
    """The facilities with N or more requests within M days: 议题候选 (repeated failures)."""
    return with_recent_failures(qs, now).filter(recent_failures__gte=failures_threshold()[0])


def recent_failure_ids(facility, now=None) -> list[int]:
    """The ids of the requests counted for `facility` (to raise a topic from them)."""
    rows = REPORTS.get("rows")
    if rows is None:
        return []
    recent = rows().filter(facility_id=facility.pk, created_at__gte=failures_since(now))
    return list(recent.order_by("created_at").values_list("pk", flat=True))


def is_candidate(recent_failures: int) -> bool:
    return recent_failures >= failures_threshold()[0]
