"""The growth chart (issue 16 §6): from the results of runs at several scales, one series per
measurement followed across them, drawn with the targets, and tabled with its verdict."""

import json
import time

import pytest
from django.db import connection

from linli.bench import growth, runner


def report(requests, date, results, database="postgresql 15.20", scale=True):
    meta = {"date": date, "database": database, "requests": requests, "load_before": [1.5], "load_after": [2.5]}
    if scale:
        meta["scale"] = requests / 1_000_000
    return {"meta": meta, "results": results}


def row(group, name, median):
    return {"group": group, "name": name, "median_ms": median, "p95_ms": median * 1.2, "cpu_ms": median / 2}


def write(tmp_path, reports):
    paths = []
    for i, r in enumerate(reports):
        path = tmp_path / f"{i}.json"
        path.write_text(json.dumps(r, ensure_ascii=False))
        paths.append(path)
    return paths


RUNS = [
    report(
        100_000,
        "2026-12-08T08:00:00+08:00",
        [
            row("lists", "staff list, state=closed, page 1", 30.0),
            row("lists", "public board, page 60", 20.0),
            row("dashboard", "district, year 2025", 40.0),
            row("tally", "result of a vote: 5000 owners, 4000 ballots", 9.0),
            {"group": "intake", "name": "1 client", "intake_rps": 100},  # not charted
        ],
    ),
    report(
        300_000,
        "2026-12-08T08:30:00+08:00",
        [
            row("lists", "staff list, state=closed, page 1", 31.0),
            row("lists", "public board, page 200", 21.0),
            row("dashboard", "district, year 2025", 120.0),
            row("tally", "result of a vote: 5000 owners, 4000 ballots", 9.5),
        ],
    ),
    report(
        1_000_000,
        "2026-12-08T09:00:00+08:00",
        [
            row("lists", "staff list, state=closed, page 1", 32.0),
            row("lists", "public board, page 200", 22.0),
            row("dashboard", "district, year 2025", 400.0),
            row("tally", "result of a vote: 5000 owners, 4000 ballots", 10.0),
        ],
    ),
]


def test_series_follow_a_measurement_across_scales():
    series = growth.collect(RUNS)
    assert set(series) == {
        ("lists", "staff list, state=closed, page 1"),
        ("lists", "public board, deep page"),  # page 60 at the small scale, 200 at the others
        ("dashboard", "district, last year"),
        ("tally", "result of a vote: 5000 owners, 4000 ballots"),
    }
    assert sorted(series[("lists", "public board, deep page")]) == [100_000, 300_000, 1_000_000]


def test_a_vote_or_a_compound_of_another_size_is_another_series():
    small = report(
        30_000,
        "2026-12-08T07:00:00+08:00",
        [
            row("tally", "result of a vote: 1500 owners, 1200 ballots", 3.0),
            row("funds", "需续交 list, community staff, page 7", 20.0) | {"houses": 1500},
        ],
    )
    big = report(100_000, "2026-12-08T08:00:00+08:00", [row("funds", "需续交 list, community staff, page 19", 21.0)])
    big["results"][0]["houses"] = 5000
    series = growth.collect([small, big, *RUNS])
    assert sorted(series[("tally", "result of a vote: 5000 owners, 4000 ballots")]) == [100_000, 300_000, 1_000_000]
    assert list(series[("tally", "result of a vote: 1500 owners, 1200 ballots")]) == [30_000]
    assert list(series[("funds", "需续交 list, community staff, deep page (5,000 houses)")]) == [100_000]


def test_the_newest_run_of_a_scale_wins():
    again = report(100_000, "2026-12-08T10:00:00+08:00", [row("lists", "staff list, state=closed, page 1", 50.0)])
    series = growth.collect([again, *RUNS])
    assert series[("lists", "staff list, state=closed, page 1")][100_000]["median_ms"] == 50.0


def test_exponent_and_verdict():
    assert abs(growth.exponent([(100_000, 40.0), (1_000_000, 400.0)]) - 1.0) < 1e-9
    assert abs(growth.exponent([(100_000, 30.0), (300_000, 30.0), (1_000_000, 30.0)])) < 1e-9
    assert growth.verdict(0.05) == "flat"
    assert growth.verdict(0.2) == "logarithmic"
    assert growth.verdict(0.5) == "sub-linear"
    assert growth.verdict(0.95) == "linear"
    assert growth.exponent([(100_000, 30.0)]) is None


def test_chart_written_with_every_series_and_the_targets(tmp_path):
    sqlite = report(50_000, "2026-12-08T07:00:00+08:00", [row("lists", "sqlite only list, page 1", 5.0)], "sqlite 3")
    old = report(1_000_000, "2026-11-25T07:00:00+08:00", [row("lists", "run before scales, page 1", 5.0)], scale=False)
    svg, md = tmp_path / "img" / "growth.svg", tmp_path / "benchmarks.md"
    md.write_text("# Benchmarks\n\n## How cost grows\n\n<!-- bench:growth -->\nold\n<!-- /bench:growth -->\n\nrest\n")

    drawn = growth.chart(write(tmp_path, [*RUNS, sqlite, old]), svg, md)
    assert drawn == 4
    one = report(100_000, "2026-12-08T08:00:00+08:00", [row("search", "staff search, one scale only, page 1", 10.0)])
    assert growth.chart(write(tmp_path, [*RUNS, one]), svg, md) == 4
    assert "one scale only" not in svg.read_text()  # no line to draw
    assert "| search | staff search, one scale only, page 1 | 10.0 / 12.0 / 5.0 | – | – | – | – | one scale only |" in (
        md.read_text()
    )
    text = svg.read_text()
    for label in ("staff list, state=closed, page 1", "public board, deep page", "district, last year"):
        assert label in text
    for target in ("target 150 ms", "target 300 ms (sub-district)", "target 1 s (district)", "target 200 ms (tally)"):
        assert target in text
    assert "sqlite only list" not in text and "run before scales" not in text
    assert "1,000,000" in text and "100,000" in text  # the x axis: the numbers of requests
    table = md.read_text()
    assert "old" not in table and table.endswith("rest\n")
    assert (
        "| dashboard | district, last year | 40.0 / 48.0 / 20.0 | 120.0 / 144.0 / 60.0 | 400.0 / 480.0 / 200.0 "
        "| +1.00 | +1.00 | linear |" in table
    )
    assert "| +0.03 | +0.03 | flat |" in table  # the staff list: 30 → 32 ms
    assert "| 100,000 (scale 0.1) | 300,000 (scale 0.3) | 1,000,000 (scale 1) |" in table
    assert (
        "1,000,000 requests: 2026-12-08T09:00:00+08:00 on postgresql 15.20, load average 1.5 before, 2.5 after" in table
    )


def test_the_verdict_follows_the_cpu_time_where_every_scale_has_it():
    busy = [report(100_000, "2026-12-08T08:00:00+08:00", [row("tally", "vote page with the result", 10.0)])]
    busy.append(report(1_000_000, "2026-12-08T09:00:00+08:00", [row("tally", "vote page with the result", 100.0)]))
    busy[1]["results"][0]["cpu_ms"] = 5.0  # the wall clock grew tenfold, the work did not
    table = growth.to_markdown(growth.collect(busy), busy)
    assert "| 10.0 / 12.0 / 5.0 | 100.0 / 120.0 / 5.0 | +1.00 | +0.00 | flat |" in table
    del busy[0]["results"][0]["cpu_ms"]  # a run from before the CPU time was recorded
    assert "| +1.00 | – | linear |" in growth.to_markdown(growth.collect(busy), busy)


def test_nothing_drawn_without_results_of_a_scale(tmp_path):
    svg = tmp_path / "growth.svg"
    assert growth.chart([], svg) == 0
    assert not svg.exists()


@pytest.mark.django_db
def test_cpu_clock_counts_this_thread_and_the_database_server():
    began, mine = runner.cpu_clock(), time.thread_time_ns()
    with connection.cursor() as cursor:  # a statement whose work is the server's (SQLite's: this thread's)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM generate_series(1, 2000000)")
        else:
            cursor.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
                "SELECT count(*) FROM n"
            )
        assert cursor.fetchone()[0] in (2_000_000, 300_000)
    mine = time.thread_time_ns() - mine  # within the two readings of cpu_clock
    ended = runner.cpu_clock()
    spent = ended[0] - began[0]
    assert spent >= mine > 0
    if connection.vendor == "postgresql":
        assert began[1] == ended[1] == connection.connection.info.backend_pid
        assert spent - mine > 20e6  # counting two million rows: tens of ms of the server's CPU
    figures = runner.timed(lambda: sum(range(100_000)), 3)
    assert figures["cpu_ms"] > 0 and {"median_ms", "p95_ms", "min_ms"} <= set(figures)
