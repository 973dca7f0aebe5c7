from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from linli.bench import growth


class Command(BaseCommand):
    help = (
        "Draw how each benchmark's time grows with the number of requests (docs/img/growth.svg) from the "
        "results of runs at several scales, and replace its table in docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--results", default="bench/results", help="folder of the JSON results")
        parser.add_argument("--svg", default="docs/img/growth.svg", help="the chart to write")
        parser.add_argument(
            "--markdown", default="docs/benchmarks.md", help="file whose growth table is replaced ('' for none)"
        )
        parser.add_argument("--figure", choices=("median_ms", "p95_ms", "min_ms", "cpu_ms"), default="median_ms")
        parser.add_argument("--database", default="postgresql", help="only the runs on this database")

    def handle(self, *args, **o):
        paths = sorted(Path(o["results"]).glob("*.json"))
        n = growth.chart(paths, o["svg"], o["markdown"], figure=o["figure"], database=o["database"])
        if n:
            self.stdout.write(_("%(n)s series drawn in %(svg)s.") % {"n": n, "svg": o["svg"]})
        else:
            self.stdout.write(_("No results with a scale on %(db)s: nothing drawn.") % {"db": o["database"]})
