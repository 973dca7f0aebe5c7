"""Bounds of the import: errors stop at a limit, the upload request does not read the sheet, a
damaged sheet is a message and not a 500, a name too long for the ledger is an error."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.ledger import columns as C
from linli.ledger import importer
from linli.ledger.models import ImportJob
from linli.people.models import Person
from linli.testing import make_id

from .helpers import damaged, row, upload, xlsx


def post(client, content, **kw):
    return client.post(reverse("ledger:import"), {"file": upload(content, **kw)})


def bad_phone(i):
    return row(f"错{i}", make_id(300 + i, "19900101"), house="201", relation="户主" if i == 0 else "子女", phone="12")


def good(i):
    return row(f"好{i}", make_id(400 + i, "19900101"), house="201", relation="子女")


def failing_rows(job):
    ws = load_workbook(io.BytesIO(bytes(job.error_file)))[C.SHEET]
    return list(ws.iter_rows(min_row=2, values_only=True))


@pytest.fixture
def limit(settings, monkeypatch):
    settings.LINLI_IMPORT_MAX_ERRORS = 5
    monkeypatch.setattr(importer, "CHECK_BATCH", 2)  # so "stops checking" is visible in rows read
    return 5


@pytest.mark.django_db
def test_one_error_under_the_limit_checks_the_whole_file(world, login, limit):
    post(login(world.users.community), xlsx([bad_phone(i) for i in range(limit - 1)] + [good(i) for i in range(3)]))
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert len(job.errors) == limit - 1 and all(e["column"] == C.PHONE for e in job.errors)
    assert (job.processed_rows, job.total_rows) == (limit + 2, limit + 2)
    assert "至少" not in job.message
    assert [r[5] for r in failing_rows(job)] == [f"错{i}" for i in range(limit - 1)]


@pytest.mark.django_db
def test_checking_stops_at_the_limit_with_a_message_that_says_at_least(world, login, limit):
    rows = (
        [bad_phone(i) for i in range(limit)]
        + [bad_phone(i) for i in range(limit, limit + 6)]
        + [good(i) for i in range(4)]
    )
    r = login(world.users.community).post(reverse("ledger:import"), {"file": upload(xlsx(rows))}, follow=True)
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert len(job.errors) == limit
    assert [e["row"] for e in job.errors] == list(range(2, 2 + limit))
    assert "至少有 5 处错误" in job.message
    assert job.processed_rows == limit + 1  # the batch of the limit-th error; the rows after it were not read
    assert len(failing_rows(job)) == limit
    assert "至少有 5 处错误" in r.content.decode()


@pytest.mark.django_db
def test_a_row_with_several_errors_does_not_carry_the_list_past_the_limit(world, login, limit):
    rows = [row(f"多{i}", "123", house="201", phone="12", relation="邻居") for i in range(3)]  # three errors a row
    post(login(world.users.community), xlsx(rows))
    job = ImportJob.objects.get()
    assert len(job.errors) == limit and "至少有 5 处错误" in job.message
    assert len(failing_rows(job)) == 2  # the second row reached the limit; its reasons are all in the file
    reasons = failing_rows(job)[1][-1]
    assert all(column in reasons for column in (C.ID_NUMBER, C.PHONE, C.RELATION))


@pytest.mark.django_db
def test_the_default_limit_is_one_thousand(settings):
    assert settings.LINLI_IMPORT_MAX_ERRORS == 1000


@pytest.mark.django_db
def test_a_huge_cell_is_not_copied_into_every_message(world, login):
    post(login(world.users.community), xlsx([row("甲", make_id(501), compound="苑" * 5000)]))
    [error] = ImportJob.objects.get().errors
    assert error["column"] == C.COMPOUND and len(error["message"]) < 120


@pytest.mark.django_db
def test_a_name_longer_than_the_ledger_keeps_is_a_row_error(world, login):
    post(
        login(world.users.community),
        xlsx([row("名" * 51, make_id(502), house="201"), row("名" * 50, make_id(503), house="201", relation="子女")]),
    )
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, C.NAME)] and "50" in job.errors[0]["message"]
    assert not Person.objects.filter(name__startswith="名").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("keep", [0.05, 0.6], ids=["at the header", "after some rows"])
def test_a_small_file_with_a_broken_sheet_is_a_failed_job_not_a_500(world, login, keep):
    content = damaged(xlsx([good(i) for i in range(40)]), keep=keep)
    r = login(world.users.community).post(reverse("ledger:import"), {"file": upload(content)}, follow=True)
    assert r.status_code == 200
    job = ImportJob.objects.get()
    assert job.status == "failed" and "损坏" in job.message
    assert "损坏" in r.content.decode()
    assert not Person.objects.filter(name__startswith="好").exists()


@pytest.mark.django_db
def test_the_upload_stores_the_file_and_leaves_reading_it_to_the_worker(
    world, login, settings, django_capture_on_commit_callbacks
):
    """A file above the inline bound is stored and queued without being read: even one whose sheet
    cannot be parsed is accepted, and the worker finds the damage."""
    settings.LINLI_IMPORT_SYNC_BYTES = 1000
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    from linli.ledger.tasks import run_import

    content = damaged(xlsx([good(i) for i in range(40)]), keep=0.6)
    assert len(content) > 1000
    with django_capture_on_commit_callbacks(execute=True):
        r = post(login(world.users.community), content)
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == job.get_absolute_url()
    assert (job.status, job.total_rows, bytes(job.content)) == ("pending", 0, content)
    assert [res.args for res in default_task_backend.results] == [[job.pk]]
    assert run_import.call(job.pk) == "failed"
    job.refresh_from_db()
    assert "损坏" in job.message


@pytest.mark.django_db
def test_the_worker_reads_the_row_count_from_the_sheet_for_progress(
    world, login, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LINLI_IMPORT_SYNC_BYTES = 1000
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from linli.ledger.tasks import run_import

    rows = [
        row(f"批{i}", make_id(700 + i, "19900101"), house="201", relation="户主" if i == 0 else "子女")
        for i in range(30)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        post(login(world.users.community), xlsx(rows))
    job = ImportJob.objects.get()
    seen = []
    original = importer.Validator.check

    def check(self, row):
        if not seen:
            seen.append(ImportJob.objects.values_list("total_rows", flat=True).get(pk=job.pk))
        return original(self, row)

    monkeypatch.setattr(importer.Validator, "check", check)
    assert run_import.call(job.pk) == "succeeded"
    assert seen == [30]  # known before the first row is checked, from the sheet's dimension


@pytest.mark.django_db
def test_a_zip_that_unpacks_to_more_than_the_bound_is_refused_unread(world, login, settings):
    settings.LINLI_IMPORT_MAX_UNZIPPED_BYTES = 50_000
    post(login(world.users.community), xlsx([good(i) for i in range(200)]))  # ~110 kB unpacked
    job = ImportJob.objects.get()
    assert job.status == "failed" and "解压" in job.message


@pytest.mark.django_db
def test_the_uploaded_file_is_not_kept_once_the_job_is_done(world, login):
    c = login(world.users.community)
    post(c, xlsx([good(0) | {C.RELATION: "户主"}]))
    post(c, xlsx([bad_phone(0)]))
    assert [(j.status, bytes(j.content)) for j in ImportJob.objects.order_by("pk")] == [
        ("succeeded", b""),
        ("failed", b""),
    ]


@pytest.mark.django_db
def test_job_pages_need_the_import_permission_still(world, login):
    from linli.accounts.models import RoleAssignment

    c = login(world.users.community)
    post(c, xlsx([bad_phone(0)]))
    job = ImportJob.objects.get()
    RoleAssignment.objects.filter(user=world.users.community).delete()
    world.users.community.refresh_from_db()
    c = login(world.users.community)
    assert c.get(reverse("ledger:job", args=[job.pk])).status_code == 403
    assert c.get(reverse("ledger:errors", args=[job.pk])).status_code == 403


@pytest.mark.django_db
def test_the_error_list_is_paginated(world, login, settings):
    settings.LINLI_IMPORT_MAX_ERRORS = 1000
    c = login(world.users.community)
    post(c, xlsx([bad_phone(i) for i in range(130)]))
    job = ImportJob.objects.get()
    assert len(job.errors) == 130
    page1 = c.get(reverse("ledger:job", args=[job.pk])).content.decode()
    page2 = c.get(reverse("ledger:job", args=[job.pk]), {"page": 2}).content.decode()
    assert page1.count("<td>联系电话</td>") == 100 and page2.count("<td>联系电话</td>") == 30
    assert "130" in page1


@pytest.mark.django_db
def test_rows_beyond_a_wrong_sheet_dimension_are_read_not_dropped(world, login):
    """The sheet's <dimension> is a hint for the progress bar, not where reading stops."""
    rows = [
        row(f"维{i}", make_id(520 + i, "19900101"), house="201", relation="户主" if i == 0 else "子女")
        for i in range(5)
    ]
    content = damaged(xlsx(rows), keep=1.0)  # a copy; then claim three rows instead of six
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, data.replace(b'<dimension ref="A1:J6" />', b'<dimension ref="A1:J3" />'))
    post(login(world.users.community), out.getvalue())
    job = ImportJob.objects.get()
    assert (job.status, job.created_count) == ("succeeded", 5)
