"""/api/v1/ of the party domain: the same scope as the screens, the moves with their 400 / 403 /
404 / 409, and errors as {"errors": [{"field", "message", "code"}]}."""

import datetime as dt

import time_machine

from linli.party.models import Agreement, CheckIn
from linli.testing import make_id

from .conftest import api

TZ = dt.timezone(dt.timedelta(hours=8))


def fields(response):
    return {e["field"] for e in response.json()["errors"]}


def test_a_partner_reports_through_the_api_and_the_community_confirms(world, party):
    r = api(party.bank_staff).post(
        "/api/v1/check-ins/", {"organisation": party.bank_branch.pk, "id_number": make_id(3)}, format="json"
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["state"] == "reported" and r.json()["member_name"] == "居民a2h"
    # the partner of another community cannot name the bank's branch
    r = api(party.school_staff).post(
        "/api/v1/check-ins/", {"organisation": party.bank_branch.pk, "id_number": make_id(4)}, format="json"
    )
    assert r.status_code == 400 and fields(r) == {"organisation"}
    # an unknown person: a field error in Chinese, nothing written
    r = api(party.bank_staff).post(
        "/api/v1/check-ins/", {"organisation": party.bank_branch.pk, "id_number": make_id(99)}, format="json"
    )
    assert r.status_code == 400 and fields(r) == {"id_number"} and "台账" in r.json()["errors"][0]["message"]
    assert api(world.users.grid_a).post("/api/v1/check-ins/", {}, format="json").status_code == 403
    assert (
        api(party.bank_staff).post(f"/api/v1/check-ins/{pk}/confirm/", {"version": 0}, format="json").status_code == 403
    )
    assert (
        api(world.users.other_community)
        .post(f"/api/v1/check-ins/{pk}/confirm/", {"version": 0}, format="json")
        .status_code
        == 404
    )
    r = api(world.users.community).post(f"/api/v1/check-ins/{pk}/refuse/", {"version": 0}, format="json")
    assert r.status_code == 400 and fields(r) == {"reason"}
    r = api(world.users.community).post(
        f"/api/v1/check-ins/{pk}/confirm/", {"version": 0, "home_org": party.branch.pk}, format="json"
    )
    assert r.status_code == 200 and r.json()["state"] == "confirmed"
    r = api(world.users.community).post(f"/api/v1/check-ins/{pk}/refuse/", {"version": 0, "reason": "x"}, format="json")
    assert r.status_code == 409
    assert CheckIn.objects.get(pk=pk).member.in_roster
    assert api(party.school_staff).get(f"/api/v1/check-ins/{pk}/").status_code == 404
    assert api(world.users.grid_b).get("/api/v1/check-ins/").status_code == 200


def test_agreements_through_the_api(world, party):
    body = {
        "partner": party.bank.pk,
        "community": world.c1.pk,
        "title": "补充协议",
        "starts_on": "2026-02-01",
        "ends_on": "2026-01-01",
        "community_commits": "场地",
        "partner_commits": "志愿者",
    }
    r = api(world.users.community).post("/api/v1/agreements/", body, format="json")
    assert r.status_code == 400 and fields(r) == {"ends_on"}
    r = api(world.users.community).post("/api/v1/agreements/", body | {"ends_on": "2026-12-31"}, format="json")
    assert r.status_code == 201 and r.json()["state"] == "draft"
    pk = r.json()["id"]
    # another community's partner, another community: out of scope
    for other in ({"partner": party.school.pk}, {"community": world.c2.pk}):
        r = api(world.users.community).post("/api/v1/agreements/", body | other, format="json")
        assert r.status_code == 400
    assert api(party.bank_staff).post("/api/v1/agreements/", body, format="json").status_code == 403
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=TZ), tick=False):
        r = api(world.users.community).post(
            f"/api/v1/agreements/{pk}/sign/", {"version": 0, "signed_on": "2026-03-02"}, format="json"
        )
        assert r.status_code == 400
        r = api(world.users.community).post(
            f"/api/v1/agreements/{pk}/sign/", {"version": 0, "signed_on": "2026-03-01"}, format="json"
        )
        assert r.status_code == 200 and r.json()["signed_on"] == "2026-03-01"
    r = api(world.users.community).patch(f"/api/v1/agreements/{pk}/", {"title": "改名"}, format="json")
    assert r.status_code == 400 and Agreement.objects.get(pk=pk).title == "补充协议"
    assert api(party.bank_staff).get(f"/api/v1/agreements/{pk}/").status_code == 200
    assert api(party.school_staff).get(f"/api/v1/agreements/{pk}/").status_code == 404
    assert api(world.users.other_community).get(f"/api/v1/agreements/{pk}/").status_code == 404
    assert api(world.users.grid_a).get("/api/v1/agreements/").json()["count"] == 0


def test_the_party_tree_through_the_organisations_api(world, party):
    body = {"kind": "party", "name": "第一网格党支部", "subdistrict": world.sub.pk, "community": world.c1.pk,
            "party_level": "grid_branch", "parent": party.committee.pk, "grid": world.grid_a.pk}  # fmt: skip
    r = api(world.users.other_community).post("/api/v1/organisations/", body, format="json")
    assert r.status_code == 400  # another community's staff: neither the parent nor the grid is theirs
    r = api(world.users.community).post("/api/v1/organisations/", body | {"grid": None}, format="json")
    assert r.status_code == 400 and fields(r) == {"grid"}
    r = api(world.users.community).post("/api/v1/organisations/", body, format="json")
    assert r.status_code == 201 and r.json()["parent"] == party.committee.pk
    assert api(world.users.grid_a).get(f"/api/v1/organisations/{r.json()['id']}/").status_code == 200
    assert api(world.users.grid_b).get(f"/api/v1/organisations/{r.json()['id']}/").status_code == 404
