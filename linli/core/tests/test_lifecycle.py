"""The lifecycle mechanism (core.lifecycle), exercised on work orders: the declaration of
cases.workflow, and small lifecycles declared here over the same model (no test model)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from linli.cases import actions
from linli.cases.models import Assignment, Case, CaseEvent, Category, Rating, State
from linli.cases.workflow import LIFECYCLE
from linli.core.lifecycle import Conflict, Lifecycle, Move, MoveForm, doc_block, render_doc
from linli.core.models import AuditLog, Notification


@pytest.fixture
def case(world):
    return actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        compound=world.cp1,
        description="楼道灯坏了",
        channel="patrol",
    )


def audit_rows(case):
    return AuditLog.objects.filter(content_type__model="case", object_id=str(case.pk))


@pytest.mark.django_db
def test_a_move_writes_state_version_timeline_and_audit_in_one_go(world, case):
    moved = LIFECYCLE.perform(
        case.pk, "dispatch", actor=world.users.grid_a, version=0, data={"assignee_org": world.pm.pk, "note": "请尽快"}
    )
    case.refresh_from_db()
    assert (case.state, case.version, case.assignee_org) == (State.DISPATCHED, 1, world.pm) and moved.pk == case.pk
    event = case.events.get(action="dispatch")
    assert (event.from_state, event.to_state, event.actor, event.note) == (
        "accepted",
        "dispatched",
        world.users.grid_a,
        "请尽快",
    )
    row = audit_rows(case).get()
    assert (row.action, row.actor, row.note, row.grid_id) == (
        AuditLog.Action.UPDATE,
        world.users.grid_a,
        "dispatch",
        world.grid_a.pk,
    )
    assert row.changes["state"] == ["accepted", "dispatched"]
    assert row.changes["assignee_org"] == [None, world.pm.pk]
    assert "version" not in row.changes  # bookkeeping, in every record, says nothing


@pytest.mark.django_db
def test_refusals_403_404_409_and_the_state(world, case):
    u = world.users
    with pytest.raises(PermissionDenied):  # handlers hold no cases.dispatch at all
        LIFECYCLE.perform(case.pk, "dispatch", actor=u.property, version=0, data={"assignee_org": world.pm})
    with pytest.raises(Case.DoesNotExist):  # grid B's worker dispatches, but not in grid A
        LIFECYCLE.perform(case.pk, "dispatch", actor=u.grid_b, version=0, data={"assignee_org": world.pm})
    with pytest.raises(Conflict):
        LIFECYCLE.perform(case.pk, "dispatch", actor=u.grid_a, version=1, data={"assignee_org": world.pm})
    assert actions.Conflict is Conflict  # callers that catch the cases name still catch it
    with pytest.raises(ValidationError) as err:
        LIFECYCLE.perform(case.pk, "verify", actor=u.grid_a, version=0)
    assert err.value.messages == ["诉求处于“已受理”状态，无法“现场核查通过”。"]
    with pytest.raises(ValidationError, match="未知操作"):
        LIFECYCLE.perform(case.pk, "approve", actor=u.admin, version=0)
    case.refresh_from_db()
    assert (case.state, case.version, case.events.count(), audit_rows(case).count()) == (State.ACCEPTED, 0, 1, 0)


@pytest.mark.django_db
def test_input_is_checked_by_the_moves_form_field_by_field(world, case):
    from linli.orgs.models import Organisation
    from linli.places.models import Subdistrict

    with pytest.raises(ValidationError) as err:
        LIFECYCLE.perform(case.pk, "decline", actor=world.users.community, version=0, data={"note": "   "})
    assert err.value.message_dict == {"note": ["请填写原因或处理结果。"]}
    far = Organisation.objects.create(
        name="外区物业", kind="property", subdistrict=Subdistrict.objects.create(name="外街道")
    )
    with pytest.raises(ValidationError) as err:  # an organisation of another sub-district is no choice
        LIFECYCLE.perform(case.pk, "dispatch", actor=world.users.grid_a, version=0, data={"assignee_org": far.pk})
    assert list(err.value.message_dict) == ["assignee_org"]
    # posted strings and Python values are the same input
    LIFECYCLE.perform(case.pk, "dispatch", actor=world.users.grid_a, version=0, data={"assignee_org": str(world.pm.pk)})
    with pytest.raises(ValidationError) as err:  # the form checks against the row: later than its deadline
        LIFECYCLE.perform(
            case.pk, "extend", actor=world.users.grid_a, version=1, data={"note": "施工", "deadline": case.resolve_by}
        )
    assert err.value.message_dict == {"deadline": ["延期后的期限须晚于当前期限。"]}


@pytest.mark.django_db
def test_the_guard_gives_its_reason_and_hides_the_move(world, case):
    u = world.users
    actions.transition(case.pk, "dispatch", actor=u.grid_a, version=0, assignee_org=world.pm)
    case.refresh_from_db()
    assert "supervise" not in [m.name for m in LIFECYCLE.available(case, u.subdistrict)]
    with pytest.raises(ValidationError) as err:
        LIFECYCLE.perform(case.pk, "supervise", actor=u.subdistrict, version=1)
    assert err.value.messages == ["只有街道交办的诉求才有督办和反馈。"]
    assert case.events.count() == 2 and audit_rows(case).count() == 1


@pytest.mark.django_db
def test_notifications_leave_only_after_the_commit(world, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        LIFECYCLE.perform(case.pk, "whistle", actor=world.users.community, version=0, data={"note": "需执法"})
        assert not Notification.objects.exists()  # written, not yet committed: nobody told
    assert callbacks  # the notice's own hook, then the outbox's flush
    for callback in callbacks:
        callback()
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["subdistrict"]


def _writes_then_fails(ctx):
    """An effect that writes, queues a notification, then finds a reason to refuse."""
    Assignment.objects.create(case=ctx.obj, department=ctx.data["org"], deadline=ctx.now, issued_at=ctx.now)
    ctx.obj.result = "半截"
    ctx.notify([ctx.actor], "不该发出")
    raise ValidationError("中途失败")


class OrgForm(MoveForm):
    from django import forms

    org = forms.IntegerField()

    def clean_org(self):
        from linli.orgs.models import Organisation

        return Organisation.objects.get(pk=self.cleaned_data["org"])


@pytest.mark.django_db
def test_nothing_is_written_when_the_effect_fails(world, case, django_capture_on_commit_callbacks):
    flaky = Lifecycle(
        Case,
        [
            Move(
                "flaky", "试", (State.ACCEPTED,), State.DISPATCHED, "cases.dispatch", OrgForm, effect=_writes_then_fails
            )
        ],
        record=lambda ctx: CaseEvent.objects.create(case=ctx.obj, action="flaky"),
    )
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="中途失败"),
    ):
        flaky.perform(case.pk, "flaky", actor=world.users.grid_a, version=0, data={"org": world.dept.pk})
    case.refresh_from_db()
    assert (case.state, case.version, case.result) == (State.ACCEPTED, 0, "")
    assert not Assignment.objects.exists() and case.events.count() == 1 and not audit_rows(case).exists()
    assert callbacks == [] and not Notification.objects.exists()


@pytest.mark.django_db
def test_available_asks_the_scope_once_per_permission_not_per_move(world, case, django_assert_num_queries):
    three = Lifecycle(
        Case,
        [Move(n, n, (State.ACCEPTED,), None, "cases.dispatch") for n in ("a", "b", "c")]
        + [Move("d", "d", (State.CLOSED,), None, "cases.verify")],
    )
    user = world.users.grid_a
    three.available(case, user)  # the user's scope is read once and kept for the request
    with django_assert_num_queries(1):
        assert [m.name for m in three.available(case, user)] == ["a", "b", "c"]
    assert three.available(case, world.users.grid_b) == []  # out of scope: no move at all


@pytest.mark.django_db
def test_the_audit_record_names_no_anonymous_reporter(world, case):
    u = world.users
    whisper = actions.report_case(
        actor=u.resident,
        category=case.category,
        grid=world.grid_a,
        description="悄悄话",
        channel="whisper",
        reporter=u.resident,
        reporter_household=world.hh_a1,
        reporter_name="居民a1h",
    )
    for name, user, kw in (
        ("dispatch", u.grid_a, {"assignee_org": world.pm}),
        ("start", u.property, {}),
        ("handle", u.property, {"note": "好了"}),
        ("verify", u.grid_a, {}),
        ("rate", u.resident, {"rating": Rating.SATISFIED}),
    ):
        actions.transition(whisper.pk, name, actor=user, version=Case.objects.get(pk=whisper.pk).version, **kw)
    actions.comment(whisper, actor=u.resident, note="谢谢")
    actions.comment(whisper, actor=u.grid_a, note="已回访")
    rows = {(r.note, r.actor.username if r.actor else None) for r in audit_rows(whisper)}
    assert rows == {
        ("dispatch", "grid_a"),
        ("start", "property"),
        ("handle", "property"),
        ("verify", "grid_a"),
        ("rate", None),
        ("comment", None),
        ("comment", "grid_a"),
    }


def test_the_declaration_renders_as_a_diagram_and_a_table():
    with translation.override("en"):
        chart, table = LIFECYCLE.mermaid().splitlines(), LIFECYCLE.table().splitlines()
    assert chart[0] == "stateDiagram-v2"
    assert "    accepted --> dispatched: dispatch Dispatch (cases.dispatch)" in chart
    assert "    returned --> dispatched: dispatch Dispatch (cases.dispatch)" in chart
    assert sorted(line for line in chart if line.endswith("[*]")) == [
        f"    {s} --> [*]" for s in ("closed", "declined", "merged")
    ]
    assert not any("supervise" in line for line in chart)  # keeps the state: in the table only
    assert len(table) == 2 + len(LIFECYCLE.moves)
    assert (
        "| `supervise` Send a supervision reminder | dispatched, in_progress | (unchanged) | `cases.assign` | note?, "
        "photo? "
        "| Only on a request the sub-district assigned (交办). "
        "| One more reminder counted on the assignment; the department is told. |" in table
    )


def test_the_docs_show_what_the_declaration_says(tmp_path):
    """docs/workorders.md's diagram and table are generated (`linli docs-diagrams`): a page that
    differs from the declaration fails here."""
    from django.core.management import call_command

    call_command("docs_diagrams", "--check", stdout=open(tmp_path / "out", "w"))  # noqa: SIM115
    page = (Path(settings.BASE_DIR).parent / "docs" / LIFECYCLE.doc).read_text(encoding="utf-8")
    edited = page.replace("accepted --> declined", "accepted --> closed")
    assert edited != page and render_doc(edited, LIFECYCLE) == page


@pytest.mark.django_db
def test_refusals_speak_the_domains_words_or_the_generic_ones(world, case):
    plain = Lifecycle(Case, [Move("nudge", "催", (State.DISPATCHED,), None, "cases.dispatch")])
    u = world.users
    with pytest.raises(Conflict) as err:
        plain.perform(case.pk, "nudge", actor=u.grid_a, version=1)
    assert str(err.value) == "他人刚刚处理了这一事项，以下为当前状态。"
    with pytest.raises(ValidationError) as err:
        plain.perform(case.pk, "nudge", actor=u.grid_a, version=0)
    assert err.value.messages == ["处于“已受理”状态，无法“催”。"]
    with pytest.raises(Conflict) as err:  # the work order's own words
        LIFECYCLE.perform(case.pk, "dispatch", actor=u.grid_a, version=1, data={"assignee_org": world.pm})
    assert str(err.value) == "他人刚刚处理了该诉求，以下为当前状态。"


def _two_sentences(ctx):
    """Tells the department. Only the first sentence of a docstring goes into the table."""


def test_the_table_shows_the_first_sentence_of_each_docstring():
    one = Lifecycle(Case, [Move("tell", "告知", (State.ACCEPTED,), None, "cases.dispatch", effect=_two_sentences)])
    assert (
        one.table().splitlines()[2]
        == "| `tell` 告知 | accepted | (unchanged) | `cases.dispatch` | — | — | Tells the department. |"
    )


def test_a_page_is_rendered_only_between_its_two_markers():
    begin, body, end = doc_block(LIFECYCLE)
    # after the block, everything stays as it was, even a mention of the end marker
    page = f"# Work orders\n{begin}\nold\n{end}\ntext\n{end}\nmore\n"
    assert render_doc(page, LIFECYCLE) == f"# Work orders\n{begin}\n{body}\n{end}\ntext\n{end}\nmore\n"
    for broken in (f"{begin}\nold\n", f"old\n{end}\n", "old\n"):  # a marker missing, or both
        with pytest.raises(ValueError, match="add the two markers"):
            render_doc(broken, LIFECYCLE)


def test_moves_need_distinct_names():
    with pytest.raises(ValueError):
        Lifecycle(Case, [Move("a", "a", (), None, "cases.view"), Move("a", "b", (), None, "cases.view")])


@pytest.mark.django_db
def test_the_worked_example_of_the_architecture_page(world, case):
    """docs/architecture.md, "Lifecycles": the extension of a work order."""
    u = world.users
    actions.transition(case.pk, "dispatch", actor=u.grid_a, version=0, assignee_org=world.pm)
    later = case.resolve_by + timezone.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        LIFECYCLE.perform(case.pk, "extend", actor=u.property, version=1, data={"note": "施工", "deadline": later})
    LIFECYCLE.perform(case.pk, "extend", actor=u.grid_a, version=1, data={"note": "施工", "deadline": later})
    with pytest.raises(Conflict):
        LIFECYCLE.perform(case.pk, "extend", actor=u.grid_a, version=1, data={"note": "施工", "deadline": later})
    row = audit_rows(case).get(note="extend")
    assert set(row.changes) == {"resolve_by", "extended"} and row.changes["extended"] == [False, True]
    assert case.events.filter(action="extend", note="施工").exists()


def _adds_a_row(ctx):
    """Writes a row of its own and no field of the case."""
    CaseEvent.objects.create(case=ctx.obj, action="comment", note=ctx.data["note"])
    ctx.changes["comment"] = [None, ctx.data["note"]]


class NoteOnly(MoveForm):
    from django import forms

    note = forms.CharField()


@pytest.mark.django_db
def test_an_unversioned_move_needs_no_version_and_bumps_none(world, case):
    """`versioned=False`: a move that only adds a related row; the lock, the scope, the state and
    the audit record stay, the version neither checked nor moved."""
    lc = Lifecycle(
        Case,
        [
            Move(
                "note", "记", (State.ACCEPTED,), None, "cases.dispatch", NoteOnly, effect=_adds_a_row, versioned=False
            ),
            Move("dispatch", "派", (State.ACCEPTED,), State.DISPATCHED, "cases.dispatch", OrgForm),
        ],
    )
    lc.perform(case.pk, "note", actor=world.users.grid_a, data={"note": "一"})
    lc.perform(case.pk, "note", actor=world.users.grid_a, version=7, data={"note": "二"})  # any version: ignored
    case.refresh_from_db()
    assert case.version == 0 and list(case.events.filter(action="comment").values_list("note", flat=True)) == [
        "一",
        "二",
    ]
    assert [r.changes for r in audit_rows(case).order_by("id")] == [
        {"comment": [None, "一"]},
        {"comment": [None, "二"]},
    ]
    with pytest.raises(Case.DoesNotExist):  # the scope still holds
        lc.perform(case.pk, "note", actor=world.users.grid_b, data={"note": "三"})
    with pytest.raises(TypeError):  # a versioned move still needs one
        lc.perform(case.pk, "dispatch", actor=world.users.grid_a, data={"org": world.dept.pk})
    lc.perform(case.pk, "dispatch", actor=world.users.grid_a, version=0, data={"org": world.dept.pk})
    with pytest.raises(ValidationError):  # and the state
        lc.perform(case.pk, "note", actor=world.users.grid_a, data={"note": "四"})
