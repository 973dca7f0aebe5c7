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


@pytest.mark.django_db
def test_no_user_no_scope(world):
    from django.contrib.auth.models import AnonymousUser

    from linli.core.scope import has_perm, scope_for

    for nobody in (None, AnonymousUser(), world.users.nobody):
        assert scope_for(nobody, "people.view").empty and not has_perm(nobody, "people.view")
        assert not Person.objects.restrict(nobody).exists()
    assert scope_for(world.users.admin, "people.view").everything and not scope_for(world.users.admin, "people.view").empty
    assert scope_for(world.users.grid_a, "people.view").ids == {"grid": {world.grid_a.pk}}


@pytest.mark.django_db
def test_scope_keys_stored_on_audit_records(world):
    w = world
    assert w.p_a1h.scope_keys() == {"subdistrict": w.sub.pk, "community": w.c1.pk, "grid": w.grid_a.pk}
    assert w.cp1.scope_keys() == {"subdistrict": w.sub.pk, "community": w.c1.pk, "grid": None}  # spans grids A and B
    assert w.sub.scope_keys() == {"subdistrict": w.sub.pk, "community": None, "grid": None}
