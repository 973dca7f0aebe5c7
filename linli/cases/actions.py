"""Writes to cases: report one, move it through the workflow, comment. Each runs in a
transaction, locks the case row, checks its state and version, and appends to the timeline."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.scope import scope_for

from .calendar import workday_deadline
from .models import Case, CaseEvent, Rating, State
from .workflow import TRANSITIONS


class Conflict(Exception):
    """Someone else changed the case first; the caller shows the fresh state."""


def deadlines(category, start):
    return start + timezone.timedelta(hours=category.respond_hours), workday_deadline(start, category.resolve_workdays)


RELATED = ["category", "grid", "compound", "building", "house", "reporter", "reporter_household", "created_by"]


@transaction.atomic
def report_case(*, actor, category, grid, description, channel, compound=None, building=None, house=None,
                reporter=None, reporter_household=None, reporter_name="", reporter_phone="", anonymous=False, now=None, photos=()):
    now = now or timezone.now()
    respond_by, resolve_by = deadlines(category, now)
    case = Case(
        channel=channel, category=category, grid=grid, compound=compound, building=building, house=house,
        community_id=grid.community_id, subdistrict_id=grid.subdistrict_id, description=description,
        reporter=reporter, reporter_household=reporter_household, reporter_name=reporter_name,
        reporter_phone=reporter_phone, anonymous=anonymous or channel == "whisper",
        respond_by=respond_by, resolve_by=resolve_by, created_by=actor, created_at=now,
    )
    # Related objects arrive loaded (forms, serializers): re-checking that each exists would cost a
    # query apiece on every report; the foreign keys guard them in the database anyway.
    case.full_clean(exclude=["community", "subdistrict", *RELATED])
    case.save()
    CaseEvent.objects.create(case=case, action="report", to_state=State.ACCEPTED, actor=actor, created_at=now)
    add_photos(case, photos, actor=actor, kind="intake")
    return case


def add_photos(case, files, *, actor, kind):
    """Files already cleaned by photos.clean_photo (EXIF gone)."""
    from .models import CasePhoto

    for f in files:
        CasePhoto.objects.create(case=case, kind=kind, image=f, uploaded_by=actor)


def allowed(case, user):
    """The transitions this user may take on this case now."""
    result, in_scope = [], {}
    assigned = case.assignments.exists()
    for t in TRANSITIONS.values():
        if (t.name == "defer" and case.paused_at) or (t.name == "resume" and not case.paused_at):
            continue
        if t.name in ("supervise", "feedback") and not assigned:
            continue
        if case.state not in t.sources:
            continue
        action = t.perm.split(".")[1]
        if action not in in_scope:  # one query per permission, not per transition
            in_scope[action] = Case.objects.restrict(user, action).filter(pk=case.pk).exists()
        if in_scope[action]:
            if t.name == "rate" and not _may_rate(case, user):
                continue
            result.append(t)
    return result


def _may_rate(case, user):
    # The reporter rates; staff with verify rights may record a telephone call-back instead.
    return case.reporter_id == user.pk or not scope_for(user, "cases.verify").empty


@transaction.atomic
def transition(case_id, name, *, actor, version, note="", assignee_org=None, assignee=None, rating="", now=None, photos=(), deadline=None):
    t = TRANSITIONS.get(name)
    if t is None:
        raise ValidationError(_("Unknown action."))
    if scope_for(actor, t.perm).empty:
        raise PermissionDenied
    case = Case.objects.restrict(actor, t.perm.split(".")[1]).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise Case.DoesNotExist
    if case.version != version:
        raise Conflict(_("Someone else changed this request a moment ago; here is its current state."))
    if case.state not in t.sources:
        raise ValidationError(_("“%(action)s” is not possible while the request is “%(state)s”.") % {"action": t.label, "state": case.get_state_display()})
    _check_inputs(t, note, assignee_org, rating, deadline)
    if name == "rate" and not _may_rate(case, actor):
        raise PermissionDenied
    now = now or timezone.now()
    before = case.state
    _apply(case, name, now, note=note, assignee_org=assignee_org, assignee=assignee, rating=rating, deadline=deadline, actor=actor)
    case.state = t.target or case.state
    case.version += 1
    case.save()
    CaseEvent.objects.create(case=case, action=name, from_state=before, to_state=case.state, actor=actor, note=note, created_at=now)
    add_photos(case, photos, actor=actor, kind="result" if name == "handle" else "intake")
    return case


def _check_inputs(t, note, assignee_org, rating, deadline=None):
    errors = {}
    if "deadline" in t.needs and (deadline is None or deadline <= timezone.now()):
        errors["deadline"] = _("Give a deadline in the future.")
    if "note" in t.needs and not note.strip():
        errors["note"] = _("Please give a reason or a result.")
    if "assignee_org" in t.needs and assignee_org is None:
        errors["assignee_org"] = _("Choose who handles it.")
    if "rating" in t.needs and rating not in Rating.values:
        errors["rating"] = _("Choose a rating.")
    if errors:
        raise ValidationError(errors)


def _apply(case, name, now, *, note, assignee_org, assignee, rating, deadline=None, actor=None):
    from .models import Assignment

    assignment = case.assignments.order_by("-issued_at").first() if name in ("supervise", "feedback") else None
    if name in ("supervise", "feedback") and assignment is None:
        raise ValidationError(_("Only a request assigned by the sub-district has supervision and feedback."))
    if name == "assign":
        if assignee_org.kind != "department":
            raise ValidationError({"assignee_org": _("Assign to a government department.")})
        Assignment.objects.create(case=case, department=assignee_org, deadline=deadline, issued_by=actor, issued_at=now)
        case.assignee_org, case.assignee, case.resolve_by = assignee_org, None, deadline
        notify_org(case, assignee_org, _("The sub-district assigned request %(number)s to you.") % {"number": case.number})
    elif name == "defer":
        if case.paused_at:
            raise ValidationError(_("The request is deferred already."))
        case.paused_at, case.deferred = now, True
    elif name == "resume":
        if not case.paused_at:
            raise ValidationError(_("The request is not deferred."))
        case.resolve_by += now - case.paused_at
        case.paused_at = None
    elif name == "extend":
        if deadline <= case.resolve_by:
            raise ValidationError({"deadline": _("An extension must be later than the current deadline.")})
        case.resolve_by, case.extended = deadline, True
    elif name == "send_back":
        case.reworked = True
    elif name == "whistle":
        case.responded_at = case.responded_at or now
        notify_subdistrict(case, _("Community %(community)s blew the whistle on request %(number)s.") % {"community": case.community, "number": case.number})
    elif name == "supervise":
        Assignment.objects.filter(pk=assignment.pk).update(reminders=assignment.reminders + 1)
        notify_org(case, case.assignee_org, _("Supervision reminder: request %(number)s is due %(deadline)s.") % {"number": case.number, "deadline": timezone.localtime(case.resolve_by).strftime("%Y-%m-%d")})
    elif name == "feedback":
        Assignment.objects.filter(pk=assignment.pk).update(feedback=note, feedback_at=now)
        notify_subdistrict(case, _("Feedback on request %(number)s has arrived.") % {"number": case.number})
    elif name == "dispatch":
        case.assignee_org, case.assignee = assignee_org, assignee
        case.responded_at = case.responded_at or now
    elif name == "decline":
        case.responded_at = case.responded_at or now
        case.closed_at = now
    elif name == "handle":
        case.result, case.handled_at = note, now
    elif name == "rate":
        case.rating, case.rating_comment = rating, note[:200]
    elif name == "close":
        case.closed_at = now
        notify_merged_reporters(case)
    elif name == "reopen":
        if case.rating != Rating.DISSATISFIED:
            raise ValidationError(_("Only a result the resident was dissatisfied with is reopened."))
        # Reopened once by the community; a second dissatisfaction goes to the supervisor.
        case.needs_supervisor = case.reopen_count >= 1
        case.reopen_count += 1
        case.assignee_org, case.assignee, case.rating, case.handled_at = None, None, "", None


@transaction.atomic
def merge(case_id, into_id, *, actor, version):
    """Merge a duplicate into another open request of the same place; its reporter gets the
    outcome of the one that is kept."""
    if scope_for(actor, "cases.dispatch").empty:
        raise PermissionDenied
    scoped = Case.objects.restrict(actor, "dispatch").select_for_update()
    case, target = scoped.filter(pk=case_id).first(), scoped.filter(pk=into_id).first()
    if case is None or target is None:
        raise Case.DoesNotExist
    if case.version != version:
        raise Conflict(_("Someone else changed this request a moment ago; here is its current state."))
    if case.pk == target.pk or case.state not in (State.ACCEPTED, State.DISPATCHED) or not target.is_open:
        raise ValidationError(_("Only an open request can be merged into another open request."))
    before = case.state
    now = timezone.now()
    case.state, case.merged_into, case.closed_at, case.version = State.MERGED, target, now, case.version + 1
    case.responded_at = case.responded_at or now
    case.save()
    CaseEvent.objects.create(case=case, action="merge", from_state=before, to_state=case.state, actor=actor, note=target.number)
    CaseEvent.objects.create(case=target, action="comment", from_state=target.state, to_state=target.state, actor=actor,
                             note=_("Request %(number)s was merged into this one.") % {"number": case.number})
    return case


def notify_org(case, org, text):
    from linli.accounts.models import User
    from linli.core import notify

    users = list(User.objects.filter(is_active=True, role_assignments__organisation=org)) if org else []
    transaction.on_commit(lambda: notify.send(users, text, case.get_absolute_url()))


def notify_subdistrict(case, text):
    from linli.accounts.models import User
    from linli.core import notify

    users = list(User.objects.filter(is_active=True, role_assignments__role="subdistrict_staff", role_assignments__subdistrict_id=case.subdistrict_id))
    transaction.on_commit(lambda: notify.send(users, text, case.get_absolute_url()))


def notify_merged_reporters(case):
    """When a request is closed, the reporters of the duplicates merged into it hear the outcome too."""
    from linli.core import notify

    users = [m.reporter for m in case.merged.select_related("reporter") if m.reporter_id]
    text = _("Request %(number)s, which yours was merged into, is closed.") % {"number": case.number}
    transaction.on_commit(lambda: notify.send(users, text, case.get_absolute_url()))


@transaction.atomic
def reveal_reporter(case, *, actor) -> dict:
    """Who reported `case` — for a call-back on an anonymous request — written to the audit log
    as a reveal (no clear value in the record). The caller fetched `case` through
    restrict(actor, "reveal_reporter"): community and sub-district staff, administrators."""
    from linli.core import audit
    from linli.core.models import AuditLog

    audit.record(actor, AuditLog.Action.REVEAL, case, note="reporter")
    name = case.reporter_name or (str(case.reporter) if case.reporter_id else "")
    return {"reporter_name": name, "reporter_phone": case.reporter_phone or ""}


@transaction.atomic
def comment(case, *, actor, note):
    if not note.strip():
        raise ValidationError({"note": _("Write something.")})
    return CaseEvent.objects.create(case=case, action="comment", from_state=case.state, to_state=case.state, actor=actor, note=note)
