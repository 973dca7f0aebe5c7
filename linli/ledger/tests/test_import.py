import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.models import AuditLog
from linli.ledger import columns as C
from linli.ledger.models import ImportJob
from linli.people.models import Household, Person
from linli.testing import make_id

from .helpers import row, upload, xlsx


def post(client, rows, **kw):
    return client.post(reverse("ledger:import"), {"file": upload(xlsx(rows), **kw)}, follow=True)


def bad_check_digit(serial):
    good = make_id(serial)
    return good[:17] + ("0" if good[17] != "0" else "1")


@pytest.mark.django_db
def test_template_has_the_chinese_headers(world, login):
    r = login(world.users.community).get(reverse("ledger:template"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content))[C.SHEET]
    assert [c.value for c in ws[1]] == C.HEADERS


@pytest.mark.django_db
def test_import_needs_permission(world, login):
    assert login(world.users.grid_a).get(reverse("ledger:import")).status_code == 403
    assert login(world.users.building_head).get(reverse("ledger:template")).status_code == 403


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_and_names_row_and_column(world, login):
    c = login(world.users.community)
    before = (Person.objects.count(), Household.objects.count(), AuditLog.objects.count())
    r = post(
        c, [row("新一", make_id(601), house="201"), row("新二", bad_check_digit(602), house="201", relation="配偶")]
    )
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.errors == [{"row": 3, "column": C.ID_NUMBER, "message": "身份证号校验码错误。"}]
    assert (Person.objects.count(), Household.objects.count(), AuditLog.objects.count()) == before
    body = r.content.decode()
    assert "未导入" in body and "身份证号校验码错误" in body
    # the error table's header is the problem found, not a photo's kind ("问题照片" once)
    header = body.split('data-testid="import-errors"')[1].split("</thead>")[0]
    assert "<th>问题</th>" in header and "照片" not in header


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        ({C.NAME: ""}, C.NAME, "必填"),
        ({C.BUILDING: "9号楼"}, C.BUILDING, "楼栋"),
        ({C.COMPOUND: "不存在小区"}, C.COMPOUND, "小区"),
        ({C.UNIT: "9单元"}, C.UNIT, "单元"),
        ({C.HOUSE: "909"}, C.HOUSE, "门牌号"),
        ({C.PHONE: "1380000"}, C.PHONE, "11 位"),
        ({C.TAGS: "党员、外星人"}, C.TAGS, "外星人"),
        ({C.RELATION: "邻居"}, C.RELATION, "邻居"),
        ({C.TENURE: "借住"}, C.TENURE, "自有"),
        ({C.ID_NUMBER: "12345"}, C.ID_NUMBER, "17 位"),
    ],
)
def test_each_rule_reports_its_column(world, login, bad, column, message):
    data = row("测试", make_id(610), house="201") | bad
    post(login(world.users.community), [data])
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert [e["column"] for e in job.errors] == [column]
    assert message in job.errors[0]["message"]
    assert not Person.objects.filter(name="测试").exists()


@pytest.mark.django_db
def test_duplicate_id_in_file_and_out_of_scope_id_and_second_head(world, login):
    c = login(world.users.community)
    same = make_id(620)
    post(
        c,
        [
            row("甲", same, house="201"),
            row("乙", same, house="201", relation="子女"),
            row("丙", world.p_c1h.id_number, house="201", relation="子女"),
            row("丁", make_id(621), house="201"),
        ],
    )
    errors = ImportJob.objects.get().errors
    assert {"row": 3, "column": C.ID_NUMBER, "message": "该身份证号已在第 2 行出现。"} in errors
    assert {"row": 4, "column": None, "message": "此行无法导入。请核对此行；如确认无误，请联系街道管理员。"} in errors
    assert any(e["row"] == 5 and e["column"] == C.RELATION for e in errors)
    assert len(errors) == 3


@pytest.mark.django_db
def test_clean_file_imports_then_reimport_updates_without_duplicates(world, login):
    from decimal import Decimal

    from linli.core.actions import create_object
    from linli.places.models import House

    empty = create_object(House, actor=None, unit=world.unit_a, number="301", area=Decimal("70"))
    c = login(world.users.community)
    rows = [
        row("王大", make_id(630, "19700101"), house="301", phone="13911112222", tags="党员"),
        row("王小", make_id(631, "20100101"), house="301", relation="子女"),
        row(world.p_a1h.name, world.p_a1h.id_number, house="101", phone="13700001111"),  # existing person
    ]
    r = post(c, rows)
    job = ImportJob.objects.get()
    assert job.status == "succeeded", job.errors
    assert (job.created_count, job.updated_count, job.households_created) == (2, 1, 1)
    assert "导入 3 行" in r.content.decode()
    wang = Person.objects.get(name="王大")
    assert (wang.grid_id, wang.building_id, wang.household.house, wang.relation) == (
        world.grid_a.pk,
        world.bld_a.pk,
        empty,
        "head",
    )
    assert [t.name for t in wang.tags.all()] == ["党员"]
    with connection.cursor() as cur:
        cur.execute("SELECT id_number FROM people_person WHERE id = %s", [wang.pk])
        raw = cur.fetchone()[0]
    assert raw != wang.id_number and wang.id_number not in raw  # encrypted at rest
    world.p_a1h.refresh_from_db()
    assert world.p_a1h.phone == "13700001111"
    upd = AuditLog.objects.get(
        action="update", object_id=str(world.p_a1h.pk), content_type=ContentType.objects.get_for_model(Person)
    )
    assert upd.changes["phone"] == ["138****0001", "137****1111"]
    assert AuditLog.objects.filter(action="import", actor=world.users.community).count() == 1

    counts = (Person.objects.count(), Household.objects.count())
    post(c, rows)
    job2 = ImportJob.objects.latest("id")
    assert job2.status == "succeeded" and (job2.created_count, job2.updated_count, job2.households_created) == (0, 0, 0)
    assert (Person.objects.count(), Household.objects.count()) == counts


@pytest.mark.django_db
def test_error_file_lists_failing_rows_with_reason(world, login):
    c = login(world.users.community)
    post(c, [row("好", make_id(640), house="201"), row("坏", make_id(641), house="201", relation="子女", phone="abc")])
    job = ImportJob.objects.get()
    r = c.get(reverse("ledger:errors", args=[job.pk]))
    ws = load_workbook(io.BytesIO(r.content))[C.SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][-1] == C.ERROR_HEADER
    assert len(rows) == 2 and rows[1][5] == "坏" and "联系电话" in rows[1][-1]


@pytest.mark.django_db
def test_job_pages_are_private_to_their_owner(world, login):
    post(login(world.users.community), [row("甲", make_id(650), house="201")])
    job = ImportJob.objects.get()
    assert login(world.users.subdistrict).get(reverse("ledger:job", args=[job.pk])).status_code == 404
    assert login(world.users.subdistrict).get(reverse("ledger:errors", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_not_xlsx_and_wrong_headers_are_refused(world, login):
    c = login(world.users.community)
    r = c.post(reverse("ledger:import"), {"file": upload(b"name,id\n", name="a.csv")})
    assert "xlsx" in r.context["form"].errors["file"][0]
    r = c.post(reverse("ledger:import"), {"file": upload(b"not a zip", name="a.xlsx")})
    assert "不是" in r.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()
    r = c.post(reverse("ledger:import"), {"file": upload(xlsx([["x"]], headers=["名字"]))}, follow=True)
    job = ImportJob.objects.get()  # the headers are the job's to read
    assert job.status == "failed" and "身份证号" in job.message and "身份证号" in r.content.decode()


@pytest.mark.django_db
def test_large_files_run_in_the_background_worker(world, login, settings, django_capture_on_commit_callbacks):
    settings.LINLI_IMPORT_SYNC_BYTES = 4000
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    from linli.ledger.tasks import run_import

    c = login(world.users.community)
    rows = [
        row(f"批{i}", make_id(700 + i, "19900101"), house="201", relation="户主" if i == 0 else "子女")
        for i in range(5)
    ]
    content = xlsx(rows)
    assert len(content) > 4000
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("ledger:import"), {"file": upload(content)})
    job = ImportJob.objects.get()
    assert (
        r.status_code == 302 and job.status == "pending" and job.total_rows == 0
    )  # over 4,000 bytes: queued, not read
    assert [res.args for res in default_task_backend.results] == [[job.pk]]
    assert 'hx-trigger="every 1s"' in c.get(reverse("ledger:job", args=[job.pk])).content.decode()
    assert run_import.call(job.pk) == "succeeded"  # what the worker does
    job.refresh_from_db()
    assert (job.created_count, job.total_rows, job.processed_rows) == (5, 5, 5)
    partial = c.get(reverse("ledger:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "新增 5 人" in partial  # finished: polling stops


@pytest.mark.django_db
def test_running_job_page_polls_with_progress(world, login):
    job = ImportJob.objects.create(
        owner=world.users.community,
        filename="x.xlsx",
        content=b"",
        total_rows=400,
        processed_rows=100,
        status="validating",
    )
    body = login(world.users.community).get(reverse("ledger:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and "25%" in body
