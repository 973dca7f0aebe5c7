"""The shared export mechanism (core.exports) and the audit log's export: cell neutralisation in
both formats, numbers kept numeric, the audit record (also of a download broken off), the xlsx
limit, scope, and memory and queries that stay flat as the rows grow."""

import datetime as dt
import gc
import io
import tracemalloc
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from linli.core import exports
from linli.core.models import AuditLog
from linli.core.tests.export_helpers import csv_rows, xlsx_rows

CSV, XLSX = reverse("core:audit_csv"), reverse("core:audit_xlsx")
DANGEROUS = ["=1+1", "+1", "-1+1", "@SUM(1)", "\tx", "\rx", "\nx", "＝1", "＋1", "－1", "＠SUM(1)"]
HARMLESS = ["1+1", "a=1", "张三", "'=already quoted"]


def test_csv_values_that_read_as_formulas_get_a_leading_apostrophe():
    assert [exports.csv_value(v) for v in DANGEROUS] == ["'" + v for v in DANGEROUS]
    assert [exports.csv_value(v) for v in HARMLESS] == HARMLESS
    # numbers stay numbers (a negative one is a number, not a formula); nothing is ""; yes/no
    assert [exports.csv_value(v) for v in (-5, 3, Decimal("89.50"), None)] == [-5, 3, Decimal("89.50"), ""]
    assert exports.csv_value(True) == "是" and exports.csv_value(False) == "否"


def test_xlsx_cells_are_text_where_they_could_be_formulas_and_numbers_where_they_are_numbers():
    ws = Workbook(write_only=True).create_sheet("t")
    for v in DANGEROUS:
        cell = exports.typed_cell(ws, v)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (v, "s", True)
    for v in HARMLESS:
        assert (exports.typed_cell(ws, v).data_type, exports.typed_cell(ws, v).quotePrefix) == ("s", False)
    assert [exports.typed_cell(ws, v).data_type for v in (-5, 2.5, Decimal("1.5"))] == ["n", "n", "n"]
    aware = timezone.make_aware(dt.datetime(2026, 3, 1, 0, 30), dt.UTC)
    assert exports.typed_cell(ws, aware).value == dt.datetime(2026, 3, 1, 8, 30)  # Asia/Shanghai


def audit_rows(n, **places):
    """`n` audit records about organisations, written as the ledger's bulk writer writes them."""
    ct = ContentType.objects.get_for_model(AuditLog)
    AuditLog.objects.bulk_create(
        AuditLog(
            action="update",
            content_type=ct,
            object_id=str(i),
            object_repr=f"记录{i:07d}" + "x" * 60,
            changes={"note": ["旧说明" * 5, "新说明" * 5]},
            **places,
        )
        for i in range(n)
    )


@pytest.mark.django_db
def test_the_audit_export_is_the_pages_rows_in_scope_and_filter(world, login):
    audit_rows(3, subdistrict_id=world.sub.pk, community_id=world.c1.pk, grid_id=world.grid_b.pk)
    audit_rows(2, subdistrict_id=world.sub.pk, community_id=world.c2.pk, grid_id=world.grid_c.pk)
    from linli.accounts.models import RoleAssignment, User

    chief = User.objects.create_user("chief_a", display_name="网格长甲")
    RoleAssignment.objects.create(user=chief, role="grid_chief", grid=world.grid_a)
    c = login(chief)
    page = c.get(reverse("core:audit")).context["page_obj"]
    rows = csv_rows(c.get(CSV))
    assert rows[0] == ["时间", "用户", "操作", "类型", "对象", "说明", "变更内容"]
    assert [r[4] for r in rows[1 : 1 + len(page)]] == [r.object_repr for r in page]
    assert len(rows) == 1 + page.paginator.count and not any(r[4].startswith("记录") for r in rows[1:])  # grid B's
    community = login(world.users.community)
    rows = csv_rows(community.get(CSV, {"action": "update", "q": "记录"}))
    assert len(rows) == 1 + 3 and all("旧说明" in r[6] for r in rows[1:])
    assert len(xlsx_rows(login(world.users.other_community).get(XLSX, {"q": "记录"}))) == 1 + 2
    assert login(world.users.grid_a).get(CSV).status_code == 403  # a grid worker has no audit log
    record = AuditLog.objects.filter(action="export", actor=world.users.community).get()
    assert record.changes["rows"] == [None, 3] and record.changes["filter"] == [None, "action=update, q=…"]
    assert (record.note, record.community_id, record.grid_id) == ("audit.csv", world.c1.pk, world.grid_b.pk)


@pytest.mark.django_db
def test_a_download_broken_off_is_audited_with_the_rows_sent(world, rf, settings):
    from linli.core.views import AuditExportView

    settings.LINLI_EXPORT_CHUNK_SIZE = 10
    audit_rows(2000, subdistrict_id=world.sub.pk, community_id=world.c1.pk, grid_id=world.grid_a.pk)
    request = rf.get(CSV, {"q": "记录"})
    request.user = world.users.community
    response = AuditExportView.as_view(fmt="csv")(request)  # the view as a WSGI server gets it
    stream = iter(response.streaming_content)
    next(stream)  # the first lines only, then the client goes away: the server closes the response
    request_finished.disconnect(close_old_connections)  # as the test client does around a request
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    record = AuditLog.objects.filter(action="export").get()
    assert record.changes["complete"] == [None, False] and 0 < record.changes["rows"][1] < 2000


@pytest.mark.django_db
def test_an_xlsx_above_the_limit_is_refused_with_a_pointer_to_csv(world, login, settings):
    settings.LINLI_EXPORT_XLSX_MAX_ROWS = 3
    audit_rows(3, subdistrict_id=world.sub.pk, community_id=world.c1.pk)
    c = login(world.users.community)
    assert len(xlsx_rows(c.get(XLSX, {"q": "记录"}))) == 1 + 3  # at the limit: exported
    audit_rows(1, subdistrict_id=world.sub.pk, community_id=world.c1.pk)
    r = c.get(XLSX, {"q": "记录"}, follow=True)
    assert r.redirect_chain == [(reverse("core:audit") + "?q=%E8%AE%B0%E5%BD%95", 302)]
    assert "超过 3 行" in r.content.decode()
    assert AuditLog.objects.filter(action="export").count() == 1


@pytest.mark.django_db
def test_audit_export_queries_do_not_grow_with_rows(world, login, settings, django_assert_max_num_queries):
    c = login(world.users.community)
    audit_rows(5, subdistrict_id=world.sub.pk, community_id=world.c1.pk)
    with django_assert_max_num_queries(40) as small:
        csv_rows(c.get(CSV))
    audit_rows(300, subdistrict_id=world.sub.pk, community_id=world.c1.pk)
    with django_assert_max_num_queries(len(small.captured_queries)):
        csv_rows(c.get(CSV))
    # in chunks, a constant number per chunk: 3 chunks take at most 2 chunks' queries more than 1
    settings.LINLI_EXPORT_CHUNK_SIZE = 150
    with django_assert_max_num_queries(3 * len(small.captured_queries)):
        assert len(csv_rows(c.get(CSV, {"q": "记录"}))) == 1 + 305


def peak_while_reading(client, url, params):
    """The largest memory the Python heap held above its start while the stream was read, and the
    number of lines; the bytes are counted and dropped as they come, as a WSGI server does."""
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(url, params)
        lines = 0
        for chunk in response.streaming_content:  # read to the end: the test client then closes it
            lines += chunk.count(b"\n")
        return tracemalloc.get_traced_memory()[1], lines
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_csv_export_memory_stays_flat_as_rows_grow(world, login, settings):
    settings.LINLI_EXPORT_CHUNK_SIZE = 50
    audit_rows(300, subdistrict_id=world.sub.pk, community_id=world.c1.pk)
    c = login(world.users.community)
    peak_while_reading(c, CSV, {"q": "记录"})  # warm: imports, templates, translations
    small, lines = peak_while_reading(c, CSV, {"q": "记录"})
    assert lines == 1 + 300
    audit_rows(1200, subdistrict_id=world.sub.pk, community_id=world.c1.pk)
    large, lines = peak_while_reading(c, CSV, {"q": "记录"})
    assert lines == 1 + 1500
    # holding the 1,500 rows at once (what a list() of the queryset would do) takes far more
    gc.collect()
    tracemalloc.start()
    held = list(AuditLog.objects.filter(object_repr__startswith="记录"))
    whole = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(held) == 1500
    del held
    assert large < small * 1.5 < whole, (small, large, whole)


@pytest.mark.django_db
def test_xlsx_export_memory_stays_flat_as_rows_grow(world, login, settings):
    settings.LINLI_EXPORT_CHUNK_SIZE = 50
    audit_rows(300, subdistrict_id=world.sub.pk, community_id=world.c1.pk)
    c = login(world.users.community)

    def peak():
        gc.collect()
        tracemalloc.start()
        try:
            response = c.get(XLSX, {"q": "记录"})
            size = sum(len(chunk) for chunk in response.streaming_content)
            return tracemalloc.get_traced_memory()[1], size
        finally:
            tracemalloc.stop()

    peak()
    small, small_size = peak()
    audit_rows(1200, subdistrict_id=world.sub.pk, community_id=world.c1.pk)
    large, large_size = peak()
    assert large_size > 3 * small_size  # the file did grow (five times the rows, compressed)…
    assert large < small * 1.5, (small, large)  # …the memory did not
    ws = load_workbook(io.BytesIO(b"".join(c.get(XLSX, {"q": "记录"}).streaming_content)), read_only=True)
    assert sum(1 for _ in ws.worksheets[0].iter_rows()) == 1 + 1500


def test_a_choice_column_reads_as_get_display_does_in_the_active_language():
    from django.utils import translation

    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for value in AuditLog.Action.values:
                row = AuditLog(action=value)
                assert exports.display("action")(row) == row.get_action_display()
    assert exports.display("action")(AuditLog(action="gone")) == "gone"  # a value no longer a choice, as stored
