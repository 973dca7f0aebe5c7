"""Two people act on the same order at the same moment: exactly one wins, the other gets a
conflict, nothing is lost. Real concurrency needs real row locks, so this runs on PostgreSQL
(make test runs the suite on both databases; SQLite serialises writers by design)."""

import threading

import pytest
from django.db import connection, connections

from linli.cases import actions, rollup
from linli.cases.models import Case, CaseEvent, CaseStat, Category, State
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
    case = actions.report_case(
        actor=None,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        description="电梯停运",
        channel="hotline",
    )
    assert (
        actions.transition(case.pk, "dispatch", actor=world.users.grid_a, version=0, assignee_org=world.pm).state
        == State.DISPATCHED
    )
    vote = vote_actions.open_vote(
        actor=world.users.community,
        title="加装电梯",
        matter=7,
        compound=world.cp1,
        unit=world.unit_a,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    assert vote_actions.cast(vote.pk, vote.electors.first().pk, "agree", actor=world.users.community).choice == "agree"
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="车棚",
        community=world.c1,
        procedure=Procedure.objects.get(name="四议两公开"),
    )
    procedures.screen(topic, actor=world.users.community, accept=True)
    step = procedures.next_step(topic)
    assert procedures.complete_step(topic.pk, step.pk, actor=world.users.community, note="党支部提议").step == step


@pytest.mark.django_db(transaction=True)
def test_a_second_rollup_job_skips_the_requests_the_first_is_counting():
    """check_overdue runs every few minutes and a slow run can overlap the next. While the first
    job holds its batch (marked rolled up, not yet committed), a second job must skip those
    requests at once (SELECT … FOR UPDATE SKIP LOCKED), not wait for them nor count them again."""
    import datetime as dt

    from django.utils import timezone

    world = build_world()
    past = timezone.now() - dt.timedelta(days=30)
    for text in ("路灯不亮", "井盖松动", "垃圾满溢"):
        actions.report_case(
            actor=None,
            category=Category.objects.get(name="设施维修"),
            grid=world.grid_a,
            description=text,
            channel="hotline",
            now=past,
        )
    Case.objects.update(respond_by=past, resolve_by=past)  # both deadlines passed: settled
    second, skipped_at_once, jobs = [], [], []

    def second_job():
        try:
            second.append(rollup.refresh())
        finally:
            connections.close_all()

    def when_the_batch_is_marked(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not skipped_at_once and sql.startswith('UPDATE "cases_case" SET "rolled_up"'):
            jobs.append(threading.Thread(target=second_job))
            jobs[0].start()
            jobs[0].join(30)  # the first job's transaction is still open: it has 30 s to skip the batch
            skipped_at_once.append(not jobs[0].is_alive())
        return result

    with connection.execute_wrapper(when_the_batch_is_marked):
        first = rollup.refresh()
    jobs[0].join(30)
    assert (first, second) == (3, [0])  # each request counted once
    assert sum(CaseStat.objects.filter(dimension="grid").values_list("total", flat=True)) == 3
    assert skipped_at_once == [True]  # and the second job did not wait for the first
