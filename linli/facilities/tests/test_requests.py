"""Requests name a facility: the staff's and the resident's report forms offer the facilities
of the place (a resident: their own compound's), the API takes `facility`, a facility of
another compound is a field error (never a 500), and the facility's page lists the requests."""

import datetime as dt

from django.urls import reverse

from linli.cases.models import Case, Category
from linli.facilities import actions
from linli.facilities.models import FacilityKind

from .conftest import api, page


def test_resident_reports_a_lift_of_their_compound(world, fac):
    c = page(world.users.resident)
    form = c.get(reverse("cases:report_mine")).content.decode()
    assert fac.lift_a.name in form and fac.lift_c.name not in form
    cat = Category.objects.get(name="设施维修")
    r = c.post(
        reverse("cases:report_mine"),
        {
            "category": cat.pk,
            "description": "电梯按钮失灵",
            "place": f"building:{world.bld_a.pk}",
            "facility": fac.lift_a.pk,
        },
    )
    assert r.status_code == 302
    case = Case.objects.get(description="电梯按钮失灵")
    assert case.facility_id == fac.lift_a.pk
    assert case.number in c.get(fac.lift_a.get_absolute_url()).content.decode()
    assert fac.lift_a.name in c.get(case.get_absolute_url()).content.decode()
    # another compound's lift is not offered: a field error
    r = c.post(
        reverse("cases:report_mine"),
        {
            "category": cat.pk,
            "description": "别处电梯",
            "place": f"building:{world.bld_a.pk}",
            "facility": fac.lift_c.pk,
        },
    )
    assert r.status_code == 200 and not Case.objects.filter(description="别处电梯").exists()
    assert "facility" in r.context["form"].errors


def test_staff_report_names_a_facility_of_the_place_chosen(world, fac):
    c = page(world.users.community)
    cat = Category.objects.get(name="设施维修")
    base = {"channel": "patrol", "category": cat.pk, "where": "building", "building": world.bld_b.pk}
    r = c.post(reverse("cases:report"), base | {"description": "同小区", "facility": fac.lift_a.pk})
    assert r.status_code == 302  # building 2 and the lift of building 1 are both in cp1
    assert Case.objects.get(description="同小区").facility_id == fac.lift_a.pk
    # another compound's facility: the administrator may report in both, the form refuses the pair
    other = actions.add_facility(
        actor=world.users.admin, kind=FacilityKind.CAMERA, name="西湖 监控", compound=world.cp2
    )
    c2 = page(world.users.admin)
    r = c2.post(reverse("cases:report"), base | {"description": "跨小区", "facility": other.pk})
    assert r.status_code == 200 and "facility" in r.context["form"].errors
    assert not Case.objects.filter(description="跨小区").exists()


def test_api_report_with_a_facility(world, fac):
    cat = Category.objects.get(name="设施维修")
    body = {
        "channel": "patrol",
        "category": cat.pk,
        "description": "二号楼电梯异响",
        "grid": world.grid_b.pk,
        "compound": world.cp1.pk,
        "building": world.bld_b.pk,
        "facility": fac.lift_b.pk,
    }
    r = api(world.users.community).post("/api/v1/cases/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["facility"] == fac.lift_b.pk
    # a facility outside the reporter's scope: not found on that field
    r = api(world.users.community).post("/api/v1/cases/", body | {"facility": fac.lift_c.pk}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "facility"
    # in scope (admin) but in another compound than the request's
    r = api(world.users.admin).post("/api/v1/cases/", body | {"facility": fac.lift_c.pk}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "facility"


def test_register_create_and_edit(world, fac):
    c = page(world.users.community)
    r = c.post(
        reverse("facilities:create"),
        {"kind": "bicycle_shed", "name": "3号车棚", "compound": world.cp1.pk, "condition": "poor"},
    )
    assert r.status_code == 302
    # a building of another compound, a warranty before installation: field errors, not a 500
    r = c.post(
        reverse("facilities:create"),
        {
            "kind": "lift",
            "name": "错楼电梯",
            "compound": world.cp1.pk,
            "condition": "good",
            "installed_on": "2020-01-01",
            "warranty_ends": "2019-01-01",
        },
    )
    assert r.status_code == 400 and "warranty_ends" in r.context["form"].errors
    a = api(world.users.admin)
    r = a.post(
        "/api/v1/facilities/",
        {"kind": "lift", "name": "错楼电梯", "compound": world.cp1.pk, "building": world.bld_c.pk},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "building"
    r = a.patch(f"/api/v1/facilities/{fac.lift_a.pk}/", {"compound": world.cp2.pk}, format="json")
    assert r.status_code == 400
    r = a.patch(f"/api/v1/facilities/{fac.lift_a.pk}/", {"warranty_ends": "2030-05-01"}, format="json")
    assert r.status_code == 200 and r.json()["warranty_ends"] == "2030-05-01"
    fac.lift_a.refresh_from_db()
    assert fac.lift_a.warranty_ends == dt.date(2030, 5, 1)
    r = c.post(
        reverse("facilities:edit", args=[fac.lift_a.pk]),
        {"kind": "lift", "name": "1号楼1单元 1号电梯（更新）", "condition": "fair"},
    )
    assert r.status_code == 302
    fac.lift_a.refresh_from_db()
    assert fac.lift_a.name.endswith("（更新）") and fac.lift_a.compound_id == world.cp1.pk
