import time

from django.core.management.base import BaseCommand

from linli.wishes.overdue import flag_overdue, flag_unclaimed


class Command(BaseCommand):
    help = (
        "Flag micro-wishes left unclaimed for the community's number of days, and claimed ones past their "
        "delivery day, to the community (run from cron next to check_overdue, or with --every)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, every, **options):
        while True:
            unclaimed, overdue = flag_unclaimed(), flag_overdue()
            if unclaimed or overdue:
                self.stdout.write(f"{unclaimed} unclaimed, {overdue} overdue")
            if not every:
                return
            time.sleep(every)
