"""The three rates of 接诉即办 and handling times. Definitions: docs/metrics.md.

All counts come from one grouped query (conditional COUNTs), so a table by grid or by
category costs one query whatever the number of rows.
"""

from fractions import Fraction

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import OPEN_STATES, Assignment, Rating, State

DONE = (State.HANDLED, State.VERIFIED, State.RATED, State.CLOSED)
RATED = (Rating.SATISFIED, Rating.BASIC, Rating.DISSATISFIED)


def counts(now):
    """The counters behind every rate, as aggregates over requests (one row each: no joins)."""
    return {
        "total": Count("id"),
        # due for a response: the deadline has passed, or it was answered already
        "response_due": Count("id", filter=Q(respond_by__lte=now) | Q(responded_at__isnull=False)),
        "responded_in_time": Count("id", filter=Q(responded_at__isnull=False, responded_at__lte=F("respond_by"))),
        "accepted": Count("id", filter=~Q(state__in=(State.DECLINED, State.MERGED))),
        "resolved": Count("id", filter=Q(state__in=DONE) & ~Q(rating=Rating.DISSATISFIED)),
        "rated": Count("id", filter=Q(rating__in=RATED)),
        "satisfied": Count("id", filter=Q(rating__in=(Rating.SATISFIED, Rating.BASIC))),
        "open": Count("id", filter=Q(state__in=OPEN_STATES)),
        # the clock stopped (deferred, in deliberation): not overdue while it is (filters.overdue_q)
        "overdue": Count("id", filter=Q(state__in=OPEN_STATES, paused_at=None, resolve_by__lt=now)),
        # the practice of city supervision centres: on-time closure over (due − deferred), rework, extensions
        "due": Count("id", filter=Q(resolve_by__lte=now) | Q(handled_at__isnull=False)),
        "due_deferred": Count("id", filter=(Q(resolve_by__lte=now) | Q(handled_at__isnull=False)) & Q(deferred=True)),
        "closed_on_time": Count(
            "id", filter=Q(handled_at__isnull=False, handled_at__lte=F("resolve_by"), deferred=False)
        ),
        "handled": Count("id", filter=Q(handled_at__isnull=False)),
        "reworked": Count("id", filter=Q(reworked=True)),
        "extended": Count("id", filter=Q(extended=True)),
        "escalated": Count("id", filter=Q(state__in=OPEN_STATES) & escalated_q()),
    }


def escalated_q() -> Q:
    """Escalated: waiting for the supervisor, whistle blown (吹哨), or assigned to a department (交办)."""
    return (
        Q(needs_supervisor=True) | Q(state=State.ESCALATED) | Q(Exists(Assignment.objects.filter(case=OuterRef("pk"))))
    )


def rate(numerator: int, denominator: int) -> Fraction | None:
    """An exact fraction; None when nothing was due (shown as —, never as 0 % or 100 %)."""
    return Fraction(numerator, denominator) if denominator else None


def with_rates(row: dict) -> dict:
    row["response_rate"] = rate(row["responded_in_time"], row["response_due"])
    row["resolution_rate"] = rate(row["resolved"], row["accepted"])
    row["satisfaction_rate"] = rate(row["satisfied"], row["rated"])
    row["on_time_rate"] = rate(row["closed_on_time"], row["due"] - row["due_deferred"])
    row["rework_rate"] = rate(row["reworked"], row["handled"])
    row["extension_rate"] = rate(row["extended"], row["due"])
    return row


def summary(queryset, now=None) -> dict:
    return with_rates(queryset.aggregate(**counts(now or timezone.now())))


def by(queryset, key: str, now=None) -> list[dict]:
    """Rates grouped by one key, e.g. "grid__name", "category__name", "assignee_org__name"."""
    rows = queryset.order_by().values(key).annotate(**counts(now or timezone.now())).order_by(key)
    return [with_rates(dict(r, label=r[key])) for r in rows]


def by_month(queryset, now=None) -> list[dict]:
    """Rates per calendar month of reporting (Asia/Shanghai), oldest first."""

    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(**counts(now or timezone.now()))
        .order_by("month")
    )
    return [with_rates(dict(r, label=f"{r['month']:%Y-%m}")) for r in rows]
