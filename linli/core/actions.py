"""Generic audited writes. Every create, update and delete of a ledger row goes through here
(or through a domain action that calls these), so the UI, the API, the importer and the tests
change data the same way and always leave an audit record."""

from django.db import transaction

from . import audit
from .models import AuditLog, NotificationPreference


@transaction.atomic
def create_object(model, *, actor, m2m=None, **data):
    obj = model(**data)
    obj.full_clean()
    obj.save()
    _set_m2m(obj, m2m)
    audit.record(actor, AuditLog.Action.CREATE, obj, audit.diff({}, audit.snapshot(obj)))
    return obj


@transaction.atomic
def update_object(obj, *, actor, m2m=None, **data):
    before = audit.snapshot(obj)
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    _set_m2m(obj, m2m)
    changes = audit.diff(before, audit.snapshot(obj))
    if changes:
        audit.record(actor, AuditLog.Action.UPDATE, obj, changes)
    return obj


@transaction.atomic
def delete_object(obj, *, actor):
    audit.record(actor, AuditLog.Action.DELETE, obj, audit.diff(audit.snapshot(obj), {}))
    obj.delete()


def _set_m2m(obj, m2m):
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)


@transaction.atomic
def set_notification_preference(user, *, email, sms, digest, phone=None):
    """The user's own channels (docs/notifications.md); `phone` None keeps the one saved. Audited,
    the phone masked."""
    pref = NotificationPreference.objects.select_for_update().filter(user=user).first()
    values = {"email": email, "sms": sms, "digest": digest} | ({"phone": phone} if phone is not None else {})
    if pref is None:
        return create_object(NotificationPreference, actor=user, user=user, **values)
    return update_object(pref, actor=user, **values)
