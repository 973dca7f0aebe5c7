"""People actions beyond plain create/update/delete."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from linli.core import audit
from linli.core.models import AuditLog

REVEALABLE = ("id_number", "phone")


@transaction.atomic
def reveal_field(person, field: str, *, actor) -> str:
    """Return one clear value of a person's personal data and write who saw whose what, when.
    The caller has already fetched `person` through restrict(actor, "reveal")."""
    if field not in REVEALABLE:
        raise PermissionDenied
    audit.record(actor, AuditLog.Action.REVEAL, person, note=field)
    return getattr(person, field)
