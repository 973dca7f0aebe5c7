"""Lifecycle.replay: the generators (demo, benchmark district) move rows in memory through the
moves' own effects. A replayed row must come out exactly as `perform` leaves it, for every move of
the work-order lifecycle."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.cases import actions
from linli.cases.models import Assignment, Case, CaseEvent, Category, CoHandler, Rating, State
from linli.cases.workflow import LIFECYCLE
from linli.core.lifecycle import Lifecycle, Move
from linli.core.models import AuditLog, Notification

NOW = timezone.now().replace(microsecond=0) + timedelta(days=1)  # after the set-up's moves


def _report(world, **kw):
    return actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        compound=world.cp1,
        description="楼道灯坏了",
        channel="patrol",
        **kw,
    )


def _inputs(world):
    """Per move: the moves that lead to a state it starts from, and its input as posted to
    `perform` and as a generator gives it to `replay` (objects, not ids)."""
    later, deadline = NOW + timedelta(days=9), NOW + timedelta(days=5)
    to_rated = ["dispatch", "start", "handle", "verify", ("rate", {"rating": Rating.DISSATISFIED, "note": "没修好"})]
    post = {
        "dispatch": ([], {"assignee_org": world.pm.pk, "co_handlers": [world.dept.pk], "note": "请尽快"}),
        "decline": ([], {"note": "不属于受理范围"}),
        "start": (["dispatch"], {}),
        "return": (["dispatch"], {"note": "不归我们管"}),
        "handle": (["dispatch", "start"], {"note": "已更换灯泡"}),
        "verify": (["dispatch", "start", "handle"], {}),
        "send_back": (["dispatch", "start", "handle"], {"note": "还是不亮"}),
        "rate": (["dispatch", "start", "handle", "verify"], {"rating": Rating.BASIC, "note": "一般" * 150}),
        "close": (to_rated, {}),
        "reopen": (to_rated, {"note": "居民不满意"}),
        "whistle": ([], {"note": "需执法"}),
        "assign": (["whistle"], {"assignee_org": world.dept.pk, "deadline": deadline}),
        "supervise": (["whistle", ("assign", {"assignee_org": world.dept.pk, "deadline": deadline})], {}),
        "feedback": (
            ["whistle", ("assign", {"assignee_org": world.dept.pk, "deadline": deadline})],
            {"note": "已立案"},
        ),
        "defer": (["dispatch"], {"note": "等配件"}),
        "resume": (["dispatch", ("defer", {"note": "等配件"})], {}),
        "extend": (["dispatch"], {"note": "施工", "deadline": later}),
        "merge": ([], {}),  # `into`: the other request, below
        # 议事中: taken into a topic (its clock stops), then given the topic's outcome
        "deliberate": (["dispatch"], {"note": "车棚改造"}),
        "outcome": (["dispatch", ("deliberate", {"note": "车棚改造"})], {"note": "车棚已改造完成"}),
        "co_handlers": (["dispatch"], {"co_handlers": [world.dept.pk]}),
        # 联合处置: the department leads, the property company co-handles and answers
        "co_feedback": (
            [("dispatch", {"assignee_org": world.dept.pk, "co_handlers": [world.pm.pk]})],
            {"co_handler": world.pm.pk, "note": "已配合上门"},
        ),
    }
    orgs = {world.pm.pk: world.pm, world.dept.pk: world.dept}
    objects = {"assignee_org": orgs, "co_handler": orgs}
    return post, objects


def _actor(world, name, case):
    """The administrator, or for the handler's moves the organisation the request is with."""
    if LIFECYCLE[name].permission != "cases.handle":
        return world.users.admin
    if name == "co_feedback":  # a co-handler's staff, not the lead's
        return world.users.property
    return world.users.department if case.assignee_org_id == world.dept.pk else world.users.property


def _drive(world, case, steps):
    defaults = {"dispatch": {"assignee_org": world.pm.pk}, "handle": {"note": "好了"}, "whistle": {"note": "需执法"}}
    for k, step in enumerate(steps):
        name, data = step if isinstance(step, tuple) else (step, defaults.get(step, {}))
        row = Case.objects.get(pk=case.pk)
        LIFECYCLE.perform(
            case.pk,
            name,
            actor=_actor(world, name, row),
            version=row.version,
            data=data,
            now=NOW - timedelta(hours=len(steps) - k),
        )


def _fields(case):
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}


@pytest.mark.django_db
def test_replay_sets_exactly_what_perform_sets_for_every_move(world):
    post, objects = _inputs(world)
    orgs = objects["assignee_org"]
    assert set(post) == set(LIFECYCLE.moves), "every move of the work-order lifecycle is compared"
    for name, (path, data) in post.items():
        case = _report(world)
        _drive(world, case, path)
        other = _report(world) if name == "merge" else None
        replayed, rows = Case.objects.get(pk=case.pk), []
        actor = _actor(world, name, replayed)
        given = {k: objects.get(k, {}).get(v, v) for k, v in data.items() if k != "co_handlers"}
        given |= {"co_handlers": [orgs[pk] for pk in data["co_handlers"]]} if "co_handlers" in data else {}
        if other:
            data, given = {"into": other.pk}, {"into": Case.objects.get(pk=other.pk)}
        event = LIFECYCLE.replay(replayed, name, actor=actor, now=NOW, data=given, rows=rows)

        LIFECYCLE.perform(case.pk, name, actor=actor, version=replayed.version - 1, data=data, now=NOW)
        case.refresh_from_db()
        assert _fields(replayed) == _fields(case), name
        performed = case.events.order_by("-id").first()
        assert event == {
            "action": performed.action,
            "from_state": performed.from_state,
            "to_state": performed.to_state,
            "actor": performed.actor,
            "note": performed.note,
            "created_at": performed.created_at,
        }, name
        if name == "assign":
            (new,) = rows
            written = Assignment.objects.get(case=case)
            assert new.pk is None and (new.case, new.department, new.deadline, new.issued_by, new.issued_at) == (
                case,
                written.department,
                written.deadline,
                written.issued_by,
                written.issued_at,
            )
        elif name in ("supervise", "feedback"):
            (changed,) = rows
            written = Assignment.objects.get(case=case)
            assert changed.pk == written.pk
            assert (changed.reminders, changed.feedback, changed.feedback_at) == (
                written.reminders,
                written.feedback,
                written.feedback_at,
            )
        elif name in ("dispatch", "co_handlers"):
            (new,) = rows
            written = CoHandler.objects.get(case=case)
            assert new.pk is None and (new.case, new.organisation, new.added_at) == (
                case,
                written.organisation,
                written.added_at,
            )
        elif name == "co_feedback":
            (changed,) = rows
            written = CoHandler.objects.get(case=case)
            assert changed.pk == written.pk
            assert (changed.feedback, changed.feedback_at, changed.feedback_by) == (
                written.feedback,
                written.feedback_at,
                written.feedback_by,
            )
        elif name == "merge":
            (comment,) = rows
            written = other.events.get(action="comment")
            assert comment.pk is None and (comment.case, comment.note, comment.actor, comment.created_at) == (
                other,
                written.note,
                written.actor,
                written.created_at,
            )
        else:
            assert rows == [], name


@pytest.mark.django_db
def test_replay_refuses_a_move_from_a_state_it_does_not_start_from(world):
    case = Case.objects.get(pk=_report(world).pk)
    with pytest.raises(ValidationError) as err:
        LIFECYCLE.replay(case, "verify", actor=world.users.admin, now=NOW)
    assert err.value.messages == ["诉求处于“已受理”状态，无法“现场核查通过”。"]
    assert (case.state, case.version) == (State.ACCEPTED, 0)
    LIFECYCLE.replay(case, "dispatch", actor=world.users.admin, now=NOW, data={"assignee_org": world.pm})
    with pytest.raises(ValidationError):  # the state is the replayed one, not the database's
        LIFECYCLE.replay(case, "dispatch", actor=world.users.admin, now=NOW, data={"assignee_org": world.pm})
    assert (case.state, case.version) == (State.DISPATCHED, 1)


@pytest.mark.django_db
def test_a_move_that_writes_other_rows_needs_somewhere_to_put_them(world):
    case = Case.objects.get(pk=_report(world).pk)
    LIFECYCLE.replay(case, "whistle", actor=world.users.community, now=NOW)
    with pytest.raises(ValueError, match="rows="):
        LIFECYCLE.replay(
            case,
            "assign",
            actor=world.users.subdistrict,
            now=NOW,
            data={"assignee_org": world.dept, "deadline": NOW + timedelta(days=5)},
        )


@pytest.mark.django_db
def test_the_generators_moves_replay_without_touching_the_database(world, django_assert_num_queries):
    """No lock, no timeline, no audit, no notification, and the effects read nothing: close's
    merged reporters, whistle's sub-district staff and community are never asked for."""
    u = world.users
    cases = [Case.objects.select_related(None).get(pk=_report(world).pk) for _i in range(4)]
    main, merged, declined, returned = cases
    before = (
        CaseEvent.objects.count(),
        AuditLog.objects.count(),
        Notification.objects.count(),
        Assignment.objects.count(),
    )
    rows = []
    with django_assert_num_queries(0):
        for name, data in (
            ("dispatch", {"assignee_org": world.pm}),
            ("start", {}),
            ("handle", {"note": "已修好"}),
            ("send_back", {"note": "还有一盏"}),
            ("handle", {"note": "都修好了"}),
            ("verify", {}),
            ("rate", {"rating": Rating.SATISFIED}),
            ("close", {}),
        ):
            LIFECYCLE.replay(main, name, actor=u.admin, now=NOW, data=data)
        LIFECYCLE.replay(merged, "merge", actor=u.grid_a, now=NOW, data={"into": returned}, rows=rows)
        LIFECYCLE.replay(declined, "whistle", actor=u.community, now=NOW, data={"note": "需执法"})
        for name, data in (
            ("dispatch", {"assignee_org": world.pm}),
            ("extend", {"note": "施工", "deadline": NOW + timedelta(days=9)}),
            ("return", {"note": "不归我们管"}),
        ):
            LIFECYCLE.replay(returned, name, actor=u.admin, now=NOW, data=data)
    assert (main.state, main.version, main.reworked, main.result, main.closed_at) == (
        State.CLOSED,
        8,
        True,
        "都修好了",
        NOW,
    )
    assert (merged.state, merged.merged_into, merged.closed_at, merged.responded_at) == (
        State.MERGED,
        returned,
        NOW,
        NOW,
    )
    assert (declined.state, returned.state, returned.extended) == (State.ESCALATED, State.RETURNED, True)
    assert [r.action for r in rows] == ["comment"]
    after = (
        CaseEvent.objects.count(),
        AuditLog.objects.count(),
        Notification.objects.count(),
        Assignment.objects.count(),
    )
    assert after == before
    assert Case.objects.filter(state=State.ACCEPTED, version=0).count() == 4  # the rows are the generator's to write


@pytest.mark.django_db
def test_a_move_without_a_version_replays_without_bumping_it(world):
    """As perform: a move that only adds a related row (Move.versioned=False) leaves the version."""
    lifecycle = Lifecycle(
        Case,
        [
            Move("note", "记", (State.ACCEPTED,), None, "cases.view", versioned=False),
            Move("bump", "推", (State.ACCEPTED,), None, "cases.view"),
        ],
    )
    case = _report(world)
    before = case.version
    lifecycle.replay(case, "note", actor=None, now=NOW)
    assert case.version == before
    lifecycle.replay(case, "bump", actor=None, now=NOW)
    assert case.version == before + 1
