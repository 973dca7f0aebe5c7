"""Pre-aggregated dashboard counts that stay exact (docs/metrics.md, "Pre-aggregation").

A request is *settled* once both its deadlines have passed. From then on every count of
metrics.counts that depends on the time (due for a response, due for closure, overdue) is
fixed; the counts change only when the request itself changes. So:

- `refresh()` (run by `check_overdue` every few minutes, and at the end of `bench-data`) adds
  settled requests to CaseStat, per month, in three rows: by grid, by category and by handling
  organisation, and marks them `rolled_up`. It marks first, then counts the rows it marked, in
  one transaction: no other writer can change them in between.
- `release()` takes a rolled-up request back out (subtracting exactly what it added) and clears
  the mark. The pre_save and pre_delete signals of Case (`release_before_save`,
  `release_before_delete`, connected in CasesConfig.ready) call it, in the caller's transaction,
  before the request changes, so a rolled-up request is never counted twice nor with stale values.
- The dashboard adds CaseStat to a live count of the requests not rolled up. It is exact at any
  moment, whatever the job's lag; the lag only costs speed.
"""

from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from . import metrics
from .models import Case, CaseStat

FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)  # every deadline has passed
WITHIN_HOURS = (4, 8, 24, 48, 72, 120, 168, 240, 360, 720)
COUNTERS = [*metrics.counts(FAR_FUTURE).keys(), "handling_seconds", *(f"within_{h}h" for h in WITHIN_HOURS)]
KEYS = {
    CaseStat.Dimension.GRID: "grid_id",
    CaseStat.Dimension.CATEGORY: "category_id",
    CaseStat.Dimension.ORG: "assignee_org_id",
}
BATCH = 20_000


def expressions(now):
    """The counters of metrics.counts at `now`, plus handling-time sums and cumulative buckets."""
    span = ExpressionWrapper(F("handled_at") - F("created_at"), output_field=DurationField())
    return metrics.counts(now) | {
        "handling_span": Sum(span, filter=Q(handled_at__isnull=False)),
        **{
            f"within_{h}h": Count(
                "id", filter=Q(handled_at__isnull=False, handled_at__lte=F("created_at") + timedelta(hours=h))
            )
            for h in WITHIN_HOURS
        },
    }


def _grouped(ids):
    """Counters of the requests `ids` (None: all rolled up) per month and dimension key. A few
    requests: one grouped query on every key, folded into the three dimensions here; all of
    them: one query per dimension (far fewer groups to fold)."""
    cases = Case.objects.filter(pk__in=ids) if ids is not None else Case.objects.filter(rolled_up=True)
    cases = cases.order_by().annotate(month=TruncMonth("created_at"))
    folded = {}
    for fields in [list(KEYS.values())] if ids is not None else [[key] for key in KEYS.values()]:
        for row in cases.values("month", "subdistrict_id", "community_id", *fields).annotate(**expressions(FAR_FUTURE)):
            _fold(row, fields, folded)
    for (dimension, *_rest), row in folded.items():
        yield dimension, KEYS[dimension], row


def _seconds(row):
    """The handling-time sum of an aggregated row, in whole seconds."""
    span = row.pop("handling_span")
    row["handling_seconds"] = round(span.total_seconds()) if span else 0
    return row


def _fold(row, fields, folded):
    _seconds(row)
    month = row.pop("month")
    month = timezone.localtime(month).date() if isinstance(month, datetime) else month
    for dimension, key in KEYS.items():
        if key in fields:
            target = folded.setdefault(
                (dimension, month, row["community_id"], row[key]),
                {
                    "month": month,
                    "subdistrict_id": row["subdistrict_id"],
                    "community_id": row["community_id"],
                    key: row[key],
                    **dict.fromkeys(COUNTERS, 0),
                },
            )
            for c in COUNTERS:
                target[c] += row[c]


def _apply(ids, sign):
    """Add (sign +1) or subtract (-1) the requests `ids` in CaseStat: the rows concerned are
    read and locked until the transaction ends, then incremented in one executemany."""
    grouped = list(_grouped(ids))
    if not grouped:
        return
    months = {row["month"] for _d, _k, row in grouped}
    communities = {row["community_id"] for _d, _k, row in grouped}
    stats = (
        CaseStat.objects.filter(month__in=months, community_id__in=communities)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "dimension", "month", "community_id", "grid_id", "category_id", "assignee_org_id")
    )
    index = {}
    for pk, *key in stats:
        index.setdefault(tuple(key), pk)
    increments, created = [], []
    for dimension, key, row in grouped:
        where = {
            "dimension": dimension,
            "month": row["month"],
            "subdistrict_id": row["subdistrict_id"],
            "community_id": row["community_id"],
            **dict.fromkeys(KEYS.values()),
            key: row[key],
        }
        pk = index.get(
            (
                dimension,
                row["month"],
                row["community_id"],
                where["grid_id"],
                where["category_id"],
                where["assignee_org_id"],
            )
        )
        if pk is None:
            created.append(CaseStat(**where, **{c: sign * row[c] for c in COUNTERS}))
        else:
            increments.append([sign * row[c] for c in COUNTERS] + [pk])
    CaseStat.objects.bulk_create(created, batch_size=1000)
    if increments:
        table, qn = CaseStat._meta.db_table, connection.ops.quote_name
        sets = ", ".join(f"{qn(c)} = {qn(c)} + %s" for c in COUNTERS)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {qn(table)} SET {sets} WHERE id = %s", increments)  # noqa: S608 - names from the model


def refresh(now=None, batch=BATCH, out=None) -> int:
    """Roll up every settled request not yet rolled up; returns how many were added."""
    now = now or timezone.now()
    done = 0
    while True:
        with transaction.atomic():
            queue = Case.objects.filter(rolled_up=False, respond_by__lt=now, resolve_by__lt=now).order_by("resolve_by")
            if connection.features.has_select_for_update_skip_locked:
                queue = queue.select_for_update(skip_locked=True)
            ids = list(queue.values_list("pk", flat=True)[:batch])
            if not ids:
                return done
            Case.objects.filter(pk__in=ids).update(rolled_up=True)
            _apply(ids, +1)
        done += len(ids)
        if out:
            out(done)


def rebuild() -> int:
    """Recount CaseStat from every rolled-up request (after a bulk load, or to repair). Takes the
    table's lock on PostgreSQL, so releases wait for it and then subtract from the new rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {CaseStat._meta.db_table} IN EXCLUSIVE MODE")  # noqa: S608 - a model's table
        CaseStat.objects.all().delete()
        rows = [CaseStat(dimension=dimension, **row) for dimension, _key, row in _grouped(None)]
        CaseStat.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def release(ids) -> int:
    """Take rolled-up requests back out of the rollup (before they change or go)."""
    with transaction.atomic():
        # locked before they are read: a refresh() rolling them up at this moment finishes first
        # (and is then seen), a later one skips them until this transaction ends
        ids = list(Case.objects.filter(pk__in=ids, rolled_up=True).select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        Case.objects.filter(pk__in=ids).update(rolled_up=False)
        # counted as they are stored, i.e. as they were rolled up (no other write since)
        _apply(ids, -1)
    return len(ids)


def release_before_save(sender, instance, **kwargs):
    """pre_save of Case: a request that is saved again changes, so it leaves the rollup first."""
    if instance._state.adding:
        return
    release([instance.pk])
    instance.rolled_up = False


def release_before_delete(sender, instance, **kwargs):
    """pre_delete of Case: a deleted rolled-up request is subtracted before it goes."""
    if instance.rolled_up:
        release([instance.pk])


def covers(scope) -> bool:
    """The rollup keeps sub-district and community ids: it serves scopes made of those only."""
    return scope.everything or all(level in CaseStat.scope_paths for level, ids in scope.ids.items() if ids)


def percentile_hours(within: dict, handled: int):
    """The smallest bucket bound (hours) within which 90 % of the handled requests were handled,
    or None with nothing handled or past the last bound."""
    if not handled:
        return None
    need = -(-9 * handled // 10)  # ceil(0.9 n): the rank of the nearest-rank 90th percentile
    for hours in WITHIN_HOURS:
        if within[f"within_{hours}h"] >= need:
            return hours
    return None


def _sum(rows, into, label):
    for row in rows:
        target = into.setdefault(row[label], dict.fromkeys(COUNTERS, 0))
        for c in COUNTERS:
            target[c] += row.get(c) or 0


def _live(cases, key, now):
    for row in cases.order_by().values(*key).annotate(**expressions(now)).order_by():
        yield _seconds(row)


def dashboard(cases, stats, now=None):
    """Summary, handling times and the five tables for `cases` (requests in scope, already
    limited to the period). `stats` is the CaseStat queryset for the same scope and period, or
    None to count everything live (scopes the rollup does not cover)."""
    now = now or timezone.now()
    if stats is not None:
        cases = cases.filter(rolled_up=False)
    tables = {}
    specs = [  # the same lookups serve Case and CaseStat
        ("month", CaseStat.Dimension.GRID, ["month"]),
        ("community", CaseStat.Dimension.GRID, ["community__name"]),
        ("grid", CaseStat.Dimension.GRID, ["community__name", "grid__name"]),
        ("category", CaseStat.Dimension.CATEGORY, ["category__name"]),
        ("org", CaseStat.Dimension.ORG, ["assignee_org__name"]),
    ]
    for name, dimension, key in specs:
        live = cases.annotate(month=TruncMonth("created_at")) if name == "month" else cases
        if name == "org":
            live = live.exclude(assignee_org=None)
        merged = {}
        _sum(({**r, "_label": _label(r, key)} for r in _live(live, key, now)), merged, "_label")
        if stats is not None:
            rows = stats.filter(dimension=dimension)
            if name == "org":
                rows = rows.exclude(assignee_org=None)
            _sum(
                (
                    {**r, "_label": _label(r, key)}
                    for r in rows.values(*key).annotate(**{c: Sum(c) for c in COUNTERS}).order_by()
                ),
                merged,
                "_label",
            )
        tables[name] = [metrics.with_rates(dict(counters, label=label)) for label, counters in sorted(merged.items())]
    total = dict.fromkeys(COUNTERS, 0)
    for row in tables["month"]:
        for c in COUNTERS:
            total[c] += row[c]
    summary = metrics.with_rates(total)
    hours = {
        "average": total["handling_seconds"] / 3600 / total["handled"] if total["handled"] else None,
        "p90": percentile_hours(total, total["handled"]),
        "n": total["handled"],
    }
    return summary, hours, tables


def _label(row, key):
    values = [row[k] for k in key]
    if key == ["month"]:
        month = values[0]
        month = timezone.localtime(month).date() if isinstance(month, datetime) else month
        return f"{month:%Y-%m}"
    return " · ".join(str(v) for v in values if v is not None) or "—"
