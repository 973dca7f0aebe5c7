"""A worker that dies mid-import: its job is marked failed (nothing was written) and its owner is
told, found by the periodic job (check_overdue) once the heartbeat is older than the bound."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from linli.core.models import Notification
from linli.ledger.models import ImportJob
from linli.people.models import Person
from linli.testing import make_id

from .helpers import row, xlsx

BOUND = dt.timedelta(seconds=300)


def job_at(world, status, heartbeat):
    return ImportJob.objects.create(
        owner=world.users.community, filename="台账.xlsx", content=b"x", status=status, heartbeat_at=heartbeat
    )


@pytest.fixture
def check_at(django_capture_on_commit_callbacks):
    """Run the periodic job at `moment`, with its after-commit notifications."""

    def check(moment):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            call_command("check_overdue", stdout=open(os.devnull, "w"))  # noqa: SIM115

    return check


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["validating", "writing"])
def test_a_job_is_failed_only_once_its_heartbeat_is_older_than_the_bound(world, settings, login, check_at, status):
    settings.LINLI_IMPORT_STALE_SECONDS = 300
    beat = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    job = job_at(world, status, beat)
    check_at(beat + BOUND)  # exactly the bound: not older than it
    job.refresh_from_db()
    assert job.status == status and not Notification.objects.filter(user=job.owner).exists()

    check_at(beat + BOUND + dt.timedelta(microseconds=1))
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at == beat + BOUND + dt.timedelta(microseconds=1)
    assert "未写入任何数据" in job.message and bytes(job.content) == b""
    [note] = Notification.objects.filter(user=job.owner)
    assert "台账.xlsx" in note.text and "未写入任何数据" in note.text and note.url == job.get_absolute_url()
    page = login(world.users.community).get(reverse("ledger:job", args=[job.pk])).content.decode()
    assert "未写入任何数据" in page and "hx-trigger" not in page

    check_at(beat + 2 * BOUND)  # told once
    assert Notification.objects.filter(user=job.owner).count() == 1


@pytest.mark.django_db
def test_the_bound_is_a_setting(world, settings, check_at):
    assert settings.LINLI_IMPORT_STALE_SECONDS == 300
    settings.LINLI_IMPORT_STALE_SECONDS = 60
    beat = timezone.now() - dt.timedelta(hours=1)
    job = job_at(world, "writing", beat)
    check_at(beat + dt.timedelta(seconds=60))
    assert ImportJob.objects.get(pk=job.pk).status == "writing"
    check_at(beat + dt.timedelta(seconds=61))
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


@pytest.mark.django_db
def test_a_job_left_running_before_heartbeats_existed_is_failed_by_its_age(world, check_at):
    created = timezone.now() - dt.timedelta(hours=1)
    job = ImportJob.objects.create(
        owner=world.users.community, filename="旧.xlsx", content=b"x", status="writing", created_at=created
    )
    check_at(created + BOUND)
    assert ImportJob.objects.get(pk=job.pk).status == "writing"
    check_at(created + BOUND + dt.timedelta(seconds=1))
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


@pytest.mark.django_db
def test_waiting_and_finished_jobs_are_left_alone(world, check_at):
    long_ago = timezone.now() - dt.timedelta(days=1)
    jobs = [job_at(world, "pending", None), job_at(world, "succeeded", long_ago), job_at(world, "failed", long_ago)]
    check_at(timezone.now())
    assert [ImportJob.objects.get(pk=j.pk).status for j in jobs] == ["pending", "succeeded", "failed"]
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_running_import_beats_its_heart(world, monkeypatch):
    from linli.ledger import importer

    monkeypatch.setattr(importer, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(importer, "CHECK_BATCH", 5)
    beats = []
    original = importer.Validator.check_existing

    def check_existing(self, rows):
        beats.append(ImportJob.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk))
        return original(self, rows)

    monkeypatch.setattr(importer.Validator, "check_existing", check_existing)
    rows = [
        row(f"心{i}", make_id(900 + i, "19900101"), house="201", relation="户主" if i == 0 else "子女")
        for i in range(15)
    ]
    job = ImportJob.objects.create(owner=world.users.community, filename="台账.xlsx", content=xlsx(rows))
    assert importer.run(job).status == "succeeded"
    assert len(beats) == 3 and None not in beats and beats == sorted(beats) and beats[0] < beats[-1]


# ---- a real worker process, killed ---------------------------------------------------------

CHILD = """
import sys, time
import django
django.setup()
from linli.ledger import importer
from linli.ledger.tasks import run_import

importer.WRITE_CHUNK = 2
write = importer._Writer.write

def write_then_hang(self, rows):
    write(self, rows)
    print("wrote", len(rows), flush=True)
    time.sleep(300)

importer._Writer.write = write_then_hang
run_import.call(int(sys.argv[1]))
"""


@contextmanager
def database_for_a_child(tmp_path):
    """A database URL this test and a child process share: PostgreSQL's test database itself; for
    SQLite's in-memory test database, a file copy, copied back when the child is done."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        yield f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as file:
        connection.connection.backup(file)
    yield f"sqlite:///{path}"
    with closing(sqlite3.connect(path)) as file:
        file.backup(connection.connection)


def first_line(process, timeout):
    line = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return line[0] if line else ""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_writing_leaves_nothing_written_and_its_job_is_failed(world, tmp_path, check_at):
    rows = [
        row(f"杀{i}", make_id(950 + i, "19900101"), house="201", relation="户主" if i == 0 else "子女")
        for i in range(6)
    ]
    job = ImportJob.objects.create(owner=world.users.community, filename="台账.xlsx", content=xlsx(rows))
    people = Person.objects.count()
    with database_for_a_child(tmp_path) as url:
        env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "linli.settings", "DEBUG": "1"}
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(job.pk)],
            env=env,
            cwd=Path(__file__).resolve().parents[3],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert first_line(child, timeout=120) == "wrote 2\n", (
                child.stderr.read() if child.poll() is not None else "no output"
            )
            if connection.vendor == "postgresql":
                # alive, holding its write lock: not failed, however old its heartbeat looks
                check_at(timezone.now() + 10 * BOUND)
                assert ImportJob.objects.get(pk=job.pk).status == "writing"
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=60)
            child.stdout.close()
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    killed = timezone.now()
    job.refresh_from_db()
    assert job.status == "writing"
    assert Person.objects.count() == people  # the first chunk was written inside the transaction the kill ended

    check_at(killed)  # a fresh heartbeat: a worker that might still be running
    assert ImportJob.objects.get(pk=job.pk).status == "writing"
    check_at(killed + BOUND + dt.timedelta(seconds=1))
    job.refresh_from_db()
    assert job.status == "failed" and "未写入任何数据" in job.message
    assert Notification.objects.filter(user=world.users.community, url=job.get_absolute_url()).count() == 1
    assert Person.objects.count() == people


# ---- an unexpected error in the worker or in the request -------------------------------------


@pytest.mark.django_db
def test_an_unexpected_error_in_the_worker_fails_the_job_and_tells_its_owner(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from linli.ledger import importer
    from linli.ledger.tasks import run_import

    def broken(self, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._Writer, "write", broken)
    rows = [row("错", make_id(990, "19900101"), house="201")]
    job = ImportJob.objects.create(owner=world.users.community, filename="台账.xlsx", content=xlsx(rows))
    people = Person.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True),  # the owner is told once the failure is committed
        pytest.raises(RuntimeError),  # the task is recorded as failed, with its traceback, by the worker
    ):
        run_import.call(job.pk)
    job.refresh_from_db()
    assert (job.status, bytes(job.content)) == ("failed", b"") and "未写入任何数据" in job.message
    assert Notification.objects.filter(user=world.users.community, url=job.get_absolute_url()).exists()
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_an_unexpected_error_in_an_inline_import_is_a_failed_job_not_a_500(world, login, monkeypatch):
    from linli.ledger import importer

    from .helpers import upload

    def broken(self, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._Writer, "write", broken)
    r = login(world.users.community).post(
        reverse("ledger:import"),
        {"file": upload(xlsx([row("错", make_id(991, "19900101"), house="201")]))},
        follow=True,
    )
    assert r.status_code == 200
    job = ImportJob.objects.get()
    assert job.status == "failed" and "内部错误" in r.content.decode()
