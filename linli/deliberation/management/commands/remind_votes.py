import time

from django.core.management.base import BaseCommand

from linli.deliberation.notices import remind_closing


class Command(BaseCommand):
    help = "Remind the electors of owners' votes that close soon, once per vote (run from cron, or with --every)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, every, **options):
        while True:
            if n := remind_closing():
                self.stdout.write(f"{n} votes reminded")
            if not every:
                return
            time.sleep(every)
