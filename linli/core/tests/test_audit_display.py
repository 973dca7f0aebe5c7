"""The audit log reads as people read it (issue 13): field and choice labels in Chinese, linked
rows by name, no raw ids, masked values still masked — on the page, in the history panels and in
the API; a page of records costs the same queries whatever its length."""

import pytest
from django.test import Client
from django.urls import reverse

from linli.accounts.models import Registration
from linli.core.actions import update_object
from linli.core.models import AuditLog
from linli.people.models import Relation
from linli.testing import log_in

pytestmark = pytest.mark.django_db


def move_person(world, person=None):
    person = person or world.p_a1s
    update_object(person, actor=world.users.community, relation=Relation.CHILD, household=world.hh_a2)
    return AuditLog.objects.filter(content_type__model="person", object_id=str(person.pk)).latest("id")


def test_the_audit_page_shows_labels_and_names_not_field_names_and_ids(world):
    record = move_person(world)
    assert record.changes["household"] == [world.hh_a1.pk, world.hh_a2.pk]  # stored as ids
    page = log_in(Client(), world.users.community).get(reverse("core:audit"), {"q": world.p_a1s.name})
    text = page.content.decode()
    assert "与户主关系" in text and "子女" in text and "household" not in text and "relation" not in text
    assert f"{world.hh_a1} → {world.hh_a2}" in text
    assert f"{world.hh_a1.pk} → {world.hh_a2.pk}" not in text
    assert '<span class="text-muted small">居民</span>' in text  # what the object is


def test_masked_values_stay_masked(world):
    update_object(world.p_a1s, actor=world.users.community, phone="13912345678")
    text = log_in(Client(), world.users.community).get(reverse("core:audit")).content.decode()
    assert "139****5678" in text and "13912345678" not in text


def test_a_deleted_linked_row_is_named_deleted_not_by_its_id(world):
    record = move_person(world)
    record.changes["household"] = [987654, world.hh_a2.pk]
    AuditLog.objects.filter(pk=record.pk).update(changes=record.changes)
    text = log_in(Client(), world.users.community).get(reverse("core:audit")).content.decode()
    assert "（已删除）" in text and "987654" not in text


def test_a_lifecycle_move_reads_by_its_label(world):
    reg = Registration.objects.create(
        username="xinzhuhu", name="新住户", phone="13900001111", phone_hash="x", house=world.house_a2,
        subdistrict=world.sub, community=world.c1, grid=world.grid_a,
    )  # fmt: skip
    from linli.accounts.workflow import REGISTRATION

    data = {"person": world.p_a2s.pk, "username": "xinzhuhu"}
    REGISTRATION.perform(reg.pk, "confirm", actor=world.users.grid_a, data=data, version=0)
    text = log_in(Client(), world.users.community).get(reverse("core:audit"), {"q": "新住户"}).content.decode()
    assert "待确认 → 已确认" in text and ">confirm<" not in text and "pending" not in text


def test_the_api_gives_the_readable_changes_beside_the_stored_ones(world):
    record = move_person(world)
    c = log_in(Client(), world.users.community)
    rows = c.get("/api/v1/audit/", {"object_id": record.object_id, "model": "person"}).json()["results"]
    row = next(r for r in rows if r["id"] == record.pk)
    assert row["object_kind"] == "居民"
    shown = {d["field"]: (d["before"], d["after"]) for d in row["changes_display"]}
    assert shown["住户"] == (str(world.hh_a1), str(world.hh_a2)) and shown["与户主关系"][1] == "子女"
    detail = c.get(f"/api/v1/audit/{record.pk}/").json()
    assert detail["changes_display"] == row["changes_display"]


def test_another_community_sees_none_of_it(world):
    record = move_person(world)
    c = log_in(Client(), world.users.other_community)
    assert world.p_a1s.name not in c.get(reverse("core:audit")).content.decode()
    assert c.get(f"/api/v1/audit/{record.pk}/").status_code == 404


def test_a_page_of_records_costs_the_same_queries_whatever_its_length(world, django_assert_max_num_queries):
    c = log_in(Client(), world.users.community)
    move_person(world, world.p_a1s)
    c.get(reverse("core:audit"))  # warm the content-type cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(reverse("core:audit"))
        c.get("/api/v1/audit/")
    for person in (world.p_a1h, world.p_b1h, world.p_b1s, world.p_b2h, world.p_b2s):
        update_object(person, actor=world.users.community, household=world.hh_b1, relation=Relation.CHILD)
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(reverse("core:audit"))
        c.get("/api/v1/audit/")
