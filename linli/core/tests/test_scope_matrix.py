"""Every UI list and detail endpoint against the personas: in scope 200, out of scope 404
(the same answer as a row that does not exist), no permission 403, anonymous → login."""

import pytest
from django.urls import reverse

from linli.core.models import AuditLog

# (url name, world attribute in scope of grid A / community C1, attribute out of their scope)
DETAIL = [
    ("places:grid", "grid_a", "grid_c"),
    ("places:compound", "cp1", "cp2"),
    ("places:building", "bld_a", "bld_c"),
    ("places:unit", "unit_a", "unit_c"),
    ("places:house", "house_a1", "house_c1"),
    ("people:household", "hh_a1", "hh_c1"),
    ("people:person", "p_a1h", "p_c1h"),
]
PLACE_EDIT = [(f"{n}_edit", i, o) for n, i, o in DETAIL[:5]] + [(f"{n}_delete", i, o) for n, i, o in DETAIL[:5]]
PEOPLE_EDIT = [
    ("people:household_edit", "hh_a1", "hh_c1"),
    ("people:person_edit", "p_a1h", "p_c1h"),
]
PEOPLE_DELETE = [
    ("people:household_delete", "hh_a1", "hh_c1"),
    ("people:person_delete", "p_a1h", "p_c1h"),
]
CREATE = [
    ("people:person_create", "hh_a1", "hh_c1"),
    ("people:household_create", "house_a1", "house_c1"),
]


def url(world, name, attr):
    return reverse(name, args=[getattr(world, attr).pk])


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "inside", "outside"), DETAIL + PEOPLE_EDIT + CREATE)
def test_grid_worker_in_scope_ok_out_of_scope_404(world, login, name, inside, outside):
    c = login(world.users.grid_a)
    assert c.get(url(world, name, inside)).status_code == 200
    assert c.get(url(world, name, outside)).status_code == 404


# The compound spans grids A and B, so it is visible to both grid workers (see test_scope).
NEIGHBOUR = [(n, o.replace("_c", "_b")) for n, _i, o in DETAIL if n != "places:compound"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "neighbour"), NEIGHBOUR)
def test_grid_worker_cannot_see_neighbouring_grid_in_same_community(world, login, name, neighbour):
    c = login(world.users.grid_a)
    assert c.get(url(world, name, neighbour)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "inside", "outside"), PLACE_EDIT + PEOPLE_DELETE)
def test_grid_worker_without_permission_gets_403(world, login, name, inside, outside):
    c = login(world.users.grid_a)
    assert c.get(url(world, name, inside)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "inside", "outside"), DETAIL + PLACE_EDIT + PEOPLE_EDIT + PEOPLE_DELETE + CREATE)
def test_community_staff_in_scope_ok_other_community_404(world, login, name, inside, outside):
    c = login(world.users.community)
    assert c.get(url(world, name, inside)).status_code == 200
    assert c.get(url(world, name, outside)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "inside", "outside"), DETAIL)
def test_department_staff_have_no_ledger_permission(world, login, name, inside, outside):
    c = login(world.users.department)
    assert c.get(url(world, name, inside)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "inside", "outside"), DETAIL)
def test_anonymous_is_sent_to_login(world, client, name, inside, outside):
    r = client.get(url(world, name, inside))
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_resident_sees_only_own_household(world, login):
    c = login(world.users.resident)
    assert c.get(url(world, "people:household", "hh_a1")).status_code == 200
    assert c.get(url(world, "people:household", "hh_a2")).status_code == 404
    assert c.get(url(world, "people:person_edit", "p_a1h")).status_code == 403
    assert c.get(reverse("places:tree")).status_code == 403


@pytest.mark.django_db
def test_property_staff_see_served_compound_not_residents(world, login):
    c = login(world.users.property)
    assert c.get(url(world, "places:compound", "cp1")).status_code == 200
    assert c.get(url(world, "places:compound", "cp2")).status_code == 404
    assert c.get(url(world, "people:household", "hh_a1")).status_code == 403


@pytest.mark.django_db
def test_orgs_scope(world, login):
    c = login(world.users.grid_a)
    assert c.get(reverse("orgs:detail", args=[world.pm.pk])).status_code == 200  # serves their compound
    assert c.get(reverse("orgs:detail", args=[world.dept.pk])).status_code == 404
    assert c.get(reverse("orgs:edit", args=[world.pm.pk])).status_code == 403
    other = login(world.users.other_community)
    assert other.get(reverse("orgs:detail", args=[world.pm.pk])).status_code == 404
    assert login(world.users.department).get(reverse("orgs:detail", args=[world.dept.pk])).status_code == 200


LISTS = [
    ("people:list", "居民a1h", "居民c1h"),
    ("places:tree", "第一网格", "西湖社区"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "shown", "hidden"), LISTS)
def test_lists_show_only_scope(world, login, name, shown, hidden):
    body = login(world.users.grid_a).get(reverse(name)).content.decode()
    assert shown in body and hidden not in body


@pytest.mark.django_db
def test_people_search_cannot_find_out_of_scope_person_by_id(world, login):
    c = login(world.users.grid_a)
    body = c.get(reverse("people:list"), {"q": world.p_c1h.id_number}).content.decode()
    assert world.p_c1h.name not in body
    body = login(world.users.other_community).get(reverse("people:list"), {"q": world.p_c1h.id_number}).content.decode()
    assert world.p_c1h.name in body and world.p_c2h.name not in body


@pytest.mark.django_db
def test_roles_and_audit_lists_are_scoped(world, login):
    c = login(world.users.community)
    body = c.get(reverse("accounts:roles")).content.decode()
    assert "grid_a" in body and "other_community" not in body
    assert AuditLog.objects.filter(community_id=world.c2.pk).exists()
    audit = c.get(reverse("core:audit"), {"q": "居民c1h"}).content.decode()
    assert "<td>居民c1h</td>" not in audit
    audit = c.get(reverse("core:audit"), {"q": "居民a1h"}).content.decode()
    assert "<td>居民a1h</td>" in audit
    revoke_own = reverse("accounts:revoke", args=[world.users.grid_a.role_assignments.get().pk])
    assert c.get(revoke_own).status_code == 200
    assert login(world.users.grid_a).get(reverse("core:audit")).status_code == 403
    c = login(world.users.community)
    assert (
        c.get(reverse("accounts:revoke", args=[world.users.other_community.role_assignments.get().pk])).status_code
        == 404
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["grid_a", "community", "subdistrict", "building_head", "property", "resident", "admin"]
)
def test_every_link_on_a_persons_pages_opens(world, login, persona):
    """Walk two levels of links from home and the place tree: nothing the page offers is a 404/403."""
    import re

    c = login(getattr(world.users, persona))
    seen, frontier = set(), ["/", "/places/", "/people/"]
    for _depth in range(3):
        found = []
        for url in frontier:
            r = c.get(url)
            if url not in ("/places/", "/people/") or r.status_code != 403:
                assert r.status_code == 200, (persona, url, r.status_code)
            if r.status_code == 200:
                found += re.findall(r'href="(/(?:places|people|orgs)/[a-z_]*/?\d+/)"', r.content.decode())
        frontier = [u for u in dict.fromkeys(found) if u not in seen][:25]
        seen.update(frontier)
    assert seen  # the walk went somewhere


@pytest.mark.django_db
def test_moving_a_building_to_another_grid_moves_its_people_in_scope(world, login):
    from linli.people.models import Household, Person

    c = login(world.users.community)
    r = c.post(reverse("places:building_edit", args=[world.bld_a.pk]), {"name": "1号楼", "grid": world.grid_b.pk})
    assert r.status_code == 302
    assert set(Person.objects.filter(building=world.bld_a).values_list("grid_id", flat=True)) == {world.grid_b.pk}
    assert set(Household.objects.filter(building=world.bld_a).values_list("grid_id", flat=True)) == {world.grid_b.pk}
    assert login(world.users.grid_a).get(world.p_a1h.get_absolute_url()).status_code == 404
    assert login(world.users.grid_b).get(world.p_a1h.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_community_staff_register_an_organisation_in_their_community(world, login):
    from linli.orgs.models import Organisation

    c = login(world.users.community)
    r = c.post(reverse("orgs:create"), {"kind": "party", "name": "馨和苑党支部", "community": world.c1.pk})
    assert r.status_code == 302
    org = Organisation.objects.get(name="馨和苑党支部")
    assert (org.subdistrict, org.community) == (world.sub, world.c1)
    r = c.post(reverse("orgs:create"), {"kind": "party", "name": "越权支部", "community": world.c2.pk})
    assert r.status_code == 200 and "community" in r.context["form"].errors
    r = c.post(reverse("orgs:create"), {"kind": "partner", "name": "无类别单位", "community": world.c1.pk})
    assert "partner_category" in r.context["form"].errors


@pytest.mark.django_db
def test_notifications_are_private(world, login):
    from linli.core.models import Notification

    Notification.objects.create(user=world.users.grid_a, text="只给网格员A的通知", url="/")
    assert "只给网格员A的通知" in login(world.users.grid_a).get(reverse("core:notifications")).content.decode()
    assert "只给网格员A的通知" not in login(world.users.grid_b).get(reverse("core:notifications")).content.decode()
    assert Notification.objects.get().read_at is not None  # read by its owner only
