"""The baseline of the intake benchmark (issue 16 §5): the fastest honest write of a request.

`baseline` is a plain Django view behind the same middleware as the API. It writes what
`POST /api/v1/cases/` writes for a grid worker's report — the request row, with the field values
`cases.actions.report_case` gives it, and its first timeline event, in one transaction, into the
same tables with the same indexes and the same triggers (the search side table's) — and nothing
else: no DRF, no serializer, no scope check, no validation, no notification. What the API would
look up on every request (the token's user, the category's time limits, the grid's community and
sub-district, the working-day calendar) is read once per worker process and kept, so the
baseline pays for the write alone. Only `linli.bench.settings` routes to it (linli.bench.urls).
"""

import datetime as dt
import json

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from linli.accounts.models import ApiToken
from linli.cases.actions import deadlines
from linli.cases.models import Case, CaseEvent, Category, State
from linli.places.models import Grid

# read once per worker process: (kind, key) -> what the API reads on every request
_KEPT: dict = {}


def _kept(kind, key, read):
    if (kind, key) not in _KEPT:
        _KEPT[(kind, key)] = read()
    return _KEPT[(kind, key)]


def _deadlines(category, now):
    """The category's deadlines as the API computes them; the calendar read once per local day and
    category (the same values: the resolve-by deadline depends on the date only)."""
    respond_by = now + dt.timedelta(hours=category.respond_hours)
    day = timezone.localtime(now).date()
    return respond_by, _kept("resolve_by", (category.pk, day), lambda: deadlines(category, now)[1])


@csrf_exempt
@require_POST
def baseline(request):
    secret = request.headers.get("Authorization", "").removeprefix("Token ")
    actor_id = _kept("actor", secret, lambda: ApiToken.find(secret).user_id)
    data = json.loads(request.body)
    category = _kept("category", data["category"], lambda: Category.objects.get(pk=data["category"]))
    grid = _kept("grid", data["grid"], lambda: Grid.objects.get(pk=data["grid"]))
    now = timezone.now()
    respond_by, resolve_by = _deadlines(category, now)
    with transaction.atomic():
        case = Case.objects.create(
            channel=data["channel"],
            category_id=category.pk,
            grid_id=grid.pk,
            community_id=grid.community_id,
            subdistrict_id=grid.subdistrict_id,
            description=data["description"],
            anonymous=data["channel"] == "whisper",
            respond_by=respond_by,
            resolve_by=resolve_by,
            created_by_id=actor_id,
            created_at=now,
        )
        CaseEvent.objects.create(case=case, action="report", to_state=State.ACCEPTED, actor_id=actor_id, created_at=now)
    return JsonResponse({"id": case.pk, "number": case.number}, status=201)


# ---- the benchmark's side: the request it sends, and the in-process profile --------------------
def report_body(users) -> str:
    """The report the benchmark posts: a grid worker's patrol report in their own grid."""
    category = Category.objects.filter(children=None, active=True).order_by("id").first()
    return json.dumps(
        {
            "channel": "patrol",
            "category": category.pk,
            "grid": users["grid_obj"].pk,
            "description": "楼道灯不亮，请尽快维修",
        }
    )


def in_process(users, requests, profile_top=0, out=print):
    """`requests` intakes through the API and as many through the baseline, in this process with
    Django's test client (the middleware, the view, its queries; no HTTP server): for each, the
    median and p95 milliseconds (and the median CPU time of this process: the Python's share), the SQL
    statements of one intake (transaction control included);
    with `profile_top`, a cProfile of the API's intakes and its top entries by cumulative and by
    own time. The requests written are removed afterwards."""
    import cProfile
    import io
    import pstats
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from linli.accounts.actions import issue_api_token

    from .load import percentile
    from .runner import last_case_id, remove_cases_after

    token, secret = issue_api_token(users["grid"], name="bench", two_factor=True)  # as if the code was given
    body, client, before = report_body(users), Client(), last_case_id()
    figures = {}

    def post(url):
        response = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {secret}")
        if response.status_code != 201:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:500]!r}")

    try:
        for name, url in (("baseline", "/bench/intake/"), ("intake", "/api/v1/cases/")):
            for _i in range(20):  # warm-up: the URL conf, the kept rows, the serializer's fields
                post(url)
            with CaptureQueriesContext(connection) as one:
                post(url)
            statements = [q["sql"] for q in one.captured_queries]  # now: the next request clears the log
            samples, cpu = [], []
            for _i in range(requests):
                began, began_cpu = time.perf_counter(), time.process_time()
                post(url)
                samples.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
            figures[name] = {
                "median_ms": round(percentile(samples, 50), 2),
                "p95_ms": round(percentile(samples, 95), 2),
                "cpu_median_ms": round(percentile(cpu, 50), 2),
                "statements": statements,
            }
        if profile_top:
            # CPU time of this process: the Python's own cost, not the waits for the database nor for
            # the other processes of a shared machine
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _i in range(requests):
                post("/api/v1/cases/")
            profiler.disable()
            for order in ("cumulative", "tottime"):
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(profile_top)
                figures[f"profile_{order}"] = text.getvalue()
    finally:
        remove_cases_after(before, out)
        token.delete()
    return figures
