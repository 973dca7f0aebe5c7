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
