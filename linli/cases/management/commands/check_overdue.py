import time

from django.core.management.base import BaseCommand

from linli.cases.overdue import mark_overdue, warn_near_deadline
from linli.cases.rollup import refresh


class Command(BaseCommand):
    help = "Mark overdue requests, notify their handlers and supervisors, and roll settled requests up for the dashboard (run from cron, or with --every)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, every, **options):
        while True:
            warned, n, rolled = warn_near_deadline(), mark_overdue(), refresh()
            if warned or n or rolled:
                self.stdout.write(f"{warned} warned, {n} overdue, {rolled} rolled up")
            if not every:
                return
            time.sleep(every)
