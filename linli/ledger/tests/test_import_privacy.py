"""What the import tells its user, and what it writes back to them: no hint of people outside
their scope, no live formulas, nothing cached on the way."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.models import AuditLog
from linli.ledger import columns as C
from linli.ledger.models import ImportJob
from linli.testing import make_id

from .helpers import row, upload, xlsx
from .test_export import FORMULAS, typed_cells


def post(client, rows):
    return client.post(reverse("ledger:import"), {"file": upload(xlsx(rows))}, follow=True)


def error_file_text(client, job):
    ws = load_workbook(io.BytesIO(client.get(reverse("ledger:errors", args=[job.pk])).content))[C.SHEET]
    return repr(list(ws.iter_rows(values_only=True)))


@pytest.mark.django_db
def test_an_id_number_registered_outside_the_scope_is_refused_without_saying_so(world, login):
    c = login(world.users.community)
    elsewhere = world.p_c1h  # a resident of the other community
    r = post(c, [row("丙", elsewhere.id_number, house="201")])
    job = ImportJob.objects.get()
    assert job.status == "failed"
    [error] = job.errors
    assert (error["row"], error["column"]) == (2, None)
    assert error["message"] == "此行无法导入。请核对此行；如确认无误，请联系街道管理员。"
    shown = r.content.decode() + repr(job.errors) + job.message + error_file_text(c, job)
    for hint in ("范围", "管辖", "登记", "已有", "已存在", "其他社区", world.c2.name, elsewhere.name, "西湖"):
        assert hint not in shown


@pytest.mark.django_db
def test_the_conflict_is_recorded_for_system_administrators_only(world, login):
    c = login(world.users.community)
    post(c, [row("甲", make_id(660), house="201"), row("丙", world.p_c1h.id_number, house="201", relation="子女")])
    job = ImportJob.objects.get()
    log = AuditLog.objects.get(content_type=ContentType.objects.get_for_model(ImportJob), object_id=str(job.pk))
    assert (log.action, log.actor) == ("import", world.users.community)
    assert log.changes == {"row": [None, 3], "person": [None, world.p_c1h.pk]}
    assert world.p_c1h.id_number not in repr((log.object_repr, log.note, log.changes))
    assert AuditLog.objects.restrict(world.users.admin).filter(pk=log.pk).exists()
    for user in (world.users.community, world.users.other_community, world.users.subdistrict, world.users.grid_a):
        assert not AuditLog.objects.restrict(user).filter(pk=log.pk).exists()
    assert job.filename not in login(world.users.community).get(reverse("core:audit")).content.decode()


@pytest.mark.django_db
def test_the_error_file_writes_every_cell_as_text(world, login):
    c = login(world.users.community)
    rows = [row(name, "12345", house="201", relation="子女") for name in FORMULAS]
    rows.append(row("乙", "12345", compound='=HYPERLINK("http://evil.example","x")', house="201", relation="子女"))
    post(c, rows)
    job = ImportJob.objects.get()
    cells = typed_cells(c.get(reverse("ledger:errors", args=[job.pk])))
    assert {v for v, _t, _q in cells} >= set(FORMULAS)
    assert {t for _v, t, _q in cells} == {"s"}
    assert {v for v, _t, quoted in cells if quoted} >= set(FORMULAS) - {"of:=1+1"}


@pytest.mark.django_db
def test_the_template_writes_every_cell_as_text(world, login):
    r = login(world.users.community).get(reverse("ledger:template"))
    for name in (C.SHEET, "填写说明"):
        assert {t for _v, t, _q in typed_cells(r, name)} == {"s"}


@pytest.mark.django_db
def test_the_error_file_and_the_job_page_are_never_cached(world, login):
    c = login(world.users.community)
    post(c, [row("坏", "12345", house="201")])
    job = ImportJob.objects.get()
    for response in (
        c.get(reverse("ledger:errors", args=[job.pk])),
        c.get(reverse("ledger:job", args=[job.pk])),
        c.get(reverse("ledger:job", args=[job.pk]), HTTP_HX_REQUEST="true"),
    ):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_upload_and_the_error_file_are_encrypted_at_rest(world):
    """Both hold ID numbers and phones as typed: in the database they are Fernet tokens."""
    from django.db import connection

    from linli.ledger.models import ImportJob

    secret = world.p_a1h.id_number.encode()
    job = ImportJob.objects.create(
        owner=world.users.community, filename="a.xlsx", content=b"PK.." + secret, error_file=b"PK.." + secret
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT content, error_file FROM ledger_importjob WHERE id = %s", [job.pk])
        stored = [bytes(v) for v in cursor.fetchone()]
    assert all(secret not in v and v.startswith(b"gAAAA") for v in stored)  # a Fernet token's version byte
    job = ImportJob.objects.get(pk=job.pk)
    assert bytes(job.content) == bytes(job.error_file) == b"PK.." + secret
    assert ImportJob.objects.filter(pk=job.pk).exclude(error_file=b"").exists()
    ImportJob.objects.filter(pk=job.pk).update(error_file=b"")
    assert not ImportJob.objects.filter(pk=job.pk).exclude(error_file=b"").exists()


@pytest.mark.django_db
def test_the_migration_encrypts_files_stored_in_the_clear(world):
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    from linli.ledger.models import ImportJob

    migration = importlib.import_module("linli.ledger.migrations.0003_encrypt_upload_and_error_file")
    job = ImportJob.objects.create(owner=world.users.community, filename="a.xlsx", content=b"")
    with connection.cursor() as cursor:  # as an older Linli stored them
        cursor.execute(
            "UPDATE ledger_importjob SET content = %s, error_file = %s WHERE id = %s", [b"clear upload", b"", job.pk]
        )
    migration.encrypt_stored_files(None, SimpleNamespace(connection=connection))  # what it uses of a schema editor
    job = ImportJob.objects.get(pk=job.pk)
    assert (bytes(job.content), bytes(job.error_file)) == (b"clear upload", b"")
