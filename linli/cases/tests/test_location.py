"""Where the problem is (issue 12): the report forms' choice of place, the grid that follows from
it, the map's point and who sees it, and finding a house by its address (cases.location,
places.search). The world's grid A and compound 馨和苑 share the square 106.2–106.3 E,
38.4–38.5 N; grid B and the other community's grid have no boundary."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.models import RoleAssignment, User
from linli.cases import actions
from linli.cases.models import Case, Category
from linli.core import geo
from linli.core.actions import create_object
from linli.places.models import Building, Compound, House, Unit

INSIDE_A = "106.25,38.45"
OUTSIDE = "106.35,38.45"


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def resident_post(client, **data):
    cat = Category.objects.get(name="设施维修")
    return client.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "路灯坏了"} | data)


def staff_post(client, **data):
    cat = Category.objects.get(name="设施维修")
    base = {"channel": "patrol", "category": cat.pk, "description": "路灯坏了"}
    return client.post(reverse("cases:report"), base | data)


# ---- the grid follows from the place ------------------------------------------------------------


@pytest.mark.django_db
def test_resident_places_give_their_own_grid(world, login):
    """The resident lives in building 1 (grid A); a building or unit of grid B is grid B's request."""
    c = login(world.users.resident)
    expected = {
        "home": (world.grid_a.pk, "house", world.bld_a.pk, world.unit_a.pk, world.house_a1.pk),
        f"building:{world.bld_b.pk}": (world.grid_b.pk, "building", world.bld_b.pk, None, None),
        f"unit:{world.unit_b.pk}": (world.grid_b.pk, "unit", world.bld_b.pk, world.unit_b.pk, None),
    }
    for place, (grid, where, building, unit, house) in expected.items():
        assert resident_post(c, place=place).status_code == 302, place
        case = Case.objects.latest("id")
        assert (case.grid_id, case.where, case.building_id, case.unit_id, case.house_id) == (
            grid,
            where,
            building,
            unit,
            house,
        ), place
        assert case.compound == world.cp1 and case.location is None


@pytest.mark.django_db
def test_a_point_on_the_map_gives_the_grid_and_compound_holding_it(world, login):
    r = resident_post(login(world.users.resident), place="map", location=INSIDE_A)
    assert r.status_code == 302
    case = Case.objects.get()
    assert (case.grid, case.compound, case.where) == (world.grid_a, world.cp1, "map")
    assert case.location == {"type": "Point", "coordinates": [106.25, 38.45]}
    assert case.building is None and case.house is None


@pytest.mark.django_db
@pytest.mark.parametrize(("point", "inside"), [("106.2999,38.45", True), ("106.3001,38.45", False)])
def test_a_point_just_outside_every_grid_is_refused(world, login, point, inside):
    r = resident_post(login(world.users.resident), place="map", location=point)
    if inside:
        assert r.status_code == 302 and Case.objects.get().grid == world.grid_a
        return
    assert r.status_code == 200 and not Case.objects.exists()
    assert r.context["form"].errors["location"] == ["地图上的点不在任何网格内：请在网格内点击。"]


@pytest.mark.django_db
def test_the_maps_list_is_the_way_without_a_point(world, login):
    """Grid B has no boundary: it is chosen in the list (the keyboard's way); a compound chosen in
    the list is its common area's grid."""
    c = login(world.users.resident)
    assert resident_post(c, place="map", map_place=f"grid:{world.grid_b.pk}").status_code == 302
    case = Case.objects.get()
    assert (case.grid, case.compound, case.location, case.where) == (world.grid_b, None, None, "map")
    r = resident_post(c, place="map")
    assert r.context["form"].errors["map_place"] == ["请点击地图，或在列表中选择网格或小区。"]
    # a point in grid A with grid B chosen: they disagree
    r = resident_post(c, place="map", location=INSIDE_A, map_place=f"grid:{world.grid_b.pk}")
    assert r.context["form"].errors["map_place"] == ["该点不在所选网格内。"]
    # the other community's grid is not on this resident's map
    r = resident_post(c, place="map", map_place=f"grid:{world.grid_c.pk}")
    assert "map_place" in r.context["form"].errors and Case.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["x,y", "106.25", "200,38", "nan,38", "106.25,38.45,1"])
def test_a_forged_point_is_a_field_error(world, login, bad):
    r = resident_post(login(world.users.resident), place="map", location=bad)
    assert r.status_code == 200 and "location" in r.context["form"].errors and not Case.objects.exists()


@pytest.mark.django_db
def test_staff_building_outside_the_chosen_compound_is_a_field_error(world, login):
    other = create_object(Compound, actor=None, community=world.c1, name="枫林湾")
    r = staff_post(login(world.users.community), where="building", building=world.bld_a.pk, compound=other.pk)
    assert r.status_code == 200 and not Case.objects.exists()
    assert r.context["form"].errors["building"] == ["该楼栋不在所选小区内。"]
    r = staff_post(login(world.users.community), where="building", building=world.bld_b.pk, compound=world.cp1.pk)
    assert r.status_code == 302 and Case.objects.get().grid == world.grid_b


@pytest.mark.django_db
def test_staff_unit_outside_the_chosen_compound_is_a_field_error(world, login):
    r = staff_post(login(world.users.subdistrict), where="unit", unit=world.unit_c.pk, compound=world.cp1.pk)
    assert r.status_code == 200 and not Case.objects.exists()
    assert r.context["form"].errors["unit"] == ["该单元不在所选小区内。"]
    r = staff_post(login(world.users.subdistrict), where="unit", unit=world.unit_c.pk, compound=world.cp2.pk)
    assert r.status_code == 302 and Case.objects.get().unit == world.unit_c


def offered(response, name):
    return [pk for pk, _label in response.context["form"].fields[name].widget.choices if pk != ""]


@pytest.mark.django_db
def test_the_staff_form_lists_the_places_of_the_compound_chosen_only(world, login):
    """A sub-district's form lists no building, unit or facility until a compound is chosen, then
    only that compound's; a community of one compound has it chosen already."""
    sub = login(world.users.subdistrict)
    r = sub.get(reverse("cases:report"))
    assert [offered(r, name) for name in ("building", "unit", "facility")] == [[], [], []]
    assert "请先选择小区" in r.content.decode()
    r = staff_post(sub, where="building", compound=world.cp2.pk)  # no building yet: shown again
    assert r.context["form"].errors["building"] and offered(r, "building") == [world.bld_c.pk]
    assert offered(r, "unit") == [world.unit_c.pk]
    r = staff_post(sub, where="house", house=world.house_a1.pk, compound=world.cp2.pk, description="")
    assert offered(r, "building") == [world.bld_a.pk, world.bld_b.pk]  # the house's compound
    r = login(world.users.community).get(reverse("cases:report"))
    assert r.context["form"]["compound"].value() == world.cp1.pk
    assert offered(r, "building") == [world.bld_a.pk, world.bld_b.pk]


def places_of(client, compound):
    return client.get(reverse("cases:report_places"), {"compound": compound})


@pytest.mark.django_db
def test_the_places_of_a_compound_are_scoped(world, login):
    r = places_of(login(world.users.subdistrict), world.cp2.pk)
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-store"
    assert r.json() == {
        "building": [{"id": world.bld_c.pk, "label": "西湖小区 1号楼"}],
        "unit": [{"id": world.unit_c.pk, "label": "西湖小区 1号楼 1单元"}],
        "facility": [],
    }
    # grid A's worker reports in building 1 only: building 2 of the same compound is not offered
    assert [b["id"] for b in places_of(login(world.users.grid_a), world.cp1.pk).json()["building"]] == [world.bld_a.pk]
    assert places_of(login(world.users.other_community), world.cp1.pk).status_code == 404
    for bad in ("", "x", "-1", "99999999"):
        assert places_of(login(world.users.community), bad).status_code == 404, bad
    assert places_of(login(world.users.resident), world.cp1.pk).status_code == 403
    assert places_of(login(world.users.department), world.cp1.pk).status_code == 403


@pytest.mark.django_db
def test_staff_must_fill_the_place_they_chose(world, login):
    c = login(world.users.community)
    fields = {"house": "house_address", "unit": "unit", "building": "building", "common": "compound"}
    for where, field in fields.items():
        r = staff_post(c, where=where)
        assert r.status_code == 200 and field in r.context["form"].errors, where
    assert "where" in staff_post(c).context["form"].errors
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_staff_report_a_house_picked_by_address(world, login):
    c = login(world.users.grid_a)
    r = staff_post(c, where="house", house=world.house_a2.pk, house_address=str(world.house_a2))
    assert r.status_code == 302
    case = Case.objects.get()
    assert (case.grid, case.building, case.unit, case.house, case.where) == (
        world.grid_a,
        world.bld_a,
        world.unit_a,
        world.house_a2,
        "house",
    )
    # a house of grid B is outside grid A's worker's scope, whatever id is posted
    r = staff_post(c, where="house", house=world.house_b1.pk, house_address="馨和苑 2号楼 1单元 101")
    assert r.status_code == 200 and "house" in r.context["form"].errors and Case.objects.count() == 1


@pytest.mark.django_db
def test_staff_without_the_picker_type_the_whole_address(world, login):
    """Without the script, the address typed is looked up in the user's scope: one house, or an error."""
    c = login(world.users.community)
    r = staff_post(c, where="house", house_address="馨和苑 1号楼")
    assert r.context["form"].errors["house_address"] == [
        "有多所房屋符合该地址：请输入完整地址，例如：枫林湾 3栋 2单元 501。"
    ]
    r = staff_post(c, where="house", house_address="西湖小区 1号楼 1单元 101")  # the other community's
    assert r.context["form"].errors["house_address"] == ["您的辖区内没有这个地址的房屋。"]
    assert staff_post(c, where="house", house_address="馨和苑 2号楼 1单元 201").status_code == 302
    assert Case.objects.get().house == world.house_b2


@pytest.mark.django_db
def test_staff_common_area_and_the_map(world, login):
    c = login(world.users.community)
    assert staff_post(c, where="common", compound=world.cp1.pk).status_code == 302
    assert Case.objects.get().grid_id == min(world.grid_a.pk, world.grid_b.pk)
    r = staff_post(c, where="map", location=OUTSIDE)
    assert "location" in r.context["form"].errors
    assert staff_post(c, where="map", location=INSIDE_A, map_place=f"compound:{world.cp1.pk}").status_code == 302
    case = Case.objects.latest("id")
    assert (case.grid, case.compound, case.location["coordinates"]) == (world.grid_a, world.cp1, [106.25, 38.45])


@pytest.mark.django_db
def test_the_unit_head_sees_the_requests_of_their_unit(world):
    head = User.objects.create_user("unit_head_a")
    RoleAssignment.objects.create(user=head, role="unit_head", unit=world.unit_a)
    kw = {"actor": world.users.grid_a, "category": Category.objects.get(name="设施维修"), "grid": world.grid_a}
    at_unit = actions.report_case(**kw, unit=world.unit_a, description="x", channel="patrol")
    at_house = actions.report_case(**kw, house=world.house_a1, description="y", channel="patrol")
    actions.report_case(**kw, building=world.bld_a, description="z", channel="patrol")
    assert at_house.unit == world.unit_a  # the house's unit, kept with it
    assert set(Case.objects.restrict(head)) == {at_unit, at_house}


# ---- who sees the point -------------------------------------------------------------------------


@pytest.fixture
def whisper(world, login):
    """An anonymous request placed by its reporter on the map, at a point inside grid A."""
    r = resident_post(login(world.users.resident), place="map", location=INSIDE_A, anonymous="on")
    assert r.status_code == 302
    return Case.objects.get()


POINT_MARK = 'class="map-point"'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "sees_point"),
    [("community", True), ("subdistrict", True), ("admin", True), ("grid_a", False), ("building_head", False)],
)
def test_the_point_of_a_whisper_only_for_those_who_may_reveal_its_reporter(world, whisper, login, persona, sees_point):
    user = getattr(world.users, persona)
    if persona == "building_head":  # sees grid A's requests of building 1 only: place it there
        Case.objects.filter(pk=whisper.pk).update(building=world.bld_a)
    body = login(user).get(whisper.get_absolute_url()).content.decode()
    assert 'data-testid="case-map"' in body, persona  # the grid is drawn for every staff role
    assert (POINT_MARK in body) is sees_point, persona
    data = api(user).get(f"/api/v1/cases/{whisper.pk}/").json()
    assert (data["location"] is not None) is sees_point, persona
    listed = api(user).get("/api/v1/cases/").json()["results"]
    assert all((row["location"] is not None) is sees_point for row in listed if row["id"] == whisper.pk)


@pytest.mark.django_db
def test_the_point_of_an_ordinary_request_is_on_the_staff_page_only(world, login):
    c = login(world.users.resident)
    resident_post(c, place="map", location=INSIDE_A)
    case = Case.objects.get()
    assert POINT_MARK in login(world.users.grid_a).get(case.get_absolute_url()).content.decode()
    assert api(world.users.grid_a).get(f"/api/v1/cases/{case.pk}/").json()["location"]["coordinates"] == [106.25, 38.45]
    # the resident's own page: no map, no point (residents are handed no map of reports)
    mine = login(world.users.resident).get(case.get_absolute_url()).content.decode()
    assert 'data-testid="case-map"' not in mine and "106.25" not in mine
    assert api(world.users.resident).get(f"/api/v1/cases/{case.pk}/").json()["location"] is None
    # the public board shows no map
    board = login(world.users.nobody).get(f"/board/{world.c1.pk}/").content.decode()
    assert "place-map" not in board and "106.25" not in board


@pytest.mark.django_db
def test_the_resident_map_shows_their_community_only(world, login):
    create_object(type(world.grid_c), actor=None, community=world.c2, name="西湖第二网格", boundary=_square(107))
    body = login(world.users.resident).get(reverse("cases:report_mine")).content.decode()
    assert f'data-place="grid:{world.grid_a.pk}"' in body and f'data-place="compound:{world.cp1.pk}"' in body
    assert "西湖" not in body and "grid:" + str(world.grid_c.pk) not in body
    # …and no house search: the resident's own home is their only house
    assert "data-house-search" not in body


def _square(x):
    return {"type": "Polygon", "coordinates": [[[x, 38], [x + 0.1, 38], [x + 0.1, 38.1], [x, 38.1], [x, 38]]]}


# ---- geometry -----------------------------------------------------------------------------------


def test_a_hole_is_outside_and_a_multipolygon_holds_both_parts():
    ring = _square(106)["coordinates"][0]
    hole = [[106.04, 38.04], [106.06, 38.04], [106.06, 38.06], [106.04, 38.06], [106.04, 38.04]]
    donut = {"type": "Polygon", "coordinates": [ring, hole]}
    assert geo.contains(donut, 106.02, 38.02) and not geo.contains(donut, 106.05, 38.05)
    both = {"type": "MultiPolygon", "coordinates": [[ring], _square(107)["coordinates"]]}
    assert geo.contains(both, 106.05, 38.05) and geo.contains(both, 107.05, 38.05)
    assert not geo.contains(both, 106.5, 38.05) and not geo.contains(None, 106.05, 38.05)


def test_the_projection_round_trips_a_click():
    """What location.js computes from the numbers on the <svg> gives back the point drawn there."""
    project = geo.Projection([(106.2, 38.4), (106.3, 38.5)], 360)
    d = {k: float(v) for k, v in project.data.items()}
    sx, sy = project(106.25, 38.43)
    lon = d["x0"] + (sx - 10) / (d["kx"] * d["scale"])
    lat = d["y1"] - (sy - 10) / d["scale"]
    assert (round(lon, 9), round(lat, 9)) == (106.25, 38.43)


# ---- finding a house by its address -------------------------------------------------------------


def search(client, q):
    return client.get(reverse("places:house_search"), {"q": q})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "q", ["馨和苑 1号楼 1单元 101", "馨和苑1号楼1单元101", "馨和苑 1栋 1单元 101", "1-1-101", "1号楼 101"]
)
def test_a_house_is_found_by_its_address(world, login, q):
    r = search(login(world.users.community), q)
    assert r.status_code == 200
    assert r.json()["results"] == [
        {"id": world.house_a1.pk, "label": "馨和苑 1号楼 1单元 101", "compound": world.cp1.pk}
    ]


@pytest.mark.django_db
def test_the_house_search_is_scoped(world, login):
    assert [h["id"] for h in search(login(world.users.grid_a), "馨和苑 101").json()["results"]] == [world.house_a1.pk]
    assert search(login(world.users.community), "馨和苑 101").json()["results"] != []
    # another community's staff, a handler of another compound: nothing of 馨和苑
    assert search(login(world.users.other_community), "馨和苑").json()["results"] == []
    assert search(login(world.users.department), "馨和苑").status_code == 403
    # a resident searches no house at all, not even their own
    assert search(login(world.users.resident), "馨和苑 1号楼 1单元 101").status_code == 403
    assert search(login(world.users.community), "").json()["results"] == []


@pytest.mark.django_db
def test_the_api_finds_houses_by_address_in_scope(world):
    r = api(world.users.grid_a).get("/api/v1/houses/", {"q": "馨和苑 1号楼 1单元 102"})
    assert r.status_code == 200 and r.json()["count"] == 0  # grid A's houses end in 01
    r = api(world.users.grid_a).get("/api/v1/houses/", {"q": "馨和苑 1号楼 201"})
    assert [h["id"] for h in r.json()["results"]] == [world.house_a2.pk]
    assert api(world.users.other_community).get("/api/v1/houses/", {"q": "馨和苑"}).json()["count"] == 0
    assert api(world.users.resident).get("/api/v1/houses/", {"q": "馨和苑"}).status_code == 403


@pytest.mark.django_db
def test_the_house_search_costs_the_same_for_many_houses(world, login, django_assert_max_num_queries):
    c = login(world.users.community)
    search(c, "馨和苑")  # the session and the user's roles, loaded once
    with django_assert_max_num_queries(6) as few:
        n_few = len(search(c, "馨和苑").json()["results"])
    for b in range(3, 8):
        building = create_object(Building, actor=None, compound=world.cp1, grid=world.grid_a, name=f"{b}号楼")
        unit = create_object(Unit, actor=None, building=building, name="1单元")
        for n in range(1, 5):
            create_object(House, actor=None, unit=unit, number=f"{n}01", area=Decimal("80"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        n_many = len(search(c, "馨和苑").json()["results"])
    assert (n_few, n_many) == (4, 20)
