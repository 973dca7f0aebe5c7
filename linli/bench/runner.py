"""The benchmarks of `make bench`, run against the synthetic district of `linli bench-data`.

Each measurement is repeated; we report the median and the 95th percentile (nearest rank) of the
samples after one warm-up run, and for pages the number of SQL queries they issue. Pages are
fetched in-process with Django's test client (the view, its queries and the template, without a
network hop); request intake is measured over HTTP against gunicorn with a load generator in
another process; the ledger import runs in a child process so its peak memory can be read.
"""

import gc
import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.testing import log_in

from .district import FULL, bench_users
from .load import percentile

BEGIN, END = "<!-- bench:results -->", "<!-- /bench:results -->"
PAGE = 30  # rows per page of the work-order list and the board


@dataclass
class Options:
    repeat: int = 15
    seconds: float = 10.0  # per HTTP load level
    import_rows: int = 100_000
    clients: tuple = (1, 8, 32)
    workers: int = 2 * (os.cpu_count() or 1) + 1  # gunicorn's advice for sync workers, as in docs/deploy.md
    throttle: bool = True  # the phone benchmark's Slow 4G and 4x CPU (off in bench-smoke: correctness only)
    out: callable = print
    results: list = field(default_factory=list)

    def record(self, group, name, **figures):
        entry = {"group": group, "name": name, **figures}
        self.results.append(entry)
        shown = ", ".join(f"{k}={v}" for k, v in figures.items() if k not in ("samples",))
        self.out(f"  {group} · {name}: {shown}")
        return entry


def _on_cpu_ns(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cpu_clock():
    """Nanoseconds on a CPU so far of this thread and, on PostgreSQL, of the connection's server
    process (Linux `/proc/<pid>/schedstat`, exact for a process that waits, as the server does
    between our statements), with that process's id; None when the server's figure cannot be
    read. Unlike the wall clock, it does not count the time spent waiting for a CPU that another
    process holds: what a page costs whatever else a shared machine is doing."""
    mine = time.thread_time_ns()
    if connection.vendor != "postgresql":
        return mine, None  # SQLite works in this thread: counted already
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    server = _on_cpu_ns(f"/proc/{pid}/schedstat")
    return (mine + server, pid) if server is not None else None


def timed(fn, repeat):
    fn()  # warm-up: caches, connections, compiled templates
    samples, cpu = [], []
    for _i in range(repeat):
        before = cpu_clock()
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
        after = cpu_clock()
        if before and after and before[1] == after[1]:  # not when the connection was renewed meanwhile
            cpu.append((after[0] - before[0]) / 1e6)
    figures = {
        "median_ms": round(percentile(samples, 50), 1),
        "p95_ms": round(percentile(samples, 95), 1),
        "min_ms": round(min(samples), 1),  # on a shared machine, the run least slowed by the others
        "runs": repeat,
    }
    if cpu:
        figures["cpu_ms"] = round(percentile(cpu, 50), 1)  # the median of the runs' CPU time
    return figures


def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _get(client, url):
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    return fetch


def _client(user):
    client = Client()
    if user is not None:
        log_in(client, user)  # staff pages need the second factor: a verified session
    return client


def _page(count, wanted):
    return max(1, min(wanted, -(-count // PAGE)))


def _deep(rows, keyset, page):
    """The query string of page `page` as a user reaches it, by "older" links (core.keyset): the
    cursor after the last row of the page before (none for page 1)."""
    from linli.core.keyset import AFTER

    if page == 1:
        return ""
    before = keyset.ordered(rows)[(page - 1) * PAGE - 1]
    return urlencode({"cursor": keyset.encode(before, AFTER)})


# ---- 3 · lists and the board ----------------------------------------------------
def bench_lists(opts, users):
    from linli.board import content as board_content
    from linli.board.views import KEYSET as BOARD_KEYSET
    from linli.cases.models import Case, Category, State
    from linli.cases.views import LIST_KEYSET

    staff = users["subdistrict"]
    leaf = (
        Case.objects.restrict(staff)
        .filter(state=State.CLOSED)
        .order_by()
        .values("category")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    category = Category.objects.get(pk=leaf["category"]) if leaf else Category.objects.first()
    closed = Case.objects.restrict(staff).filter(state=State.CLOSED)
    community = users["community_obj"]
    on_board = Case.objects.filter(board_content.on_board(community))
    pages = []
    for label, url, user, rows, keyset in (
        ("staff list, state=closed", "/cases/?state=closed", staff, closed, LIST_KEYSET),
        (
            "staff list, state=closed & category",
            f"/cases/?state=closed&category={category.pk}",
            staff,
            closed.filter(category=category),
            LIST_KEYSET,
        ),
        (
            "district admin list, state=closed",
            "/cases/?state=closed",
            users["admin"],
            Case.objects.filter(state=State.CLOSED),
            LIST_KEYSET,
        ),
        ("public board", f"/board/{community.pk}/?", None, on_board, BOARD_KEYSET),
    ):
        last = _page(rows.count(), 200)  # page 200, or the last page where there are fewer
        sep = "" if url.endswith("?") else "&"
        pages += [
            (f"{label}, page 1", url, user),
            (f"{label}, page {last}", f"{url}{sep}{_deep(rows, keyset, last)}", user),
        ]
    for name, url, user in pages:
        fetch = _get(_client(user), url)
        opts.record("lists", name, url=url, queries=queries(fetch), **timed(fetch, opts.repeat))


# ---- 4 · dashboard ----------------------------------------------------------------
# ---- 11 · search (issue 16) -------------------------------------------------------
# Terms of the generated district's texts (bench.district, demo.builder): 楼道 is in three of the
# request texts (about one request in seven), 协调未果 in the note of an escalation (about one in
# a hundred); 雨水倒灌 is nowhere.
SEARCH_TERMS = (
    ("common two-character term", "楼道"),
    ("rare four-character term", "协调未果"),
    ("term found nowhere", "雨水倒灌"),
)


def bench_search(opts, users):
    """A sub-district worker's search of the work-order list, page 1 (ranked, highlighted)."""
    from linli.cases.models import Case
    from linli.cases.search import INDEX

    staff = users["subdistrict"]
    for label, term in SEARCH_TERMS:
        url = f"/cases/?{urlencode({'q': term})}"
        fetch = _get(_client(staff), url)
        found = INDEX.search(Case.objects.restrict(staff), term, rank=False).count()
        opts.record(
            "search",
            f"staff search, {label} {term}, page 1",
            url=url,
            queries=queries(fetch),
            in_scope=found,
            **timed(fetch, opts.repeat),
        )


# ---- 12 · a resident's phone on a slow network (issue 16 §7) ------------------------
def bench_phone(opts, users):
    """The resident pages in Chromium, Slow 4G and 4x CPU (bench.phone): bytes on a first and a
    repeat visit, LCP and time to interactive, medians of a few runs."""
    from . import phone

    resident, pages = phone.resident_pages(users)
    cookie = phone.session_cookie(resident)
    runs = max(1, opts.repeat // 5)
    with phone.served() as (port, _root):
        figures = phone.measure(f"http://127.0.0.1:{port}", pages, cookie, runs=runs, throttle=opts.throttle)
    for name, url in pages:
        first, repeat = figures[name]["first"], figures[name]["repeat"]

        def median(rows, key):
            return percentile([r[key] for r in rows], 50)

        opts.record(
            "phone",
            name,
            url=url,
            runs=runs,
            throttled=opts.throttle,
            statuses=sorted({r["status"] for r in first + repeat}, key=str),
            external=sorted({u for r in first + repeat for u in r["external"]}),
            first_kb=median(first, "kb"),
            repeat_kb=median(repeat, "kb"),
            first_requests=median(first, "requests"),
            repeat_from_cache=median(repeat, "from_cache"),
            ttfb_ms=median(first, "ttfb_ms"),
            lcp_ms=median(first, "lcp_ms"),
            tti_ms=median(first, "tti_ms"),
            repeat_lcp_ms=median(repeat, "lcp_ms"),
            repeat_tti_ms=median(repeat, "tti_ms"),
        )


def bench_dashboard(opts, users):
    year = timezone.localtime().year - 1  # the last whole year
    for name, user, url in (
        (f"sub-district, year {year}", users["subdistrict"], f"/cases/dashboard/?year={year}"),
        (f"district, year {year}", users["admin"], f"/cases/dashboard/?year={year}"),
        ("district, all two years", users["admin"], "/cases/dashboard/"),
    ):
        fetch = _get(_client(user), url)
        opts.record("dashboard", name, url=url, queries=queries(fetch), **timed(fetch, max(5, opts.repeat // 2)))


# ---- 5 · owners' vote tally ------------------------------------------------------
def bench_tally(opts, users):
    from linli.deliberation import actions
    from linli.deliberation.models import OwnerVote

    vote = OwnerVote.objects.annotate(n=Count("electors")).order_by("-n").first()
    electors, ballots = vote.electors.count(), vote.ballots.count()
    opts.record(
        "tally",
        f"result of a vote: {electors} owners, {ballots} ballots",
        queries=queries(lambda: actions.result(vote)),
        **timed(lambda: actions.result(vote), opts.repeat),
    )
    fetch = _get(_client(users["subdistrict"]), f"/deliberation/votes/{vote.pk}/")
    opts.record("tally", "vote page with the result", queries=queries(fetch), **timed(fetch, opts.repeat))


# ---- 6 · scope ---------------------------------------------------------------------
def bench_scope(opts, users):
    from linli.cases.models import Case

    for level in ("grid", "community", "subdistrict", "admin"):
        user = users[level]
        fetch = _get(_client(user), "/cases/?page=1")
        opts.record(
            "scope",
            f"work-order list page 1 as {level} worker"
            if level != "admin"
            else "work-order list page 1 as district admin",
            in_scope=Case.objects.restrict(user).count(),
            queries=queries(fetch),
            **timed(fetch, opts.repeat),
        )


# ---- 7 · periodic reports (月报 · 年报) ----------------------------------------------
def bench_reports(opts, users):
    """The whole report as the background job makes it: figures and lists (reports.content),
    the xlsx and the PDF with its chart; the district over the last whole year and month."""
    from linli.reports import content, papers, places, workbook
    from linli.reports.periods import Period

    today = timezone.localdate()
    last = today.year * 12 + today.month - 2
    sub = users["subdistrict_obj"]
    for name, user, value, period in (
        (f"sub-district, year {today.year - 1}", users["subdistrict"], f"subdistrict-{sub.pk}", None),
        (f"district, year {today.year - 1}", users["admin"], "district", None),
        (f"district, month {last // 12}-{last % 12 + 1:02d}", users["admin"], "district", (last // 12, last % 12 + 1)),
    ):
        period = Period("month", *period) if period else Period("year", today.year - 1, 1)
        place = places.resolve(user, value, places.PERIODIC)

        def figures(user=user, place=place, period=period):
            return content.periodic(user, place, period)

        def whole(figures=figures):
            report = figures()
            workbook.periodic(report)
            papers.periodic_pdf(report)

        opts.record(
            "reports",
            f"{name}, complete (figures, xlsx, PDF)",
            queries=queries(figures),
            requests=content.count(user, place, period),
            **timed(whole, max(1, opts.repeat // 5)),
        )


def _rss():
    """This process's resident memory in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_exports(opts, users):
    """A list exported as CSV as the browser gets it (the streamed response read to its end): the
    district administrator's work orders of one category, then all of them. Memory is the
    process's resident size sampled while reading, against what it was before."""
    from linli.cases.models import Case

    leaf = Case.objects.order_by().values("category").annotate(n=Count("id")).order_by("n").last()
    client = _client(users["admin"])
    for name, url in (
        ("district admin, work orders of one category, CSV", f"/cases/export.csv?category={leaf['category']}"),
        ("district admin, all work orders, CSV", "/cases/export.csv"),
    ):
        client.get(url + ("&" if "?" in url else "?") + "state=rated").close()  # warm-up on a small slice
        gc.collect()
        before = peak = _rss()
        lines = 0
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            for i, chunk in enumerate(response.streaming_content):
                lines += chunk.count(b"\n")
                if i % 64 == 0:
                    peak = max(peak, _rss())
            response.close()
        ms = round((time.perf_counter() - began) * 1000, 1)
        opts.record(
            "exports",
            name,
            rows=lines - 1,
            median_ms=ms,
            p95_ms=ms,
            runs=1,
            queries=len(ctx.captured_queries),
            rss_before_mb=round(before / 2**20, 1),
            rss_growth_mb=round((max(peak, _rss()) - before) / 2**20, 1),
        )


# ---- 9 · co-building: the wish wall, the matching page, the three lists ---------------
def cobuilding_users(users):
    """Who reads the co-building pages of the benchmark community besides its staff: the resident
    login of one of its households (bench-jm) and the liaison of one of its partners (bench-gj)."""
    from linli.accounts.models import RoleAssignment
    from linli.accounts.roles import Role

    community = users["community_obj"]
    roles = RoleAssignment.objects.select_related("user").order_by("id")
    return {
        "resident": roles.filter(role=Role.RESIDENT, household__community=community).first().user,
        "partner": roles.filter(role=Role.PARTNER_STAFF, organisation__community=community).first().user,
    }


def bench_cobuilding(opts, users):
    """The wish wall (public) and the wish list as staff, a resident and a partner see it; the
    public board, whose sections include the delivered wishes and projects; the matching page
    (对接) with and without a community chosen, over a sub-district's 10 communities and the
    district's 100; the needs, resources and projects lists. Each page deep in a list or at a
    larger scope names the page whose queries it must equal (`same_as`, checked by `check`)."""
    from linli.projects.models import Need, Project, Resource
    from linli.wishes.models import ON_WALL, Wish
    from linli.wishes.views import WALL_PAGE

    community, c = users["community_obj"], users["community_obj"].pk
    sub, admin, staff = users["subdistrict"], users["admin"], users["community"]
    more = cobuilding_users(users)

    def deep(label, url, user, rows, per_page=50, wanted=200):
        """Page 1 and page `wanted`, or the last page when there are fewer (none when one page)."""
        last = max(1, min(wanted, -(-rows.count() // per_page)))
        sep = "&" if "?" in url else "?"
        first = [(f"{label}, page 1", url, user, None)]
        return first + ([(f"{label}, page {last}", f"{url}{sep}page={last}", user, first[0][0])] if last > 1 else [])

    wall = Wish.objects.filter(community=community, state__in=ON_WALL)
    pages = deep("wish wall (public)", f"/wishes/wall/{c}/", None, wall, per_page=WALL_PAGE)
    pages += deep("wish list, community staff", "/wishes/", staff, Wish.objects.restrict(staff))
    pages += deep("wish list, sub-district staff", "/wishes/", sub, Wish.objects.restrict(sub))
    pages += deep("wish list, district admin", "/wishes/", admin, Wish.objects.all())
    pages += deep("wish list, resident", "/wishes/", more["resident"], Wish.objects.restrict(more["resident"]))
    pages += deep("wish list, partner liaison", "/wishes/", more["partner"], Wish.objects.restrict(more["partner"]))
    pages += [("public board with its wishes and projects, page 1", f"/board/{c}/", None, None)]
    pages += [
        ("matching, community staff (its community)", "/projects/", staff, None),
        ("matching, sub-district staff, no community chosen", "/projects/", sub, None),
        (
            "matching, district admin, no community chosen",
            "/projects/",
            admin,
            "matching, sub-district staff, no community chosen",
        ),
        ("matching, sub-district staff, a community chosen", f"/projects/?community={c}", sub, None),
        (
            "matching, district admin, a community chosen",
            f"/projects/?community={c}",
            admin,
            "matching, sub-district staff, a community chosen",
        ),
        ("matching, partner liaison (its community)", f"/projects/?community={c}", more["partner"], None),
    ]
    pages += deep("needs, sub-district staff", "/projects/needs/", sub, Need.objects.restrict(sub))
    pages += deep("needs, district admin", "/projects/needs/", admin, Need.objects.all())
    pages += deep(
        "needs, district admin, open", "/projects/needs/?state=open", admin, Need.objects.filter(state="open")
    )
    pages += deep("resources, sub-district staff", "/projects/resources/", sub, Resource.objects.restrict(sub))
    pages += deep("resources, district admin", "/projects/resources/", admin, Resource.objects.all())
    pages += deep("projects, district admin", "/projects/projects/", admin, Project.objects.all())
    for name, url, user, same_as in pages:
        fetch = _get(_client(user), url)
        figures = {"same_as": same_as} if same_as else {}
        opts.record("cobuilding", name, url=url, queries=queries(fetch), **figures, **timed(fetch, opts.repeat))


# ---- 10 · maintenance funds: a compound's balance and its 需续交 list -----------------
FUND_PAGE = 50  # sub-accounts a page (funds.views.AccountListView)


def fund_ledger_check(fund, sample=200):
    """Whether the running figures are what the entries say (docs/funds.md, "Balances at scale"):
    for `sample` sub-accounts spread over the district and those of `fund`, every entry's balance
    after it is the one before plus its amount, the last is the account's balance, the first
    deposits sum to its first deposit and its 需续交 flag follows R2.1; the fund's balance and first
    total are the sums of its sub-accounts' and of its entries. Returns (accounts checked, mismatches)."""
    from django.db.models import Max, Min, Q, Sum

    from linli.funds import rules
    from linli.funds.models import Account, Entry, EntryKind

    span = Account.objects.aggregate(low=Min("id"), high=Max("id"))
    step = max(1, (span["high"] - span["low"]) // sample)
    wanted = set(range(span["low"], span["high"] + 1, step)) | set(
        Account.objects.filter(fund=fund).order_by("id").values_list("id", flat=True)[:sample]
    )
    accounts = Account.objects.in_bulk(sorted(wanted))
    running = {pk: [0, 0] for pk in accounts}  # balance, first deposit
    bad = 0
    entries = Entry.objects.filter(account_id__in=sorted(accounts)).order_by("account_id", "id")
    for account_id, kind, amount, after in entries.values_list("account_id", "kind", "amount", "balance_after"):
        figures = running[account_id]
        figures[0] += amount
        figures[1] += amount if kind == EntryKind.FIRST_DEPOSIT else 0
        bad += figures[0] != after
    for pk, a in accounts.items():
        balance, first = running[pk]
        bad += (a.balance, a.first_deposit, a.needs_topup) != (balance, first, rules.needs_topup(balance, first))
    of_accounts = Account.objects.filter(fund=fund).aggregate(b=Sum("balance"), f=Sum("first_deposit"))
    of_entries = Entry.objects.filter(fund=fund).aggregate(
        b=Sum("amount"), f=Sum("amount", filter=Q(kind=EntryKind.FIRST_DEPOSIT))
    )
    fund.refresh_from_db()
    bad += (fund.balance, fund.first_total) != (of_accounts["b"], of_accounts["f"])
    bad += (fund.balance, fund.first_total) != (of_entries["b"], of_entries["f"])
    return len(accounts), bad


def bench_funds(opts, users):
    """A compound's fund page (its balance and first total: one row; the counts of its houses and
    of those to top up) and its 需续交 list, page 1 and the last page, with the whole list of its
    sub-accounts deep, as the community's staff and the sub-district's see them; a sub-account's
    ledger (newest first); the funds of a sub-district. The compound is the community's largest.
    Then the ledger check: a sample of balances against the sum of their entries."""
    from django.db.models import Count

    from linli.funds.models import Account, Entry, Fund

    community, staff, sub = users["community_obj"], users["community"], users["subdistrict"]
    fund = Fund.objects.filter(community=community).annotate(n=Count("accounts")).order_by("-n", "id").first()
    if fund is None:
        raise RuntimeError("the benchmark community has no maintenance fund: run `linli bench-data` again")
    topup = Account.objects.filter(fund=fund, needs_topup=True).count()
    if not topup:
        raise RuntimeError(f"no house of fund {fund.pk} must top up: the 需续交 list is empty")
    houses = Account.objects.filter(fund=fund).count()
    account = Account.objects.filter(fund=fund, needs_topup=True).order_by("house_id").first()
    entries = Entry.objects.filter(account=account).count()
    last_topup, last_all = _funds_page(topup), _funds_page(houses)
    f, c = f"/funds/{fund.pk}", "community staff"
    pages = [
        (f"fund page (balance), {c}", f"{f}/", staff, None),
        (f"需续交 list, {c}, page 1", f"{f}/accounts/?topup=1", staff, None),
        (f"需续交 list, {c}, page {last_topup}", f"{f}/accounts/?topup=1&page={last_topup}", staff, 1),
        (f"sub-accounts, {c}, page {last_all}", f"{f}/accounts/?page={last_all}", staff, 1),
    ]
    if last_topup == 1:  # one page: no deep one
        del pages[2]
    # the sub-district's staff: the same lists, the same queries as the community's (the fund page
    # checks the community's right to book, which the sub-district's staff have not: a query less)
    pages += [
        (name.replace(c, "sub-district staff"), url, sub, k or None) for k, (name, url, _u, _s) in enumerate(pages)
    ]
    pages += [
        (f"a sub-account's ledger ({entries} entries), {c}", f"/funds/accounts/{account.pk}/", staff, None),
        ("funds of the sub-district, sub-district staff", "/funds/", sub, None),
    ]
    for name, url, user, same_as in pages:
        fetch = _get(_client(user), url)
        figures = {"same_as": pages[same_as][0]} if same_as is not None else {}
        opts.record(
            "funds",
            name,
            url=url,
            houses=houses,
            to_top_up=topup,
            queries=queries(fetch),
            **figures,
            **timed(fetch, opts.repeat),
        )
    checked = {}

    def check():
        checked["accounts"], checked["mismatches"] = fund_ledger_check(fund)

    opts.record(
        "funds",
        "ledger check: sampled balances = the sum of their entries",
        queries=queries(check),
        **checked,
        **timed(check, max(1, opts.repeat // 5)),
    )


def _funds_page(count):
    return max(1, -(-count // FUND_PAGE))


# ---- 1 · ledger import -----------------------------------------------------------
def write_import_file(path, rows):
    """An xlsx of `rows` new people in houses nobody lives in yet (up to 3 a house), in the
    template's format."""
    from openpyxl import Workbook

    from linli.core.validators import id_check_digit
    from linli.ledger import columns as C
    from linli.places.models import House

    vacant = (
        House.objects.filter(households__isnull=True)
        .select_related("compound", "unit__building")
        .order_by("id")[: -(-rows // 3)]
    )
    wb = (
        Workbook()
    )  # not write_only: that omits the sheet's dimension, which makes reading slower than a file from Excel or WPS
    ws = wb.active
    ws.title = C.SHEET
    ws.append(C.PERSON_HEADERS)  # the benchmark imports residents, not the owners register
    written = 0
    for house in vacant.iterator(chunk_size=2000):
        for k, relation in enumerate(("户主", "配偶", "子女")):
            if written == rows:
                break
            birth = date(1950, 1, 1) + timedelta(days=written % 20000)  # unique with the sequence number below
            first17 = f"990101{birth:%Y%m%d}{written // 20000:03d}"
            ws.append(
                [
                    house.compound.name,
                    house.unit.building.name,
                    house.unit.name,
                    house.number,
                    "自有" if k == 0 else "",
                    f"测试{written}",
                    relation,
                    first17 + id_check_digit(first17),
                    f"139{written:08d}",
                    "党员" if written % 11 == 0 else "",
                ]
            )
            written += 1
    wb.save(path)
    return written


def child_import(path):
    """Run in a child process: import `path` as the district admin, roll back, print figures."""
    from linli.accounts.models import User
    from linli.ledger import importer
    from linli.ledger.models import ImportJob

    baseline = _peak_rss_mb()
    content = Path(path).read_bytes()
    user = User.objects.get(username="bench-admin")
    began = time.perf_counter()
    with transaction.atomic():
        job = ImportJob.objects.create(owner=user, filename=Path(path).name, content=content)
        job = importer.run(job)
        status, rows, errors = job.status, job.created_count + job.updated_count, job.errors[:3]
        transaction.set_rollback(True)  # leave the district as it was for the next run
    seconds = time.perf_counter() - began
    peak = _peak_rss_mb()
    print(
        json.dumps(
            {
                "status": status,
                "rows": rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds, 1),
                "baseline_rss_mb": baseline,
                "peak_rss_mb": peak,
                "errors": errors,
            }
        )
    )


def _peak_rss_mb():
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    exec, so a child would report its parent's peak (the parent builds the xlsx in memory)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_import(opts):
    rows_full = opts.import_rows
    with tempfile.TemporaryDirectory() as tmp:
        for rows in (max(50, rows_full // 5), rows_full):
            path = Path(tmp) / f"ledger-{rows}.xlsx"
            written = write_import_file(path, rows)
            result = _child(["--child-import", str(path)])
            if result["status"] != "succeeded":
                raise RuntimeError(f"import failed: {result['errors']}")
            opts.record(
                "import",
                f"ledger import of {written:,} people",
                **result,
                file_mb=round(path.stat().st_size / 2**20, 1),
            )


def _child(args):
    command = [sys.executable, "-m", "linli.cli", "bench", *args]
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- 2 · request intake over HTTP ------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


@contextmanager
def gunicorn(workers, log=None, args=(), env=None):
    """Linli under gunicorn (sync workers) on a free loopback port, as docs/deploy.md runs it;
    yields (port, the master process). Its log goes to `log` (a path), never to a pipe nobody
    reads: a long run that logs would fill the pipe and stall the workers."""
    port = _free_port()
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "linli.bench.settings"} | (env or {})
    with open(log or os.devnull, "ab") as sink:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "linli.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "--log-level",
                "warning",
                *args,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,
        )
    try:
        _wait_for(port)
        yield port, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def remove_cases_after(before, out):
    """Delete the requests a load run reported, ids above `before`, with their audit records and
    the notices of their reporting (whose keys name them: SQLite numbers the next requests with
    the same ids, whose notices would then be dropped as repeats)."""
    from linli.cases.models import Case
    from linli.core.models import AuditLog, Notification

    created = Case.objects.filter(pk__gt=before)
    ids = list(created.values_list("pk", flat=True))
    out(f"  removing the {len(ids):,} requests the load reported")
    AuditLog.objects.filter(
        content_type__model="case", content_type__app_label="cases", object_id__in=[str(pk) for pk in ids]
    ).delete()
    Notification.objects.filter(key__in=[f"cases.case:{pk}:report" for pk in ids]).delete()
    created.delete()


def last_case_id():
    from linli.cases.models import Case

    return Case.objects.order_by("-id").values_list("id", flat=True).first() or 0


# what the intake is compared with (linli.bench.urls): the baseline write, and a view writing nothing
INTAKE_TARGETS = (
    ("bare", "/bench/bare/", False),
    ("baseline", "/bench/intake/", True),
    ("intake", "/api/v1/cases/", True),
)


def bench_intake(opts, users):
    """POST /api/v1/cases/ with a grid worker's token over HTTP, against the baseline write
    (linli.bench.intake) and the bare view, at each client count; then the same intake in
    process (median, the SQL statements of one intake)."""
    from linli.accounts.actions import issue_api_token

    from .intake import in_process, report_body

    token, secret = issue_api_token(users["grid"], name="bench", two_factor=True)  # as if the code was given
    body = report_body(users)
    before = last_case_id()
    try:
        with gunicorn(opts.workers) as (port, _server):
            for clients in opts.clients:
                figures = {}
                for name, path, token_sent in INTAKE_TARGETS:
                    url = f"http://127.0.0.1:{port}{path}"
                    extra = ["--post", body, *(["--header", f"Authorization: Token {secret}"] if token_sent else [])]
                    # warm-up: every worker answers a few requests first (its first one loads the URL conf)
                    warm = max(clients, 2 * opts.workers)
                    _load([url, "--clients", str(warm), "--seconds", str(min(2, opts.seconds)), *extra])
                    figures[name] = _load([url, "--clients", str(clients), "--seconds", str(opts.seconds), *extra])
                intake, baseline, bare = figures["intake"], figures["baseline"], figures["bare"]
                opts.record(
                    "intake",
                    f"{clients} client{'s' if clients > 1 else ''}",
                    workers=opts.workers,
                    load=_loadavg(),
                    intake_rps=intake["rps"],
                    intake_p50_ms=intake["p50_ms"],
                    intake_p95_ms=intake["p95_ms"],
                    intake_errors=intake["errors"],
                    intake_statuses=intake["statuses"],
                    baseline_rps=baseline["rps"],
                    baseline_p50_ms=baseline["p50_ms"],
                    baseline_p95_ms=baseline["p95_ms"],
                    baseline_errors=baseline["errors"],
                    bare_rps=bare["rps"],
                    bare_p95_ms=bare["p95_ms"],
                    bare_errors=bare["errors"],
                    ratio=round(intake["rps"] / baseline["rps"], 3) if baseline["rps"] else None,
                    bare_ratio=round(intake["rps"] / bare["rps"], 3) if bare["rps"] else None,
                )
    finally:
        remove_cases_after(before, opts.out)
        token.delete()
    local = in_process(users, max(opts.repeat, 5) * 10, out=opts.out)
    opts.record(
        "intake",
        "in process",
        load=_loadavg(),
        intake_median_ms=local["intake"]["median_ms"],
        intake_p95_ms=local["intake"]["p95_ms"],
        intake_statements=len(local["intake"]["statements"]),
        baseline_median_ms=local["baseline"]["median_ms"],
        baseline_p95_ms=local["baseline"]["p95_ms"],
        baseline_statements=len(local["baseline"]["statements"]),
    )


def _loadavg():
    """The machine's load average over the last minute (shared machines: say what else ran)."""
    return round(os.getloadavg()[0], 2)


def _load(args):
    done = subprocess.run([sys.executable, "-m", "linli.bench.load", *args], capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout)


# ---- all --------------------------------------------------------------------------
GROUPS = {
    "import": bench_import,
    "intake": bench_intake,
    "lists": bench_lists,
    "dashboard": bench_dashboard,
    "tally": bench_tally,
    "scope": bench_scope,
    "reports": bench_reports,
    "exports": bench_exports,
    "cobuilding": bench_cobuilding,
    "funds": bench_funds,
    "search": bench_search,
    "phone": bench_phone,
}


def _database():
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        return f"postgresql {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    import sqlite3

    return f"sqlite {sqlite3.sqlite_version}"


def run(opts, only=None):
    users = bench_users()
    from linli.cases.models import Case
    from linli.people.models import Household, Person

    requests = Case.objects.count()
    meta = {
        "date": timezone.localtime().isoformat(timespec="seconds"),
        "database": _database(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        # the district's size as a fraction of the full one (bench-data --scale), read from its requests
        "scale": float(f"{requests / FULL['cases']:.3g}"),
        "requests": requests,
        "households": Household.objects.count(),
        "people": Person.objects.count(),
        "repeat": opts.repeat,
        "http_seconds": opts.seconds,
        "gunicorn_workers": opts.workers,
        "load_before": [round(x, 2) for x in os.getloadavg()],  # 1, 5, 15 min: a shared machine's figures need it
    }
    opts.out(
        f"Benchmarking {meta['requests']:,} requests, {meta['households']:,} households, {meta['people']:,} people on "
        f"{meta['database']}"
    )
    for name, fn in GROUPS.items():
        if only and name not in only:
            continue
        opts.out(name)
        fn(opts) if name == "import" else fn(opts, users)
    meta["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return {"meta": meta, "results": opts.results}


def check(report):
    """What a complete run must show, whatever the timings: every benchmark reported, no failed
    request, and pages whose query count does not depend on the page or the scope."""
    problems = []
    results = report["results"]
    groups = {r["group"] for r in results}
    problems += [f"benchmark {g} did not report" for g in GROUPS if g not in groups]
    for r in results:
        if r["group"] == "intake" and "intake_rps" in r:
            failed = r["intake_errors"] + r["baseline_errors"] + r["bare_errors"]
            if failed or not (r["intake_rps"] and r["baseline_rps"]):
                problems.append(
                    f"intake at {r['name']}: {failed} failed requests, {r['intake_rps']} rps "
                    f"(baseline {r['baseline_rps']})"
                )
        if (
            r["group"] == "intake"
            and "intake_statements" in r
            and not (r["intake_statements"] and r["baseline_statements"])
        ):
            problems.append(f"intake {r['name']}: no statements captured")
        if r["group"] not in ("import", "intake", "phone") and not (r["median_ms"] > 0 and r["queries"] > 0):
            problems.append(f"{r['group']} · {r['name']}: no figures")
    lists = [r for r in results if r["group"] == "lists"]
    for first, other in zip(lists[::2], lists[1::2], strict=False):
        if first["queries"] != other["queries"]:
            problems.append(f"{first['name']}: {first['queries']} queries, but {other['queries']} on {other['name']}")
    for group in ("cobuilding", "funds"):
        by_name = {r["name"]: r for r in results if r["group"] == group}
        for r in by_name.values():
            first = by_name.get(r.get("same_as"))
            if first and first["queries"] != r["queries"]:
                problems.append(f"{first['name']}: {first['queries']} queries, but {r['queries']} on {r['name']}")
    problems += [
        f"{r['name']}: {r['mismatches']} of {r['accounts']} sub-accounts or fund totals differ from their entries"
        for r in results
        if r["group"] == "funds" and r.get("mismatches")
    ]
    search = {r["queries"] for r in results if r["group"] == "search" and r["in_scope"]}  # an empty page: no rows
    if len(search) > 1:
        problems.append(f"the search issues a different number of queries by term: {sorted(search)}")
    problems += [
        f"{r['name']}: nothing found"
        for r in results
        if r["group"] == "search" and r["name"].startswith("staff search, common") and not r["in_scope"]
    ]
    problems += phone_problems([r for r in results if r["group"] == "phone"])
    scope = {r["queries"] for r in results if r["group"] == "scope"}
    if len(scope) > 1:
        problems.append(f"the work-order list issues a different number of queries by scope: {sorted(scope)}")
    return problems


def phone_problems(rows):
    """The phone benchmark's correctness, whatever the timings: every page answered 200, nothing
    was asked of another host, and the second visit (cache warm) carried fewer bytes than the first."""
    problems = []
    for r in rows:
        if r["statuses"] != [200]:
            problems.append(f"phone · {r['name']}: answered {r['statuses']}")
        if r["external"]:
            problems.append(f"phone · {r['name']}: requests to other hosts: {r['external']}")
        if not r["first_kb"] > 0:
            problems.append(f"phone · {r['name']}: no bytes measured")
        elif not r["repeat_kb"] < r["first_kb"]:
            problems.append(
                f"phone · {r['name']}: the repeat visit took {r['repeat_kb']} KB, the first {r['first_kb']} KB"
            )
    return problems


def replace_section(markdown, begin, end, text):
    """Put `text` between the markers `begin` and `end` of a markdown file (added at the end
    when they are not there yet); the rest of the file stays as it is."""
    md = Path(markdown)
    content = md.read_text() if md.exists() else "# Benchmarks\n"
    if begin not in content:
        content = content.rstrip("\n") + f"\n\n{begin}\n{end}\n"
    head, _sep, rest = content.partition(begin)
    _old, _sep, tail = rest.partition(end)
    md.write_text(f"{head}{begin}\n{text}{end}{tail}")


def save(report, results_dir, markdown, only=None):
    """The JSON of the run, and its tables in `markdown`: one section per database, so an SQLite
    run does not replace the PostgreSQL figures, and one per set of groups for a partial run
    (`--only`), so it does not replace the whole run's. A district smaller or larger than the full
    one has its scale in the file's name, so the runs of several scales stay side by side (the
    growth chart reads them)."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(report["meta"]["date"])
    vendor = report["meta"]["database"].split()[0]
    scale = report["meta"].get("scale", 1.0)
    sized = f"-scale-{scale:g}" if scale != 1.0 else ""
    part = f":{'+'.join(sorted(only))}" if only else ""
    path = results_dir / f"{stamp:%Y-%m-%d}-{vendor}{sized}{part.replace(':', '-')}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    if markdown:
        section = f"results:{vendor}{sized.replace('-scale-', ':scale-')}{part}"
        replace_section(
            markdown,
            BEGIN.replace("results", section),
            END.replace("results", section),
            to_markdown(report),
        )
    return path


def to_markdown(report):
    m = report["meta"]
    lines = [
        f"Run of {m['date']} on {m['database']}, Python {m['python']}, {m['cpus']} CPUs ({m['machine']}): "
        f"{m['requests']:,} requests, {m['households']:,} households, {m['people']:,} people. "
        f"{m['repeat']} runs after a warm-up; p95 is the nearest-rank 95th percentile.",
        "",
    ]
    groups = {}
    for r in report["results"]:
        groups.setdefault(r["group"], []).append(r)
    titles = {
        "import": "1 · Ledger import",
        "intake": "2 · Request intake over HTTP",
        "lists": "3 · Work-order lists and the public board",
        "dashboard": "4 · Three-rates dashboard",
        "tally": "5 · Owners' vote tally",
        "scope": "6 · Scope filtering",
        "reports": "7 · Periodic reports (the background job's whole work)",
        "exports": "8 · Exports of a whole list (CSV, streamed)",
        "cobuilding": "9 · Co-building: the wish wall, the matching page and the three lists",
        "funds": "10 · Maintenance funds: a compound's balance and its 需续交 list",
        "search": "11 · Search of the work-order list (matching requests in scope)",
        "phone": "12 · A resident's phone: Chromium, Slow 4G, 4× CPU (medians of repeat ÷ 5 runs; KB transferred)",
    }
    for group, rows in groups.items():
        lines += [f"**{titles[group]}**", ""]
        if group == "import":
            lines += [
                "| file | rows | seconds | rows/s | peak RSS (MB) | RSS before (MB) |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {r['name']} ({r['file_mb']} MB) | {r['rows']:,} | {r['seconds']} | {r['rows_per_s']:,.0f} | "
                f"{r['peak_rss_mb']} | {r['baseline_rss_mb']} |"
                for r in rows
            ]
        elif group == "exports":
            lines += [
                "| export | rows | seconds | rows/s | SQL queries | RSS before (MB) | RSS growth (MB) |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {r['name']} | {r['rows']:,} | {r['median_ms'] / 1000:.1f} | "
                f"{r['rows'] / max(r['median_ms'] / 1000, 0.001):,.0f} | {r['queries']} | {r['rss_before_mb']} | "
                f"{r['rss_growth_mb']} |"
                for r in rows
            ]
        elif group == "funds":
            lines += [
                "| measurement | median (ms) | p95 (ms) | SQL queries | rows |",
                "|---|---:|---:|---:|---|",
            ]
            lines += [
                f"| {r['name']} | {r['median_ms']} | {r['p95_ms']} | {r['queries']} | "
                + (
                    f"{r['accounts']:,} sub-accounts checked, {r['mismatches']} mismatches |"
                    if "accounts" in r
                    else f"{r['houses']:,} houses, {r['to_top_up']:,} to top up |"
                )
                for r in rows
            ]
        elif group == "phone":
            lines += [
                "| page | first visit (KB) | requests | repeat visit (KB) | first byte (ms) | LCP (ms) | TTI (ms) "
                "| repeat LCP / TTI (ms) |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {r['name']}{'' if r['throttled'] else ' (not throttled)'} | {r['first_kb']} | "
                f"{r['first_requests']:.0f} | {r['repeat_kb']} | {r.get('ttfb_ms', 0):.0f} | {r['lcp_ms']:.0f} | "
                f"{r['tti_ms']:.0f} | "
                f"{r['repeat_lcp_ms']:.0f} / {r['repeat_tti_ms']:.0f} |"
                for r in rows
            ]
        elif group == "intake":
            lines += intake_table(rows)
        else:
            extra = " in scope |" if group in ("scope", "reports", "search") else ""
            lines += [
                f"| measurement | median (ms) | p95 (ms) | SQL queries |{extra}",
                "|---|---:|---:|---:|" + ("---:|" if extra else ""),
            ]
            lines += [
                f"| {r['name']} | {r['median_ms']} | {r['p95_ms']} | {r['queries']} |"
                + (f" {r.get('in_scope', r.get('requests', 0)):,} |" if extra else "")
                for r in rows
            ]
        lines.append("")
    return "\n".join(lines)


def intake_table(rows):
    """Over HTTP: the intake against the baseline write (the target's ratio) and the bare view; in
    process: the medians and the SQL statements of one intake and of one baseline write."""
    http = [r for r in rows if "intake_rps" in r]
    lines = [
        "| clients | intake rps | intake p50 / p95 (ms) | baseline rps | baseline p50 / p95 (ms) | intake / baseline "
        "| bare rps | intake / bare | errors | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['name']} | {r['intake_rps']} | {r['intake_p50_ms']} / {r['intake_p95_ms']} | {r['baseline_rps']} | "
        f"{r['baseline_p50_ms']} / {r['baseline_p95_ms']} | {r['ratio']:.0%} | {r['bare_rps']} | "
        f"{r['bare_ratio']:.0%} | {r['intake_errors'] + r['baseline_errors'] + r['bare_errors']} | {r['load']} |"
        for r in http
    ]
    for r in rows:
        if "intake_median_ms" in r:
            lines += [
                "",
                f"In process (test client, no HTTP server; load {r['load']}): an intake {r['intake_median_ms']} ms "
                f"median ({r['intake_p95_ms']} p95) in {r['intake_statements']} SQL statements, the baseline write "
                f"{r['baseline_median_ms']} ms ({r['baseline_p95_ms']}) in {r['baseline_statements']}.",
            ]
    return lines
