import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from linli.accounts.actions import issue_api_token
from linli.cases.models import Case, Category
from linli.core.models import Notification


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def cat(db):
    return Category.objects.get(name="设施维修")


@pytest.mark.django_db
def test_report_and_walk_the_lifecycle_over_the_api(world, cat):
    r = api(world.users.grid_a).post(
        "/api/v1/cases/",
        {
            "channel": "patrol",
            "category": cat.pk,
            "grid": world.grid_a.pk,
            "building": world.bld_a.pk,
            "description": "单元门坏了",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["state"] == "accepted" and r.json()["community"] == world.c1.pk
    r = api(world.users.grid_a).post(
        f"/api/v1/cases/{pk}/dispatch/", {"version": 0, "assignee_org": world.pm.pk}, format="json"
    )
    assert r.status_code == 200 and r.json()["state"] == "dispatched"
    assert [e["action"] for e in r.json()["events"]] == ["report", "dispatch"]
    # the same stale version again: 409, nothing changed
    r = api(world.users.community).post(f"/api/v1/cases/{pk}/decline/", {"version": 0, "note": "x"}, format="json")
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "conflict"
    # illegal from this state: 400 with a message
    r = api(world.users.grid_a).post(f"/api/v1/cases/{pk}/verify/", {"version": 1}, format="json")
    assert r.status_code == 400
    # handler of the company: sees it and may start; another grid's worker: 404; department: 404
    assert (
        api(world.users.property).post(f"/api/v1/cases/{pk}/start/", {"version": 1}, format="json").status_code == 200
    )
    assert api(world.users.grid_b).get(f"/api/v1/cases/{pk}/").status_code == 404
    assert api(world.users.department).get(f"/api/v1/cases/{pk}/").status_code == 404
    assert api(world.users.department).get("/api/v1/cases/").json()["results"] == []


@pytest.mark.django_db
def test_api_errors_have_field_paths(world, cat):
    r = api(world.users.grid_a).post(
        "/api/v1/cases/",
        {"channel": "patrol", "category": cat.pk, "grid": world.grid_c.pk, "description": ""},
        format="json",
    )
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"grid", "description"} <= fields
    assert api(world.users.property).post("/api/v1/cases/", {}, format="json").status_code == 403
    assert APIClient().get("/api/v1/cases/").status_code == 401
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_anonymous_reporter_never_in_the_api(world, cat):
    from linli.cases import actions

    case = actions.report_case(
        actor=world.users.resident,
        category=cat,
        grid=world.grid_a,
        description="悄悄话",
        channel="whisper",
        reporter=world.users.resident,
        reporter_name="居民a1h",
    )
    body = api(world.users.grid_a).get(f"/api/v1/cases/{case.pk}/").content.decode()
    assert "居民a1h" not in body and "resident" not in body


@pytest.mark.django_db
def test_api_escalation_merge_and_comment(world, cat):
    from django.utils import timezone

    from linli.cases import actions

    a = actions.report_case(
        actor=None, category=cat, grid=world.grid_a, compound=world.cp1, description="路灯不亮", channel="hotline"
    )
    b = actions.report_case(
        actor=None, category=cat, grid=world.grid_a, compound=world.cp1, description="路灯不亮了", channel="hotline"
    )
    r = api(world.users.grid_a).post(f"/api/v1/cases/{b.pk}/merge/", {"into": a.pk, "version": 0}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "merged"
    r = api(world.users.grid_a).post(f"/api/v1/cases/{a.pk}/comment/", {"note": "已联系电工"}, format="json")
    assert r.json()["events"][-1]["note"] == "已联系电工"
    assert (
        api(world.users.community)
        .post(f"/api/v1/cases/{a.pk}/whistle/", {"version": 0, "note": "需街道协调"}, format="json")
        .status_code
        == 200
    )
    deadline = (timezone.now() + timezone.timedelta(days=2)).isoformat()
    r = api(world.users.subdistrict).post(
        f"/api/v1/cases/{a.pk}/assign/",
        {"version": 1, "assignee_org": world.dept.pk, "deadline": deadline},
        format="json",
    )
    assert r.status_code == 200 and r.json()["assignee_org"] == world.dept.pk
    r = api(world.users.subdistrict).post(f"/api/v1/cases/{a.pk}/assign/", {"version": 2}, format="json")
    assert r.status_code == 400


def test_each_move_has_its_own_endpoint_and_request_schema(api_schema):
    from linli.cases.workflow import LIFECYCLE

    paths, schemas = api_schema["paths"], api_schema["components"]["schemas"]
    assert "/api/v1/cases/{id}/transition/" not in paths  # no bag of optional fields behind an "action"
    for move in LIFECYCLE:
        op = paths[f"/api/v1/cases/{{id}}/{move.name}/"]["post"]
        body = schemas[op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
        inputs = set(move.form.base_fields) - {"photo"}  # photos do not come through the API yet
        required = {n for n, f in move.form.base_fields.items() if f.required}
        version = {"version"} if move.versioned else set()  # a move that only adds a related row takes none
        assert set(body["properties"]) == inputs | version, move.name
        assert set(body.get("required", ())) == required | version, move.name
    assert set(schemas["CaseAssignRequest"]["required"]) == {"version", "assignee_org", "deadline"}
    rating = schemas["CaseRateRequest"]["properties"]["rating"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert schemas[rating]["enum"] == ["satisfied", "basic", "dissatisfied"]


@pytest.fixture
def api_schema(world):
    return api(world.users.grid_a).get("/api/v1/openapi.json").json()


@pytest.mark.django_db
def test_move_endpoints_answer_403_404_409_and_400_with_field_paths(world, cat):
    from linli.cases import actions

    case = actions.report_case(
        actor=world.users.resident,
        category=cat,
        grid=world.grid_a,
        description="楼道灯坏了",
        channel="self_service",
        reporter=world.users.resident,
        reporter_household=world.hh_a1,
    )
    url = f"/api/v1/cases/{case.pk}/"
    assert (
        api(world.users.resident)
        .post(url + "dispatch/", {"version": 0, "assignee_org": world.pm.pk}, format="json")
        .status_code
        == 403
    )
    assert (
        api(world.users.grid_b)
        .post(url + "dispatch/", {"version": 0, "assignee_org": world.pm.pk}, format="json")
        .status_code
        == 404
    )
    r = api(world.users.community).post(url + "decline/", {"version": 0, "note": "  "}, format="json")
    assert r.status_code == 400 and r.json()["errors"] == [
        {"field": "note", "message": "请填写原因或处理结果。", "code": "blank"}
    ]
    r = api(world.users.grid_a).post(url + "dispatch/", {"version": 0}, format="json")
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["assignee_org"]
    r = api(world.users.grid_a).post(url + "dispatch/", {"version": 0, "assignee_org": world.pm.pk}, format="json")
    assert r.status_code == 200 and r.json()["version"] == 1
    r = api(world.users.grid_a).post(url + "defer/", {"version": 0, "note": "等配件"}, format="json")
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "conflict"
    r = api(world.users.subdistrict).post(url + "supervise/", {"version": 1}, format="json")  # the guard's reason
    assert r.status_code == 400 and r.json()["errors"] == [
        {"field": None, "message": "只有街道交办的诉求才有督办和反馈。", "code": "invalid"}
    ]
    assert api(world.users.property).post(url + "verify/", {"version": 1}, format="json").status_code == 403
    r = api(world.users.property).post(url + "start/", {"version": "一"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "version"
    case.refresh_from_db()
    assert (case.state, case.version) == ("dispatched", 1)


@pytest.mark.django_db
def test_an_intake_costs_nine_statements_and_tells_the_community(world, cat, django_capture_on_commit_callbacks):
    """POST /api/v1/cases/ with a token (issue 16 §5, docs/benchmarks.md): the token with its user,
    the roles, the category, the grid in scope, the working-day calendar, the request, its first
    timeline event, whom to tell; after the commit, the notice in one statement. The token's last
    use is written once a minute, not per request."""
    _token, secret = issue_api_token(world.users.grid_a, name="patrol", two_factor=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    body = {"channel": "patrol", "category": cat.pk, "grid": world.grid_a.pk, "description": "楼道灯不亮"}
    assert client.post("/api/v1/cases/", body, format="json").status_code == 201  # the first use is written
    with CaptureQueriesContext(connection) as ran, django_capture_on_commit_callbacks(execute=True):
        r = client.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 201, r.json()
    statements = [q["sql"] for q in ran.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    tables = [re.search(r'(?:FROM|INTO) "(\w+)"', sql).group(1) for sql in statements]
    assert tables == [
        "accounts_apitoken",
        "accounts_roleassignment",
        "cases_category",
        "places_grid",
        "cases_workdayoverride",
        "cases_case",
        "cases_caseevent",
        "accounts_user",
        "core_notification",
    ]
    case = Case.objects.get(pk=r.json()["id"])
    assert case.created_by == world.users.grid_a and case.events.get().action == "report"
    told = Notification.objects.filter(key=f"cases.case:{case.pk}:report").values_list("user", flat=True)
    assert world.users.community.pk in told and world.users.grid_a.pk not in told
