"""What a periodic report (月报/季报/年报) and a problem list (问题清单和台账) hold.

The figures are those of the dashboard, computed by the same code: cases.rollup.dashboard (the
live part plus the pre-aggregated CaseStat, GROUP BY in SQL) over cases.metrics' counters and
rates (docs/metrics.md). A report costs a fixed number of queries whatever the number of
requests. Lists show what the work-order list shows of a request (number, place, category, the
start of the description, handler, deadline, state): never a reporter, so an anonymous reporter
is never named.
"""

from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases import metrics, rollup
from linli.cases.filters import overdue_q
from linli.cases.models import OPEN_STATES, Case, CaseStat, State
from linli.core import charts
from linli.core.scope import scope_for
from linli.deliberation.models import OwnerVote, Topic

from . import cobuilding
from .cobuilding import CoBuilding
from .periods import Period
from .places import Place

LIST_LIMIT = 200  # rows of the overdue and escalated lists on the paper; the count says how many in all
SHORT = 40  # characters of a description on a list
RATE_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")
LIST_FIELDS = ("category", "grid", "community", "compound", "building", "assignee_org")


def short(text: str, n: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def location(case) -> str:
    """Where the problem is, as the list shows it: grid, compound, building."""
    parts = [case.grid.name if case.grid_id else ""]
    parts += [x.name for x in (case.compound, case.building) if x is not None]
    return " ".join(p for p in parts if p)


@dataclass
class Row:
    """One request on a report's list."""

    number: str
    reported: object
    category: str
    where: str
    problem: str
    handler: str
    deadline: object
    state: str
    overdue: bool
    note: str = ""

    @classmethod
    def of(cls, case, now):
        notes = []
        if case.extended:
            notes.append(_("Deadline extended"))
        if case.deferred:
            notes.append(_("Deferred"))
        if case.paused_at:
            notes.append(_("Clock stopped"))
        if case.needs_supervisor or case.state == State.ESCALATED:
            notes.append(_("Escalated"))
        return cls(
            number=case.number,
            reported=timezone.localtime(case.created_at),
            category=case.category.name,
            where=f"{case.community.name} {location(case)}".strip(),
            problem=short(case.description),
            handler=case.assignee_org.name if case.assignee_org_id else "",
            deadline=timezone.localtime(case.resolve_by),
            state=case.get_state_display(),
            overdue=case.state in OPEN_STATES and case.paused_at is None and case.resolve_by < now,
            note="、".join(str(n) for n in notes),
        )


@dataclass
class Periodic:
    place: Place
    period: Period
    now: object
    summary: dict
    previous: dict
    hours: dict
    tables: dict
    changes: list
    chart: dict
    overdue: list
    overdue_count: int
    escalated: list
    escalated_count: int
    topics: list
    votes: list
    cobuilding: CoBuilding | None = None
    generated_at: object = field(default_factory=timezone.now)


def _figures(cases, stats, period, now):
    c = cases.filter(created_at__gte=period.start, created_at__lt=period.end)
    s = stats.filter(month__gte=period.first_day, month__lt=period.end_day) if stats is not None else None
    return rollup.dashboard(c, s, now)


def _change(label, current, previous, is_rate=False):
    """One line of 环比: a count with its difference and relative change, a rate with its
    difference in percentage points (None where either side has nothing)."""
    diff = None if current is None or previous is None else current - previous
    relative = None
    if not is_rate and diff is not None and previous:
        relative = metrics.rate(diff, previous)
    return {
        "label": label,
        "current": current,
        "previous": previous,
        "diff": diff,
        "relative": relative,
        "rate": is_rate,
        "shown": _shown(current, previous, diff, relative, is_rate),
    }


def _shown(current, previous, diff, relative, is_rate):
    """The line as the paper prints it: rates in %, their change in percentage points."""
    if is_rate:
        points = None if diff is None else _("%(n)s pp") % {"n": f"{float(diff) * 100:+.1f}"}
        return [charts.percent(current), charts.percent(previous), points or "—", "—"]
    return [str(current), str(previous), f"{diff:+d}", charts.percent(relative) if relative is not None else "—"]


def changes(summary, previous) -> list[dict]:
    return [
        _change(_("Number of requests"), summary["total"], previous["total"]),
        _change(_("Handled"), summary["handled"], previous["handled"]),
        _change(_("Overdue"), summary["overdue"], previous["overdue"]),
        _change(_("Response rate"), summary["response_rate"], previous["response_rate"], True),
        _change(_("Resolution rate"), summary["resolution_rate"], previous["resolution_rate"], True),
        _change(_("Satisfaction rate"), summary["satisfaction_rate"], previous["satisfaction_rate"], True),
        _change(_("On-time closure rate"), summary["on_time_rate"], previous["on_time_rate"], True),
    ]


def _list(cases, q, now, order):
    rows = cases.filter(q).select_related(*LIST_FIELDS).order_by(*order)
    return [Row.of(c, now) for c in rows[:LIST_LIMIT]], rows.count()


def periodic(user, place: Place, period: Period, now=None, step=None) -> Periodic:
    """The report of `place` (already checked to be in the user's scope) for `period`.
    step(name): called after each part, for a background job's progress."""
    now = now or timezone.now()
    step = step or (lambda name: None)
    cases = Case.objects.restrict(user, "dispatch").filter(place.q)
    stats = (
        CaseStat.objects.restrict(user, "dispatch").filter(place.q)
        if rollup.covers(scope_for(user, "cases.dispatch"))
        else None
    )
    summary, hours, tables = _figures(cases, stats, period, now)
    step("current")
    previous, _hours, previous_tables = _figures(cases, stats, period.previous(), now)
    step("previous")
    months = previous_tables["month"] + tables["month"]
    in_period = cases.filter(created_at__gte=period.start, created_at__lt=period.end)
    overdue, overdue_count = _list(in_period, overdue_q(now), now, ("resolve_by", "id"))
    escalated, escalated_count = _list(in_period, metrics.escalated_q(), now, ("created_at", "id"))
    step("lists")
    topics = list(
        Topic.objects.restrict(user, "view")
        .filter(place.q, status=Topic.Status.DONE)
        .annotate(done_at=Max("records__completed_at"))
        .filter(done_at__gte=period.start, done_at__lt=period.end)
        .select_related("community", "compound")
        .order_by("done_at", "id")[:LIST_LIMIT]
    )
    votes = list(
        OwnerVote.objects.restrict(user, "view")
        .filter(place.q, closed_at__gte=period.start, closed_at__lt=period.end)
        .select_related("community", "compound")
        .order_by("closed_at", "id")[:LIST_LIMIT]
    )
    step("deliberation")
    co = cobuilding.figures(user, place, period.start, period.end, now)
    step("cobuilding")
    return Periodic(
        place=place,
        period=period,
        now=now,
        summary=summary,
        previous=previous,
        hours=hours,
        tables=tables,
        changes=changes(summary, previous),
        chart=charts.rates_chart(months),
        overdue=overdue,
        overdue_count=overdue_count,
        escalated=escalated,
        escalated_count=escalated_count,
        topics=topics,
        votes=votes,
        cobuilding=co,
    )


def count(user, place: Place, period: Period) -> int:
    """How many requests the report counts (decides whether it runs in the background)."""
    cases = Case.objects.restrict(user, "dispatch").filter(place.q)
    return cases.filter(created_at__gte=period.start, created_at__lt=period.end).count()


def problems(user, place: Place, now=None):
    """问题清单和台账: the open requests of a grid or community, oldest first (an iterator)."""
    now = now or timezone.now()
    cases = (
        Case.objects.restrict(user, "dispatch")
        .filter(place.q, state__in=OPEN_STATES)
        .select_related(*LIST_FIELDS)
        .order_by("created_at", "id")
    )
    return (Row.of(c, now) for c in cases.iterator(chunk_size=2000))
