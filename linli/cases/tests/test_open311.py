"""Open311 GeoReport v2, read by the `georeport` client from PyPI (which we did not write) over
real HTTP against the live server, and written to with plain form posts as hotline systems do."""

from datetime import datetime, timedelta

import pytest
from georeport import GeoReport

from linli.accounts.actions import issue_open311_key
from linli.cases import actions
from linli.cases.models import Case, Category
from linli.testing import build_world


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def filed(world):
    cat = Category.objects.get(name="设施维修")
    public = actions.report_case(
        actor=world.users.grid_a,
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        description="3号楼电梯停运",
        channel="patrol",
        reporter_name="张三",
    )
    secret = actions.report_case(
        actor=world.users.resident, category=cat, grid=world.grid_a, description="悄悄话内容", channel="whisper"
    )
    return public, secret


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_services_and_requests(world, filed, live_server, fmt):
    client = GeoReport(live_server.url + "/open311/v2", output_format=fmt)
    services = client.get_service_list()
    names = {s["service_name"] for s in services}
    assert {"设施维修", "飞线充电", "邻里纠纷"} <= names and "安全" not in names  # leaves only
    code = next(s["service_code"] for s in services if s["service_name"] == "设施维修")
    assert client.get_service_definition(code)["service_code"] == code
    requests = client.get_service_requests(status="open")
    requests = requests if isinstance(requests, list) else [requests]
    public, secret = filed
    assert [r["service_request_id"] for r in requests] == [str(public.pk)]  # the anonymous one is not public
    one = client.get_service_request(str(public.pk))
    assert one["status"] == "open" and one["service_name"] == "设施维修" and one["address"] == "馨和苑"
    expected = datetime.fromisoformat(one["expected_datetime"])  # W3C time in Shanghai, to the second
    assert expected == public.resolve_by.replace(microsecond=0) and expected.utcoffset() == timedelta(hours=8)
    assert not one.get("description") and "张三" not in str(one)


def test_post_with_api_key_and_errors(world, filed, client):
    _key, api_key = issue_open311_key(actor=world.users.admin, user=world.users.grid_a, name="热线")
    cat = Category.objects.get(name="飞线充电")
    base = {
        "api_key": api_key,
        "service_code": cat.pk,
        "description": "楼道飞线充电",
        "first_name": "四",
        "last_name": "李",
    }
    r = client.post("/open311/v2/requests.json", base | {"lat": 38.45, "long": 106.25})  # inside grid A's square
    assert r.status_code == 201, r.content
    case = Case.objects.get(pk=r.json()[0]["service_request_id"])
    assert (case.grid, case.channel, case.reporter_name, case.created_by) == (
        world.grid_a,
        "hotline",
        "李 四",
        world.users.grid_a,
    )
    assert (case.where, case.location) == ("map", {"type": "Point", "coordinates": [106.25, 38.45]})
    # errors are the spec's error list
    r = client.post("/open311/v2/requests.json", base | {"lat": 10, "long": 10})
    assert r.status_code == 400 and r.json()[0]["code"] == 400 and "服务范围" in r.json()[0]["description"]
    r = client.post(
        "/open311/v2/requests.xml", {k: v for k, v in base.items() if k != "api_key"} | {"address_id": world.grid_a.pk}
    )
    assert r.status_code == 403 and b"<errors><error><code>403</code>" in r.content
    r = client.post("/open311/v2/requests.json", base | {"address_id": world.grid_c.pk})  # another community's grid
    assert r.status_code == 400
    r = client.post("/open311/v2/requests.json", base | {"service_code": 999999, "address_id": world.grid_a.pk})
    assert r.status_code == 400 and "service_code" in r.json()[0]["description"]
    assert (
        client.get(
            "/open311/v2/requests.json", {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
        ).status_code
        == 400
    )
    # with the key, reads are the key holder's scope, descriptions included
    rows = client.get("/open311/v2/requests.json", {"api_key": api_key, "page_size": 10}).json()
    assert {r["description"] for r in rows} == {"3号楼电梯停运", "楼道飞线充电", "悄悄话内容"}
    rows = client.get("/open311/v2/requests.json", {"api_key": api_key, "page_size": 1, "page": 2}).json()
    assert len(rows) == 1
    _other, other_key = issue_open311_key(actor=world.users.admin, user=world.users.other_community, name="另一社区")
    assert client.get("/open311/v2/requests.json", {"api_key": other_key}).json() == []
    assert client.get("/open311/discovery.json").json()["endpoints"][0]["url"].endswith("/open311/v2/")
