"""Two claimants press "claim" on the same wish at the same moment: the lifecycle locks the row,
exactly one wins, the other is refused (the wish has left the wall for them: 404, or a stale
version: 409). Real row locks: PostgreSQL only (SQLite serialises writers by design)."""

import threading

import pytest
from django.db import connection, connections

from linli.core.lifecycle import Conflict
from linli.wishes.models import State, Wish

from .conftest import WISH, published

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")


@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_one_wins(request):
    from linli.accounts.models import RoleAssignment, User
    from linli.accounts.roles import Role
    from linli.testing import build_world

    world = build_world()
    claimants = []
    for name, household in (("v1", world.hh_b1), ("v2", world.hh_b2)):
        user = User.objects.create_user(name, password="x")  # noqa: S106
        RoleAssignment.objects.create(user=user, role=Role.RESIDENT, household=household)
        claimants.append(user)
    wish = published(world)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user):
        try:
            barrier.wait()
            WISH.perform(
                wish.pk, "claim", actor=user, version=wish.version, data={"as_kind": "volunteer", "credit": "anonymous"}
            )
            outcomes.append(user.username)
        except (Conflict, Wish.DoesNotExist):
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(u,)) for u in claimants]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes)[0] == "refused" and len(outcomes) == 2, outcomes
    winner = next(o for o in outcomes if o != "refused")
    wish = Wish.objects.get(pk=wish.pk)
    assert (wish.state, wish.claimant_user.username, wish.version) == (State.CLAIMED, winner, 2)
