from django.core.management.base import BaseCommand

from linli.bench import intake
from linli.bench.district import bench_users


class Command(BaseCommand):
    help = (
        "Profile request intake in process (docs/benchmarks.md): the API's POST /api/v1/cases/ against the "
        "baseline write, their SQL statements and cProfile's top entries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=300, help="intakes of each kind (and profiled)")
        parser.add_argument("--top", type=int, default=30, help="profile entries shown per order")

    def handle(self, *args, **o):
        figures = intake.in_process(bench_users(), o["requests"], profile_top=o["top"], out=self.stdout.write)
        for name in ("baseline", "intake"):
            f = figures[name]
            self.stdout.write(
                f"{name}: median {f['median_ms']} ms, p95 {f['p95_ms']} ms, CPU median {f['cpu_median_ms']} ms, "
                f"{len(f['statements'])} statements"
            )
            for sql in f["statements"]:
                self.stdout.write(f"    {sql[:160]}")
        for order in ("cumulative", "tottime"):
            self.stdout.write(figures[f"profile_{order}"])
