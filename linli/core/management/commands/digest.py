from django.core.management.base import BaseCommand

from linli.core.notify import send_digests


class Command(BaseCommand):
    help = (
        "E-mail each user who asked for it the previous day's unread messages, once a day (cron after "
        "midnight; check_overdue runs it too). Nobody without unread messages gets one."
    )

    def handle(self, **options):
        if n := send_digests():
            self.stdout.write(f"{n} digests sent")
