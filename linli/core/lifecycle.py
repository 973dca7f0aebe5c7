"""Lifecycles as declarations: a matter's moves, and the one way to perform one.

A model with states declares its moves once (`Move`: source states, target, the scoped permission,
the input form, a guard that gives the reason it refuses, an effect). `Lifecycle.available()`
answers which moves a user may take on a row now (the buttons on a screen);
`Lifecycle.perform()` executes one: row lock, version check, guard and effect in one transaction,
the timeline entry, the audit record, and notifications after commit; `Lifecycle.replay()` moves
a row in memory by the same effect, for the generators that write in bulk. `mermaid()` and `table()`
render the declaration for the docs, so the diagrams cannot drift from the code.

No domain imports here: a domain passes its model, its moves and its timeline hook.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, notify
from .models import AuditLog
from .scope import scope_for


class Conflict(Exception):
    """Someone else changed the row first (a stale version): 409; the caller shows the fresh state."""


class MoveForm(forms.Form):
    """The input of a move: a plain Django form that also knows the row and the actor, so its
    querysets and checks can depend on them. The screen posts it and the API's request schema is
    generated from it (core.api.moves); `Lifecycle.perform` validates every input with it."""

    def __init__(self, *args, obj=None, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj, self.actor = obj, actor


class VersionForm(forms.Form):
    """The row version a screen's form was rendered with (two people acting at once: 409)."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


Guard = Callable[[Any, Any, dict | None], Any]


@dataclass(frozen=True)
class Move:
    """One move of a lifecycle.

    `guard(obj, actor, data)` returns the reason (Chinese, through gettext) to refuse, or None;
    `data` is the cleaned input, or None when the question is whether to offer the move at all
    (the buttons): a guard then refuses only what no input could make possible, and must be
    cheap (use what the page prefetched). `may(obj, actor)` narrows who beyond the scoped
    permission (False: 403, and no button). `effect(ctx)` changes the row's fields, writes
    related rows and queues notifications with `ctx.notify`; it may raise ValidationError, and
    then nothing is written. `offered=False`: no button of its own (the page offers it
    elsewhere, e.g. merging from the similar-requests box). `versioned=False`: a move that only
    adds a related row (an opinion, a co-signature) and leaves the row's own fields alone takes
    no version and bumps none, so two of them at once, or one and a versioned move, do not
    conflict; the row is still locked, its state and the guard still checked."""

    name: str
    label: Any
    sources: tuple
    target: str | None  # None: the state does not change (a reminder, a feedback)
    permission: str  # "<domain>.<action>", checked in scope for the row
    form: type[forms.Form] = MoveForm
    guard: Guard | None = None
    effect: Callable[[Context], None] | None = None
    may: Callable[[Any, Any], bool] | None = None
    style: str = "secondary"
    offered: bool = True
    versioned: bool = True

    @property
    def domain(self) -> str:
        return self.permission.split(".")[0]

    @property
    def action(self) -> str:
        return self.permission.split(".")[1]

    def refusal(self, obj, actor, data=None) -> str | None:
        return self.guard(obj, actor, data) if self.guard else None


@dataclass
class Context:
    """What an effect works with. `note` is what the timeline entry says (the effect may set it);
    `notify()` queues a notification that is sent only once the transaction has committed;
    `changes` are what the effect adds to the move's audit record beyond the row's own fields
    (a related row it wrote: a step record, an opinion), as {name: [before, after]}."""

    obj: Any
    actor: Any
    move: Move
    data: dict
    now: Any
    before: str
    note: str = ""
    notices: list = field(default_factory=list)
    changes: dict = field(default_factory=dict)

    def notify(self, users, text, url=None, *, step="", summary=None):
        """`users` and `text` may be callables (a query, a text naming related rows), called
        here; a replay (`Lifecycle.replay`) drops its notices without calling them. `step` makes
        it once per user for this row and step (the key "<app.model>:<pk>:<step>", core.notify);
        `summary(n)` words n of them arriving at once."""
        users, text = (users() if callable(users) else users), (text() if callable(text) else text)
        url = url if url is not None else self.obj.get_absolute_url()
        key = f"{self.obj._meta.label_lower}:{self.obj.pk}:{step}" if step else ""
        self.notices.append((list(users), str(text), url, key, summary))

    replaying = False  # True in a replay's context: the effect reads no other row (see Lifecycle.replay)

    def save(self, row, fields=None):
        """Write `row`, of another table, that the move creates (`fields` None) or changes (those
        fields). A replay collects it instead, for the generator to write in bulk."""
        row.save(update_fields=fields)


REGISTRY: list[Lifecycle] = []  # the lifecycles with a page in docs/, as their modules are imported
_OF_MODEL: dict[type, Lifecycle] = {}


def lifecycle_of(model) -> Lifecycle:
    """The lifecycle declared (with its page) for `model`, once its module is imported (the app's `ready()` does):
    for the model's own module, which cannot import the declaration that imports it."""
    return _OF_MODEL[model]


class Lifecycle:
    """The moves of one model, with the hooks of its domain.

    `record(ctx)` writes the timeline entry (cases: a CaseEvent). `hidden_actor(obj, actor)`
    says whether the audit record must not name the actor (cases: the reporter of an anonymous
    request, whom the timeline hides too). `messages` may replace the refusals' wording
    ("conflict", "state") with the domain's own words."""

    def __init__(
        self,
        model,
        moves,
        *,
        state_field="state",
        version_field="version",
        record=None,
        hidden_actor=None,
        start=None,
        messages=None,
        doc=None,
    ):
        self.model = model
        self.moves = {m.name: m for m in moves}
        if len(self.moves) != len(moves):
            raise ValueError("two moves share a name")
        self.state_field, self.version_field = state_field, version_field
        self.record, self.hidden_actor = record, hidden_actor
        self.start = start  # (state, label): how a row enters the lifecycle, for the diagram
        self.messages = messages or {}
        self.doc = doc  # the page under docs/ that shows it (`linli docs-diagrams` writes it there)
        if doc:  # the model's declaration (a test's lifecycle has no page and is not registered)
            if model in _OF_MODEL:
                raise ValueError(f"{model.__name__} has a lifecycle already")
            REGISTRY.append(self)
            _OF_MODEL[model] = self

    def __getitem__(self, name) -> Move:
        return self.moves[name]

    def __iter__(self):
        return iter(self.moves.values())

    # --- which moves a user may take ---------------------------------------------------------

    def available(self, obj, user) -> list[Move]:
        """The moves `user` may take on `obj` now, in the order declared: the state matches, the
        permission covers this row (one scope query per permission, not per move), and neither
        `may` nor the guard refuses."""
        state = getattr(obj, self.state_field)
        in_scope: dict[str, bool] = {}
        result = []
        for move in self.moves.values():
            if state not in move.sources:
                continue
            if move.permission not in in_scope:
                rows = self.model.objects.restrict(user, move.action, domain=move.domain)
                in_scope[move.permission] = rows.filter(pk=obj.pk).exists()
            if not in_scope[move.permission] or (move.may and not move.may(obj, user)):
                continue
            if move.refusal(obj, user) is None:
                result.append(move)
        return result

    # --- performing one ----------------------------------------------------------------------

    def perform(self, obj_id, name, *, actor, version=None, data=None, files=None, now=None):
        """Move the row `obj_id` by the move `name`, for `actor` who saw it at `version`.

        Refusals, in this order: an unknown move (ValidationError); no such permission at all
        (PermissionDenied, 403); the row outside the actor's scope for it (Model.DoesNotExist,
        404); a stale version (Conflict, 409); a state the move does not start from; the input
        (ValidationError per field, from the move's form); `may` (403); the guard (its reason).
        `data` is the input as posted (strings) or as Python values (a serializer's, a
        caller's): the form validates both."""
        move = self.moves.get(name)
        if move is None:
            raise ValidationError(_("Unknown action."))
        if move.versioned and version is None:
            raise TypeError(f"the move {name} needs the version the actor saw")
        with transaction.atomic():
            obj = self._lock(obj_id, move, actor, version)
            form = move.form(data or {}, files, obj=obj, actor=actor)
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            if move.may and not move.may(obj, actor):
                raise PermissionDenied
            reason = move.refusal(obj, actor, form.cleaned_data)
            if reason:
                raise ValidationError(reason)
            before = getattr(obj, self.state_field)
            ctx = Context(
                obj,
                actor,
                move,
                form.cleaned_data,
                now or timezone.now(),
                before,
                note=form.cleaned_data.get("note") or "",
            )
            self._apply(ctx, version)
        return obj

    def _check_source(self, obj, move):
        """The row is in one of the move's source states, or the refusal in Chinese (400)."""
        if getattr(obj, self.state_field) not in move.sources:
            message = self.messages.get("state") or _("“%(action)s” is not possible in the state “%(state)s”.")
            display = getattr(obj, f"get_{self.state_field}_display")()
            raise ValidationError(message % {"action": move.label, "state": display})

    def _lock(self, obj_id, move, actor, version):
        if scope_for(actor, move.permission).empty:
            raise PermissionDenied
        rows = self.model.objects.restrict(actor, move.action, domain=move.domain)
        obj = rows.select_for_update().filter(pk=obj_id).first()
        if obj is None:
            raise self.model.DoesNotExist
        if move.versioned and getattr(obj, self.version_field) != version:
            message = self.messages.get("conflict") or _(
                "Someone else changed this a moment ago; here is its current state."
            )
            raise Conflict(message)
        self._check_source(obj, move)
        return obj

    def _apply(self, ctx, version):
        obj, move = ctx.obj, ctx.move
        fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
        raw = {f.attname: getattr(obj, f.attname) for f in fields}
        before = audit.snapshot(obj)
        if move.effect:
            move.effect(ctx)
        if move.target:
            setattr(obj, self.state_field, move.target)
        if move.versioned:
            setattr(obj, self.version_field, version + 1)
        obj.save(update_fields=[f.name for f in fields if getattr(obj, f.attname) != raw[f.attname]])
        if self.record:
            self.record(ctx)
        shown = {f.name for f in fields if f.editable and f.name != self.version_field}
        changes = {k: v for k, v in audit.diff(before, audit.snapshot(obj)).items() if k in shown} | ctx.changes
        hidden = self.hidden_actor and self.hidden_actor(obj, ctx.actor)
        audit.record(None if hidden else ctx.actor, AuditLog.Action.UPDATE, obj, changes, note=move.name)
        for users, text, url, key, summary in ctx.notices:  # delivered once the transaction commits
            notify.send(users, text, url, key=key, summary=summary)

    # --- the declaration, rendered for the docs ---------------------------------------------

    def states(self) -> list[tuple[str, str]]:
        return list(self.model._meta.get_field(self.state_field).choices)

    def mermaid(self) -> str:
        """A stateDiagram-v2 of the moves that change the state; those that keep it are in the
        table. A state no move leaves is final."""
        lines = ["stateDiagram-v2"]
        if self.start:
            lines.append(f"    [*] --> {self.start[0]}: {self.start[1]}")
        leaving = set()
        for move in self.moves.values():
            for source in move.sources:
                leaving.add(source)
                if move.target:
                    lines.append(f"    {source} --> {move.target}: {move.name} {move.label} ({move.permission})")
        reached = {m.target for m in self.moves.values() if m.target}
        lines += [f"    {state} --> [*]" for state, _label in self.states() if state in reached - leaving]
        return "\n".join(lines)

    def table(self) -> str:
        """A Markdown table: every move with its states, permission, input (`?`: optional), what
        refuses it and what it does (the first lines of `may`'s, the guard's and the effect's
        docstrings)."""
        rows = ["| move | from | to | permission | input | refused when | effect |", "|---|---|---|---|---|---|---|"]
        for move in self.moves.values():
            sources = ", ".join(move.sources)
            target = (move.target or "(unchanged)") + ("" if move.versioned else ", no version")
            inputs = ", ".join(f"{n}{'' if f.required else '?'}" for n, f in move.form.base_fields.items()) or "—"
            refused = " ".join(_doc(f) for f in (move.may, move.guard) if f) or "—"
            effect = _doc(move.effect) if move.effect else "—"
            rows.append(
                f"| `{move.name}` {move.label} | {sources} | {target} | `{move.permission}` "
                f"| {inputs} | {refused} | {effect} |"
            )
        return "\n".join(rows)

    # --- replaying one, for the generators ---------------------------------------------------

    def replay(self, obj, name, *, actor, now, data=None, rows=None) -> dict:
        """Move `obj`, a row in memory, by the move `name` as `perform` would: for a generator
        that writes its rows in bulk (the demo, the benchmark district), so that the move's own
        effect decides what each state implies.

        The state the move starts from is checked (ValidationError); the effect runs, then the
        state and the version change. No lock, scope, form, `may` or guard (the generator is
        trusted and its input already clean), and nothing is written: no timeline entry, audit
        record or notification. `data` is the input as the effect reads it (an input left out is
        its field's empty value); a row the effect would fetch by id comes as the object
        (merge: `into`). Rows of other tables the effect writes (`ctx.save`) are appended to
        `rows`: new ones without a pk, changed ones with theirs (None: such a move is refused).
        Returns the timeline entry's fields: action, from_state, to_state, actor, note,
        created_at."""
        move = self.moves[name]
        before = getattr(obj, self.state_field)
        self._check_source(obj, move)
        inputs = _blank_inputs(move.form) | (data or {})
        ctx = ReplayContext(obj, actor, move, inputs, now, before, note=inputs.get("note") or "")
        if move.effect:
            move.effect(ctx)
        if ctx.rows:
            if rows is None:
                raise ValueError(f"the move {name} writes other rows: pass rows=[] to replay it")
            rows.extend(ctx.rows)
        if move.target:  # as the column stores it: a choices member costs a bulk write a lookup per value
            setattr(obj, self.state_field, _plain(move.target))
        if move.versioned:  # as perform: a move that only adds a related row bumps no version
            setattr(obj, self.version_field, getattr(obj, self.version_field) + 1)
        return {
            "action": name,
            "from_state": _plain(before),
            "to_state": _plain(getattr(obj, self.state_field)),
            "actor": actor,
            "note": ctx.note,
            "created_at": now,
        }


@dataclass
class ReplayContext(Context):
    """The context of a replay: `save()` collects the rows, `notify()` drops the notices
    (without calling their callables, which may query)."""

    rows: list = field(default_factory=list)
    replaying = True

    def notify(self, users, text, url=None, *, step="", summary=None):
        pass

    def save(self, row, fields=None):
        self.rows.append(row)


def _plain(state):
    return getattr(state, "value", state)  # a TextChoices member's value; a plain string as it is


@functools.cache
def _blank_inputs(form) -> dict:
    """Each input of a move's form as the form cleans it when left out (a note "", a choice None)."""
    return {name: f.to_python(None) for name, f in form.base_fields.items()}


def _doc(func) -> str:
    """A guard's or an effect's docstring up to its first full stop, on one line: what the docs
    say it refuses or does."""
    text = " ".join((func.__doc__ or func.__name__).split())
    return text.split(". ")[0].rstrip(".") + "."


def doc_block(lifecycle) -> tuple[str, str, str]:
    """(begin marker, generated text, end marker) of a lifecycle in its page under docs/."""
    label = lifecycle.model._meta.label_lower
    source = f"{lifecycle.model.__module__.rsplit('.', 1)[0].replace('.', '/')}/workflow.py"
    begin = (
        f"<!-- lifecycle {label}: generated from {source} by `linli docs-diagrams`; edit the declaration, not this -->"
    )
    body = f"```mermaid\n{lifecycle.mermaid()}\n```\n\n{lifecycle.table()}"
    return begin, body, f"<!-- end lifecycle {label} -->"


def render_doc(text: str, lifecycle) -> str:
    """`text` (a page under docs/) with the lifecycle's block replaced by the declaration's."""
    begin, body, end = doc_block(lifecycle)
    head, found, rest = text.partition(begin)
    if not found or end not in rest:
        raise ValueError(
            f"{lifecycle.doc} has no block for {lifecycle.model._meta.label}: add the two markers\n{begin}\n{end}"
        )
    return f"{head}{begin}\n{body}\n{end}{rest.split(end, 1)[1]}"
