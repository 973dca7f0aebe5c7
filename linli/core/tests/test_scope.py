import pytest

from linli.people.models import Household, Person
from linli.places.models import Building, Compound, Grid


@pytest.mark.django_db
def test_grid_worker_sees_only_their_grid(world):
    u = world.users.grid_a
    assert set(Household.objects.restrict(u)) == {world.hh_a1, world.hh_a2}
    assert set(Grid.objects.restrict(u)) == {world.grid_a}
    assert set(Compound.objects.restrict(u)) == {world.cp1}


@pytest.mark.django_db
def test_property_staff_reach_served_compounds_only(world):
    u = world.users.property
    assert set(Compound.objects.restrict(u)) == {world.cp1}
    assert set(Building.objects.restrict(u)) == {world.bld_a, world.bld_b}
    assert not Household.objects.restrict(u).exists()  # no people.view


@pytest.mark.django_db
def test_resident_sees_own_household_members(world):
    u = world.users.resident
    assert set(Person.objects.restrict(u)) == {world.p_a1h, world.p_a1s}
    assert not Person.objects.restrict(u, "change").exists()


@pytest.mark.django_db
def test_subdistrict_covers_all_communities_and_nobody_sees_nothing(world):
    assert Person.objects.restrict(world.users.subdistrict).count() == 12
    assert Person.objects.restrict(world.users.community).count() == 8
    assert not Person.objects.restrict(world.users.nobody).exists()
    assert Person.objects.restrict(world.users.admin).count() == 12
