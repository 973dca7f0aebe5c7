"""Every /api/v1/ resource against the personas: list and detail show only rows in scope, rows
outside the scope are 404 for read, update and delete, a role without the permission gets 403,
anonymous gets 401 — the same rule as the UI (core/tests/test_scope_matrix.py)."""

from typing import NamedTuple

import pytest

from linli.core.models import AuditLog

pytestmark = pytest.mark.django_db


class Resource(NamedTuple):
    path: str
    viewer: str  # persona who may view: sees `inside`, not `outside`
    inside: str
    outside: str
    editor: str  # persona who may change and delete: `edit_in` yes, `edit_out` → 404
    edit_in: str
    edit_out: str
    patch: dict
    no_perm: str  # persona whose roles lack the permission entirely


# fmt: off
RESOURCES = [
    Resource("subdistricts", "subdistrict", "sub", "sub2", "subdistrict", "sub", "sub2", {"code": "640104001"},
             "department"),
    Resource("communities", "community", "c1", "c2", "community", "c1", "c2", {"name": "新社区"}, "department"),
    Resource("grids", "grid_a", "grid_a", "grid_b", "community", "grid_a", "grid_c", {"name": "新网格"}, "department"),
    Resource("compounds", "grid_a", "cp1", "cp2", "community", "cp1", "cp2", {"address": "北京中路1号"}, "department"),
    Resource("buildings", "grid_a", "bld_a", "bld_b", "community", "bld_a", "bld_c", {"name": "9号楼"}, "department"),
    Resource("units", "grid_a", "unit_a", "unit_b", "community", "unit_a", "unit_c", {"name": "2单元"}, "department"),
    Resource("houses", "grid_a", "house_a1", "house_b1", "community", "house_a1", "house_c1", {"number": "999"},
             "department"),
    Resource("households", "grid_a", "hh_a1", "hh_c1", "grid_a", "hh_a1", "hh_b1", {"note": "空巢"}, "department"),
    Resource("persons", "grid_a", "p_a1h", "p_b1h", "grid_a", "p_a1h", "p_b1h", {"name": "王五"}, "department"),
    Resource("organisations", "community", "pm", "dept", "community", "pm", "dept", {"contact_name": "李四"},
             "resident"),
    Resource("audit", "community", "audit_a", "audit_c", "", "", "", {}, "grid_a"),
]
# fmt: on
WRITABLE = [r for r in RESOURCES if r.editor]
IDS = [r.path for r in RESOURCES]


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def url(r, obj=None):
    return f"/api/v1/{r.path}/" + (f"{obj.pk}/" if obj is not None else "")


@pytest.mark.parametrize("r", RESOURCES, ids=IDS)
def test_list_shows_rows_in_scope_only(api_world, api, r):
    w = api_world
    seen = ids(api(getattr(w.users, r.viewer)).get(url(r), {"page_size": 200}))
    assert getattr(w, r.inside).pk in seen
    assert getattr(w, r.outside).pk not in seen


@pytest.mark.parametrize("r", RESOURCES, ids=IDS)
def test_detail_in_scope_200_out_of_scope_404(api_world, api, r):
    w = api_world
    client = api(getattr(w.users, r.viewer))
    inside = client.get(url(r, getattr(w, r.inside)))
    assert inside.status_code == 200 and inside.json()["id"] == getattr(w, r.inside).pk
    outside = client.get(url(r, getattr(w, r.outside)))
    assert outside.status_code == 404
    assert outside.json() == {
        "errors": [{"field": None, "message": outside.json()["errors"][0]["message"], "code": "not_found"}]
    }


@pytest.mark.parametrize("r", WRITABLE, ids=[r.path for r in WRITABLE])
def test_update_in_scope_is_audited_out_of_scope_404(api_world, api, r):
    w = api_world
    editor = getattr(w.users, r.editor)
    client = api(editor)
    obj = getattr(w, r.edit_in)
    response = client.patch(url(r, obj), r.patch, format="json")
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in r.patch} == r.patch
    log = AuditLog.objects.filter(action="update", object_id=str(obj.pk), actor=editor).get()
    assert set(log.changes) == set(r.patch)

    other = getattr(w, r.edit_out)
    assert client.patch(url(r, other), r.patch, format="json").status_code == 404
    assert client.put(url(r, other), r.patch, format="json").status_code == 404
    other.refresh_from_db()
    assert all(getattr(other, k) != v for k, v in r.patch.items())


# (resource, persona with the delete permission, row outside their scope)
DELETE = [
    ("subdistricts", "subdistrict", "sub2"),
    ("communities", "community", "c2"),
    ("grids", "community", "grid_c"),
    ("compounds", "community", "cp2"),
    ("buildings", "community", "bld_c"),
    ("units", "community", "unit_c"),
    ("houses", "community", "house_c1"),
    ("households", "community", "hh_c1"),
    ("persons", "community", "p_c1h"),
    ("organisations", "community", "dept"),
]


@pytest.mark.parametrize(("path", "persona", "outside"), DELETE)
def test_delete_out_of_scope_404(api_world, api, path, persona, outside):
    w = api_world
    obj = getattr(w, outside)
    assert api(getattr(w.users, persona)).delete(f"/api/v1/{path}/{obj.pk}/").status_code == 404
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("r", RESOURCES, ids=IDS)
def test_role_without_permission_gets_403(api_world, api, r):
    w = api_world
    client = api(getattr(w.users, r.no_perm))
    obj = getattr(w, r.inside)
    assert client.get(url(r)).status_code == 403
    assert client.get(url(r, obj)).status_code == 403
    if r.editor:
        assert client.patch(url(r, obj), r.patch, format="json").status_code == 403
        assert client.delete(url(r, obj)).status_code == 403


@pytest.mark.parametrize("r", RESOURCES, ids=IDS)
def test_anonymous_gets_401(api_world, api, r):
    w = api_world
    client = api()
    obj = getattr(w, r.inside)
    for response in (client.get(url(r)), client.get(url(r, obj)), client.delete(url(r, obj))):
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("persona", "path", "attr", "method"),
    [
        ("grid_a", "grids", "grid_a", "patch"),  # grid workers view places, do not change them
        ("grid_a", "persons", "p_a1h", "delete"),  # nor delete residents
        ("building_head", "persons", "p_a1h", "patch"),
        ("resident", "households", "hh_a1", "patch"),
        ("property", "compounds", "cp1", "patch"),
        ("community", "audit", "audit_a", "patch"),  # the audit trail is read-only for everyone
        ("admin", "audit", "audit_a", "delete"),
    ],
)
def test_viewer_without_write_permission_is_refused(api_world, api, persona, path, attr, method):
    w = api_world
    obj = getattr(w, attr)
    response = getattr(api(getattr(w.users, persona)), method)(f"/api/v1/{path}/{obj.pk}/", {}, format="json")
    assert response.status_code == (405 if path == "audit" else 403)
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_grid_worker_sees_nothing_of_other_grids(api_world, api):
    w = api_world
    client = api(w.users.grid_a)
    people = ids(client.get("/api/v1/persons/", {"page_size": 200}))
    assert people == {w.p_a1h.pk, w.p_a1s.pk, w.p_a2h.pk, w.p_a2s.pk}
    households = ids(client.get("/api/v1/households/", {"page_size": 200}))
    assert households == {w.hh_a1.pk, w.hh_a2.pk}
    # Filtering by a place outside the scope finds nothing rather than an error.
    assert ids(client.get("/api/v1/persons/", {"household": w.hh_c1.pk})) == set()


def test_community_staff_see_only_their_communitys_audit_records(api_world, api):
    w = api_world
    seen = ids(api(w.users.community).get("/api/v1/audit/", {"page_size": 200}))
    assert seen and w.audit_a.pk in seen and w.audit_c.pk not in seen
    in_c1 = set(AuditLog.objects.filter(community_id=w.c1.pk).values_list("pk", flat=True))
    assert seen <= in_c1


def test_tags_are_listed_for_people_viewers(api_world, api):
    w = api_world
    response = api(w.users.grid_a).get("/api/v1/tags/")
    assert response.status_code == 200
    assert {t["name"] for t in response.json()["results"]} == {"党员", "低保"}
    assert api(w.users.department).get("/api/v1/tags/").status_code == 403
    assert api().get("/api/v1/tags/").status_code == 401
    assert api(w.users.admin).post("/api/v1/tags/", {"name": "x"}).status_code == 405


def test_delete_in_scope_is_audited_and_protected_rows_answer_409(api_world, api):
    w = api_world
    client = api(w.users.community)
    assert client.delete(f"/api/v1/persons/{w.p_a1s.pk}/").status_code == 204
    assert not type(w.p_a1s).objects.filter(pk=w.p_a1s.pk).exists()
    assert AuditLog.objects.filter(action="delete", object_id=str(w.p_a1s.pk), actor=w.users.community).exists()
    response = client.delete(f"/api/v1/houses/{w.house_a1.pk}/")  # a household lives there
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "protected"
    assert type(w.house_a1).objects.filter(pk=w.house_a1.pk).exists()
