"""How cost grows (issue 16 §6): each measurement of `make bench` against the number of requests,
from the JSON results of runs at several scales, drawn as an SVG with the targets, and tabled.

A series is one measurement followed across runs; its key is the measurement's name with what
depends on the district's size taken out (the deep page is page 200, or the last page where
there are fewer; the year), `series_key`. Per scale the newest result wins. The growth
exponent is the least-squares slope of log(time) against log(requests): 0 is flat, 1 is linear.
"""

import json
import math
import re
from pathlib import Path

from .runner import replace_section

BEGIN, END = "<!-- bench:growth -->", "<!-- /bench:growth -->"

# group: (panel title, [(target in ms, label)]); the targets of docs/benchmarks.md, all p95
PANELS = {
    "lists": ("Work-order lists and the public board", [(150, "target 150 ms")]),
    "scope": ("Work-order list, page 1, by the worker's scope", [(150, "target 150 ms")]),
    "search": ("Search of the work-order list, page 1", [(150, "target 150 ms")]),
    "dashboard": ("Three-rates dashboard", [(300, "target 300 ms (sub-district)"), (1000, "target 1 s (district)")]),
    "tally": ("Owners' vote tally", [(200, "target 200 ms (tally)")]),
    "funds": ("Maintenance funds", [(150, "target 150 ms")]),
}
# growth exponent below each bound: the verdict (docs/benchmarks.md, "How cost grows")
VERDICTS = ((0.1, "flat"), (0.3, "logarithmic"), (0.7, "sub-linear"), (math.inf, "linear"))


def series_key(result):
    """The measurement's name without what moves with the district's size; what is measured on
    an object of a fixed size (a vote's owners, a compound's houses), smaller at the smallest
    scales, keeps its size: a vote of 1,500 owners is not the vote of 5,000."""
    name = re.sub(r"\bpage (\d+)\b", lambda m: "page 1" if m[1] == "1" else "deep page", result["name"])
    name = re.sub(r" \(\d[\d,]* entries\)", "", name)
    name = re.sub(r"\byear \d{4}\b", "last year", name)
    return f"{name} ({result['houses']:,} houses)" if "houses" in result else name


def load(paths, database="postgresql"):
    """The reports among `paths` written by a run on `database` that recorded its scale."""
    reports = []
    for path in paths:
        report = json.loads(Path(path).read_text())
        meta = report.get("meta", {})
        if "scale" in meta and meta.get("database", "").startswith(database):
            reports.append(report)
    return reports


def collect(reports, figure="median_ms"):
    """{(group, key): {requests: result}} for the charted groups, the newest result per scale."""
    series = {}
    for report in sorted(reports, key=lambda r: r["meta"]["date"]):
        requests = report["meta"]["requests"]
        for r in report["results"]:
            if r["group"] in PANELS and r.get(figure):
                series.setdefault((r["group"], series_key(r)), {})[requests] = r
    return series


def exponent(points):
    """The least-squares slope of log(y) against log(x); None with fewer than two x."""
    if len({x for x, _y in points}) < 2:
        return None
    xs, ys = [math.log(x) for x, _y in points], [math.log(y) for _x, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def verdict(b):
    return next(label for bound, label in VERDICTS if b < bound) if b is not None else "one scale only"


def draw(series, svg, figure="median_ms"):
    """One panel per group, log-log, each series a line, the targets dashed; written to `svg`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    plt.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: searchable, small, drawn by the reader's fonts
            "svg.hashsalt": "linli-growth",  # the same ids on every run: stable diffs
            "font.family": ["DejaVu Sans", "Noto Sans CJK SC"],  # the second for 需续交, when Debian has it
            "font.size": 8,
            "axes.prop_cycle": plt.cycler(color=plt.get_cmap("tab20").colors),  # the funds draw 11 series
        }
    )
    groups = [g for g in PANELS if any(k[0] == g for k in series)]
    fig, axes = plt.subplots(len(groups), 1, figsize=(10, 2.8 * len(groups)), squeeze=False)
    every = sorted({n for points in series.values() for n in points})
    for ax, group in zip(axes[:, 0], groups, strict=True):
        title, targets = PANELS[group]
        for (g, key), points in sorted(series.items()):
            if g == group:
                xs = sorted(points)
                (line,) = ax.plot(xs, [points[x][figure] for x in xs], marker="o", label=key)
                cpu = [x for x in xs if points[x].get("cpu_ms")]
                if len(cpu) > 1:
                    ax.plot(cpu, [points[x]["cpu_ms"] for x in cpu], linestyle=":", color=line.get_color())
        for ms, label in targets:
            ax.axhline(ms, color="firebrick", linestyle="--", linewidth=1)
            ax.annotate(label, (0.01, ms), xycoords=("axes fraction", "data"), color="firebrick", va="bottom")
        ax.set(xscale="log", yscale="log", title=title, ylabel=f"{figure.removesuffix('_ms')} (ms)")
        ax.set_xticks(every, [f"{n:,}" for n in every])
        ax.minorticks_off()
        ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, frameon=False)
    axes[-1, 0].set_xlabel(
        f"requests in the database (log scale)\nsolid: {figure.removesuffix('_ms')} wall-clock time; dotted: "
        "median CPU time (the process and its PostgreSQL server process); dashed red: targets"
    )
    fig.tight_layout()
    Path(svg).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(svg, format="svg", metadata={"Date": None})
    plt.close(fig)


def to_markdown(series, reports, figure="median_ms"):
    """The figures per scale (median / p95 / CPU time), the growth exponents of the charted figure
    and of the CPU time, and the verdict per series: the CPU time's where every scale has it (a
    busy machine stretches the wall clock, not the CPU time), else the charted figure's."""
    scales = sorted({r["meta"]["requests"]: r["meta"]["scale"] for r in reports}.items())
    shown = figure.removesuffix("_ms")
    lines = [
        "Median / p95 / CPU time in ms (the newest run per scale; CPU time: the median over the runs of this "
        "process's and its PostgreSQL server process's time on a CPU); exponent: the slope of log(time) against "
        f"log(requests), 0 flat, 1 linear, of the {shown} and of the CPU time; the verdict is the CPU time's.",
        "",
        "| group | measurement | "
        + " | ".join(f"{n:,} (scale {s:g})" for n, s in scales)
        + f" | exponent ({shown}) | exponent (CPU) | verdict |",
        "|---|---|" + "---:|" * len(scales) + "---:|---:|---|",
    ]
    runs = []
    for report in sorted(reports, key=lambda r: r["meta"]["requests"]):
        m = report["meta"]
        load = f", load average {m['load_before'][0]} before, {m['load_after'][0]} after" if "load_after" in m else ""
        runs.append(f"{m['requests']:,} requests: {m['date']} on {m['database']}{load}")
    lines[1:1] = ["", "Runs: " + "; ".join(runs) + "."]

    def cell(r):
        return f"{r['median_ms']} / {r['p95_ms']} / {r.get('cpu_ms', '–')}"

    def slope(points, key):
        if not all(r.get(key) for r in points.values()):
            return None
        return exponent([(n, r[key]) for n, r in points.items()])

    def signed(b):
        return "–" if b is None else f"{b:+.2f}"

    for (group, key), points in sorted(series.items(), key=lambda item: list(PANELS).index(item[0][0])):
        b, cpu = slope(points, figure), slope(points, "cpu_ms")
        cells = [cell(points[n]) if n in points else "–" for n, _s in scales]
        lines.append(
            f"| {group} | {key} | {' | '.join(cells)} | {signed(b)} | {signed(cpu)} | "
            f"{verdict(cpu if cpu is not None else b)} |"
        )
    return "\n".join(lines) + "\n"


def chart(paths, svg, markdown=None, figure="median_ms", database="postgresql"):
    """Draw the chart of the results in `paths` into `svg` (the series measured at two scales or
    more) and its table into `markdown` (every series, when given); returns the number of series
    drawn."""
    reports = load(paths, database)
    series = collect(reports, figure)
    followed = {k: points for k, points in series.items() if len(points) > 1}  # a line needs two scales
    if not followed:
        return 0
    draw(followed, svg, figure)
    if markdown:
        replace_section(markdown, BEGIN, END, to_markdown(series, reports, figure))
    return len(followed)
