"""Creating through the API: the parent place must be in the user's change scope (else a 400 on
that field), model validation comes back as field errors, and every write is audited."""

import pytest
from django.contrib.contenttypes.models import ContentType

from linli.core.models import AuditLog
from linli.orgs.models import Organisation
from linli.people.models import Household, Person
from linli.places.models import Building, Community, Compound, Grid, House, Subdistrict, Unit
from linli.testing import make_id

pytestmark = pytest.mark.django_db


def errors(response):
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


# (resource, model, persona, payload builder, field whose place is swapped for one outside scope, that place)
CREATE = [
    (
        "communities",
        Community,
        "subdistrict",
        lambda w: {"subdistrict": w.sub.pk, "name": "新社区"},
        "subdistrict",
        "sub2",
    ),
    ("grids", Grid, "community", lambda w: {"community": w.c1.pk, "name": "第三网格"}, "community", "c2"),
    ("compounds", Compound, "community", lambda w: {"community": w.c1.pk, "name": "新小区"}, "community", "c2"),
    (
        "buildings",
        Building,
        "community",
        lambda w: {"compound": w.cp1.pk, "grid": w.grid_a.pk, "name": "5号楼"},
        "grid",
        "grid_c",
    ),
    (
        "buildings",
        Building,
        "community",
        lambda w: {"compound": w.cp1.pk, "grid": w.grid_a.pk, "name": "6号楼"},
        "compound",
        "cp2",
    ),
    ("units", Unit, "community", lambda w: {"building": w.bld_a.pk, "name": "3单元"}, "building", "bld_c"),
    ("houses", House, "community", lambda w: {"unit": w.unit_a.pk, "number": "502", "area": "66.00"}, "unit", "unit_c"),
    ("households", Household, "grid_a", lambda w: {"house": w.house_a1.pk, "tenure": "tenant"}, "house", "house_b1"),
    (
        "persons",
        Person,
        "grid_a",
        lambda w: {
            "household": w.hh_a1.pk,
            "name": "新居民",
            "relation": "child",
            "id_number": make_id(901, "20100101"),
        },
        "household",
        "hh_b1",
    ),
    (
        "organisations",
        Organisation,
        "community",
        lambda w: {"kind": "party", "name": "第一党支部", "subdistrict": w.sub.pk, "community": w.c1.pk},
        "community",
        "c2",
    ),
]


@pytest.mark.parametrize(
    ("path", "model", "persona", "payload", "field", "outside"),
    CREATE,
    ids=[f"{c[0]}-{c[4]}" for c in CREATE],
)
def test_create_in_scope_audited_outside_scope_400_on_the_field(
    api_world, api, path, model, persona, payload, field, outside
):
    w = api_world
    user = getattr(w.users, persona)
    client = api(user)
    before = model.objects.count()

    bad = payload(w) | {field: getattr(w, outside).pk}
    response = client.post(f"/api/v1/{path}/", bad, format="json")
    assert response.status_code == 400, response.content
    assert errors(response) == {(field, "out_of_scope")}
    assert model.objects.count() == before

    response = client.post(f"/api/v1/{path}/", payload(w), format="json")
    assert response.status_code == 201, response.content
    created = model.objects.get(pk=response.json()["id"])
    assert AuditLog.objects.filter(action="create", object_id=str(created.pk), actor=user).exists()


def test_unknown_parent_id_gets_the_same_answer_as_one_outside_scope(api_world, api):
    w = api_world
    payload = {"name": "新居民", "id_number": make_id(902), "household": 10**9}
    response = api(w.users.grid_a).post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 400 and errors(response) == {("household", "out_of_scope")}


def test_only_a_user_whose_scope_is_everything_creates_a_subdistrict(api_world, api):
    w = api_world
    assert api(w.users.subdistrict).post("/api/v1/subdistricts/", {"name": "新街道"}, format="json").status_code == 403
    response = api(w.users.admin).post("/api/v1/subdistricts/", {"name": "新街道"}, format="json")
    assert response.status_code == 201
    assert Subdistrict.objects.filter(name="新街道").count() == 1


def test_person_with_wrong_check_digit_is_a_400_on_id_number(api_world, api):
    w = api_world
    good = make_id(903)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    payload = {"household": w.hh_a1.pk, "name": "新居民", "id_number": bad}
    response = api(w.users.grid_a).post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 400
    assert errors(response) == {("id_number", "id_check")}
    assert not Person.objects.filter(name="新居民").exists()


def test_person_needs_an_unique_id_number(api_world, api):
    w = api_world
    client = api(w.users.grid_a)
    missing = client.post("/api/v1/persons/", {"household": w.hh_a1.pk, "name": "新居民"}, format="json")
    assert missing.status_code == 400 and errors(missing) == {("id_number", "required")}
    # The duplicate lives in grid C: the model rule answers, from full_clean inside the action.
    duplicate = {"household": w.hh_a1.pk, "name": "新居民", "id_number": w.p_c1h.id_number}
    response = client.post("/api/v1/persons/", duplicate, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["id_number"]


def test_person_reads_are_masked_and_writes_accept_clear_values(api_world, api):
    w = api_world
    client = api(w.users.grid_a)
    id_number, phone = make_id(905, "19900214"), "13912345678"
    payload = {
        "household": w.hh_a1.pk,
        "name": "赵六",
        "id_number": id_number,
        "phone": phone,
        "tags": ["党员", "低保"],
    }
    response = client.post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "id_number" not in body and "phone" not in body
    assert body["id_number_masked"] == id_number[:6] + "********" + id_number[-4:]
    assert body["phone_masked"] == "139****5678"
    assert sorted(body["tags"]) == ["低保", "党员"]
    # the birth date is the ID number's, shown as the year to a role that may reveal it
    assert (body["birth_year"], body["gender"], body["grid"]) == (1990, "male", w.grid_a.pk)
    assert "birth_date" not in body and "age" not in body
    person = Person.objects.get(pk=body["id"])
    assert (person.id_number, person.phone) == (id_number, phone)
    log = AuditLog.objects.get(
        action="create", object_id=str(person.pk), content_type=ContentType.objects.get_for_model(Person)
    )
    assert id_number not in str(log.changes) and phone not in str(log.changes)

    listing = client.get("/api/v1/persons/", {"page_size": 200})
    assert id_number not in listing.content.decode() and phone not in listing.content.decode()
    assert w.p_a1h.id_number not in listing.content.decode()

    # Omitted on update, the ID number and phone keep their values; tags are replaced by name.
    response = client.patch(f"/api/v1/persons/{person.pk}/", {"name": "赵七", "tags": ["党员"]}, format="json")
    assert response.status_code == 200 and response.json()["tags"] == ["党员"]
    person.refresh_from_db()
    assert (person.name, person.id_number, person.phone) == ("赵七", id_number, phone)


def test_unknown_tag_name_is_a_field_error(api_world, api):
    w = api_world
    response = api(w.users.grid_a).patch(f"/api/v1/persons/{w.p_a1h.pk}/", {"tags": ["没有的"]}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["tags"]


def test_parent_cannot_be_changed_after_creation(api_world, api):
    w = api_world
    client = api(w.users.grid_a)
    moved = client.patch(f"/api/v1/persons/{w.p_a1h.pk}/", {"household": w.hh_a2.pk}, format="json")
    assert moved.status_code == 400 and errors(moved) == {("household", "create_only")}
    same = client.patch(f"/api/v1/persons/{w.p_a1h.pk}/", {"household": w.hh_a1.pk, "name": "甲"}, format="json")
    assert same.status_code == 200
    w.p_a1h.refresh_from_db()
    assert (w.p_a1h.household_id, w.p_a1h.name) == (w.hh_a1.pk, "甲")


def test_model_validation_errors_come_back_with_field_paths(api_world, api):
    w = api_world
    client = api(w.users.admin)
    # Building.clean: the grid must be in the compound's community.
    payload = {"compound": w.cp1.pk, "grid": w.grid_c.pk, "name": "7号楼"}
    response = client.post("/api/v1/buildings/", payload, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["grid"]
    assert not Building.objects.filter(name="7号楼").exists()
    # A unique constraint over two fields belongs to no single field.
    response = client.post("/api/v1/units/", {"building": w.bld_a.pk, "name": "1单元"}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [None]
    # A GeoJSON validator on a JSON field.
    response = client.patch(f"/api/v1/grids/{w.grid_a.pk}/", {"boundary": {"type": "Point"}}, format="json")
    assert response.status_code == 400 and [e["field"] for e in response.json()["errors"]] == ["boundary"]


def test_organisation_registered_at_a_place_outside_scope_is_refused(api_world, api):
    w = api_world
    client = api(w.users.community)
    # The property company serves compound 1, so community staff may edit its contact …
    assert (
        client.patch(f"/api/v1/organisations/{w.pm.pk}/", {"contact_phone": "0951-1234567"}, format="json").status_code
        == 200
    )
    # … but not move it into a community outside their scope.
    response = client.patch(f"/api/v1/organisations/{w.pm.pk}/", {"community": w.c2.pk}, format="json")
    assert response.status_code == 400 and errors(response) == {("community", "out_of_scope")}
    w.pm.refresh_from_db()
    assert w.pm.community_id is None
    # Organisation.clean still applies: an owners' committee belongs to a compound.
    payload = {
        "kind": "owners_committee",
        "name": "业委会",
        "subdistrict": w.sub.pk,
        "community": w.c1.pk,
    }
    response = client.post("/api/v1/organisations/", payload, format="json")
    assert response.status_code == 400 and [e["field"] for e in response.json()["errors"]] == ["compound"]


def test_compound_property_company_must_be_visible_to_the_user(api_world, api):
    w = api_world
    client = api(w.users.community)
    response = client.patch(f"/api/v1/compounds/{w.cp1.pk}/", {"property_company": w.dept.pk}, format="json")
    assert response.status_code == 400 and errors(response) == {("property_company", "out_of_scope")}
    response = client.patch(f"/api/v1/compounds/{w.cp1.pk}/", {"property_company": None}, format="json")
    assert response.status_code == 200
    w.cp1.refresh_from_db()
    assert w.cp1.property_company_id is None


def test_developer_owned_is_written_through_the_api(api_world, api):
    """An unsold house is marked as the developer's (R1.4): the PATCH changes it, both ways."""
    w = api_world
    client = api(w.users.community)
    response = client.patch(f"/api/v1/houses/{w.house_a1.pk}/", {"developer_owned": True}, format="json")
    assert response.status_code == 200 and response.json()["developer_owned"] is True
    w.house_a1.refresh_from_db()
    assert w.house_a1.developer_owned is True
    client.patch(f"/api/v1/houses/{w.house_a1.pk}/", {"developer_owned": False}, format="json")
    w.house_a1.refresh_from_db()
    assert w.house_a1.developer_owned is False
