"""Backups that restore: `linli backup` writes one archive, `linli restore` puts it back.

An archive is a directory, or the same files in a .tar:

    manifest.json      time, Linli version, database kind, applied migrations, rows per table,
                       SHA-256 of every other file, and the key checks (below)
    database.dump      PostgreSQL: pg_dump --format=custom, taken in the snapshot the rows were
                       counted in, so the counts are the dump's
    database.sqlite3   SQLite: a copy made with the online backup API
    media/…            every file under MEDIA_ROOT (photos of requests, …)

The database is copied before the files: a photo is written before its row, so every photo
the dump refers to is in the archive. Sessions are left out (live credentials; after a restore
people sign in again); API tokens travel as the digests they are stored as.

Personal data stays encrypted in the dump. LINLI_FIELD_KEYS and LINLI_HASH_KEY are never
written to the archive; the manifest holds a Fernet token of a fixed text and the keyed hash
of that text, so restore can tell before it touches anything whether the keys in its
environment are the ones the data needs, and after restoring it decrypts one row of every
encrypted column, text or binary (a key rotated out too early shows there).
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

import psycopg
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto
from .fields import EncryptedBinaryField, EncryptedTextField

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Backed up empty: sessions are live credentials (whoever holds a session key is signed in)
# and worthless after a restore, where people sign in again. API tokens and Open311 keys stay:
# only their SHA-256 digests are stored, and phone clients keep working after a restore.
NO_DATA = ("django_session", "accounts_signinsession")  # the second: an index of the first, by session key
KEY_CHECK = "linli backup key check"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that must stop; the message says why, for the operator."""


def key_reminder():
    return _(
        "The field keys are NOT in this backup. ID numbers and phones in it are encrypted with LINLI_FIELD_KEYS "
        "and found with LINLI_HASH_KEY; restoring needs exactly these keys. Keep a copy of them (the environment file) "
        "apart from the backup: without them the data is lost, and stored with it they hand the data to whoever finds "
        "it."
    )


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# ---- what holds personal data --------------------------------------------------------------
def encrypted_columns():
    """(table, column, hash column or None, binary) of every encrypted field: EncryptedTextField
    (ID numbers, phones) and EncryptedBinaryField (ledger uploads). A keyed hash lives in the
    field's name + `_hash` (Person.id_number_hash), so the hash key is checked with it."""
    found = []
    for model in apps.get_models():
        names = {f.name: f for f in model._meta.concrete_fields}
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField | EncryptedBinaryField):
                digest = names.get(f"{f.name}_hash")
                found.append(
                    (
                        model._meta.db_table,
                        f.column,
                        digest.column if digest else None,
                        isinstance(f, EncryptedBinaryField),
                    )
                )
    return found


def check_rows(cursor, quote):
    """Decrypt one stored value of every encrypted column (and compare its keyed hash) with the
    keys of this environment. Returns the problems, one per column, in words for the operator."""
    problems = []
    for table, column, digest, binary in encrypted_columns():
        cols = f"{quote(column)}, {quote(digest)}" if digest else quote(column)
        cursor.execute(f"SELECT {cols} FROM {quote(table)} WHERE LENGTH({quote(column)}) > 0 LIMIT 1")  # noqa: S608 - model names
        row = cursor.fetchone()
        if row is None:
            continue
        try:
            clear = crypto.decrypt_bytes(bytes(row[0])) if binary else crypto.decrypt(row[0])
        except ValueError:
            problems.append(
                _("%(table)s.%(column)s cannot be decrypted with LINLI_FIELD_KEYS") % {"table": table, "column": column}
            )
            continue
        if digest and row[1] and crypto.keyed_hash(clear) != row[1]:
            problems.append(
                _("%(table)s.%(column)s does not match its keyed hash: LINLI_HASH_KEY is another key")
                % {"table": table, "column": column}
            )
    return problems


# ---- database: PostgreSQL ------------------------------------------------------------------
def _pg_command(program, options, *, dbname_flag=""):
    """A pg_dump / pg_restore command line and environment for the default database, built by
    Django's own psql client (host, port, user; password and TLS settings in the environment)."""
    if not connection.settings_dict["NAME"]:
        raise BackupError(_("The database settings name no database (NAME); backups need one."))
    args, env = connection.client.settings_to_cmd_args_env(
        connection.settings_dict, [*options, *([dbname_flag] if dbname_flag else [])]
    )
    if not shutil.which(program):
        raise BackupError(
            _("%(program)s is not installed (Debian: apt-get install postgresql-client).") % {"program": program}
        )
    # a table still used by a running Linli makes pg_restore wait for its lock: fail instead of hanging
    timeout = " ".join(filter(None, [os.environ.get("PGOPTIONS", ""), "-c lock_timeout=30s"]))
    return [program, *args[1:]], os.environ | (env or {}) | {"PGOPTIONS": timeout}


def _run(command, env):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - pg_dump / pg_restore
    if done.returncode:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": command[0], "error": done.stderr.strip()[-2000:]}
        )


def _pg_tables(cursor):
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY 1"
    )
    return [name for (name,) in cursor.fetchall()]


def _count(cursor, tables, quote):
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - introspected names
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, tables):
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _pg_backup(path):
    """Count, read the migrations and dump in one snapshot: the manifest describes the dump."""

    quote = connection.ops.quote_name
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as snap:
        snap.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")  # one snapshot for counts and dump
        snapshot = snap.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with snap.cursor() as cursor:
            problems = check_rows(cursor, quote)
            if problems:
                raise BackupError(
                    _("The keys in this environment do not fit the data: %(problems)s.")
                    % {"problems": "; ".join(problems)}
                )
            tables = _pg_tables(cursor)
            counts = _count(cursor, tables, quote) | {t: 0 for t in NO_DATA if t in tables}
            migrations = _migrations(cursor, tables)
        command, env = _pg_command(
            "pg_dump",
            [
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                *[f"--exclude-table-data={t}" for t in NO_DATA],
                f"--file={path}",
            ],
        )
        _run(command, env)
        snap.execute("ROLLBACK")
    return counts, migrations, f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"


def _pg_restore(path, tables):
    """Tables the archive does not know are dropped, then pg_restore replaces the others in one
    transaction: it succeeds whole or leaves the database as it was."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        extra = [t for t in _pg_tables(cursor) if t not in tables]
        if extra:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(quote(t) for t in extra) + " CASCADE")
    command, env = _pg_command(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"],
        dbname_flag="--dbname",
    )
    _run([*command, str(path)], env)


# ---- database: SQLite -----------------------------------------------------------------------
def _sqlite_tables(cursor):
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
    return [name for (name,) in cursor.fetchall()]


def _sqlite_backup(path):
    """The online backup API copies a consistent snapshot while the app keeps running; the copy
    then loses its sessions (overwritten, not just unlinked) and its WAL, to be one file."""
    quote = connection.ops.quote_name
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.execute("PRAGMA secure_delete=ON")  # deleted sessions overwritten; VACUUM below rewrites the file anyway
        cursor = copy.cursor()
        problems = check_rows(cursor, quote)
        if problems:
            raise BackupError(
                _("The keys in this environment do not fit the data: %(problems)s.") % {"problems": "; ".join(problems)}
            )
        tables = _sqlite_tables(cursor)
        for table in NO_DATA:
            if table in tables:
                copy.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - a constant
        copy.commit()
        copy.execute("VACUUM")
        counts, migrations = _count(cursor, tables, quote), _migrations(cursor, tables)
    finally:
        copy.close()
    return counts, migrations, sqlite3.sqlite_version


def _sqlite_restore(path):
    """The backup API in reverse: the copy replaces the live database page by page, in one
    transaction of the destination."""
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError(_("Restore cannot run inside a transaction."))
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    except sqlite3.OperationalError as exc:  # "database is locked": Linli is still running
        raise BackupError(
            _("The SQLite database could not be replaced (%(error)s): stop Linli and its worker first.")
            % {"error": exc}
        ) from exc
    finally:
        source.close()


# ---- the archive ----------------------------------------------------------------------------
def _media_files(root):
    """Regular files under MEDIA_ROOT; symbolic links are not followed (they could point
    anywhere on the server)."""
    found = []
    for folder, _dirs, names in os.walk(root):  # followlinks=False
        found += [p for p in (Path(folder) / n for n in names) if p.is_file() and not p.is_symlink()]
    return sorted(found)


def _version():
    try:
        return metadata.version("linli")
    except metadata.PackageNotFoundError:  # a checkout run without `pip install`
        return "unknown"


def _private(path, mode):
    os.chmod(path, mode)
    return path


def _write_private(path, text):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(text)


def _check_destination(destination):
    if destination.exists():
        raise BackupError(_("%(path)s exists already; choose a new name.") % {"path": destination})
    if not destination.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": destination.parent})
    if destination.is_relative_to(Path(settings.MEDIA_ROOT).absolute()):
        raise BackupError(_("A backup cannot be written inside MEDIA_ROOT, which it copies."))
    if connection.vendor not in DUMP:
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": connection.vendor})


def _write_tar(destination, staging, dump, media_root, files):
    partial = staging / "archive.tar"
    with (
        open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f,
        tarfile.open(fileobj=f, mode="w") as tar,
    ):
        tar.add(staging / MANIFEST, arcname=MANIFEST)
        tar.add(dump, arcname=dump.name)
        for name in files:
            tar.add(media_root / name, arcname=f"{MEDIA}/{name}", recursive=False)
    partial.rename(destination)


def _write_directory(destination, staging, media_root, files):
    for name in files:
        target = staging / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(media_root / name, target)
        _private(target, 0o600)
    staging.rename(destination)


def backup(destination, out=lambda *_a: None):
    """Write an archive to `destination` (a .tar file, or else a new directory), readable by its
    owner only; returns the manifest. Built in a hidden folder beside it, renamed when complete."""
    destination = Path(destination).absolute()
    _check_destination(destination)
    began, vendor, media_root = time.monotonic(), connection.vendor, Path(settings.MEDIA_ROOT)
    staging = _private(Path(tempfile.mkdtemp(prefix=".linli-backup-", dir=destination.parent)), 0o700)
    try:
        dump = staging / DUMP[vendor]
        out(_("Copying the %(vendor)s database …") % {"vendor": vendor})
        counts, migrations, server = (_pg_backup if vendor == "postgresql" else _sqlite_backup)(dump)
        _private(dump, 0o600)
        files = {
            p.relative_to(media_root).as_posix(): {"sha256": _sha256(p), "bytes": p.stat().st_size}
            for p in _media_files(media_root)
        }
        out(_("%(count)s files under MEDIA_ROOT …") % {"count": len(files)})
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "linli_version": _version(),
            "database": {
                "kind": vendor,
                "server": server,
                "file": dump.name,
                "sha256": _sha256(dump),
                "bytes": dump.stat().st_size,
            },
            "migrations": migrations,
            "tables": counts,
            "tables_without_data": [t for t in NO_DATA if t in counts],
            "media": files,
            "keys": {
                "note": "LINLI_FIELD_KEYS and LINLI_HASH_KEY are not in this archive.",
                "field_check": crypto.encrypt(KEY_CHECK),
                "hash_check": crypto.keyed_hash(KEY_CHECK),
            },
        }
        _write_private(staging / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
        if destination.suffix == ".tar":
            _write_tar(destination, staging, dump, media_root, files)
        else:
            _write_directory(destination, staging, media_root, files)
            staging = None  # it is the destination now
        manifest["seconds"] = round(time.monotonic() - began, 1)
        return manifest
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


@dataclass
class Opened:
    """An archive ready to restore: its manifest and where its files are on disk."""

    root: Path
    manifest: dict
    cleanup: list = field(default_factory=list)

    def close(self):
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)


def _safe_name(name):
    """A relative path that stays inside the archive (no absolute path, no `..`)."""
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and "\\" not in name and ".." not in parts


def _safe_members(tar):
    """Only regular files and folders, inside the archive: no links, devices or `..`."""
    members = []
    for m in tar.getmembers():
        if not (
            _safe_name(m.name)
            and (m.isfile() or m.isdir())
            and (m.name in (MANIFEST, *DUMP.values()) or PurePosixPath(m.name).parts[0] == MEDIA)
        ):
            raise BackupError(_("The archive holds an entry restore will not write: %(name)s.") % {"name": m.name})
        members.append(m)
    return members


def open_archive(source):
    source = Path(source)
    if source.is_dir():
        opened = Opened(source, {})
    elif tarfile.is_tarfile(source):
        work = Path(tempfile.mkdtemp(prefix="linli-restore-"))
        opened = Opened(work, {}, [work])
        try:
            with tarfile.open(source) as tar:
                members = _safe_members(tar)
                # the members were checked above; the "data" filter (Python ≥ 3.11.4) checks again
                tar.extractall(work, members=members, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))  # noqa: S202
        except BaseException:
            opened.close()
            raise
    else:
        raise BackupError(_("%(path)s is neither a backup directory nor a .tar archive.") % {"path": source})
    try:
        opened.manifest = json.loads((opened.root / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        opened.close()
        raise BackupError(_("The archive has no readable manifest.json (%(error)s).") % {"error": exc}) from exc
    return opened


def verify(opened):
    """Everything restore checks before it touches the database: format, database kind,
    migrations, keys, and the checksum of every file. Returns migrations the code has and the
    backup has not (an older backup: run `linli migrate` after restoring)."""
    m = opened.manifest
    if m.get("format") != FORMAT:
        raise BackupError(
            _("This archive has format %(format)s; this version of Linli reads format %(ours)s.")
            % {"format": m.get("format"), "ours": FORMAT}
        )
    try:
        return _verify(opened, m)
    except (KeyError, TypeError, AttributeError) as exc:
        raise BackupError(_("The manifest.json of this archive is incomplete (%(error)s).") % {"error": exc}) from exc


def _verify(opened, m):
    kind = m["database"]["kind"]
    if kind != connection.vendor:
        raise BackupError(
            _("This is a backup of a %(kind)s database; the database configured here is %(vendor)s.")
            % {"kind": kind, "vendor": connection.vendor}
        )
    code = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(m["migrations"]) - code)
    if unknown:
        raise BackupError(
            _(
                "The backup was made by a newer version of Linli: migrations unknown to this code: %(names)s. Install "
                "that version to restore it."
            )
            % {"names": ", ".join(unknown)}
        )
    try:
        fits = crypto.decrypt(m["keys"]["field_check"]) == KEY_CHECK
    except ValueError:
        fits = False
    if not fits:
        raise BackupError(
            _(
                "LINLI_FIELD_KEYS in this environment cannot decrypt this backup. Set the keys of the installation "
                "that made it (they are not in the archive)."
            )
        )
    if crypto.keyed_hash(KEY_CHECK) != m["keys"]["hash_check"]:
        raise BackupError(
            _(
                "LINLI_HASH_KEY in this environment is not the one this backup was made with. Set the hash key of the "
                "installation that made it."
            )
        )
    if m["database"]["file"] != DUMP[kind] or not all(_safe_name(name) for name in m["media"]):
        raise BackupError(_("The manifest.json names a file restore will not write."))
    expected = {m["database"]["file"]: m["database"]} | {f"{MEDIA}/{name}": f for name, f in m["media"].items()}
    for name, figures in expected.items():
        path = opened.root / name
        # a link in a directory archive could bring in any file of the server: only plain files
        if (
            path.is_symlink()
            or not path.is_file()
            or path.stat().st_size != figures["bytes"]
            or _sha256(path) != figures["sha256"]
        ):
            raise BackupError(
                _("The archive is damaged: %(name)s is missing, is a link or differs from its checksum.")
                % {"name": name}
            )
    return sorted(code - set(m["migrations"]))


def holding_data():
    """What a restore would replace: the tables of the configured database that hold rows (a
    new database holds none), and MEDIA_ROOT when it holds files."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        full = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 - introspected names
            if cursor.fetchone():
                full.append(table)
    files = len(_media_files(settings.MEDIA_ROOT))
    if files:
        full.insert(0, _("MEDIA_ROOT: %(count)s files") % {"count": files})
    return full


def _swap_media(opened):
    """MEDIA_ROOT becomes the archive's files: written beside it, then renamed into place."""
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{root.name}-restoring-", dir=root.parent))
    for name in opened.manifest["media"]:
        target = fresh / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(opened.root / MEDIA / name, target)
    os.chmod(fresh, root.stat().st_mode & 0o7777 if root.exists() else 0o755)
    old = None
    if root.exists():
        old = root.with_name(f".{root.name}-before-restore-{int(time.time())}")
        root.rename(old)
    fresh.rename(root)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def restore(opened, out=lambda *_a: None):
    """Replace the database and MEDIA_ROOT with the archive's, then check what was restored.
    Call verify() first, and ask before replacing a database that holds data."""
    m = opened.manifest
    out(_("Restoring the %(kind)s database …") % {"kind": m["database"]["kind"]})
    dump = opened.root / m["database"]["file"]
    if connection.vendor == "postgresql":
        _pg_restore(dump, m["tables"])
    else:
        _sqlite_restore(dump)

    ContentType.objects.clear_cache()  # ids come from the archive now
    out(_("Restoring %(count)s files to MEDIA_ROOT …") % {"count": len(m["media"])})
    _swap_media(opened)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        problems = [_("table %(table)s is missing") % {"table": t} for t in m["tables"] if t not in present]
        counts = _count(cursor, [t for t in m["tables"] if t in present], quote)
        problems += [
            _("%(table)s has %(found)s rows, the backup %(expected)s") % {"table": t, "found": counts[t], "expected": n}
            for t, n in m["tables"].items()
            if t in counts and counts[t] != n
        ]
        problems += check_rows(cursor, quote)
    if problems:
        raise BackupError(
            _("The database was restored, but it is not right: %(problems)s.") % {"problems": "; ".join(problems)}
        )
    return counts
