"""The soak of `make soak` (docs/benchmarks.md, "Soak"): mixed loopback load against gunicorn on
PostgreSQL for a long time (ten minutes by default), PostgreSQL restarted once in the middle.

The clients are logged-in staff and residents (session cookies, API tokens) and anonymous
visitors of the public board; the mix covers staff lists, people search, the board, the API
lists and intake (API and the resident's phone form). While the load runs, the resident memory
(RSS) of every gunicorn worker is sampled. The report gives errors by status — none allowed,
except the requests in flight while PostgreSQL restarted, which are counted apart — p50 / p95
and requests per second per page, and each worker's RSS at the start, at the end and its growth.
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _

from .district import bench_users
from .load import Target
from .runner import _database, gunicorn, last_case_id, remove_cases_after, replace_section

BEGIN, END = "<!-- bench:soak -->", "<!-- /bench:soak -->"
RESIDENTS = 4
CSRF = "soak" * 8  # a 32-character CSRF secret, sent as cookie and header as a browser sends it


class SoakError(Exception):
    """The soak could not run as asked; the message says why."""


@dataclass
class Options:
    seconds: float = 600.0
    clients: int = 8
    workers: int = 2 * (os.cpu_count() or 1) + 1  # as docs/deploy.md
    restart: bool = True
    restart_command: str = ""  # default: pg_ctlcluster for the local cluster on the database's port
    sample_every: float = 5.0
    warmup: float = 5.0
    log: str = "var/soak/gunicorn.log"
    out: callable = print


# ---- who sends what -------------------------------------------------------------------------
def residents(grid):
    """A few resident accounts in the grid worker's grid (made once, kept with the district)."""
    from linli.accounts.models import RoleAssignment, User
    from linli.accounts.roles import Role
    from linli.people.models import Household

    users = []
    for k, household in enumerate(Household.objects.filter(grid=grid).order_by("id")[:RESIDENTS]):
        user, created = User.objects.get_or_create(
            username=f"soak-resident-{k + 1}", defaults={"display_name": f"居民{k + 1}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            RoleAssignment.objects.create(user=user, role=Role.RESIDENT, household=household)
        users.append(user)
    return users


def session(user):
    """A logged-in session (verified by the second factor where the role needs it), as its
    cookie value."""
    from linli.testing import log_in

    client = log_in(Client(), user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@dataclass
class Credentials:
    """What the soak handed out, taken back when it ends."""

    sessions: list
    tokens: list

    def revoke(self):
        from django.contrib.sessions.models import Session

        from linli.accounts.models import ApiToken

        Session.objects.filter(session_key__in=self.sessions).delete()
        ApiToken.objects.filter(pk__in=[t.pk for t in self.tokens]).delete()


def mix(base, users, resident_users):
    """The targets and their weights: what a working day looks like, reads far above writes."""
    from linli.accounts.actions import issue_api_token
    from linli.cases.models import Category

    handed = Credentials([], [])
    sessions = {}
    for name in ("grid", "community", "subdistrict"):
        handed.sessions.append(session(users[name]))
        sessions[name] = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={handed.sessions[-1]}"}
    residents_cookies = []
    for user in resident_users:
        handed.sessions.append(session(user))
        residents_cookies.append(
            {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={handed.sessions[-1]}; {settings.CSRF_COOKIE_NAME}={CSRF}",
                "X-CSRFToken": CSRF,
            }
        )
    token = {}
    for name in ("grid", "community"):
        issued, secret = issue_api_token(users[name], name="soak", two_factor=True)  # as if the code was given
        handed.tokens.append(issued)
        token[name] = {"Authorization": f"Token {secret}"}
    category = Category.objects.filter(children=None, active=True).order_by("id").first()
    grid, community = users["grid_obj"], users["community_obj"]
    surname = "王"
    targets = [
        Target(
            "staff list: sub-district, closed",
            f"{base}/cases/?state=closed",
            headers=sessions["subdistrict"],
            weight=10,
        ),
        Target(
            "staff list: community, in progress",
            f"{base}/cases/?state=in_progress",
            headers=sessions["community"],
            weight=8,
        ),
        Target("staff list: grid worker", f"{base}/cases/", headers=sessions["grid"], weight=8),
        Target(
            "people search: a surname",
            f"{base}/people/?{urlencode({'q': surname})}",
            headers=sessions["community"],
            weight=10,
        ),
        Target("public board: community", f"{base}/board/{community.pk}/", weight=12),
        Target("public board: index", f"{base}/board/", weight=4),
        Target("API: requests list", f"{base}/api/v1/cases/?state=closed", headers=token["community"], weight=8),
        Target("API: persons list", f"{base}/api/v1/persons/", headers=token["grid"], weight=8),
        Target(
            "intake: API",
            f"{base}/api/v1/cases/",
            "POST",
            headers=token["grid"],
            weight=6,
            expect=201,
            body=json.dumps(
                {"channel": "patrol", "category": category.pk, "grid": grid.pk, "description": "楼道灯不亮，请尽快维修"}
            ),
        ),
        Target("resident: my requests", f"{base}/cases/", headers=residents_cookies[0], weight=8),
    ]
    for k, cookies in enumerate(residents_cookies):
        targets.append(
            Target(
                f"intake: resident's phone form ({k + 1})",
                f"{base}/cases/new/mine/",
                "POST",
                expect=302,
                weight=1.5,
                headers=cookies | {"Content-Type": "application/x-www-form-urlencoded"},
                body=urlencode({"category": category.pk, "place": "home", "description": "家门口路灯坏了，晚上很黑"}),
            )
        )
    return targets, handed


# ---- memory and PostgreSQL ------------------------------------------------------------------
def worker_pids(master):
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return sorted(int(pid) for pid in f.read().split())
    except OSError:
        return []


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    """User + system CPU time of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample(master):
    """(time, {worker pid: (RSS in MB, CPU seconds)})."""
    workers = {}
    for pid in worker_pids(master):
        mb, cpu = rss_mb(pid), cpu_seconds(pid)
        if mb is not None and cpu is not None:
            workers[pid] = (mb, cpu)
    return time.time(), workers


def memory(samples):
    """Per worker: RSS at its first sample, at half-time and at its last, its peak, its growth
    over the run and over the second half (a leak keeps growing; a warm cache stops), the CPU
    time it spent; and whether it ran from start to end (a replaced worker means one died)."""
    first, last = set(samples[0][1]), set(samples[-1][1])
    half = (samples[0][0] + samples[-1][0]) / 2
    workers = {}
    for t, sampled in samples:
        for pid, (mb, cpu) in sampled.items():
            w = workers.setdefault(
                pid,
                {
                    "pid": pid,
                    "start_mb": mb,
                    "half_mb": mb,
                    "end_mb": mb,
                    "max_mb": mb,
                    "cpu_from": cpu,
                    "whole_run": pid in first and pid in last,
                },
            )
            if t <= half:
                w["half_mb"] = mb
            w["end_mb"], w["max_mb"], w["cpu_s"] = mb, max(w["max_mb"], mb), round(cpu - w["cpu_from"], 1)
    for w in workers.values():
        w["growth_mb"] = round(w["end_mb"] - w["start_mb"], 1)
        w["second_half_mb"] = round(w["end_mb"] - w["half_mb"], 1)
        del w["cpu_from"]
    return [workers[pid] for pid in sorted(workers)]


def restart_command(opts):
    """pg_ctlcluster for the local cluster listening on the database's port (Debian)."""
    if opts.restart_command:
        return shlex.split(opts.restart_command)
    port = int(connection.settings_dict.get("PORT") or 5432)
    try:
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout  # noqa: S607
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SoakError(
            _("Cannot list the local PostgreSQL clusters (%(error)s): pass --restart-command or --no-restart.")
            % {"error": exc}
        ) from exc
    for line in listing.splitlines():
        version, cluster, cluster_port, *_rest = line.split()
        if int(cluster_port) == port:
            return ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"]
    raise SoakError(
        _("No local PostgreSQL cluster listens on port %(port)s: pass --restart-command or --no-restart.")
        % {"port": port}
    )


def database_back(timeout=120):
    """The wall-clock time at which PostgreSQL accepts a new connection again."""
    import psycopg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(**connection.get_connection_params(), connect_timeout=2):
                return time.time()
        except psycopg.OperationalError:
            time.sleep(0.05)
    raise SoakError(_("PostgreSQL did not accept connections again within %(seconds)s s.") % {"seconds": timeout})


def restart_database(command, started):
    began = time.time()
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - the operator's command
    if done.returncode:
        raise SoakError(
            _("Restarting PostgreSQL failed: %(error)s") % {"error": (done.stderr or done.stdout).strip()[-500:]}
        )
    back = database_back()
    return {
        "command": " ".join(command),
        "began": began,
        "back": back,
        "at_s": round(began - started, 1),
        "down_s": round(back - began, 2),
    }


def classify(failures, window):
    """Failed requests by status: those in flight while PostgreSQL restarted (their time overlaps
    the window from the restart command to the first new connection) and all the others."""
    during, outside = {}, {}
    for f in failures:
        hit = window is not None and f["started"] <= window["back"] and f["ended"] >= window["began"]
        bucket = during if hit else outside
        bucket.setdefault(f["target"], {})
        bucket[f["target"]][str(f["status"])] = bucket[f["target"]].get(str(f["status"]), 0) + 1
    return during, outside


# ---- the run --------------------------------------------------------------------------------
def _load(mixfile, clients, seconds, output):
    command = [
        sys.executable,
        "-m",
        "linli.bench.load",
        "--mix",
        str(mixfile),
        "--clients",
        str(clients),
        "--seconds",
        str(seconds),
    ]
    with open(output, "w") as f:  # a file, not a pipe: the result is read once the load is over
        return subprocess.Popen(command, stdout=f)  # noqa: S603


def _result(process, output):
    if process.wait():
        raise SoakError(_("The load generator failed (exit status %(code)s).") % {"code": process.returncode})
    return json.loads(Path(output).read_text().splitlines()[-1])


def _warm_up(mixfile, opts, tmp, limit=300):
    """Every worker answers every page (its first request loads the URL conf and templates,
    which takes long on a busy machine): rounds of load until every page has answered as
    expected and a round went without errors. A page that never does stops the soak here
    rather than after ten minutes."""
    deadline, answered, last = time.monotonic() + limit, set(), None
    while time.monotonic() < deadline:
        last = _result(
            _load(mixfile, max(opts.clients, 2 * opts.workers), opts.warmup, tmp / "warmup.json"), tmp / "warmup.json"
        )
        answered |= {name for name, t in last["targets"].items() if t["requests"] > t["errors"]}
        if len(answered) == len(last["targets"]) and not last["total"]["errors"]:
            return
    failing = {name: t["statuses"] for name, t in last["targets"].items() if name not in answered or t["errors"]}
    raise SoakError(
        _("These pages did not answer as expected during the warm-up: %(pages)s")
        % {"pages": json.dumps(failing, ensure_ascii=False)}
    )


def _drive(server, mixfile, opts, command, tmp):
    """The load in its own process; here: RSS samples, and the restart half-way."""
    started = time.time()
    load = _load(mixfile, opts.clients, opts.seconds, tmp / "load.json")
    samples, window, restart_at = [sample(server.pid)], None, started + opts.seconds / 2
    next_sample = started + opts.sample_every
    while load.poll() is None:
        now = time.time()
        if command and window is None and now >= restart_at:
            opts.out(f"  restarting PostgreSQL: {' '.join(command)}")
            window = restart_database(command, started)
            opts.out(f"  PostgreSQL accepted connections again after {window['down_s']} s")
        if now >= next_sample:
            samples.append(sample(server.pid))
            next_sample += opts.sample_every
        wake = min(next_sample, restart_at) if command and window is None else next_sample
        time.sleep(min(1.0, max(0.01, wake - time.time())))
    samples.append(sample(server.pid))  # at the end, before gunicorn stops
    return _result(load, tmp / "load.json"), samples, window


def run(opts):
    users = bench_users()
    command = restart_command(opts) if opts.restart else None
    from linli.cases.models import Case
    from linli.people.models import Household, Person

    meta = {
        "date": timezone.localtime().isoformat(timespec="seconds"),
        "database": _database(),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "requests_in_db": Case.objects.count(),
        "households": Household.objects.count(),
        "people": Person.objects.count(),
        "workers": opts.workers,
        "clients": opts.clients,
        "seconds": opts.seconds,
        "load_average_before": [round(x, 1) for x in os.getloadavg()],
    }
    opts.out(
        f"Soak: {opts.seconds:.0f} s, {opts.clients} clients, {opts.workers} gunicorn workers, "
        f"{meta['requests_in_db']:,} requests on {meta['database']}"
        + (", PostgreSQL restarted half-way" if command else "")
    )
    log = Path(opts.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b"")
    targets, handed = mix("http://127.0.0.1:{port}", users, residents(users["grid_obj"]))
    before = last_case_id()
    try:
        with gunicorn(opts.workers, log=log) as (port, server), tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            mixfile = tmp / "mix.json"
            mixfile.write_text(json.dumps([asdict(t) | {"url": t.url.format(port=port)} for t in targets]))
            opts.out("  warm-up")
            _warm_up(mixfile, opts, tmp)
            opts.out("  load")
            result, samples, window = _drive(server, mixfile, opts, command, tmp)
    finally:
        connection.close()  # stale after the restart
        remove_cases_after(before, opts.out)
        handed.revoke()
    meta["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    meta["log_server_errors"] = log.read_text(errors="replace").count("Internal Server Error")
    return report(meta, result, samples, window, command is not None)


def report(meta, result, samples, window, restart_asked):
    during, outside = classify(result["failures"], window)
    workers = memory(samples)
    pages = []
    for name, figures in result["targets"].items():
        pages.append(
            {
                "name": name,
                **{k: figures[k] for k in ("requests", "rps", "p50_ms", "p95_ms", "statuses")},
                "failed_during_restart": sum(during.get(name, {}).values()),
                "errors": sum(outside.get(name, {}).values()),
            }
        )
    total = result["total"]
    return {
        "meta": meta | {"restart_asked": restart_asked},
        "restart": window,
        "pages": pages,
        "total": {k: total[k] for k in ("requests", "rps", "p50_ms", "p95_ms", "statuses")}
        | {
            "failed_during_restart": sum(sum(s.values()) for s in during.values()),
            "errors": sum(sum(s.values()) for s in outside.values()),
        },
        "errors_by_status": _by_status(outside),
        "failed_during_restart_by_status": _by_status(during),
        "memory": workers,
        "cpu_ms_per_request": round(1000 * sum(w["cpu_s"] for w in workers) / total["requests"], 1)
        if total["requests"]
        else None,
        "rss_samples": [
            [round(t - samples[0][0], 1), {str(pid): mb for pid, (mb, _cpu) in sampled.items()}]
            for t, sampled in samples
        ],
    }


def _by_status(buckets):
    merged = {}
    for statuses in buckets.values():
        for status, n in statuses.items():
            merged[status] = merged.get(status, 0) + n
    return merged


def check(report):
    """What fails the soak: an error outside the restart, a page that got no request, a restart
    that was asked for and did not happen, or no memory figures."""
    problems = []
    if report["total"]["errors"]:
        problems.append(
            _("%(n)s requests failed outside the PostgreSQL restart: %(statuses)s")
            % {"n": report["total"]["errors"], "statuses": json.dumps(report["errors_by_status"])}
        )
    problems += [_("%(page)s: no request was sent") % {"page": p["name"]} for p in report["pages"] if not p["requests"]]
    if report["meta"]["restart_asked"] and not report["restart"]:
        problems.append(_("PostgreSQL was not restarted: the run ended before half-way?"))
    if not report["memory"]:
        problems.append(_("No gunicorn worker memory was sampled."))
    return problems


# ---- results ----------------------------------------------------------------------------------
def save(report, results_dir, markdown):
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(report["meta"]["date"])
    path = results_dir / f"{stamp:%Y-%m-%d}-soak-{report['meta']['database'].split()[0]}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    if markdown:
        replace_section(markdown, BEGIN, END, to_markdown(report))
    return path


def to_markdown(report):
    m, r, t = report["meta"], report["restart"], report["total"]
    lines = [
        f"Run of {m['date']} on {m['database']}, Python {m['python']}, {m['cpus']} CPUs: {m['requests_in_db']:,} "
        "requests, "
        f"{m['households']:,} households, {m['people']:,} people; gunicorn {m['workers']} sync workers, "
        f"{m['clients']} clients, "
        f"{m['seconds']:.0f} s. Load average {m['load_average_before'][0]} before and {m['load_average_after'][0]} "
        "after "
        f"(other work on the machine included).",
        "",
    ]
    if r:
        lines += [
            f"PostgreSQL restarted at +{r['at_s']} s (`{r['command']}`); it accepted connections again {r['down_s']} "
            "s later. "
            f"Requests in flight meanwhile that failed: **{t['failed_during_restart']}** "
            f"({', '.join(f'{k}: {v}' for k, v in report['failed_during_restart_by_status'].items()) or 'none'}).",
            "",
        ]
    errors = ", ".join(f"{k}: {v}" for k, v in report["errors_by_status"].items()) or "none"
    lines += [
        f"Errors outside the restart: **{t['errors']}** ({errors}); server errors in the gunicorn log: "
        f"{m['log_server_errors']}.",
        "",
        "| page | requests | requests/s | p50 (ms) | p95 (ms) | failed during the restart | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in [*report["pages"], {"name": "**all**", **t}]:
        lines.append(
            f"| {p['name']} | {p['requests']:,} | {p['rps']} | {p['p50_ms']} | {p['p95_ms']} | "
            f"{p['failed_during_restart']} | {p['errors']} |"
        )
    lines += [
        "",
        "| gunicorn worker | RSS at start (MB) | at half-time | at end | peak | growth | growth in the second half | "
        "CPU (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in report["memory"]:
        lines.append(
            f"| {w['pid']}{'' if w['whole_run'] else ' (not the whole run)'} | {w['start_mb']} | {w['half_mb']} | "
            f"{w['end_mb']} | "
            f"{w['max_mb']} | {w['growth_mb']:+} | {w['second_half_mb']:+} | {w['cpu_s']} |"
        )
    lines += [
        "",
        f"The workers spent {report['cpu_ms_per_request']} ms of CPU a request on average (PostgreSQL's own time not "
        "included): on a busy machine a fairer figure of the work a request costs than its latency.",
        "",
    ]
    return "\n".join(lines)
