"""The soak's machinery: the load generator's mix, what counts as the restart's cost, the memory
figures, the verdict, and that every page of the mix answers the soak's clients as expected.
(`make soak` runs it for ten minutes; `make bench-smoke` runs it for a few seconds.)"""

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from linli.accounts.models import ApiToken
from linli.bench import soak
from linli.bench.district import District, bench_users
from linli.bench.load import Target, run_mix
from linli.cases.models import Case


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        code = {"/ok": 200, "/moved": 302, "/broken": 500}[self.path]
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_mix_counts_statuses_per_target_and_lists_every_failure_with_its_time(server):
    targets = [
        Target("ok", f"{server}/ok", weight=2),
        Target("form", f"{server}/moved", "POST", body="a=1", expect=302),
        Target("form expecting a redirect got 200", f"{server}/ok", "POST", body="a=1", expect=302),
        Target("broken", f"{server}/broken"),
    ]
    result = run_mix(targets, clients=2, seconds=0.5, seed=1)
    per = result["targets"]
    assert all(per[t.name]["requests"] > 0 for t in targets)
    assert (
        per["ok"]["errors"] == 0
        and per["form"]["errors"] == 0
        and per["form"]["statuses"] == {"302": per["form"]["requests"]}
    )
    assert per["form expecting a redirect got 200"]["errors"] == per["form expecting a redirect got 200"]["requests"]
    assert per["broken"]["errors"] == per["broken"]["requests"]
    failures = result["failures"]
    assert (
        len(failures)
        == result["total"]["errors"]
        == per["broken"]["requests"] + per["form expecting a redirect got 200"]["requests"]
    )
    assert all(
        f["started"] <= f["ended"] and f["target"] in ("broken", "form expecting a redirect got 200") for f in failures
    )


def test_a_short_run_reaches_every_target_however_light_its_weight(server):
    targets = [Target("heavy", f"{server}/ok", weight=1000)] + [
        Target(f"light {k}", f"{server}/ok", weight=0.001) for k in range(5)
    ]
    result = run_mix(targets, clients=2, seconds=0.05)
    assert all(figures["requests"] >= 1 for figures in result["targets"].values())


def test_a_closed_port_is_an_error_named_by_its_exception():
    result = run_mix([Target("nobody", "http://127.0.0.1:9/")], clients=1, seconds=0.2)
    assert result["total"]["requests"] == result["total"]["errors"] > 0
    assert set(result["total"]["statuses"]) == {"ConnectionRefusedError"}


WINDOW = {"began": 100.0, "back": 102.0}


@pytest.mark.parametrize(
    ("started", "ended", "during"),
    [
        (99.0, 99.999, False),  # finished before the restart began
        (99.0, 100.0, True),  # still in flight when it began
        (100.5, 101.0, True),  # sent while PostgreSQL was down
        (102.0, 102.1, True),  # sent the instant it came back
        (102.001, 102.1, False),  # sent after it came back: a real error
    ],
)
def test_a_failure_is_the_restarts_cost_only_if_it_overlaps_the_window(started, ended, during):
    failures = [{"target": "p", "started": started, "ended": ended, "status": 500}]
    in_window, outside = soak.classify(failures, WINDOW)
    assert (in_window, outside) == (({"p": {"500": 1}}, {}) if during else ({}, {"p": {"500": 1}}))


def test_without_a_restart_every_failure_counts():
    assert soak.classify([{"target": "p", "started": 101.0, "ended": 101.5, "status": "RemoteDisconnected"}], None) == (
        {},
        {"p": {"RemoteDisconnected": 1}},
    )


def test_memory_per_worker_from_first_to_last_sample():
    samples = [
        (0, {11: (80.0, 1.0), 12: (81.0, 1.0)}),
        (5, {11: (90.0, 2.0), 12: (79.5, 1.5)}),
        (10, {11: (85.0, 4.5), 13: (70.0, 0.2)}),
    ]
    assert soak.memory(samples) == [
        {
            "pid": 11,
            "start_mb": 80.0,
            "half_mb": 90.0,
            "end_mb": 85.0,
            "max_mb": 90.0,
            "whole_run": True,
            "cpu_s": 3.5,
            "growth_mb": 5.0,
            "second_half_mb": -5.0,
        },
        {
            "pid": 12,
            "start_mb": 81.0,
            "half_mb": 79.5,
            "end_mb": 79.5,
            "max_mb": 81.0,
            "whole_run": False,
            "cpu_s": 0.5,
            "growth_mb": -1.5,
            "second_half_mb": 0.0,
        },
        {
            "pid": 13,
            "start_mb": 70.0,
            "half_mb": 70.0,
            "end_mb": 70.0,
            "max_mb": 70.0,
            "whole_run": False,
            "cpu_s": 0.0,
            "growth_mb": 0.0,
            "second_half_mb": 0.0,
        },
    ]


def test_a_sample_reads_this_processs_children():
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(30 * 2**20); time.sleep(30)"])
    try:
        for _i in range(100):
            _t, workers = soak.sample(os.getpid())
            if child.pid in workers and workers[child.pid][0] > 30:
                break
            time.sleep(0.05)
        mb, cpu = workers[child.pid]
        assert mb > 30 and cpu >= 0
    finally:
        child.kill()
        child.wait()


def _result(failures=()):
    targets = {
        "list": {"requests": 100, "errors": 0, "rps": 10.0, "p50_ms": 20.0, "p95_ms": 40.0, "statuses": {"200": 100}},
        "intake": {"requests": 10, "errors": 0, "rps": 1.0, "p50_ms": 30.0, "p95_ms": 50.0, "statuses": {"201": 10}},
    }
    return {
        "total": {
            "requests": 110,
            "errors": len(failures),
            "rps": 11.0,
            "p50_ms": 21.0,
            "p95_ms": 45.0,
            "statuses": {"200": 100, "201": 10},
        },
        "targets": targets,
        "failures": list(failures),
    }


META = {
    "date": "2026-11-29T20:00:00+08:00",
    "database": "postgresql 15.20",
    "python": "3.11.7",
    "cpus": 2,
    "requests_in_db": 50000,
    "households": 15000,
    "people": 45000,
    "workers": 5,
    "clients": 8,
    "seconds": 600.0,
    "load_average_before": [3.0, 2.0, 1.0],
    "load_average_after": [4.0, 3.0, 2.0],
    "log_server_errors": 2,
}
SAMPLES = [(0, {11: (80.0, 10.0)}), (300, {11: (81.0, 40.0)}), (600, {11: (82.0, 65.0)})]
RESTART = {
    "command": "pg_ctlcluster --skip-systemctl-redirect 15 main restart",
    "began": 100.0,
    "back": 102.0,
    "at_s": 300.0,
    "down_s": 2.0,
}


def test_the_verdict_fails_on_an_error_outside_the_restart_only():
    in_flight = {"target": "list", "started": 101.0, "ended": 101.2, "status": 500}
    clean = soak.report(META, _result([in_flight, in_flight | {"target": "intake"}]), SAMPLES, RESTART, True)
    assert soak.check(clean) == []
    assert clean["total"]["failed_during_restart"] == 2 and clean["total"]["errors"] == 0
    assert [p["failed_during_restart"] for p in clean["pages"]] == [1, 1]

    late = soak.report(
        META, _result([in_flight, in_flight | {"started": 103.0, "ended": 103.1}]), SAMPLES, RESTART, True
    )
    assert late["total"]["errors"] == 1 and late["errors_by_status"] == {"500": 1}
    problems = soak.check(late)
    assert len(problems) == 1 and '{"500": 1}' in problems[0]

    no_restart = soak.report(META, _result(), SAMPLES, None, True)
    assert len(soak.check(no_restart)) == 1, "a restart was asked for and did not happen"
    assert soak.check(soak.report(META, _result(), SAMPLES, None, False)) == []


def test_the_report_is_saved_as_json_and_replaces_only_the_soak_section(tmp_path):
    md = tmp_path / "benchmarks.md"
    md.write_text("# Benchmarks\n\nIntro.\n\n<!-- bench:soak -->\nold figures\n<!-- /bench:soak -->\n\nAfter.\n")
    report = soak.report(
        META, _result([{"target": "list", "started": 101.0, "ended": 101.2, "status": 500}]), SAMPLES, RESTART, True
    )
    path = soak.save(report, tmp_path / "results", md)
    assert (
        path.name == "2026-11-29-soak-postgresql.json"
        and json.loads(path.read_text())["total"]["failed_during_restart"] == 1
    )
    text = md.read_text()
    assert "Intro." in text and "After." in text and "old figures" not in text
    assert "| list | 100 | 10.0 | 20.0 | 40.0 | 1 | 0 |" in text
    assert (
        "| 11 | 80.0 | 81.0 | 82.0 | 82.0 | +2.0 | +1.0 | 55.0 |" in text
        and "accepted connections again 2.0 s later" in text
    )
    assert "500.0 ms of CPU a request" in text  # 55 s over 110 requests


def test_the_restart_command_names_the_cluster_on_the_databases_port(tmp_path, monkeypatch, settings):
    fake = tmp_path / "pg_lsclusters"
    fake.write_text(
        "#!/bin/sh\necho '15  main    5432 online postgres /var/lib/postgresql/15/main log'\n"
        "echo '15  soak    5433 online postgres /var/lib/postgresql/15/soak log'\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "PORT", "5433")
    assert soak.restart_command(soak.Options()) == [
        "pg_ctlcluster",
        "--skip-systemctl-redirect",
        "15",
        "soak",
        "restart",
    ]
    monkeypatch.setitem(connection.settings_dict, "PORT", "5999")
    with pytest.raises(soak.SoakError, match="5999"):
        soak.restart_command(soak.Options())
    assert soak.restart_command(soak.Options(restart_command="systemctl restart 'postgresql@15-main'")) == [
        "systemctl",
        "restart",
        "postgresql@15-main",
    ]


@pytest.mark.django_db
def test_every_page_of_the_mix_answers_the_soaks_clients_as_expected():
    """The cookies, CSRF token and API tokens the soak sends work (a 403 or a form error would
    make the whole soak fail after its warm-up); checked here through the test client, with CSRF
    enforced as gunicorn would."""
    District(0.001, seed=3, out=lambda *_a: None).build()
    users = bench_users()
    targets, handed = soak.mix("", users, soak.residents(users["grid_obj"]))
    assert len(soak.residents(users["grid_obj"])) == soak.RESIDENTS, "made once, found again"
    before = Case.objects.count()
    for t in targets:
        client = Client(enforce_csrf_checks=True)
        headers = {k: v for k, v in t.headers.items() if k != "Content-Type"}
        response = client.generic(
            t.method,
            t.url,
            data=t.body or "",
            content_type=t.headers.get("Content-Type", "application/json"),
            headers=headers,
        )
        assert t.ok(response.status_code), f"{t.name}: {response.status_code}"
        if t.method == "GET":
            assert response.status_code == 200
    assert Case.objects.count() == before + 1 + soak.RESIDENTS, "the API intake and every resident's form reported"
    handed.revoke()
    assert not Session.objects.filter(session_key__in=handed.sessions).exists()
    assert not ApiToken.objects.filter(pk__in=[t.pk for t in handed.tokens]).exists()
