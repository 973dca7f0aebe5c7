from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from linli.core import backup

from .backup import shout


class Command(BaseCommand):
    help = (
        "Restore a backup made by `linli backup`: the database, the uploaded files, checked against the manifest "
        "and the keys in the environment."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .tar file or directory written by `linli backup`")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="do not ask for confirmation"
        )

    def handle(self, path, force, interactive, **options):
        shout(self.stderr, self.style.ERROR, backup.key_reminder())
        try:
            opened = backup.open_archive(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        try:
            missing = backup.verify(opened)
            self.confirm(backup.holding_data(), force, interactive)
            counts = backup.restore(opened, out=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            opened.close()
        m = opened.manifest
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored the backup of %(created)s (Linli %(version)s): %(rows)s rows in %(tables)s tables and "
                    "%(files)s files, "
                    "as the manifest lists them; the keys in this environment decrypt the data."
                )
                % {
                    "created": m["created_at"],
                    "version": m["linli_version"],
                    "rows": f"{sum(counts.values()):,}",
                    "tables": len(counts),
                    "files": len(m["media"]),
                }
            )
        )
        if missing:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "This code has migrations the backup has not: %(names)s. Run `linli migrate` before starting "
                        "Linli."
                    )
                    % {"names": ", ".join(missing)}
                )
            )

    def confirm(self, full, force, interactive):
        if not full:
            return
        shown = ", ".join(full[:5]) + (" …" if len(full) > 5 else "")
        if not force:
            raise CommandError(
                _(
                    "The database or MEDIA_ROOT holds data (%(tables)s). Restoring replaces all of it: restore into a "
                    "new, empty "
                    "database and an empty MEDIA_ROOT, or run again with --force."
                )
                % {"tables": shown}
            )
        if interactive:
            answer = input(
                _(
                    "Everything in the database and in MEDIA_ROOT will be replaced by the backup. Type 'yes' to "
                    "continue: "
                )
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Restore cancelled; nothing was changed."))
