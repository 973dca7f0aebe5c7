"""The audit log as people read it (审计日志): each change under its field's label, a choice by
its label, a linked row by its name — never a raw id — and a lifecycle move by its label. Values
stored masked stay masked: this only reads what core.audit stored. For a page of records, one
query per kind of linked row (not per record)."""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exports import Column, Export, display
from .lifecycle import lifecycle_of
from .models import AuditLog

# changes that name no field of the row: what actions write beside the fields
PSEUDO_FIELDS = {
    "password": gettext_lazy("password"),
    "sessions_ended": gettext_lazy("sessions signed out"),
    "api_tokens_revoked": gettext_lazy("API tokens revoked"),
    "two_factor": gettext_lazy("two-factor sign-in"),
    "backup_codes": gettext_lazy("backup codes"),
    "role": gettext_lazy("role"),
    # the rows a move of a 民生实事 adds (projects.workflow)
    "budget_approved": gettext_lazy("approved budget"),
    "funding": gettext_lazy("funding"),
    "payment": gettext_lazy("payment"),
    "photo": gettext_lazy("progress photo"),
}


@dataclass
class Change:
    label: str
    before: str
    after: str


def _field(model, name):
    try:
        f = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None
    return f if f is not None and (f.concrete or f.many_to_many) else None  # not a reverse relation


def _linked_names(records) -> dict:
    """{(related model, pk): name} for every foreign key value on these records: the name the
    audit log itself last recorded for that row (one query for the whole page, and a deleted row
    keeps its name); rows never audited are read directly, one query per model."""
    wanted: defaultdict = defaultdict(set)
    for r in records:
        model = r.content_type.model_class()
        for name, pair in r.changes.items():
            f = _field(model, name)
            if isinstance(f, models.ForeignKey) and name not in getattr(model, "audit_names_withheld", ()):
                wanted[f.related_model].update(str(v) for v in pair if isinstance(v, int | str) and v != "")
    names: dict = {}
    if not wanted:
        return names
    types = {ContentType.objects.get_for_model(related).pk: related for related in wanted}
    q = Q()
    for ct, related in types.items():
        q |= Q(content_type_id=ct, object_id__in=sorted(wanted[related]))
    for ct, object_id, label in (
        AuditLog.objects.filter(q).order_by("id").values_list("content_type_id", "object_id", "object_repr")
    ):
        names[(types[ct], object_id)] = label
    for related, ids in wanted.items():
        missing = [i for i in ids if (related, i) not in names]
        if missing and all(i.isdigit() for i in missing):
            for obj in related._default_manager.filter(pk__in=missing):
                names[(related, str(obj.pk))] = str(obj)
    return names


def _value(f, value, names) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if f is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if isinstance(f, models.ForeignKey):
        if f.name in getattr(f.model, "audit_names_withheld", ()):
            return _("(not shown)")
        return names.get((f.related_model, str(value)), _("(deleted)"))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def changes(record, names) -> list[Change]:
    model = record.content_type.model_class()
    rows = []
    for name, pair in record.changes.items():
        f = _field(model, name)
        label = f.verbose_name if f is not None else PSEUDO_FIELDS.get(name, name.replace("_", " "))
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append(Change(str(label), _value(f, before, names), _value(f, after, names)))
    return rows


def kind(record) -> str:
    model = record.content_type.model_class()
    return str(model._meta.verbose_name) if model else record.content_type.model


def note(record) -> str:
    """A lifecycle move's name (stored as the note) by its label; other notes as written."""
    try:
        lifecycle = lifecycle_of(record.content_type.model_class())
    except KeyError:
        return record.note
    return str(lifecycle[record.note].label) if record.note in lifecycle.moves else record.note


def describe(records) -> list:
    """The records with `.kind`, `.readable_note` and `.readable_changes` set (one pass, batched)."""
    records = list(records)
    names = _linked_names(records)
    for r in records:
        r.kind, r.readable_note, r.readable_changes = kind(r), note(r), changes(r, names)
    return records


def _prepare_export(chunk, user):
    describe(chunk)  # a chunk as a page: one query per kind of linked row


def _changes_text(record) -> str:
    return "；".join(f"{c.label}: {c.before} → {c.after}" for c in record.readable_changes)


# The audit log's export (core.exports): the columns of the page, the values as stored (masked).
EXPORT = Export(
    name="audit",
    label=gettext_lazy("Audit log"),
    perm="audit.export",
    prepare=_prepare_export,
    columns=(
        Column(gettext_lazy("Time"), lambda r: r.created_at),
        Column(gettext_lazy("User"), lambda r: str(r.actor) if r.actor_id else ""),
        Column(gettext_lazy("Action"), display("action")),
        Column(gettext_lazy("Kind"), lambda r: r.kind),
        Column(gettext_lazy("Object"), lambda r: r.object_repr),
        Column(gettext_lazy("Note"), lambda r: r.readable_note),
        Column(gettext_lazy("Changes"), _changes_text),
    ),
)
