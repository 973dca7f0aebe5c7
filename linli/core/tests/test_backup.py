"""`linli backup` / `linli restore`: an archive that restores, on SQLite and on PostgreSQL.

The round trip backs up the test world (people, an encrypted reporter's phone, a photo), wipes
everything — a new empty database (PostgreSQL: a database of its own, dropped and created) and
an empty MEDIA_ROOT — restores, and compares every table's row count, a checksum over the
decrypted personal data and the media files. The other tests prove what restore refuses before
it touches anything: other keys, a database that holds data, a damaged or foreign archive.
"""

import hashlib
import io
import json
import shutil
import sqlite3
import stat
import subprocess
import tarfile
from contextlib import contextmanager

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from linli.accounts.actions import issue_api_token
from linli.cases import actions as cases
from linli.cases.models import Case, Category
from linli.core import crypto
from linli.people.models import Person
from linli.testing import build_world, make_id

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def keys(settings):
    """Field and hash keys of this test only; the encryption cache follows them."""

    def use(field_keys, hash_key=None):
        settings.LINLI_FIELD_KEYS = field_keys
        if hash_key is not None:
            settings.LINLI_HASH_KEY = hash_key
        crypto._fernet.cache_clear()

    yield use
    crypto._fernet.cache_clear()


@pytest.fixture
def district(media, client):
    w = build_world()
    category = Category.objects.filter(children=None).order_by("id").first()
    photo = ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg, but bytes to keep", name="problem.jpg")
    w.case = cases.report_case(
        actor=w.users.grid_a,
        category=category,
        grid=w.grid_a,
        description="楼道灯不亮",
        channel="patrol",
        reporter_name="王女士",
        reporter_phone="13912345678",
        photos=[photo],
    )
    client.force_login(w.users.community)  # a live session: it must not travel in the archive
    w.session_key = client.session.session_key
    _token, w.token = issue_api_token(w.users.grid_a, name="phone")  # the secret neither (only its digest is stored)
    return w


def table_counts():
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            counts[table] = cursor.fetchone()[0]
    return counts


def personal_data_checksum():
    """SHA-256 over every decrypted ID number and phone (people, reporters), in id order."""
    digest = hashlib.sha256()
    for row in Person.objects.order_by("pk").values_list("pk", "id_number", "phone", "id_number_hash", "phone_hash"):
        digest.update(repr(row).encode())
    for row in Case.objects.order_by("pk").values_list("pk", "reporter_phone"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def media_checksums(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _admin_sql(statement):
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"],
        port=s["PORT"] or None,
        autocommit=True,
    ) as conn:
        conn.execute(statement)


@contextmanager
def empty_database(tmp_path):
    """Point the default connection at a new, empty database for the block: PostgreSQL, a
    database of its own (<test database>_backup, dropped and created); SQLite, a new file."""
    s = connection.settings_dict
    name = s["NAME"]
    if connection.vendor == "postgresql":
        connection.close()
        other = f"{name}_backup"[:63]
        _admin_sql(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)')
        _admin_sql(f'CREATE DATABASE "{other}"')
        saved = None
    else:
        # closing an in-memory SQLite database would destroy it: put its connection aside
        saved, connection.connection = connection.connection, None
        other = str(tmp_path / "restored.sqlite3")
    s["NAME"] = other
    try:
        yield other
    finally:
        connection.close()
        s["NAME"] = name
        if saved is not None:
            connection.connection = saved
        elif connection.vendor == "postgresql":
            _admin_sql(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)')


def run(command, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_backup_wipe_restore_gives_back_every_row_personal_data_and_file(district, media, tmp_path):
    before_counts, before_personal, before_media = table_counts(), personal_data_checksum(), media_checksums(media)
    assert (
        before_counts["people_person"] == 12
        and before_counts["django_session"] == before_counts["accounts_apitoken"] == 1
    )
    assert len(before_media) == 1
    archive = tmp_path / "backup.tar"
    _out, err = run("backup", str(archive))
    assert "LINLI_FIELD_KEYS" in err and "LINLI_HASH_KEY" in err  # the loud reminder

    shutil.rmtree(media)
    media.mkdir()
    with empty_database(tmp_path):
        assert table_counts() == {}
        out, err = run("restore", str(archive), interactive=False)
        assert "LINLI_FIELD_KEYS" in err
        after_counts, after_personal, after_media = table_counts(), personal_data_checksum(), media_checksums(media)
    no_sessions = {"django_session": 0, "accounts_signinsession": 0}
    assert after_counts == before_counts | no_sessions, "no live session; every other row"
    assert after_personal == before_personal
    assert after_media == before_media


def readable_dump(database_file):
    """What the database file of an archive holds, as bytes a search can see: the SQLite file
    itself; the PostgreSQL dump (compressed) as the SQL script pg_restore would run."""
    if database_file.suffix == ".dump":
        return subprocess.run(["pg_restore", "--file=-", str(database_file)], capture_output=True, check=True).stdout
    return database_file.read_bytes()


def test_the_archive_holds_no_key_no_clear_personal_data_and_no_session(district, media, tmp_path, settings):
    archive = tmp_path / "backup.tar"
    run("backup", str(archive))
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600, "readable by its owner only"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        tar.extractall(tmp_path / "open", filter="data")
    assert {"manifest.json", manifest["database"]["file"]} <= set(names) and any(
        n.startswith("media/cases/") for n in names
    )
    assert manifest["database"]["kind"] == connection.vendor
    assert manifest["tables"]["people_person"] == 12 and manifest["tables"]["django_session"] == 0
    assert manifest["tables"]["accounts_apitoken"] == 1
    assert "cases.0002_seed_categories_and_holidays" in manifest["migrations"]
    dump = readable_dump(tmp_path / "open" / manifest["database"]["file"])
    assert "王女士".encode() in dump and b"django_session" in dump, "the search below looks at readable text"
    secrets = [k.encode() for k in settings.LINLI_FIELD_KEYS] + [
        settings.LINLI_HASH_KEY.encode(),
        district.session_key.encode(),
        district.token.encode(),
    ]
    clear = [make_id(1).encode(), b"13800000001", b"13912345678"]
    for path in (tmp_path / "open").rglob("*"):
        if path.is_file():
            blob = dump if path.name == manifest["database"]["file"] else path.read_bytes()
            for value in secrets + clear:
                assert value not in blob, f"{value!r} in {path.name}"
    if connection.vendor == "sqlite":
        with sqlite3.connect(tmp_path / "open" / manifest["database"]["file"]) as copy:
            assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete", "one self-contained file"


def test_restore_refuses_a_database_that_holds_data_unless_forced(district, media, tmp_path, monkeypatch):
    archive = tmp_path / "backup"
    run("backup", str(archive))
    backed_up = personal_data_checksum()
    late = Person.objects.create(household=district.hh_a1, name="备份后登记", id_number=make_id(500, "19900101"))
    with pytest.raises(CommandError, match="--force"):
        run("restore", str(archive), interactive=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError):
        run("restore", str(archive), force=True, interactive=True)
    assert Person.objects.filter(pk=late.pk).exists(), "nothing changed without --force or without a yes"

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    run("restore", str(archive), force=True, interactive=True)
    assert not Person.objects.filter(pk=late.pk).exists() and Person.objects.count() == 12
    assert personal_data_checksum() == backed_up


def test_restore_into_an_empty_database_keeps_files_it_would_delete_unless_forced(district, media, tmp_path):
    """An empty database beside a MEDIA_ROOT full of photos (a drill pointed at the production
    data folder): restoring would replace those photos, so it is refused like a full database."""
    archive = tmp_path / "backup"
    run("backup", str(archive))
    newer = media / "cases" / "after-the-backup.jpg"
    newer.parent.mkdir(parents=True, exist_ok=True)
    newer.write_bytes(b"a photo taken after the backup")
    with empty_database(tmp_path):
        with pytest.raises(CommandError, match="MEDIA_ROOT"):
            run("restore", str(archive), interactive=False)
        assert table_counts() == {} and newer.exists()
        run("restore", str(archive), force=True, interactive=False)
        assert not newer.exists() and Person.objects.count() == 12


def test_restore_refuses_other_keys_before_touching_anything(district, media, tmp_path, keys, settings):
    archive = tmp_path / "backup"
    run("backup", str(archive))
    late = Person.objects.create(household=district.hh_a1, name="备份后登记", id_number=make_id(501, "19900101"))
    original_field, original_hash = list(settings.LINLI_FIELD_KEYS), settings.LINLI_HASH_KEY
    keys([Fernet.generate_key().decode()])
    with pytest.raises(CommandError, match="LINLI_FIELD_KEYS"):
        run("restore", str(archive), force=True, interactive=False)
    keys(original_field, "another-hash-key")
    with pytest.raises(CommandError, match="LINLI_HASH_KEY"):
        run("restore", str(archive), force=True, interactive=False)
    keys(original_field, original_hash)
    assert Person.objects.filter(pk=late.pk).exists()


def test_restore_declares_failure_when_a_rotated_out_key_is_missing(media, tmp_path, keys, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys([old])
    build_world()  # everyone encrypted with the old key
    keys([new, old])  # rotation started: the new key encrypts, the old one still decrypts
    archive = tmp_path / "backup"
    run("backup", str(archive))
    keys([new])  # the old key was dropped too early
    with empty_database(tmp_path), pytest.raises(CommandError, match="people_person"):
        run("restore", str(archive), interactive=False)


def test_restore_checks_encrypted_files_in_the_database_too(media, tmp_path, keys):
    """A ledger upload waiting for the worker is an encrypted binary column: a key it needs must
    be missed by restore, not by the worker that imports it later."""
    from linli.accounts.models import User
    from linli.ledger.models import ImportJob

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys([old])
    ImportJob.objects.create(
        owner=User.objects.create_user("uploader"), filename="台账.xlsx", content=b"PK\x03\x04 a ledger file"
    )
    keys([new, old])
    archive = tmp_path / "backup"
    run("backup", str(archive))
    keys([new])
    with empty_database(tmp_path), pytest.raises(CommandError, match="ledger_importjob"):
        run("restore", str(archive), interactive=False)


def test_backup_refuses_keys_that_do_not_fit_the_data(district, tmp_path, keys):
    keys([Fernet.generate_key().decode()])
    with pytest.raises(CommandError, match="LINLI_FIELD_KEYS"):
        run("backup", str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()


def _manifest(archive):
    return json.loads((archive / "manifest.json").read_text())


def test_restore_refuses_a_damaged_or_foreign_archive_before_touching_anything(district, media, tmp_path):
    archive = tmp_path / "backup"
    run("backup", str(archive))
    late = Person.objects.create(household=district.hh_a1, name="备份后登记", id_number=make_id(502, "19900101"))

    photo = next((archive / "media").rglob("*.jpg"))
    good = photo.read_bytes()
    photo.write_bytes(good[:-1] + b"!")
    with pytest.raises(CommandError, match=str(photo.relative_to(archive / "media"))):
        run("restore", str(archive), force=True, interactive=False)
    photo.write_bytes(good)

    manifest = _manifest(archive)
    for change, message in (
        ({"migrations": [*manifest["migrations"], "cases.9999_from_the_future"]}, "cases.9999_from_the_future"),
        ({"database": manifest["database"] | {"kind": "oracle"}}, "oracle"),
        ({"format": 99}, "99"),
        ({"media": {"../../outside.jpg": next(iter(manifest["media"].values()))}}, "manifest.json"),
        ({"keys": {}}, "manifest.json"),
    ):
        (archive / "manifest.json").write_text(json.dumps(manifest | change))
        with pytest.raises(CommandError, match=message):
            run("restore", str(archive), force=True, interactive=False)
    (archive / "manifest.json").write_text(json.dumps(manifest))
    assert Person.objects.filter(pk=late.pk).exists()

    outside = tmp_path / "elsewhere.jpg"  # same bytes, so only the link gives it away
    outside.write_bytes(good)
    photo.unlink()
    photo.symlink_to(outside)
    with pytest.raises(CommandError, match=str(photo.relative_to(archive / "media"))):
        run("restore", str(archive), force=True, interactive=False)
    photo.unlink()
    photo.write_bytes(good)

    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        tar.add(archive / "manifest.json", arcname="manifest.json")
        info = tarfile.TarInfo("../outside.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(CommandError, match="outside.txt"):
        run("restore", str(evil), force=True, interactive=False)
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path.parent / "outside.txt").exists()


def test_an_older_backup_restores_and_says_to_migrate(district, media, tmp_path):
    """Also the round trip of a directory archive (the first test restores a .tar)."""
    before = table_counts() | {"django_session": 0, "accounts_signinsession": 0}
    archive = tmp_path / "backup"
    run("backup", str(archive))
    assert stat.S_IMODE(archive.stat().st_mode) == 0o700
    manifest = _manifest(archive)
    manifest["migrations"].remove("cases.0002_seed_categories_and_holidays")
    (archive / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(media)
    with empty_database(tmp_path):
        out, err = run("restore", str(archive), interactive=False)
        assert table_counts() == before and len(media_checksums(media)) == 1
    assert "cases.0002_seed_categories_and_holidays" in err and "linli migrate" in err
