"""Reveal, token authentication, filters, query counts and the OpenAPI document."""

import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from linli.accounts.models import ApiToken, User
from linli.accounts.roles import PERMISSIONS, Role
from linli.accounts.tests.test_two_factor import code
from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.people.models import Household, Person
from linli.places.models import Building, Grid, House, Unit
from linli.testing import PASSWORD, make_id

pytestmark = pytest.mark.django_db


def reveal(client, person, field="id_number"):
    return client.post(f"/api/v1/persons/{person.pk}/reveal/", {"field": field}, format="json")


@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_reveal_returns_the_clear_value_and_audits_it(api_world, api, field):
    w = api_world
    response = reveal(api(w.users.grid_a), w.p_a1h, field)
    assert response.status_code == 200
    assert response.json() == {"field": field, "value": getattr(w.p_a1h, field)}
    assert {"no-store", "private"} <= {v.strip() for v in response["Cache-Control"].split(",")}
    log = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert (log.actor, log.object_id, log.note) == (w.users.grid_a, str(w.p_a1h.pk), field)
    assert (log.grid_id, log.community_id) == (w.grid_a.pk, w.c1.pk)


@pytest.mark.parametrize(
    ("persona", "person", "status"),
    [
        ("building_head", "p_a1h", 403),  # building heads never see full ID numbers
        ("resident", "p_a1h", 403),
        ("grid_a", "p_b1h", 404),
        ("grid_a", "p_c1h", 404),
        ("other_community", "p_a1h", 404),
    ],
)
def test_reveal_refused_without_permission_or_out_of_scope(api_world, api, persona, person, status):
    w = api_world
    response = reveal(api(getattr(w.users, persona)), getattr(w, person))
    assert response.status_code == status
    assert getattr(w, person).id_number not in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


def test_reveal_needs_the_reveal_permission_not_the_change_permission(api_world, api, monkeypatch):
    w = api_world
    grid_worker = PERMISSIONS[Role.GRID_WORKER]
    monkeypatch.setitem(PERMISSIONS, Role.GRID_WORKER, grid_worker - {"people.reveal"})
    client = api(w.users.grid_a)
    assert reveal(client, w.p_a1h).status_code == 403
    assert client.patch(f"/api/v1/persons/{w.p_a1h.pk}/", {"name": "甲"}, format="json").status_code == 200
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


def test_reveal_of_another_field_is_a_400_without_audit(api_world, api):
    w = api_world
    client = api(w.users.grid_a)
    response = reveal(client, w.p_a1h, "name")
    assert response.status_code == 400 and [e["field"] for e in response.json()["errors"]] == ["field"]
    assert reveal(api(), w.p_a1h).status_code == 401
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


def test_token_from_the_token_endpoint_authenticates(api_world):
    w = api_world
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": "grid_a", "password": "wrong"}, format="json")
    assert wrong.status_code == 400 and "token" not in wrong.json()
    device = TOTPDevice.objects.create(user=w.users.grid_a, name="phone", confirmed=True)
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "grid_a", "password": PASSWORD, "otp_token": code(device)},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.find(token).user == w.users.grid_a

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    people = client.get("/api/v1/persons/", {"page_size": 200})
    assert people.status_code == 200
    assert {p["id"] for p in people.json()["results"]} == {
        w.p_a1h.pk,
        w.p_a1s.pk,
        w.p_a2h.pk,
        w.p_a2s.pk,
    }
    assert client.get(f"/api/v1/persons/{w.p_c1h.pk}/").status_code == 404

    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/persons/").status_code == 401


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "党员"}, {"p_a1h"}),
        ({"household": "hh_a2"}, {"p_a2h", "p_a2s"}),
        ({"grid": "grid_b", "relation": "head"}, {"p_b1h", "p_b2h"}),
        ({"building": "bld_c", "relation": "spouse"}, {"p_c1s", "p_c2s"}),
        ({"community": "c2", "unit": "unit_c"}, {"p_c1h", "p_c1s", "p_c2h", "p_c2s"}),
        ({"tag": "没有的"}, set()),
    ],
)
def test_person_filters(api_world, api, params, expected):
    w = api_world
    query = {k: getattr(w, v).pk if hasattr(w, v) else v for k, v in params.items()}
    response = api(w.users.subdistrict).get("/api/v1/persons/", query | {"page_size": 200})
    assert response.status_code == 200
    assert {p["id"] for p in response.json()["results"]} == {getattr(w, e).pk for e in expected}


def test_place_and_organisation_filters(api_world, api):
    w = api_world
    client = api(w.users.admin)
    orgs = client.get("/api/v1/organisations/", {"kind": "property"}).json()["results"]
    assert [o["id"] for o in orgs] == [w.pm.pk]
    houses = client.get("/api/v1/houses/", {"building": w.bld_b.pk}).json()["results"]
    assert {h["id"] for h in houses} == {w.house_b1.pk, w.house_b2.pk}
    grids = client.get("/api/v1/grids/", {"community": w.c1.pk}).json()["results"]
    assert {g["id"] for g in grids} == {w.grid_a.pk, w.grid_b.pk}
    audit = client.get("/api/v1/audit/", {"action": "create", "model": "person", "grid": w.grid_c.pk}).json()
    assert audit["count"] == 4
    bad = client.get("/api/v1/persons/", {"grid": "x"})
    assert bad.status_code == 400 and [e["field"] for e in bad.json()["errors"]] == ["grid"]


def test_lists_are_paginated(api_world, api):
    w = api_world
    body = api(w.users.admin).get("/api/v1/persons/", {"page_size": 5}).json()
    assert body["count"] == 12 and len(body["results"]) == 5 and body["next"]


def test_person_list_query_count_does_not_grow_with_rows(api_world, api, django_assert_max_num_queries):
    w = api_world

    def get():
        # A fresh user each time: its role cache must not make later requests cheaper.
        response = api(User.objects.get(pk=w.users.community.pk)).get("/api/v1/persons/", {"household": w.hh_a1.pk})
        assert response.status_code == 200
        return response.json()

    with CaptureQueriesContext(connection) as few:
        assert get()["count"] == 2
    for i in range(30):
        p = create_object(
            Person,
            actor=None,
            household=w.hh_a1,
            name=f"新{i}",
            id_number=make_id(600 + i, "20000101"),
        )
        p.tags.set([w.tag_party, w.tag_poor])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = get()
    assert body["count"] == 32 and all(len(p["tags"]) == 2 for p in body["results"][2:])


@pytest.mark.parametrize(
    ("path", "model", "make"),
    [
        ("households", Household, lambda w, i: {"house": w.house_a1, "note": str(i)}),
        ("houses", House, lambda w, i: {"unit": w.unit_a, "number": f"9{i:02d}", "area": "50"}),
        ("units", Unit, lambda w, i: {"building": w.bld_a, "name": f"{i}单元X"}),
        (
            "buildings",
            Building,
            lambda w, i: {"compound": w.cp1, "grid": w.grid_a, "name": f"{i}号楼X"},
        ),
        ("grids", Grid, lambda w, i: {"community": w.c1, "name": f"网格{i}"}),
    ],
)
def test_place_list_query_count_does_not_grow_with_rows(
    api_world, api, django_assert_max_num_queries, path, model, make
):
    w = api_world

    def get():
        return api(User.objects.get(pk=w.users.community.pk)).get(f"/api/v1/{path}/", {"page_size": 200}).json()

    with CaptureQueriesContext(connection) as few:
        n = get()["count"]
    for i in range(10):
        create_object(model, actor=None, **make(w, i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert get()["count"] == n + 10


def test_openapi_document(api_world, api, tmp_path):
    response = api(api_world.users.grid_a).get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    doc = json.loads(response.content)
    assert {"/api/v1/persons/", "/api/v1/persons/{id}/reveal/", "/api/v1/auth/token/"} <= set(doc["paths"])
    person = doc["components"]["schemas"]["Person"]["properties"]
    assert "id_number_masked" in person and "id_number" not in person
    assert doc["components"]["schemas"]["PersonRequest"]["properties"]["id_number"]["writeOnly"] is True
    # Generation without a single warning or error, and a valid OpenAPI 3 document.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))


HAN = re.compile(r"[\u4e00-\u9fff]")


def test_openapi_document_is_in_chinese_by_default(api_world, api):
    """No Accept-Language: the document speaks the site's language, Chinese — its title and
    description, the operations' summaries and the fields' labels and help texts."""
    doc = json.loads(api(api_world.users.grid_a).get("/api/v1/openapi.json").content)
    assert HAN.search(doc["info"]["title"]) and "令牌" in doc["info"]["description"]
    ops = {(path, method): op for path, item in doc["paths"].items() for method, op in item.items()}
    assert ops[("/api/v1/persons/", "get")]["summary"] == "居民列表"
    assert ops[("/api/v1/persons/{id}/", "get")]["summary"] == "居民详情"
    assert ops[("/api/v1/cases/", "post")]["summary"] == "新建诉求"
    sample = [op for key, op in sorted(ops.items())][::7]
    assert sample and all(HAN.search(op.get("summary", "")) for op in sample), [op.get("summary") for op in sample]
    house = doc["components"]["schemas"]["HouseRequest"]["properties"]["number"]
    assert HAN.search(house.get("title", "") + house.get("description", ""))
    english = json.loads(api(api_world.users.grid_a).get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="en").content)
    assert english["info"]["title"] == "Linli API"


def test_token_endpoint_honours_the_login_lockout(api_world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient()
    for n in range(1, 4):
        bad = client.post("/api/v1/auth/token/", {"username": "grid_a", "password": "x"})
        assert bad.status_code == (400 if n < 3 else 429)  # the third failure locks
    # Locked out, even the right password gets no token (axes refuses inside authenticate()).
    good = client.post("/api/v1/auth/token/", {"username": "grid_a", "password": PASSWORD})
    assert good.status_code == 429 and "token" not in good.json()
    assert good.json()["errors"][0]["code"] == "locked"
    assert not ApiToken.objects.filter(user=api_world.users.grid_a).exists()


def test_api_documentation_page_is_served_by_the_app(api_world, login):
    c = login(api_world.users.grid_a)
    page = c.get("/api/v1/docs/")
    html = page.content.decode()
    assert page.status_code == 200 and "swagger-ui" in html
    # its files are the app's own (drf-spectacular-sidecar), nothing from another host
    assert "http://" not in html and "https://" not in html and "<script>" not in html and "<style>" not in html
    script = c.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/openapi.json" in script.content.decode()
    for src in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/drf_spectacular_sidecar/swagger-ui-dist/{src}" in html


def test_api_documentation_is_public_like_the_document_and_carries_no_data(api_world, client):
    # the OpenAPI document describes the operations only; every operation still needs a sign-in
    assert client.get("/api/v1/docs/").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/persons/").status_code in (401, 403)
