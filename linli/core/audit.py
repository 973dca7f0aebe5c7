"""Field-level snapshots and audit records; sensitive values are stored masked."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .fields import SortKeyField
from .models import AuditLog


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def snapshot(obj: models.Model) -> dict:
    sensitive = getattr(obj, "sensitive_fields", {})
    data = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name.endswith("_hash") or isinstance(f, SortKeyField):  # derived, not recorded
            continue
        value = getattr(obj, f.attname)
        data[f.name] = sensitive[f.name](value) if f.name in sensitive else _plain(value)
    if obj.pk:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(str(o) for o in getattr(obj, f.name).all())
    return data


def diff(before: dict, after: dict) -> dict:
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    actor, action: str, obj, changes: dict | None = None, note: str = "", label: str = "", keys: dict | None = None
):
    """`obj` is a row, or a model class when the record names no row (a failed login for a
    username that does not exist: `label` says so, and no row is made up). `keys`: the places a
    record about no single row belongs to (an export: core.exports), else the row's own."""
    row = not isinstance(obj, type)
    if keys is None:
        keys = obj.scope_keys() if row and hasattr(obj, "scope_keys") else {}
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),  # a row, even behind a lazy object, or a class
        object_id=str(obj.pk) if row else "",
        object_repr=(label or str(obj))[:200],
        changes=changes or {},
        note=note[:200],
        subdistrict_id=keys.get("subdistrict"),
        community_id=keys.get("community"),
        grid_id=keys.get("grid"),
    )


def history(obj: models.Model):
    ct = ContentType.objects.get_for_model(type(obj))
    return AuditLog.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
