import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.actions import create_object
from linli.ledger import columns as C
from linli.people.models import Person
from linli.testing import make_id


def sheet(response):
    ws = load_workbook(io.BytesIO(response.content))[C.SHEET]
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
        p = create_object(Person, actor=None, household=world.hh_a2, name=f"导出{i}", relation="child", id_number=make_id(800 + i, "20120101"))
        p.tags.add(world.tag_party)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = c.get(reverse("ledger:export"))
    assert len(sheet(r)) == 1 + 8 + 40
