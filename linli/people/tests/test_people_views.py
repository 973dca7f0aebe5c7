import pytest
from django.urls import reverse

from linli.core.models import AuditLog
from linli.people.models import Household, Person
from linli.testing import make_id


@pytest.mark.django_db
def test_person_page_shows_masked_values_only(world, login):
    body = login(world.users.grid_a).get(world.p_a1h.get_absolute_url()).content.decode()
    assert world.p_a1h.id_number_masked in body and world.p_a1h.id_number not in body
    assert world.p_a1h.phone not in body and world.p_a1h.phone_masked in body
    assert world.p_a1h.id_number_masked == world.p_a1h.id_number[:6] + "********" + world.p_a1h.id_number[-4:]


@pytest.mark.django_db
def test_reveal_is_audited_and_post_only(world, login):
    c = login(world.users.grid_a)
    url = reverse("people:reveal", args=[world.p_a1h.pk, "id_number"])
    assert c.get(url).status_code == 405
    r = c.post(url)
    assert r.status_code == 200 and world.p_a1h.id_number in r.content.decode()
    rec = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert (rec.actor, rec.object_id, rec.note) == (world.users.grid_a, str(world.p_a1h.pk), "id_number")
    assert rec.grid_id == world.grid_a.pk


@pytest.mark.django_db
def test_reveal_denied_without_permission_or_scope(world, login):
    url = reverse("people:reveal", args=[world.p_a1h.pk, "phone"])
    assert login(world.users.building_head).post(url).status_code == 403
    assert login(world.users.grid_b).post(url).status_code == 404
    assert login(world.users.grid_a).post(reverse("people:reveal", args=[world.p_a1h.pk, "name"])).status_code == 404
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


@pytest.mark.django_db
def test_edit_person_records_masked_before_after(world, login):
    c = login(world.users.grid_a)
    p = world.p_a1h
    new_id = make_id(900)
    r = c.post(
        reverse("people:person_edit", args=[p.pk]),
        {
            "name": "新名字",
            "relation": "head",
            "gender": "male",
            "birth_date": "1980-01-01",
            "id_number": new_id,
            "phone": "",
            "tags": [world.tag_poor.pk],
        },
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.name, p.id_number, p.phone) == ("新名字", new_id, "13800000001")  # blank phone keeps the old one
    rec = AuditLog.objects.filter(action=AuditLog.Action.UPDATE, object_id=str(p.pk)).get()
    assert rec.changes["name"] == ["居民a1h", "新名字"]
    assert rec.changes["id_number"][1] == new_id[:6] + "********" + new_id[-4:]
    assert new_id not in str(rec.changes)
    assert rec.changes["tags"] == [["党员"], ["低保"]]


@pytest.mark.django_db
def test_create_person_with_bad_id_shows_field_error_and_saves_nothing(world, login):
    c = login(world.users.grid_a)
    before = Person.objects.count()
    bad = make_id(901)[:17] + ("0" if make_id(901)[17] != "0" else "1")
    r = c.post(
        reverse("people:person_create", args=[world.hh_a1.pk]),
        {"name": "新人", "relation": "child", "id_number": bad, "phone": "12345"},
    )
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert "校验码" in errors["id_number"][0]
    assert "11" in errors["phone"][0]
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_create_person_duplicate_id_is_refused(world, login):
    c = login(world.users.grid_a)
    r = c.post(
        reverse("people:person_create", args=[world.hh_a1.pk]),
        {"name": "重复", "relation": "child", "id_number": world.p_c1h.id_number},
    )
    assert r.status_code == 200 and "已在台账中" in r.context["form"].errors["id_number"][0]


@pytest.mark.django_db
def test_create_person_in_scope_sets_ancestors_and_audits(world, login):
    c = login(world.users.grid_a)
    r = c.post(
        reverse("people:person_create", args=[world.hh_a1.pk]),
        {"name": "小明", "relation": "child", "id_number": make_id(77, "20150601"), "phone": "13912345678"},
    )
    assert r.status_code == 302
    p = Person.objects.get(name="小明")
    assert (p.grid_id, p.community_id, p.building_id, p.gender, str(p.birth_date)) == (
        world.grid_a.pk,
        world.c1.pk,
        world.bld_a.pk,
        "male",
        "2015-06-01",
    )
    assert AuditLog.objects.filter(action="create", object_id=str(p.pk), grid_id=world.grid_a.pk).exists()


@pytest.mark.django_db
def test_delete_asks_then_deletes_and_household_with_members_is_protected(world, login):
    c = login(world.users.community)
    url = reverse("people:person_delete", args=[world.p_a1s.pk])
    assert "不可撤销" in c.get(url).content.decode()
    assert Person.objects.filter(pk=world.p_a1s.pk).exists()
    assert c.post(url).status_code == 302
    assert not Person.objects.filter(pk=world.p_a1s.pk).exists()
    assert AuditLog.objects.filter(action="delete", object_id=str(world.p_a1s.pk)).exists()
    r = c.post(reverse("people:household_delete", args=[world.hh_a1.pk]), follow=True)
    assert Household.objects.filter(pk=world.hh_a1.pk).exists()
    assert "无法删除" in r.content.decode()
    assert not AuditLog.objects.filter(
        action="delete", object_id=str(world.hh_a1.pk), content_type__model="household"
    ).exists()


@pytest.mark.django_db
def test_residents_list_constant_queries(world, login, django_assert_max_num_queries):
    from linli.core.actions import create_object
    from linli.testing import make_id as mk

    c = login(world.users.community)
    c.get(reverse("people:list"))  # warm session/user caches
    with django_assert_max_num_queries(12) as small:
        c.get(reverse("people:list"))
    for i in range(30):
        p = create_object(
            Person,
            actor=None,
            household=world.hh_a2,
            name=f"加{i}",
            relation="child",
            id_number=mk(500 + i, "20100101"),
        )
        p.tags.add(world.tag_party)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(reverse("people:list"))


@pytest.mark.django_db
def test_place_page_constant_queries(world, login, django_assert_max_num_queries):
    from decimal import Decimal

    from linli.core.actions import create_object
    from linli.places.models import House

    c = login(world.users.community)
    url = world.unit_a.get_absolute_url()
    c.get(url)
    with django_assert_max_num_queries(40) as small:
        c.get(url)
    for i in range(20):
        create_object(House, actor=None, unit=world.unit_a, number=f"9{i:02d}", area=Decimal("60"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = c.get(url)
    assert r.context["tables"][0]["page_obj"].paginator.count == 22


@pytest.mark.django_db
def test_tags_are_configurable_by_subdistrict_staff_only(world, login):
    from linli.people.models import Tag

    assert login(world.users.community).get(reverse("people:tags")).status_code == 403
    c = login(world.users.subdistrict)
    assert c.post(reverse("people:tags"), {"name": "独居老人", "sensitive": "on", "order": 5}).status_code == 302
    assert Tag.objects.get(name="独居老人").sensitive
    r = c.post(reverse("people:tags"), {"name": "党员", "order": 1})
    assert r.status_code == 200 and "已存在" in r.content.decode()
    assert c.post(reverse("people:tags"), {"pk": world.tag_party.pk, "name": "中共党员", "order": 1}).status_code == 302
    world.tag_party.refresh_from_db()
    assert world.tag_party.name == "中共党员"
    assert AuditLog.objects.filter(action="update", object_repr="中共党员").exists()


@pytest.mark.django_db
def test_grid_posts_added_with_checks_and_ended(world, login):
    from linli.people.models import ResidentPost

    c = login(world.users.grid_a)
    url = reverse("people:post_create", args=[world.grid_a.pk])
    r = c.post(url, {"person": world.p_a1h.pk, "post": "unit_head"})
    assert r.status_code == 200 and "unit" in r.context["form"].errors  # a unit head needs a unit
    r = c.post(url, {"person": world.p_b1h.pk, "post": "grid_worker"})  # lives in grid B
    assert "person" in r.context["form"].errors
    r = c.post(url, {"person": world.p_a1h.pk, "post": "unit_head", "unit": world.unit_a.pk})
    assert r.status_code == 302
    post = ResidentPost.objects.get()
    assert (post.building_id, post.community_id) == (world.bld_a.pk, world.c1.pk)
    assert "单元长" in c.get(world.grid_a.get_absolute_url()).content.decode()
    assert c.get(reverse("people:post_create", args=[world.grid_b.pk])).status_code == 404
    assert c.post(reverse("people:post_delete", args=[post.pk])).status_code == 302
    assert not ResidentPost.objects.exists()
    assert AuditLog.objects.filter(content_type__model="residentpost", action="delete").exists()


@pytest.mark.django_db
def test_sensitive_tags_hidden_from_roles_without_reveal(world, login):
    world.p_a1h.tags.add(world.tag_poor)
    assert "低保" in login(world.users.grid_a).get(world.p_a1h.get_absolute_url()).content.decode()
    for persona in ("building_head", "resident"):
        c = login(getattr(world.users, persona))
        page = c.get(world.p_a1h.get_absolute_url()).content.decode()
        assert "党员" in page and "低保" not in page, persona
        assert "低保" not in c.get(reverse("people:list")).content.decode()
        # filtering by the hidden tag is refused, not answered
        r = c.get(reverse("people:list"), {"tag": world.tag_poor.pk})
        assert world.p_a1h.name not in r.content.decode()


@pytest.mark.django_db
def test_sensitive_tags_hidden_in_api_for_building_head(world):
    from rest_framework.test import APIClient

    world.p_a1h.tags.add(world.tag_poor)
    api = APIClient()
    api.force_authenticate(world.users.building_head)
    data = api.get(f"/api/v1/persons/{world.p_a1h.pk}/").json()
    assert data["tags"] == ["党员"]
    assert api.get("/api/v1/persons/", {"tag": "低保"}).json()["count"] == 0
    assert "低保" not in [t["name"] for t in api.get("/api/v1/tags/").json()["results"]]
    api.force_authenticate(world.users.grid_a)
    assert sorted(api.get(f"/api/v1/persons/{world.p_a1h.pk}/").json()["tags"]) == ["低保", "党员"]
    assert api.get("/api/v1/persons/", {"tag": "低保"}).json()["count"] == 1
