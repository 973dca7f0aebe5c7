"""Writes to cases: report one, move it through its lifecycle (workflow.LIFECYCLE: row lock,
version, guard, effect, timeline, audit, notifications after commit), merge, comment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.lifecycle import Conflict as Conflict  # re-exported: callers catch actions.Conflict
from linli.core.models import AuditLog

from . import notices
from .calendar import workday_deadline
from .models import Case, CaseEvent, CasePhoto, State
from .workflow import LIFECYCLE, hidden_actor


def deadlines(category, start):
    return start + timezone.timedelta(hours=category.respond_hours), workday_deadline(start, category.resolve_workdays)


RELATED = [
    "category",
    "grid",
    "compound",
    "building",
    "house",
    "unit",
    "reporter",
    "reporter_household",
    "created_by",
    "resolution_of",
    "facility",
]


@transaction.atomic
def report_case(
    *,
    actor,
    category,
    grid,
    description,
    channel,
    compound=None,
    building=None,
    house=None,
    unit=None,
    where="",
    location=None,
    reporter=None,
    reporter_household=None,
    reporter_name="",
    reporter_phone="",
    anonymous=False,
    now=None,
    photos=(),
    resolve_by=None,
    resolution_of=None,
    facility=None,
):
    """A new request, accepted, at the place the report chose (`where`, the Where kind; `location`,
    a GeoJSON point; cases.location works them out, with the grid). `resolve_by` replaces the
    category's deadline and `resolution_of` names the topic, for an action item of a consultation
    outcome (deliberation.procedures): the work order is born with them, so no write outside its
    lifecycle changes them afterwards. `facility`: the lift, camera, shed … the request is about
    (docs/facilities.md), in the request's compound."""
    now = now or timezone.now()
    respond_by, default_resolve_by = deadlines(category, now)
    resolve_by = resolve_by or default_resolve_by
    case = Case(
        channel=channel,
        category=category,
        grid=grid,
        compound=compound,
        building=building,
        house=house,
        unit=unit,
        where=where,
        location=location,
        community_id=grid.community_id,
        subdistrict_id=grid.subdistrict_id,
        description=description,
        reporter=reporter,
        reporter_household=reporter_household,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        anonymous=anonymous or channel == "whisper",
        respond_by=respond_by,
        resolve_by=resolve_by,
        resolution_of=resolution_of,
        facility=facility,
        created_by=actor,
        created_at=now,
    )
    if house is not None and unit is None:
        case.unit_id = house.unit_id  # the unit head's scope (Case.scope_paths) reaches it by the unit
    # Related objects arrive loaded (forms, serializers): re-checking that each exists would cost a
    # query apiece on every report; the foreign keys guard them in the database anyway.
    case.full_clean(exclude=["community", "subdistrict", *RELATED])
    case.save()
    CaseEvent.objects.create(case=case, action="report", to_state=State.ACCEPTED, actor=actor, created_at=now)
    add_photos(case, photos, actor=actor, kind="intake")
    notices.after_report(case, actor)
    return case


def add_photos(case, files, *, actor, kind):
    """Files already cleaned by photos.clean_photo (EXIF gone)."""

    for f in files:
        CasePhoto.objects.create(case=case, kind=kind, image=f, uploaded_by=actor)


def allowed(case, user):
    """The moves this user may take on this case now, as buttons (merging is offered from the
    similar-requests box instead): workflow.LIFECYCLE.available."""
    return [m for m in LIFECYCLE.available(case, user) if m.offered]


def transition(
    case_id,
    name,
    *,
    actor,
    version,
    note="",
    assignee_org=None,
    rating="",
    deadline=None,
    photos=(),
    now=None,
    co_handlers=(),
    co_handler=None,
    photo_public=False,
    public_summary="",
    public_measures="",
):
    """Move a case (workflow.LIFECYCLE.perform): the inputs are checked by the move's form, as
    the screen's and the API's are. At most one photo comes with a move; `photo_public` shows a
    result photo on the public board, `public_summary` and `public_measures` are the board's text
    (verify, close)."""
    if len(photos) > 1:
        raise ValueError("one photo per move")
    data = {
        "note": note,
        "assignee_org": assignee_org,
        "rating": rating,
        "deadline": deadline,
        "co_handlers": [getattr(org, "pk", org) for org in co_handlers],
        "co_handler": co_handler,
        "photo_public": photo_public,
        "public_summary": public_summary,
        "public_measures": public_measures,
    }
    files = {"photo": photos[0]} if photos else None
    return LIFECYCLE.perform(case_id, name, actor=actor, version=version, data=data, files=files, now=now)


def merge(case_id, into_id, *, actor, version):
    """Merge a duplicate into another open request of the same place; its reporter gets the
    outcome of the one that is kept (workflow.merge)."""
    return LIFECYCLE.perform(case_id, "merge", actor=actor, version=version, data={"into": into_id})


@transaction.atomic
def reveal_reporter(case, *, actor) -> dict:
    """Who reported `case` — for a call-back on an anonymous request — written to the audit log
    as a reveal (no clear value in the record). The caller fetched `case` through
    restrict(actor, "reveal_reporter"): community and sub-district staff, administrators."""
    audit.record(actor, AuditLog.Action.REVEAL, case, note="reporter")
    name = case.reporter_name or (str(case.reporter) if case.reporter_id else "")
    return {"reporter_name": name, "reporter_phone": case.reporter_phone or ""}


@transaction.atomic
def comment(case, *, actor, note):
    """A comment on the timeline, and in the audit log (naming no anonymous reporter)."""
    if not note.strip():
        raise ValidationError({"note": _("Write something.")})
    event = CaseEvent.objects.create(
        case=case, action="comment", from_state=case.state, to_state=case.state, actor=actor, note=note
    )
    audit.record(None if hidden_actor(case, actor) else actor, AuditLog.Action.UPDATE, case, note="comment")
    return event
