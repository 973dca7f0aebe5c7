from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import backup


def shout(stream, style, text):
    """The key reminder, framed so that nobody scrolls past it."""
    bar = "!" * 78
    stream.write(style(f"{bar}\n{text}\n{bar}"))


class Command(BaseCommand):
    help = (
        "Back up the database, the uploaded files and a manifest into one archive (.tar or a directory). "
        "The field keys are not in it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="a new .tar file or a new directory (default: <LINLI_DATA_DIR>/backups/linli-<time>.tar)",
        )

    def handle(self, path, **options):
        if path is None:
            folder = Path(settings.DATA_DIR) / "backups"
            folder.mkdir(mode=0o700, exist_ok=True)
            path = folder / f"linli-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
        try:
            manifest = backup.backup(Path(path), out=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s: %(rows)s rows in %(tables)s tables, %(files)s files, in %(seconds)s s.")
                % {
                    "path": path,
                    "rows": f"{sum(manifest['tables'].values()):,}",
                    "tables": len(manifest["tables"]),
                    "files": len(manifest["media"]),
                    "seconds": manifest["seconds"],
                }
            )
        )
        shout(self.stderr, self.style.ERROR, backup.key_reminder())
