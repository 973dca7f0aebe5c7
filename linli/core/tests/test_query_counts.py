"""Lists keep a constant number of SQL queries per page, whatever the number of rows."""

import pytest
from django.urls import reverse

from linli.accounts.models import RoleAssignment, User
from linli.core.actions import create_object
from linli.orgs.models import Kind, Organisation


def grow_orgs(world, n):
    for i in range(n):
        create_object(
            Organisation,
            actor=world.users.community,
            kind=Kind.PARTY,
            name=f"支部{i}",
            subdistrict=world.sub,
            community=world.c1,
        )


def grow_roles(world, n):
    for i in range(n):
        u = User.objects.create_user(f"extra{i}")
        RoleAssignment.objects.create(user=u, role="grid_worker", grid=world.grid_a)
        RoleAssignment.objects.create(user=u, role="unit_head", unit=world.unit_a)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "grow"),
    [
        ("orgs:list", grow_orgs),  # also writes audit records, so it grows the audit list too
        ("core:audit", grow_orgs),
        ("accounts:roles", grow_roles),
        (
            "places:tree",
            lambda w, n: [create_object(type(w.grid_a), actor=None, community=w.c1, name=f"网格{i}") for i in range(n)],
        ),
    ],
)
def test_list_query_count_is_constant(world, login, django_assert_max_num_queries, url, grow):
    c = login(world.users.community if url != "places:tree" else world.users.subdistrict)
    c.get(reverse(url))
    with django_assert_max_num_queries(30) as before:
        c.get(reverse(url))
    grow(world, 25)
    with django_assert_max_num_queries(len(before.captured_queries)):
        r = c.get(reverse(url))
    assert r.status_code == 200
