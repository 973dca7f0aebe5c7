"""Writes of the facility register: every one audited (core.actions) and atomic; the moves of a
facility (out of order, repair, back in service, inspection, retirement) go through its
lifecycle (workflow.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.actions import create_object, update_object
from linli.core.scope import has_perm
from linli.places.models import Compound

from .models import Facility, FacilityEvent
from .workflow import LIFECYCLE

PLACE_FIELDS = ("compound", "building", "unit")


@transaction.atomic
def add_facility(*, actor, compound, **data):
    """A facility entered in the register of a compound the actor keeps (facilities.change)."""
    if not has_perm(actor, "facilities.change"):
        raise PermissionDenied
    if not Compound.objects.restrict(actor, "change", domain="facilities").filter(pk=compound.pk).exists():
        raise ValidationError({"compound": _("This compound is outside your scope.")})
    facility = create_object(Facility, actor=actor, compound=compound, **data)
    FacilityEvent.objects.create(
        facility=facility, action="register", to_state=facility.state, actor=actor, created_at=timezone.now()
    )
    return facility


@transaction.atomic
def edit_facility(facility, *, actor, **data):
    """The register's fields; the place is fixed and the state moves only through the lifecycle."""
    if not Facility.objects.restrict(actor, "change").filter(pk=facility.pk).exists():
        raise PermissionDenied
    if set(data) & {*PLACE_FIELDS, "state", "version"}:
        raise ValidationError(_("The place and the state of a facility are not edited here."))
    return update_object(facility, actor=actor, **data)


def move(facility_id, name, *, actor, version, data=None):
    return LIFECYCLE.perform(facility_id, name, actor=actor, version=version, data=data)
