import time

from django.core.management.base import BaseCommand

from linli.cases.overdue import mark_overdue, warn_near_deadline


class Command(BaseCommand):
    help = "Mark overdue requests and notify their handlers and supervisors (run from cron, or with --every)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, every, **options):
        while True:
            warned, n = warn_near_deadline(), mark_overdue()
            if warned or n:
                self.stdout.write(f"{warned} warned, {n} overdue")
            if not every:
                return
            time.sleep(every)
