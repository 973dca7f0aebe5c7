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
    assert (
        scope_for(world.users.admin, "people.view").everything and not scope_for(world.users.admin, "people.view").empty
    )
    assert scope_for(world.users.grid_a, "people.view").ids == {"grid": {world.grid_a.pk}}


@pytest.mark.django_db
def test_scope_keys_stored_on_audit_records(world):
    w = world
    assert w.p_a1h.scope_keys() == {"subdistrict": w.sub.pk, "community": w.c1.pk, "grid": w.grid_a.pk}
    assert w.cp1.scope_keys() == {"subdistrict": w.sub.pk, "community": w.c1.pk, "grid": None}  # spans grids A and B
    assert w.sub.scope_keys() == {"subdistrict": w.sub.pk, "community": None, "grid": None}


@pytest.mark.django_db
def test_covers_agrees_with_restrict_for_every_kind_of_path(world):
    """Scope.covers (a row checked in Python) answers what restrict() answers, for each persona and
    for paths of each kind: plain columns (persons, households, buildings), a callable (a grid
    reaches the compounds with buildings in it; organisations reach across the place tree), a level
    the model has no path for (property staff hold places.view on an organisation, which a
    building has no path for), and everything (the administrator)."""
    from linli.core.scope import scope_for
    from linli.orgs.models import Organisation

    checked = set()
    for name, user in vars(world.users).items():
        for model in (Person, Household, Building, Compound, Organisation):
            for action in ("view", "change"):
                scope = scope_for(user, f"{model.scope_domain}.{action}")
                covered = {obj.pk for obj in model.objects.all() if scope.covers(obj)}
                assert covered == set(model.objects.restrict(user, action).values_list("pk", flat=True)), (
                    name,
                    model,
                    action,
                )
                checked.add((model.__name__, bool(covered)))
    assert len(checked) == 10  # every model, both covered and not by someone


def test_scope_keys_of_rows_without_a_plain_path_for_a_level():
    """A vote's grid is reached through a callable (its compound spans grids) and an Open311 key
    has no place at all: neither gets a key it cannot read from its own columns."""
    from linli.accounts.models import Open311Key
    from linli.deliberation.models import OwnerVote

    assert OwnerVote(subdistrict_id=1, community_id=2, compound_id=3).scope_keys() == {
        "subdistrict": 1,
        "community": 2,
        "grid": None,
    }
    assert Open311Key().scope_keys() == {"subdistrict": None, "community": None, "grid": None}


@pytest.mark.django_db
def test_allows_is_the_permission_in_a_scope_that_covers_the_row(world, django_assert_num_queries):
    """A grid worker may see their grid's household, not another grid's; a resident may see their
    own household but not change it; without the permission anywhere, no query of the rows is run."""
    u = world.users.grid_a
    assert world.hh_a1.allows(u) and not world.hh_b1.allows(u)
    assert world.grid_a.allows(u) and not world.grid_b.allows(u)
    resident = world.users.resident
    assert world.hh_a1.allows(resident) and not world.hh_a2.allows(resident)
    assert not world.hh_a1.allows(resident, "change")
    nobody = world.users.nobody
    assert not world.hh_a1.allows(nobody, "change")  # reads the user's roles once
    with django_assert_num_queries(0):
        assert not world.hh_a2.allows(nobody, "change")
