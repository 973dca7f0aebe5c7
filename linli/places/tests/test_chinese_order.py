"""Lists and choices in Chinese order on SQLite and PostgreSQL alike (core.collation through the
stored sort keys): grids and buildings by their numbers, people by the pinyin of their names."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from linli.core.actions import create_object, update_object
from linli.ledger import bulk
from linli.people.models import Household, Person
from linli.places.models import Building, Grid, House
from linli.testing import log_in, make_id

pytestmark = pytest.mark.django_db


def positions(page, names):
    return [page.index(n) for n in names]


def test_grids_and_buildings_are_listed_by_their_numbers(world):
    for name in ("第十网格", "第三网格", "第十一网格"):
        create_object(Grid, actor=None, community=world.c1, name=name)
    for name in ("10号楼", "3号楼"):
        create_object(Building, actor=None, compound=world.cp1, grid=world.grid_a, name=name)
    expected = ["第一网格", "第二网格", "第三网格", "第十网格", "第十一网格"]
    grids = list(Grid.objects.filter(community=world.c1))
    assert [g.name for g in grids] == expected
    buildings = list(Building.objects.filter(compound=world.cp1))
    assert [b.name for b in buildings] == ["1号楼", "2号楼", "3号楼", "10号楼"]
    client = log_in(Client(), world.users.community)
    for parent, rows in ((world.c1, grids), (world.cp1, buildings)):
        page = client.get(parent.get_absolute_url()).content.decode()
        order = positions(page, [f'href="{row.get_absolute_url()}"' for row in rows])
        assert order == sorted(order)


def test_house_numbers_sort_by_value_and_a_rename_moves_the_key(world):
    house = create_object(House, actor=None, unit=world.unit_a, number="1001", area=Decimal("80.00"))
    create_object(House, actor=None, unit=world.unit_a, number="99", area=Decimal("80.00"))
    assert [h.number for h in House.objects.filter(unit=world.unit_a)] == ["99", "101", "201", "1001"]
    update_object(house, actor=None, number="5")
    assert [h.number for h in House.objects.filter(unit=world.unit_a)] == ["5", "99", "101", "201"]


def test_the_people_list_is_in_pinyin_order_and_keeps_its_scope(world):
    for serial, name in enumerate(("赵敏", "阿强", "曾凡", "李娜"), start=600):
        create_object(Person, actor=None, household=world.hh_a1, name=name, relation="child", id_number=make_id(serial))
    create_object(Person, actor=None, household=world.hh_c1, name="艾青", relation="child", id_number=make_id(610))
    page = log_in(Client(), world.users.grid_a).get(reverse("people:list")).content.decode()
    order = positions(page, ["阿强", "李娜", "曾凡", "赵敏"])
    assert order == sorted(order)
    assert "艾青" not in page  # another community's resident: not in the grid worker's list


def test_bulk_writes_keep_the_sort_keys(world):
    """The ledger import writes people with COPY on PostgreSQL and bulk_create elsewhere."""
    hh = Household.objects.get(pk=world.hh_a2.pk)
    ids = bulk.insert(
        Person,
        ("household_id", "name", "relation", "id_number", "id_number_hash", "unit_id", "building_id",
         "compound_id", "grid_id", "community_id", "subdistrict_id"),
        [(hh.pk, "欧阳修", "child", make_id(701), "h-ouyang", hh.unit_id, hh.building_id, hh.compound_id,
          hh.grid_id, hh.community_id, hh.subdistrict_id)],
        returning=True,
    )  # fmt: skip
    person = Person.objects.get(pk=ids[0])
    assert person.sort_key.startswith("ou0000")
    person.name = "艾青"
    bulk.update([person], ["name"])
    assert Person.objects.get(pk=person.pk).sort_key.startswith("ai0000")


def test_the_sort_key_is_not_in_the_audit_record(world):
    from linli.core.models import AuditLog

    grid = create_object(Grid, actor=None, community=world.c1, name="第十网格")
    update_object(grid, actor=None, name="第九网格")
    changes = [r.changes for r in AuditLog.objects.filter(object_id=str(grid.pk), content_type__model="grid")]
    assert changes and all("sort_key" not in c for c in changes)
    assert any(c.get("name") == ["第十网格", "第九网格"] for c in changes)
