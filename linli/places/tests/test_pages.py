"""The place pages: counts at every level, the households of a house, the posts of a grid, and a
building that moves to another grid taking everything below it along."""

import pytest
from django.urls import reverse
from django.utils import translation

from linli.core.actions import create_object
from linli.people.models import Household, Ownership, Person, ResidentPost
from linli.places.counts import counts_for
from linli.places.forms import CompoundForm
from linli.places.models import House, Unit

pytestmark = pytest.mark.django_db


def label(text):
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_counts_per_place_in_the_users_scope(world):
    c1, c2 = world.c1.pk, world.c2.pk
    assert counts_for(world.users.subdistrict, "community", [c1, c2]) == {
        c1: {"households": 4, "people": 8, "grids": 2, "buildings": 2},
        c2: {"households": 2, "people": 4, "grids": 1, "buildings": 1},
    }
    # a grid worker counts what lies in their grid only
    assert counts_for(world.users.grid_a, "community", [c1]) == {
        c1: {"households": 2, "people": 4, "grids": 1, "buildings": 1}
    }
    assert counts_for(world.users.grid_a, "house", [world.house_a1.pk, world.house_b1.pk]) == {
        world.house_a1.pk: {"households": 1, "people": 2},
        world.house_b1.pk: {"households": 0, "people": 0},
    }
    assert counts_for(world.users.grid_a, "unit", []) == {}


def test_a_community_page_shows_its_counts_and_its_childrens(world, login):
    body = login(world.users.community).get(world.c1.get_absolute_url()).content.decode()
    for text, n in (("Grids", 2), ("Buildings", 2), ("Households", 4), ("People", 8)):
        assert f'<span class="badge text-bg-light border">{label(text)} {n}</span>' in body, text
    # the grid table: grid A has one building, one household per house, two people per household
    row = body[body.index(world.grid_a.get_absolute_url()) :]
    row = row[: row.index("</tr>")]
    assert [cell.split(">")[1] for cell in row.split('<td class="text-end')[1:]] == ["1</td", "2</td", "4</td"]


def test_a_house_page_lists_its_household_and_a_grid_page_its_posts(world, login):
    create_object(
        ResidentPost,
        actor=None,
        person=world.p_a1h,
        post=ResidentPost.Post.BUILDING_HEAD,
        grid=world.grid_a,
        building=world.bld_a,
    )
    c = login(world.users.community)
    house = c.get(world.house_a1.get_absolute_url()).content.decode()
    assert world.p_a1h.name in house and world.p_a1s.name in house and world.p_b1h.name not in house
    assert reverse("people:household_create", args=[world.house_a1.pk]) in house
    grid = c.get(world.grid_a.get_absolute_url()).content.decode()
    assert world.p_a1h.name in grid and label("Building head") in grid
    assert reverse("people:post_create", args=[world.grid_a.pk]) in grid
    # a building head sees the house and its people, but may add no household and no post
    head = login(world.users.building_head)
    house = head.get(world.house_a1.get_absolute_url()).content.decode()
    assert world.p_a1h.name in house and reverse("people:household_create", args=[world.house_a1.pk]) not in house


def test_a_moved_building_takes_its_units_houses_households_people_and_posts_along(world, login):
    post = create_object(
        ResidentPost,
        actor=None,
        person=world.p_a1h,
        post=ResidentPost.Post.UNIT_HEAD,
        grid=world.grid_a,
        building=world.bld_a,
        unit=world.unit_a,
    )
    create_object(Ownership, actor=None, house=world.house_a1, person=world.p_c1h)  # a landlord from elsewhere
    r = login(world.users.community).post(
        reverse("places:building_edit", args=[world.bld_a.pk]), {"name": "1号楼", "grid": world.grid_b.pk}
    )
    assert r.status_code == 302
    for model in (Unit, House, Household, Person, ResidentPost, Ownership):
        assert set(model.objects.filter(building=world.bld_a).values_list("grid_id", flat=True)) == {world.grid_b.pk}, (
            model
        )
    assert ResidentPost.objects.get(pk=post.pk).grid_id == world.grid_b.pk
    # the other building stays where it was
    assert set(Person.objects.filter(building=world.bld_b).values_list("grid_id", flat=True)) == {world.grid_b.pk}
    assert set(Person.objects.filter(building=world.bld_c).values_list("grid_id", flat=True)) == {world.grid_c.pk}


def test_a_compound_offers_the_property_companies_the_user_may_see(world):
    def offered(user, compound):
        return list(CompoundForm(instance=compound, user=user).fields["property_company"].queryset)

    assert offered(world.users.community, world.cp1) == [world.pm]
    # the sub-district sees the department too, but only property companies are offered
    assert offered(world.users.subdistrict, world.cp1) == [world.pm]
    # 宁和物业 serves no compound in C2 and is registered at the sub-district: not C2's to pick
    assert offered(world.users.other_community, world.cp2) == []


def test_the_house_form_marks_a_house_as_the_developers(world, login):
    client = login(world.users.community)
    url = reverse("places:house_edit", args=[world.house_a1.pk])
    response = client.post(url, {"number": "101", "area": "89.50", "developer_owned": "on"})
    assert response.status_code == 302
    world.house_a1.refresh_from_db()
    assert world.house_a1.developer_owned is True
    client.post(url, {"number": "101", "area": "89.50"})
    world.house_a1.refresh_from_db()
    assert world.house_a1.developer_owned is False
