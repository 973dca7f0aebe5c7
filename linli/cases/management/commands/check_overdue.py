import time

from django.core.management.base import BaseCommand

from linli.cases.overdue import mark_overdue, warn_near_deadline
from linli.cases.rollup import refresh
from linli.core.notify import send_digests
from linli.ledger.jobs import fail_stale


class Command(BaseCommand):
    help = (
        "Mark overdue requests, notify their handlers and supervisors, roll settled requests up for the dashboard, "
        "fail ledger imports whose worker died, and send yesterday's digests once (run from cron, or with --every)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, every, **options):
        while True:
            warned, n, rolled, dead = warn_near_deadline(), mark_overdue(), refresh(), fail_stale()
            digests = send_digests()
            if warned or n or rolled or dead or digests:
                self.stdout.write(
                    f"{warned} warned, {n} overdue, {rolled} rolled up, {dead} dead imports failed, {digests} digests"
                )
            if not every:
                return
            time.sleep(every)
