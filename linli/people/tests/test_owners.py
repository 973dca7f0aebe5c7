"""产权人: the owners register on the house page — add, change, remove (audited, scoped)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.people.models import Ownership
from linli.testing import make_id


def add_owner(client, house, **data):
    return client.post(reverse("people:ownership_create", args=[house.pk]), data)


@pytest.mark.django_db
def test_staff_register_a_landlord_and_an_organisation_audited(world, login):
    c = login(world.users.community)
    # the head of B1 (another grid) owns A1 too: found by the ID number, they need not live here
    r = add_owner(c, world.house_a1, person=world.p_b1h.id_number, share="50")
    assert r.status_code == 302
    r = add_owner(
        c, world.house_a1, organisation="宁夏某投资有限公司", organisation_code="91640100mA76XXXX0Q", share="50"
    )
    assert r.status_code == 302
    owners = list(Ownership.objects.filter(house=world.house_a1))
    assert [(o.person, o.organisation, o.share) for o in owners] == [
        (world.p_b1h, "", Decimal("50.00")),
        (None, "宁夏某投资有限公司", Decimal("50.00")),
    ]
    assert owners[1].organisation_code == "91640100MA76XXXX0Q" and owners[0].grid_id == world.grid_a.pk
    assert AuditLog.objects.filter(action="create", content_type__model="ownership").count() == 2
    page = c.get(world.house_a1.get_absolute_url()).content.decode()
    assert "宁夏某投资有限公司" in page and world.p_b1h.name in page and world.p_b1h.id_number not in page
    # change the share (audited with before/after), then remove with a confirmation
    r = c.post(
        reverse("people:ownership_edit", args=[owners[1].pk]), {"organisation": "宁夏某投资有限公司", "share": "40"}
    )
    assert r.status_code == 302
    update = AuditLog.objects.get(action="update", content_type__model="ownership")
    assert update.changes["share"] == ["50.00", "40.00"] or update.changes["share"][1] in ("40.00", "40")
    assert c.get(reverse("people:ownership_delete", args=[owners[1].pk])).status_code == 200  # the confirmation
    assert Ownership.objects.filter(pk=owners[1].pk).exists()
    c.post(reverse("people:ownership_delete", args=[owners[1].pk]))
    assert not Ownership.objects.filter(pk=owners[1].pk).exists()
    assert AuditLog.objects.filter(action="delete", content_type__model="ownership").count() == 1


@pytest.mark.django_db
def test_register_refuses_with_chinese_field_errors(world, login):
    c = login(world.users.community)
    r = add_owner(c, world.house_a1, person=make_id(998))  # a valid number nobody in the ledger has
    assert r.status_code == 200 and "台账" in str(r.context["form"].errors["person"])
    r = add_owner(c, world.house_a1)  # neither a person nor an organisation
    assert r.status_code == 200 and "person" in r.context["form"].errors
    r = add_owner(c, world.house_a1, person=world.p_a1h.id_number, organisation="某公司")  # both
    assert r.status_code == 200 and "person" in r.context["form"].errors
    assert add_owner(c, world.house_a1, person=world.p_a1h.id_number, share="60").status_code == 302
    # shares add up to at most 100: exactly 100 is accepted, 100.01 refused
    r = add_owner(c, world.house_a1, person=world.p_a1s.id_number, share="40.01")
    assert r.status_code == 200 and "100" in str(r.context["form"].errors["share"])
    assert add_owner(c, world.house_a1, person=world.p_a1s.id_number, share="40").status_code == 302
    r = add_owner(c, world.house_a1, person=world.p_a1s.id_number)  # the same person twice
    assert r.status_code == 200 and Ownership.objects.filter(house=world.house_a1).count() == 2


@pytest.mark.django_db
def test_the_register_is_scoped_like_the_house(world, login):
    o = create_object(Ownership, actor=None, house=world.house_c1, person=world.p_a1h)
    other = login(world.users.community)  # community 1: house C1 is in community 2
    assert add_owner(other, world.house_c1, person=world.p_a1h.id_number).status_code == 404
    assert other.get(reverse("people:ownership_edit", args=[o.pk])).status_code == 404
    assert other.post(reverse("people:ownership_delete", args=[o.pk])).status_code == 404
    assert Ownership.objects.filter(pk=o.pk).exists()
    page = login(world.users.other_community).get(world.house_c1.get_absolute_url()).content.decode()
    assert 'data-testid="owners"' in page and "居**" in page  # masked: the owner lives outside their scope
    with pytest.raises(ValidationError):
        create_object(Ownership, actor=None, house=world.house_c1, person=world.p_a1h, organisation="某公司")


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def fields(response):
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.django_db
def test_the_register_over_the_api_scoped_and_audited(world):
    c = api(world.users.community)
    r = c.post(
        "/api/v1/ownerships/",
        {"house": world.house_a1.pk, "person_id_number": world.p_c1h.id_number, "share": "50"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["person"], body["owner"], body["share"], body["grid"]) == (
        world.p_c1h.pk,
        "居****",
        "50.00",
        world.grid_a.pk,
    )
    assert "person_id_number" not in body and world.p_c1h.id_number not in r.content.decode()
    r = c.post(
        "/api/v1/ownerships/", {"house": world.house_a1.pk, "organisation": "某公司", "share": "50.01"}, format="json"
    )
    assert r.status_code == 400 and fields(r) == ["share"]
    r = c.post("/api/v1/ownerships/", {"house": world.house_a1.pk, "person_id_number": make_id(998)}, format="json")
    assert r.status_code == 400 and fields(r) == ["person_id_number"] and "台账" in r.json()["errors"][0]["message"]
    owner = Ownership.objects.get()
    r = c.patch(f"/api/v1/ownerships/{owner.pk}/", {"share": "40"}, format="json")
    assert r.status_code == 200 and r.json()["share"] == "40.00"
    r = c.patch(
        f"/api/v1/ownerships/{owner.pk}/", {"person_id_number": world.p_a1h.id_number}, format="json"
    )  # the owner is fixed: a change of owner is a removal and an addition
    assert r.status_code == 400 and fields(r) == ["person_id_number"]
    # another community: a house outside its scope is refused, the row is neither listed nor found
    other = api(world.users.other_community)
    r = other.post("/api/v1/ownerships/", {"house": world.house_a1.pk, "organisation": "某公司"}, format="json")
    assert r.status_code == 400 and fields(r) == ["house"]
    assert other.get("/api/v1/ownerships/").json()["count"] == 0
    assert other.get(f"/api/v1/ownerships/{owner.pk}/").status_code == 404
    assert other.delete(f"/api/v1/ownerships/{owner.pk}/").status_code == 404
    # a resident of house A1 sees no register (it is staff's ledger): nothing listed, not found
    assert api(world.users.resident).get("/api/v1/ownerships/").json()["count"] == 0
    assert api(world.users.resident).get(f"/api/v1/ownerships/{owner.pk}/").status_code == 404
    assert c.get("/api/v1/ownerships/", {"house": world.house_a1.pk}).json()["count"] == 1
    assert c.delete(f"/api/v1/ownerships/{owner.pk}/").status_code == 204
    actions = list(
        AuditLog.objects.filter(content_type__model="ownership").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


@pytest.mark.django_db
def test_a_registered_owner_is_not_deleted_with_the_register_entry_silently(world, login):
    """The register is the vote's input: deleting a person who owns a house is refused (screen and
    API) until the entry is removed, itself an audited deletion."""
    from rest_framework.test import APIClient

    entry = create_object(Ownership, actor=None, house=world.house_a1, person=world.p_b1h, share=Decimal("100"))
    c = login(world.users.community)
    r = c.post(reverse("people:person_delete", args=[world.p_b1h.pk]), follow=True)
    assert "仍有其他记录，无法删除" in r.content.decode()
    assert Ownership.objects.filter(pk=entry.pk).exists()
    api = APIClient()
    api.force_authenticate(world.users.community)
    r = api.delete(f"/api/v1/persons/{world.p_b1h.pk}/")
    assert r.status_code == 409 and Ownership.objects.filter(pk=entry.pk).exists()
    assert not AuditLog.objects.filter(action="delete", content_type__model="person").exists()
