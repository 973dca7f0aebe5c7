"""派单路由: the routing table (category × place → organisation), its precedence, the dispatch
form's pre-selection, and the settings page and API, each scoped to the sub-district."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.cases import actions, forms, routing
from linli.cases.models import Category, Route
from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.orgs.models import DepartmentGrid, Kind, Organisation
from linli.places.models import Community, Grid, Subdistrict


def org(world, name, kind=Kind.UTILITY, sub=None):
    return create_object(Organisation, actor=None, kind=kind, name=name, subdistrict=sub or world.sub)


def route(category, organisation, **place):
    return create_object(Route, actor=None, category=category, organisation=organisation, **place)


def request_on(world, grid, category):
    return actions.report_case(actor=None, category=category, grid=grid, description="停水了", channel="hotline")


@pytest.fixture
def t(world):
    """Routes of 供暖 at every level of the sub-district; grid_b is also on the power company's grid."""
    heat = Category.objects.get(name="供暖")
    n = SimpleNamespace(heat=heat, group=heat.parent)
    n.city, n.estate, n.block, n.power = (
        org(world, name) for name in ("热力公司", "东区换热站", "一网格热力班", "供电所")
    )
    route(heat, n.city, subdistrict=world.sub)
    route(heat, n.estate, subdistrict=world.sub, community=world.c1)
    route(heat, n.block, subdistrict=world.sub, grid=world.grid_a)
    n.power_grid = create_object(
        DepartmentGrid, actor=None, organisation=n.power, name="城东供电网格", subdistrict=world.sub
    )
    n.power_grid.grids.set([world.grid_b, world.grid_c])  # one department grid over two community grids
    return n


@pytest.mark.django_db
def test_the_most_specific_place_wins_grid_then_community_then_subdistrict(world, t):
    assert routing.suggest(request_on(world, world.grid_a, t.heat)) == [t.block]  # grid
    assert routing.suggest(request_on(world, world.grid_b, t.heat)) == [t.estate]  # community
    assert routing.suggest(request_on(world, world.grid_c, t.heat)) == [t.city]  # sub-district


@pytest.mark.django_db
def test_a_department_grid_ranks_as_a_grid_on_each_grid_it_covers(world, t):
    route(t.heat, t.power, subdistrict=world.sub, department_grid=t.power_grid)
    assert routing.suggest(request_on(world, world.grid_b, t.heat)) == [t.power]  # beats the community
    assert routing.suggest(request_on(world, world.grid_c, t.heat)) == [t.power]  # beats the sub-district
    assert routing.suggest(request_on(world, world.grid_a, t.heat)) == [t.block]  # not covered


@pytest.mark.django_db
def test_routes_of_the_same_rank_are_all_suggested(world, t):
    route(t.heat, t.power, subdistrict=world.sub, grid=world.grid_a)
    assert routing.suggest(request_on(world, world.grid_a, t.heat)) == [t.block, t.power]


@pytest.mark.django_db
def test_the_category_itself_beats_its_group_only_at_the_same_place(world, t):
    water = org(world, "水务公司")
    route(t.group, water, subdistrict=world.sub, grid=world.grid_b)
    # the group's route on the grid beats the category's own route on the community
    assert routing.suggest(request_on(world, world.grid_b, t.heat)) == [water]
    # on grid_a both are on the grid: the category's own route wins
    route(t.group, water, subdistrict=world.sub, grid=world.grid_a)
    assert routing.suggest(request_on(world, world.grid_a, t.heat)) == [t.block]
    # a sibling leaf of the group gets the group's route
    repairs = Category.objects.get(name="设施维修")
    assert repairs.parent_id == t.group.pk
    assert routing.suggest(request_on(world, world.grid_b, repairs)) == [water]


@pytest.mark.django_db
def test_no_route_means_no_suggestion_and_other_categories_are_untouched(world, t):
    assert routing.suggest(request_on(world, world.grid_a, Category.objects.get(name="邻里纠纷"))) == []


@pytest.mark.django_db
def test_dispatch_preselects_the_suggestion_else_the_compounds_property_company(world, t):
    case = request_on(world, world.grid_a, t.heat)
    form = forms.DispatchForm(obj=case, actor=world.users.grid_a)
    assert form.fields["assignee_org"].initial == t.block.pk
    assert "一网格热力班" in str(form.fields["assignee_org"].help_text)
    assert t.block in form.fields["assignee_org"].queryset  # a utility can be chosen
    Route.objects.all().delete()
    case.compound = world.cp1
    form = forms.DispatchForm(obj=case, actor=world.users.grid_a)
    assert form.fields["assignee_org"].initial == world.pm.pk  # 供暖 is the property's by default


@pytest.mark.django_db
def test_the_detail_page_preselects_the_suggested_organisation(world, login, t):
    case = request_on(world, world.grid_a, t.heat)
    page = login(world.users.grid_a).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'<option value="{t.block.pk}" selected>' in page
    assert "派单路由建议：一网格热力班" in page


@pytest.mark.django_db
def test_a_route_is_consistent_with_its_sub_district(world, t):
    other = create_object(Subdistrict, actor=None, name="另一街道")
    with pytest.raises(ValidationError) as err:
        route(t.heat, t.city, subdistrict=other)
    assert "organisation" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        route(t.heat, t.city, subdistrict=world.sub, grid=world.grid_a, department_grid=t.power_grid)
    assert "department_grid" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        route(t.heat, t.city, subdistrict=world.sub, community=world.c2, grid=world.grid_a)
    assert "grid" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        route(t.heat, t.block, subdistrict=world.sub, grid=world.grid_a)  # twice the same
    assert "organisation" in err.value.message_dict


# --- the settings page and the API: config.change, in the user's sub-district only -------------


@pytest.fixture
def elsewhere(world):
    """Another sub-district with its own staff, organisation and route."""
    sub = create_object(Subdistrict, actor=None, name="另一街道")
    community = create_object(Community, actor=None, subdistrict=sub, name="远方社区")
    grid = create_object(Grid, actor=None, community=community, name="远方网格")
    utility = org(world, "远方水务", sub=sub)
    staff = User.objects.create_user("far_subdistrict", display_name="far")
    RoleAssignment.objects.create(user=staff, role=Role.SUBDISTRICT_STAFF, subdistrict=sub)
    cat = Category.objects.get(name="供暖")
    return SimpleNamespace(
        sub=sub, grid=grid, org=utility, staff=staff, route=route(cat, utility, subdistrict=sub, grid=grid)
    )


@pytest.mark.django_db
def test_settings_page_needs_the_config_permission(world, login):
    assert login(world.users.community).get(reverse("cases:settings_routing")).status_code == 403
    assert login(world.users.subdistrict).get(reverse("cases:settings_routing")).status_code == 200


@pytest.mark.django_db
def test_settings_page_adds_and_deletes_routes_audited_in_scope(world, login, t, elsewhere):
    c = login(world.users.subdistrict)
    page = c.get(reverse("cases:settings_routing")).content.decode()
    assert "热力公司" in page and "远方水务" not in page
    water = org(world, "水务公司")
    data = {"category": t.heat.pk, "grid": world.grid_b.pk, "organisation": water.pk}
    assert c.post(reverse("cases:route_create"), data).status_code == 302
    added = Route.objects.get(organisation=water)
    assert (added.subdistrict_id, added.community_id) == (world.sub.pk, world.c1.pk)
    assert AuditLog.objects.filter(action="create", object_id=added.pk, actor=world.users.subdistrict).exists()
    # another sub-district's organisation or grid is not a choice
    r = c.post(reverse("cases:route_create"), {"category": t.heat.pk, "organisation": elsewhere.org.pk})
    assert r.status_code == 400 and "organisation" in r.context["route_form"].errors
    r = c.post(reverse("cases:route_create"), data | {"grid": elsewhere.grid.pk})
    assert r.status_code == 400 and "grid" in r.context["route_form"].errors
    # deleting: another sub-district's route is a 404, one's own is audited
    assert c.post(reverse("cases:route_delete", args=[elsewhere.route.pk])).status_code == 404
    assert Route.objects.filter(pk=elsewhere.route.pk).exists()
    assert c.post(reverse("cases:route_delete", args=[added.pk])).status_code == 302
    assert AuditLog.objects.filter(action="delete", object_id=added.pk).exists()


@pytest.mark.django_db
def test_settings_page_maps_a_department_grid_onto_community_grids(world, login, t, elsewhere):
    c = login(world.users.subdistrict)
    police = org(world, "派出所", kind=Kind.DEPARTMENT)
    data = {"organisation": police.pk, "name": "一号警务网格", "grids": [world.grid_a.pk, world.grid_b.pk]}
    assert c.post(reverse("cases:department_grid_create"), data).status_code == 302
    beat = DepartmentGrid.objects.get(name="一号警务网格")
    assert set(beat.grids.all()) == {world.grid_a, world.grid_b} and beat.subdistrict_id == world.sub.pk
    r = c.post(reverse("cases:department_grid_create"), data | {"name": "越界", "grids": [elsewhere.grid.pk]})
    assert r.status_code == 400 and not DepartmentGrid.objects.filter(name="越界").exists()
    r = c.post(reverse("cases:department_grid_create"), data | {"name": "物业网格", "organisation": world.pm.pk})
    assert r.status_code == 400  # only departments and utilities have grids
    # a department grid that routes use is not deleted under them
    route(t.heat, police, subdistrict=world.sub, department_grid=beat)
    assert c.post(reverse("cases:department_grid_delete", args=[beat.pk])).status_code == 302
    assert DepartmentGrid.objects.filter(pk=beat.pk).exists()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_api_lists_and_writes_routes_in_scope_only(world, t, elsewhere):
    c = api(world.users.subdistrict)
    listed = {r["organisation"] for r in c.get("/api/v1/routes/").json()["results"]}
    assert listed == {t.city.pk, t.estate.pk, t.block.pk}
    assert c.get(f"/api/v1/routes/{elsewhere.route.pk}/").status_code == 404
    assert c.delete(f"/api/v1/routes/{elsewhere.route.pk}/").status_code == 404
    assert api(world.users.community).get("/api/v1/routes/").status_code == 403
    assert api(elsewhere.staff).get(f"/api/v1/routes/{t.city.routes.get().pk}/").status_code == 404
    r = c.post("/api/v1/routes/", {"category": t.heat.pk, "organisation": t.power.pk, "grid": world.grid_c.pk})
    assert r.status_code == 201, r.content
    assert r.json()["subdistrict"] == world.sub.pk
    assert AuditLog.objects.filter(action="create", object_id=r.json()["id"]).exists()
    r = c.post("/api/v1/routes/", {"category": t.heat.pk, "organisation": elsewhere.org.pk})
    assert r.status_code == 400


@pytest.mark.django_db
def test_api_writes_department_grids_in_scope_only(world, t, elsewhere):
    c = api(world.users.subdistrict)
    assert [g["name"] for g in c.get("/api/v1/department-grids/").json()["results"]] == ["城东供电网格"]
    assert api(elsewhere.staff).get(f"/api/v1/department-grids/{t.power_grid.pk}/").status_code == 404
    r = c.post("/api/v1/department-grids/", {"organisation": t.power.pk, "name": "城西", "grids": [world.grid_a.pk]})
    assert r.status_code == 201, r.content
    r = c.post("/api/v1/department-grids/", {"organisation": t.power.pk, "name": "越界", "grids": [elsewhere.grid.pk]})
    assert r.status_code == 400


@pytest.mark.django_db
def test_api_case_detail_names_the_suggestion_to_dispatchers_only(world, t):
    case = request_on(world, world.grid_a, t.heat)
    assert api(world.users.grid_a).get(f"/api/v1/cases/{case.pk}/").json()["suggested_orgs"] == [t.block.pk]
    assert api(world.users.grid_b).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    actions.transition(case.pk, "dispatch", actor=world.users.grid_a, version=case.version, assignee_org=t.block)
    assert api(world.users.grid_a).get(f"/api/v1/cases/{case.pk}/").json()["suggested_orgs"] == []
