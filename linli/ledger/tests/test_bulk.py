"""The importer's bulk writer gives what bulk_create / bulk_update would: defaults, encryption, ids."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from linli.core.models import AuditLog
from linli.ledger import bulk
from linli.people.models import Household, Person
from linli.testing import make_id

PLACES = ("unit_id", "building_id", "compound_id", "grid_id", "community_id", "subdistrict_id")


def places(house):
    return tuple(getattr(house, name) for name in PLACES)


def stored(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_insert_fills_defaults_encrypts_and_returns_ids_in_row_order(world):
    ids = bulk.insert(
        Household,
        ("house_id", "tenure", *PLACES),
        [(world.house_a1.pk, "tenant", *places(world.house_a1)), (world.house_b1.pk, "owner", *places(world.house_b1))],
        returning=True,
    )
    households = [Household.objects.get(pk=pk) for pk in ids]
    assert [(h.house, h.tenure, h.note, h.grid_id) for h in households] == [
        (world.house_a1, "tenant", "", world.grid_a.pk),
        (world.house_b1, "owner", "", world.grid_b.pk),
    ]
    assert all(h.created_at for h in households)  # auto_now_add

    id_number = make_id(777, "19900101")
    names = ("household_id", "name", "id_number", "id_number_hash", "phone", *PLACES)
    [pk] = bulk.insert(
        Person, names, [(ids[0], "新人", id_number, "h" * 64, "13900001111", *places(world.house_a1))], returning=True
    )
    person = Person.objects.get(pk=pk)
    assert (person.name, person.id_number, person.phone, person.relation, person.gender) == (
        "新人",
        id_number,
        "13900001111",
        "head",
        "",
    )
    assert id_number not in stored(pk)[0] and "13900001111" not in stored(pk)[1]  # encrypted at rest

    person_type = ContentType.objects.get_for_model(Person).pk
    [log] = bulk.insert(
        AuditLog,
        ("action", "content_type_id", "object_id", "changes"),
        [("create", person_type, str(pk), {"name": [None, "新人"]})],
        returning=True,
    )
    assert AuditLog.objects.filter(pk=log, changes__name=[None, "新人"], created_at__isnull=False).exists()
    assert bulk.insert(Person, names, []) == []


@pytest.mark.django_db
def test_insert_with_the_callers_ids(world):
    pk = Household.objects.order_by("-pk").first().pk + 100
    assert bulk.insert(
        Household, ("id", "house_id", *PLACES), [(pk, world.house_a2.pk, *places(world.house_a2))], returning=True
    ) == [pk]
    assert Household.objects.get(pk=pk).house == world.house_a2


@pytest.mark.django_db
def test_update_writes_the_named_fields_only(world):
    a, b = Person.objects.filter(pk__in=[world.p_a1h.pk, world.p_a1s.pk]).order_by("pk")
    before = stored(a.pk)
    a.name, a.phone, a.gender = "改名", "13700009999", "female" if a.gender == "male" else "male"
    b.relation = "child"
    bulk.update([a, b], ["name", "phone", "relation"])
    a2, b2 = Person.objects.filter(pk__in=[a.pk, b.pk]).order_by("pk")
    assert (a2.name, a2.phone, b2.relation) == ("改名", "13700009999", "child")
    assert a2.gender == world.p_a1h.gender  # not named: not written
    assert stored(a.pk)[1] != before[1] and "13700009999" not in stored(a.pk)[1]
    bulk.update([], ["name"])
