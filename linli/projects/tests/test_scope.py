"""Scope is security: every list, page and API endpoint of the three lists, for each persona. A
partner's staff see the needs of their paired community (never a source request), their own
resources and the projects crediting them or using their resources; nothing of another community."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from .conftest import api, new_project, page

pytestmark = pytest.mark.django_db


def rows(world, lists):
    school_project = new_project(
        world, lists, actor=world.users.other_community, community=world.c2, title="学校托管班",
        heading="children", owner_org=lists.party.school, owner_name="王老师", needs=[lists.need_c2],
        resources=[lists.school_room], funding=[],
    )  # fmt: skip
    return {
        "need": lists.need,
        "need_c2": lists.need_c2,
        "room": lists.room,
        "talent": lists.talent,
        "school_room": lists.school_room,
        "project": new_project(world, lists),
        "school_project": school_project,
    }


VISIBLE = {
    "community": {"need", "room", "talent", "project"},
    "subdistrict": {"need", "need_c2", "room", "talent", "school_room", "project", "school_project"},
    "other_community": {"need_c2", "school_room", "school_project"},
    "bank_staff": {"need", "room", "project"},
    "school_staff": {"need_c2", "school_room", "school_project"},
}
API = {"need": "needs", "need_c2": "needs", "room": "resources", "talent": "resources", "school_room": "resources"}


@pytest.mark.parametrize("who", list(VISIBLE))
@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_who_sees_which_row_on_every_list_page_and_api(world, lists, who):
    objs = rows(world, lists)
    user = getattr(lists.party, who, None) or getattr(world.users, who)
    c, a = page(user), api(user)
    lists_text = {
        "needs": c.get(reverse("projects:needs")).content.decode(),
        "resources": c.get(reverse("projects:resources")).content.decode(),
        "projects": c.get(reverse("projects:projects")).content.decode(),
    }
    for name, obj in objs.items():
        endpoint = API.get(name, "projects")
        shown = name in VISIBLE[who]
        assert c.get(obj.get_absolute_url()).status_code == (200 if shown else 404), (who, name)
        assert a.get(f"/api/v1/{endpoint}/{obj.pk}/").status_code == (200 if shown else 404), (who, name)
        ids = {r["id"] for r in a.get(f"/api/v1/{endpoint}/").json()["results"]}
        assert (obj.pk in ids) is shown, (who, name)
        assert (obj.title in lists_text[endpoint]) is shown, (who, name)


@pytest.mark.parametrize("who", ["resident", "property", "department", "building_head", "grid_a", "nobody"])
def test_roles_without_the_permission_get_403(world, lists, who):
    user = getattr(world.users, who)
    c, a = page(user), api(user)
    for name in ("projects:index", "projects:needs", "projects:resources", "projects:projects"):
        assert c.get(reverse(name)).status_code == 403, name
    assert c.get(lists.need.get_absolute_url()).status_code == 403
    for endpoint in ("needs", "resources", "projects"):
        assert a.get(f"/api/v1/{endpoint}/").status_code == 403


def test_the_matching_page_shows_only_the_communities_in_scope(world, lists):
    for user, shown, hidden in [
        (world.users.community, "独居老人健康体检", "青少年课后托管"),
        (lists.party.bank_staff, "独居老人健康体检", "青少年课后托管"),
        (lists.party.school_staff, "青少年课后托管", "独居老人健康体检"),
    ]:
        community = world.c1 if shown == "独居老人健康体检" else world.c2
        text = page(user).get(reverse("projects:index"), {"community": community.pk}).content.decode()
        assert shown in text and hidden not in text, user
        other = world.c2 if community == world.c1 else world.c1
        assert other.name not in page(user).get(reverse("projects:index")).content.decode()


def test_suggestions_of_a_need_out_of_scope_are_404(world, lists):
    assert api(lists.party.school_staff).get(f"/api/v1/needs/{lists.need.pk}/suggestions/").status_code == 404
    got = api(lists.party.bank_staff).get(f"/api/v1/needs/{lists.need.pk}/suggestions/").json()
    assert {r["title"] for r in got} <= {"营业网点二楼会议室", "金融知识宣讲员"}  # their own resources only


def test_partner_staff_offer_only_for_their_own_organisation_and_move_nothing_else(world, lists):
    p = lists.party
    a = api(p.bank_staff)
    r = a.post("/api/v1/resources/", {"partner": p.school.pk, "kind": "room", "heading": "culture", "title": "x"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "partner"
    r = a.post("/api/v1/resources/", {"partner": p.bank.pk, "kind": "goods", "heading": "poverty",
                                      "title": "爱心米面油", "quantity": 50, "unit": "份"}, format="json")  # fmt: skip
    assert r.status_code == 201 and r.json()["community"] == world.c1.pk
    assert a.post("/api/v1/needs/", {"community": world.c1.pk}).status_code == 403
    assert a.post(f"/api/v1/needs/{lists.need.pk}/withdraw/", {"version": 0, "reason": "x"}).status_code == 403
    assert page(p.bank_staff).get(reverse("projects:need_create")).status_code == 403
    form = page(p.bank_staff).get(reverse("projects:resource_create"))
    assert form.status_code == 200
    assert "计量单位" in form.content.decode()  # the quantity's unit, not a building's 单元


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_a_partners_page_links_to_what_it_offered_and_delivered(world, lists):
    text = page(world.users.community).get(reverse("party:partner", args=[lists.party.bank.pk])).content.decode()
    assert "partner-lists" in text
    offered = page(world.users.community).get(reverse("projects:resources"), {"partner": lists.party.bank.pk})
    body = offered.content.decode()
    assert "营业网点二楼会议室" in body and "退休教师书法班" not in body
    # the school's staff filtering on the bank see nothing of it
    other = page(lists.party.school_staff).get(reverse("projects:resources"), {"partner": lists.party.bank.pk})
    assert "营业网点二楼会议室" not in other.content.decode()
