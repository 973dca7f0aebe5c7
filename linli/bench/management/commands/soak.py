from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from linli.bench import soak
from linli.bench.district import CODE_PREFIX
from linli.places.models import Subdistrict


class Command(BaseCommand):
    help = (
        "Soak: mixed loopback load (staff lists, people search, board, API, intake) against gunicorn for --seconds, "
        "PostgreSQL restarted half-way; reports errors, p50/p95 per page and worker memory, fails on errors outside "
        "the restart."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=600.0, help="length of the load (default 600)")
        parser.add_argument("--clients", type=int, default=8, help="concurrent loopback clients")
        parser.add_argument(
            "--workers", type=int, default=soak.Options.workers, help="gunicorn workers (default 2 × cores + 1)"
        )
        parser.add_argument("--no-restart", dest="restart", action="store_false", help="do not restart PostgreSQL")
        parser.add_argument(
            "--restart-command",
            default="",
            help="how to restart PostgreSQL (default: pg_ctlcluster of the local cluster on the database's port)",
        )
        parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between memory samples")
        parser.add_argument("--warmup", type=float, default=5.0, help="seconds of warm-up load before the soak")
        parser.add_argument("--results", default="bench/results", help="folder for the JSON results")
        parser.add_argument(
            "--markdown", default="docs/benchmarks.md", help="file whose soak section is replaced ('' for none)"
        )
        parser.add_argument("--log", default="var/soak/gunicorn.log", help="gunicorn's log")

    def handle(self, *args, **o):
        if not Subdistrict.objects.filter(code__startswith=CODE_PREFIX).exists():
            raise CommandError(
                _("There is no benchmark district in this database: run `linli bench-data --scale N` first.")
            )
        if o["restart"] and connection.vendor != "postgresql":
            raise CommandError(_("The soak restarts PostgreSQL; on another database run it with --no-restart."))
        opts = soak.Options(
            seconds=o["seconds"],
            clients=o["clients"],
            workers=o["workers"],
            restart=o["restart"],
            restart_command=o["restart_command"],
            sample_every=o["sample_every"],
            warmup=o["warmup"],
            log=o["log"],
            out=self.stdout.write,
        )
        try:
            report = soak.run(opts)
        except soak.SoakError as exc:
            raise CommandError(str(exc)) from exc
        path = soak.save(report, o["results"], o["markdown"])
        self.stdout.write(soak.to_markdown(report))
        problems = soak.check(report)
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS(_("Results written to %(path)s.") % {"path": path}))
