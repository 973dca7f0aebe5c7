import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from linli.bench import runner
from linli.places.models import Subdistrict


class Command(BaseCommand):
    help = (
        "Run the benchmarks on the synthetic district; write bench/results/<date>.json and the table in "
        "docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=15, help="runs of each page measurement after a warm-up")
        parser.add_argument("--seconds", type=float, default=10.0, help="seconds of load at each client count")
        parser.add_argument("--import-rows", type=int, default=100_000, help="people in the ledger import file")
        parser.add_argument(
            "--no-throttle",
            action="store_true",
            help="the phone benchmark without Slow 4G and CPU throttling (bench-smoke: correctness only)",
        )
        parser.add_argument("--only", action="append", choices=list(runner.GROUPS), help="run only these benchmarks")
        parser.add_argument("--results", default="bench/results", help="folder for the JSON results")
        parser.add_argument(
            "--markdown", default="docs/benchmarks.md", help="file whose results table is replaced ('' for none)"
        )
        parser.add_argument(
            "--check", action="store_true", help="fail unless every benchmark reported (used by make bench-smoke)"
        )
        parser.add_argument("--child-import", help=argparse.SUPPRESS)  # the import run in a child process

    def handle(self, *args, **o):
        if o["child_import"]:
            return runner.child_import(o["child_import"])
        if not Subdistrict.objects.filter(code__startswith="BENCH").exists():
            raise CommandError(
                _("There is no benchmark district in this database: run `linli bench-data --scale N` first.")
            )
        opts = runner.Options(
            repeat=o["repeat"],
            seconds=o["seconds"],
            import_rows=o["import_rows"],
            throttle=not o["no_throttle"],
            out=self.stdout.write,
        )
        report = runner.run(opts, only=o["only"])
        path = runner.save(report, o["results"], o["markdown"], only=o["only"])
        if o["check"]:
            problems = runner.check(report)
            if problems:
                raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS(_("Results written to %(path)s.") % {"path": path}))
