"""People actions beyond plain create/update/delete."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from linli.core import audit
from linli.core.models import AuditLog

from .models import Household, Ownership, Person, ResidentPost

REVEALABLE = ("id_number", "phone")


@transaction.atomic
def reveal_field(person, field: str, *, actor) -> str:
    """Return one clear value of a person's personal data and write who saw whose what, when.
    The caller has already fetched `person` through restrict(actor, "reveal")."""
    if field not in REVEALABLE:
        raise PermissionDenied
    audit.record(actor, AuditLog.Action.REVEAL, person, note=field)
    return getattr(person, field)


def follow_building(sender, building, grid_id, **kwargs):
    """A building moved into another grid (places.signals.building_moved, inside the building's
    save): its households, people, posts and registered owners take the new grid id, which their
    scope filters on."""
    for model in (Household, Person, ResidentPost, Ownership):
        model.objects.filter(building_id=building.pk).update(grid_id=grid_id)
