import time

from django.core.management.base import BaseCommand

from linli.cases.overdue import mark_overdue


class Command(BaseCommand):
    help = "Mark overdue requests and notify their handlers and supervisors (run from cron, or with --every)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, every, **options):
        while True:
            n = mark_overdue()
            if n:
                self.stdout.write(f"{n} overdue")
            if not every:
                return
            time.sleep(every)
