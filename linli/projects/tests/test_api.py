"""The API of the three lists: creation through the actions (field paths on errors), the moves with
versions (409 when stale), the suggestions, the budget rows in fen."""

import datetime as dt

import pytest
import time_machine

from linli.projects.models import Need, Project, Resource

from .conftest import api, new_project

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_a_quarter_through_the_api(world, lists):
    a = api(world.users.community)
    r = a.post(
        "/api/v1/needs/",
        {"community": world.c1.pk, "title": "法律咨询", "heading": "legal", "beneficiaries": "辖区居民",
         "people_count": 50},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    need = r.json()
    assert need["state"] == "open" and need["source"] == "staff"
    got = a.get(f"/api/v1/needs/{lists.need.pk}/suggestions/").json()
    assert got[0]["title"] == "金融知识宣讲员"  # same community, same heading first
    r = a.post(
        "/api/v1/projects/",
        {"community": world.c1.pk, "title": "法律进社区", "heading": "legal", "needs": [need["id"]],
         "resources": [lists.room.pk], "owner_org": lists.party.bank.pk, "owner_name": "马经理",
         "starts_on": "2026-04-01", "ends_on": "2026-06-30",
         "funding": [{"source": "partner", "amount_fen": 120_000}, {"source": "residents", "amount_fen": 1}]},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    project = r.json()
    assert project["budget_fen"] == 120_001 and project["partner"] == lists.party.bank.pk
    pid = project["id"]
    assert a.post(f"/api/v1/projects/{pid}/start/", {"version": 0}, format="json").status_code == 200
    assert a.post(f"/api/v1/projects/{pid}/start/", {"version": 0}, format="json").status_code == 409
    r = a.post(f"/api/v1/projects/{pid}/deliver/", {"version": 1, "delivered_on": "2026-04-16", "result": "x"},
               format="json")  # fmt: skip
    assert r.status_code == 400  # tomorrow
    r = a.post(f"/api/v1/projects/{pid}/deliver/", {"version": 1, "delivered_on": "2026-04-15",
                                                    "result": "为50位居民提供法律咨询"}, format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["state"] == "delivered"
    assert Need.objects.get(pk=need["id"]).state == Need.State.MET
    assert Resource.objects.get(pk=lists.room.pk).state == Resource.State.OFFERED


def test_bad_input_comes_back_with_field_paths(world, lists):
    a = api(world.users.community)
    r = a.post("/api/v1/needs/", {"community": world.c1.pk, "title": "x", "heading": "nope",
                                  "beneficiaries": "居民b1h", "people_count": 0}, format="json")  # fmt: skip
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} >= {"heading", "people_count"}
    r = a.post("/api/v1/needs/", {"community": world.c1.pk, "title": "帮扶", "heading": "poverty",
                                  "beneficiaries": "居民b1h一家", "people_count": 2}, format="json")  # fmt: skip
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "beneficiaries"  # a resident named
    r = a.post("/api/v1/needs/", {"community": world.c2.pk, "title": "x", "heading": "health",
                                  "beneficiaries": "老人", "people_count": 1}, format="json")  # fmt: skip
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "community"
    r = a.post("/api/v1/projects/", {"community": world.c1.pk, "title": "x", "heading": "health",
                                     "owner_org": lists.party.bank.pk, "owner_name": "x", "starts_on": "2026-05-01",
                                     "ends_on": "2026-04-01", "funding": [{"source": "partner", "amount_fen": 0}]},
               format="json")  # fmt: skip
    assert r.status_code == 400
    assert Project.objects.count() == 0


def test_a_partner_withdraws_its_own_resource_through_the_api(world, lists):
    a = api(lists.party.bank_staff)
    r = a.post(f"/api/v1/resources/{lists.room.pk}/withdraw/", {"version": 0, "reason": "装修"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    r = a.post(f"/api/v1/resources/{lists.talent.pk}/withdraw/", {"version": 0, "reason": "x"}, format="json")
    assert r.status_code == 404  # the talent pool is the community's
    assert api(lists.party.bank_staff).post(f"/api/v1/projects/{new_project(world, lists, resources=[]).pk}/start/",
                                            {"version": 0}, format="json").status_code == 403  # fmt: skip
