"""Two people act on the same order at the same moment: exactly one wins, the other gets a
conflict, nothing is lost. Real concurrency needs real row locks, so this runs on PostgreSQL
(make test runs the suite on both databases; SQLite serialises writers by design)."""

import threading

import pytest
from django.db import connection, connections

from linli.cases import actions
from linli.cases.models import Case, CaseEvent, Category, State
from linli.testing import build_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_transitions_one_wins_one_conflicts():
    world = build_world()
    cat = Category.objects.get(name="设施维修")
    case = actions.report_case(actor=None, category=cat, grid=world.grid_a, description="电梯停运", channel="hotline")
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user, name, **kw):
        try:
            barrier.wait()
            actions.transition(case.pk, name, actor=user, version=0, **kw)
            outcomes.append(name)
        except actions.Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(world.users.grid_a, "dispatch"), kwargs={"assignee_org": world.pm}),
        threading.Thread(target=act, args=(world.users.community, "decline"), kwargs={"note": "重复诉求"}),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes)[0] == "conflict" and len(outcomes) == 2
    winner = next(o for o in outcomes if o != "conflict")
    case = Case.objects.get(pk=case.pk)
    assert case.version == 1
    assert case.state == {"dispatch": State.DISPATCHED, "decline": State.DECLINED}[winner]
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["report", winner]


@pytest.mark.django_db(transaction=True)
def test_writes_that_lock_a_row_open_their_own_transaction():
    """Outside any transaction (a management command, a task), each of these locks its row with
    select_for_update, which PostgreSQL refuses outside a transaction: each must open its own."""
    import datetime as dt

    from django.utils import timezone

    from linli.deliberation import actions as vote_actions
    from linli.deliberation import procedures
    from linli.deliberation.models import Procedure

    world = build_world()
    case = actions.report_case(actor=None, category=Category.objects.get(name="设施维修"), grid=world.grid_a,
                               description="电梯停运", channel="hotline")
    assert actions.transition(case.pk, "dispatch", actor=world.users.grid_a, version=0, assignee_org=world.pm).state == State.DISPATCHED
    vote = vote_actions.open_vote(actor=world.users.community, title="加装电梯", matter=7, compound=world.cp1, unit=world.unit_a,
                                  closes_at=timezone.now() + dt.timedelta(days=15))
    assert vote_actions.cast(vote.pk, vote.electors.first().pk, "agree", actor=world.users.community).choice == "agree"
    topic = procedures.raise_topic(actor=world.users.community, title="车棚", community=world.c1, procedure=Procedure.objects.get(name="四议两公开"))
    procedures.screen(topic, actor=world.users.community, accept=True)
    step = procedures.next_step(topic)
    assert procedures.complete_step(topic.pk, step.pk, actor=world.users.community, note="党支部提议").step == step
