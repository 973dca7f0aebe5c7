"""The lifecycle of a facility (docs/facilities.md), declared once and performed by
core.lifecycle: in service → out of order → under repair → in service, retired; and the
inspection, which keeps the state and moves the due date."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core.lifecycle import Lifecycle, Move

from . import forms
from .models import Facility, FacilityEvent, Inspection, one_year_after

S = Facility.State
LIVE = (S.IN_SERVICE, S.OUT_OF_ORDER, S.UNDER_REPAIR)


def _record(ctx):
    """The facility's timeline (its repairs and inspections)."""
    ctx.save(
        FacilityEvent(
            facility=ctx.obj,
            action=ctx.move.name,
            from_state=ctx.before,
            to_state=ctx.obj.state,
            actor=ctx.actor,
            note=ctx.note[:300],
            created_at=ctx.now,
        )
    )


def _inspectable(facility, actor, data):
    """An inspection on a day still to come; a next due date not after the inspection; for a lift
    or fire equipment, one more than a year after it (the statutory annual inspection)."""
    if data is None:
        return None
    if data["inspected_on"] > timezone.localdate():
        return gettext("An inspection cannot be recorded for a day still to come.")
    due = data.get("next_due")
    if due is not None and due <= data["inspected_on"]:
        return gettext("The next inspection must be due after this one.")
    if due is not None and facility.annual_inspection and due > one_year_after(data["inspected_on"]):
        return gettext("A %(kind)s is inspected at least once a year: the next one is due by %(date)s.") % {
            "kind": facility.get_kind_display(),
            "date": one_year_after(data["inspected_on"]).isoformat(),
        }
    return None


def _inspect(ctx):
    """The inspection is kept; one that passed moves the due date (a year on unless given) and
    the last inspection date; one that failed leaves the due date, so the facility stays due."""
    facility, data = ctx.obj, ctx.data
    passed = data["result"] == Inspection.Result.PASSED
    next_due = (data.get("next_due") or one_year_after(data["inspected_on"])) if passed else None
    ctx.save(
        Inspection(
            facility=facility,
            inspected_on=data["inspected_on"],
            result=data["result"],
            inspector=data.get("inspector") or "",
            next_due=next_due,
            note=data.get("note") or "",
            recorded_by=ctx.actor,
        )
    )
    ctx.changes["inspection"] = [None, f"{data['inspected_on']} {data['result']}"]
    if facility.last_inspected_on is None or data["inspected_on"] > facility.last_inspected_on:
        facility.last_inspected_on = data["inspected_on"]
    if passed:
        facility.inspection_due = next_due
    ctx.note = ctx.note or gettext("Inspection: %(result)s") % {"result": Inspection.Result(data["result"]).label}


LIFECYCLE = Lifecycle(
    Facility,
    [
        Move(
            "fault",
            _("Report out of order"),
            (S.IN_SERVICE,),
            S.OUT_OF_ORDER,
            "facilities.change",
            forms.FaultForm,
            style="outline-danger",
        ),
        Move(
            "repair",
            _("Start the repair"),
            (S.OUT_OF_ORDER,),
            S.UNDER_REPAIR,
            "facilities.change",
            forms.NoteForm,
            style="warning",
        ),
        Move(
            "restore",
            _("Back in service"),
            (S.OUT_OF_ORDER, S.UNDER_REPAIR),
            S.IN_SERVICE,
            "facilities.change",
            forms.NoteForm,
            style="success",
        ),
        Move(
            "inspect",
            _("Record an inspection"),
            LIVE,
            None,
            "facilities.change",
            forms.InspectForm,
            guard=_inspectable,
            effect=_inspect,
        ),
        Move(
            "retire",
            _("Retire"),
            LIVE,
            S.RETIRED,
            "facilities.change",
            forms.RetireForm,
            style="outline-secondary",
        ),
    ],
    record=_record,
    start=(S.IN_SERVICE, _("registered")),
    doc="facilities.md",
)
