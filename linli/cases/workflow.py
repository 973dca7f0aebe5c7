"""The work-order lifecycle, declared: every move with its states, permission, input form, guard
and effect. `LIFECYCLE.perform()` (through `actions.transition`) is the only way a case moves;
`LIFECYCLE.available()` gives the buttons; docs/workorders.md's diagram and table are generated
from this declaration (`linli docs_diagrams`).

    accepted ──dispatch──▶ dispatched ──start──▶ in_progress ──handle──▶ handled
       │  ▲                   │  │                  │                   │   │
  decline  └──(re)dispatch── returned ◀──return────┘◀────send_back──────┘  verify
       ▼                                                                    ▼
    declined                       closed ◀──close── rated ◀──rate──── verified
                                     (dissatisfied → reopen: back to accepted, once; then the supervisor)
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.core.lifecycle import Lifecycle, Move
from linli.core.scope import scope_for
from linli.people.public_text import check_public_text

from . import forms, joint, notices
from .models import Assignment, Case, CaseEvent, CasePhoto, CoHandler, Rating, State
from .reporter import hidden_actors

# --- who is told ------------------------------------------------------------------------------


def org_staff(org):

    return list(User.objects.filter(is_active=True, role_assignments__organisation=org)) if org else []


def subdistrict_staff(case):

    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role="subdistrict_staff",
            role_assignments__subdistrict_id=case.subdistrict_id,
        )
    )


def merged_reporters(case):
    return [m.reporter for m in case.merged.select_related("reporter") if m.reporter_id]


# --- guards: the reason a move is refused, or None --------------------------------------------


def _assigned(case) -> bool:
    cache = getattr(case, "_prefetched_objects_cache", {})  # the detail page prefetches them
    return bool(cache["assignments"]) if "assignments" in cache else case.assignments.exists()


def assigned(case, actor, data):
    """Only on a request the sub-district assigned (交办)."""
    if not _assigned(case):
        return _("Only a request assigned by the sub-district has supervision and feedback.")
    return None


def not_deferred(case, actor, data):
    """Not while deferred already."""
    return _("The request is deferred already.") if case.paused_at else None


def deferred(case, actor, data):
    """Only while deferred."""
    return None if case.paused_at else _("The request is not deferred.")


def dissatisfied(case, actor, data):
    """Only a result the resident rated dissatisfied (a satisfied one is never reopened)."""
    if case.rating != Rating.DISSATISFIED:
        return _("Only a result the resident was dissatisfied with is reopened.")
    return None


def handler(case, user) -> bool:
    """Only the staff of the organisation it is dispatched to, or the community's staff when that
    organisation is one of their community's own (its party committee: 社区能解决的就地解决)."""
    scope = scope_for(user, "cases.handle")
    if scope.everything or case.assignee_org_id in scope.ids.get("organisation", ()):
        return True
    communities = scope.ids.get("community", ())
    return bool(communities) and case.assignee_org_id is not None and case.assignee_org.community_id in communities


def handled_by_q(user) -> Q:
    """`handler` as a filter of requests, for lists and counts (which cannot ask it row by row)."""
    scope = scope_for(user, "cases.handle")
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if orgs := scope.ids.get("organisation"):
        q |= Q(assignee_org_id__in=sorted(orgs))
    if communities := scope.ids.get("community"):
        q |= Q(assignee_org__community_id__in=sorted(communities))
    return q


def reporter_or_staff(case, user) -> bool:
    """Only the reporter, or staff who verify (recording a telephone call-back)."""
    return case.reporter_id == user.pk or not scope_for(user, "cases.verify").empty


# --- effects: what a move does besides changing the state -----------------------------------


def responded(ctx):
    ctx.obj.responded_at = ctx.obj.responded_at or ctx.now


def dispatch(ctx):
    """The organisation chosen handles it, and is told; so is the reporter. The first answer counts as the response."""
    ctx.obj.assignee_org, ctx.obj.assignee = ctx.data["assignee_org"], None
    responded(ctx)
    set_co_handlers(ctx, ctx.data.get("co_handlers") or [])
    notices.tell(ctx, notices.dispatched)


def decline(ctx):
    """Closed unanswered; the response and the closing time are now."""
    responded(ctx)
    ctx.obj.closed_at = ctx.now


def handle(ctx):
    """The note is the result; handled now; the reporter and the verifiers are told."""
    ctx.obj.result, ctx.obj.handled_at = ctx.data["note"], ctx.now
    notices.tell(ctx, notices.handled)


def publish(ctx):
    """The public summaries given (晒事), once they hold no personal data; an empty one keeps the last."""
    given = {f: ctx.data.get(f, "").strip() for f in ("public_summary", "public_measures")}
    given = {f: text for f, text in given.items() if text}
    if not given:
        return  # reads nothing (the generator's replay asserts it)
    check_public_text(ctx.obj.community, **given)
    for field, text in given.items():
        setattr(ctx.obj, field, text)


def verify(ctx):
    """The public summaries; the reporter is asked to rate the result."""
    publish(ctx)
    notices.tell(ctx, notices.verified)


def send_back(ctx):
    """Marked as reworked (a dashboard figure); the handler is told."""
    ctx.obj.reworked = True
    notices.tell(ctx, notices.sent_back)


def rate(ctx):
    """The rating; the note, cut to 200 characters, is its comment."""
    ctx.obj.rating, ctx.obj.rating_comment = ctx.data["rating"], ctx.data["note"][:200]


def close(ctx):
    """The public summaries; closed now; the reporter, and the reporters of the requests merged into it, are told."""
    case = ctx.obj
    publish(ctx)
    ctx.obj.closed_at = ctx.now
    ctx.notify(
        lambda: merged_reporters(case),
        lambda: _("Request %(number)s, which yours was merged into, is closed.") % {"number": case.number},
    )
    notices.tell(ctx, notices.closed)


def reopen(ctx):
    """Handler and rating cleared; from the second time on, flagged for the supervisor."""
    case = ctx.obj
    # Reopened once by the community; a second dissatisfaction goes to the supervisor.
    case.needs_supervisor = case.reopen_count >= 1
    case.reopen_count += 1
    case.assignee_org, case.assignee, case.rating, case.handled_at = None, None, "", None
    set_co_handlers(ctx, [])


def whistle(ctx):
    """The sub-district's staff are told; the first answer counts as the response."""
    case = ctx.obj
    responded(ctx)
    ctx.notify(
        lambda: subdistrict_staff(case),
        lambda: (
            _("Community %(community)s blew the whistle on request %(number)s.")
            % {"community": case.community, "number": case.number}
        ),
    )


def assign(ctx):
    """An assignment (交办单) to the department, whose deadline becomes the request's; the department is told."""
    case, org = ctx.obj, ctx.data["assignee_org"]
    ctx.save(
        Assignment(case=case, department=org, deadline=ctx.data["deadline"], issued_by=ctx.actor, issued_at=ctx.now)
    )
    case.assignee_org, case.assignee, case.resolve_by = org, None, ctx.data["deadline"]
    ctx.notify(
        lambda: org_staff(org), _("The sub-district assigned request %(number)s to you.") % {"number": case.number}
    )
    set_co_handlers(ctx, ctx.data.get("co_handlers") or [])


def latest_assignment(case):
    # read from the database, in a replay too: replay these moves after the assignment is written
    return case.assignments.order_by("-issued_at").first()


def supervise(ctx):
    """One more reminder counted on the assignment; the department is told."""
    case, assignment = ctx.obj, latest_assignment(ctx.obj)
    assignment.reminders += 1
    ctx.save(assignment, ["reminders"])
    due = timezone.localtime(case.resolve_by).strftime("%Y-%m-%d")
    text = _("Supervision reminder: request %(number)s is due %(deadline)s.")
    ctx.notify(lambda: org_staff(case.assignee_org), text % {"number": case.number, "deadline": due})


def feedback(ctx):
    """The note is the department's feedback on the assignment; the sub-district is told."""
    case, assignment = ctx.obj, latest_assignment(ctx.obj)
    assignment.feedback, assignment.feedback_at = ctx.data["note"], ctx.now
    ctx.save(assignment, ["feedback", "feedback_at"])
    ctx.notify(
        lambda: subdistrict_staff(case), _("Feedback on request %(number)s has arrived.") % {"number": case.number}
    )


def defer(ctx):
    """The clock stops: never overdue while deferred."""
    ctx.obj.paused_at, ctx.obj.deferred = ctx.now, True


def resume(ctx):
    """The deadline moves later by exactly the time deferred."""
    ctx.obj.resolve_by += ctx.now - ctx.obj.paused_at
    ctx.obj.paused_at = None


def extend(ctx):
    """The deadline becomes the one given."""
    ctx.obj.resolve_by, ctx.obj.extended = ctx.data["deadline"], True


def deliberate(ctx):
    """议事中: the clock stops while the topic (the note names it) is decided; the reporter is told."""
    case = ctx.obj
    case.paused_at = case.paused_at or ctx.now
    responded(ctx)
    if not ctx.replaying:
        notices.deliberating(case, ctx.actor, ctx.notify, ctx.data["note"])


def receive_outcome(ctx):
    """The topic's published outcome is the result: handled now, the deadline moved later by the
    time in deliberation; the reporter is told and asked to rate it (a dissatisfied rating reopens it)."""
    case = ctx.obj
    if case.paused_at:
        case.resolve_by += ctx.now - case.paused_at
    case.paused_at, case.result, case.handled_at = None, ctx.data["note"], ctx.now
    notices.tell(ctx, notices.outcome)


def merge(ctx):
    """Into another open request in the actor's dispatch scope (404 outside it), whose
    reporters are told when it is closed."""
    case = ctx.obj
    if ctx.replaying:  # a generator's replay gives the request itself, in memory (Lifecycle.replay)
        target = ctx.data["into"]
    else:
        target = Case.objects.restrict(ctx.actor, "dispatch").select_for_update().filter(pk=ctx.data["into"]).first()
    if target is None:
        raise Case.DoesNotExist
    if target.pk == case.pk or not target.is_open:
        raise ValidationError(_("Only an open request can be merged into another open request."))
    case.merged_into, case.closed_at = target, ctx.now
    responded(ctx)
    ctx.note = target.number
    ctx.save(
        CaseEvent(
            case=target,
            action="comment",
            from_state=target.state,
            to_state=target.state,
            actor=ctx.actor,
            note=_("Request %(number)s was merged into this one.") % {"number": case.number},
            created_at=ctx.now,
        )
    )


# --- joint orders (联合处置): co-handling organisations beside the lead ----------------------


def set_co_handlers(ctx, orgs):
    """The order's co-handlers become `orgs`: those kept keep their feedback, those removed no
    longer see it, the staff of those added are told. A replay starts from none."""
    case = ctx.obj
    rows = {} if ctx.replaying else {r.organisation_id: r for r in case.co_handlers.select_related("organisation")}
    wanted = {org.pk: org for org in orgs}
    gone = [pk for pk in rows if pk not in wanted]
    added = [org for pk, org in wanted.items() if pk not in rows]
    if not gone and not added:
        return
    if gone:
        CoHandler.objects.filter(case=case, organisation_id__in=gone).delete()
    for org in added:
        ctx.save(CoHandler(case=case, organisation=org, added_at=ctx.now))
    sep = _(", ")
    names = sep.join(org.name for org in orgs) or _("none")
    ctx.changes["co_handlers"] = [sep.join(r.organisation.name for r in rows.values()), sep.join(o.name for o in orgs)]
    ctx.note = " ".join(filter(None, [ctx.note, _("Co-handlers: %(names)s.") % {"names": names}]))
    if added:
        text = _("You co-handle request %(number)s: please give your feedback.") % {"number": case.number}
        ctx.notify(lambda: [user for org in added for user in org_staff(org)], text)


def co_handlers(ctx):
    """The co-handlers become those chosen (none: all removed); the staff of those added are told."""
    set_co_handlers(ctx, ctx.data["co_handlers"])


def latest_co_handler(case, org):
    # read from the database, in a replay too: replay this move after the dispatch's rows are written
    return case.co_handlers.select_related("organisation").get(organisation=org)


def co_feedback(ctx):
    """The note is the co-handler's feedback (the latest is kept, each is on the timeline); the
    lead's staff are told."""
    case, row = ctx.obj, latest_co_handler(ctx.obj, ctx.data["co_handler"])
    row.feedback, row.feedback_at, row.feedback_by = ctx.data["note"], ctx.now, ctx.actor
    ctx.save(row, ["feedback", "feedback_at", "feedback_by"])
    ctx.note = _("%(organisation)s: %(feedback)s") % {"organisation": row.organisation.name, "feedback": row.feedback}
    text = _("A co-handler answered on request %(number)s.") % {"number": case.number}
    ctx.notify(lambda: org_staff(case.assignee_org), text)


# --- the timeline and the audit log -----------------------------------------------------------


def record(ctx):
    """The timeline entry of a move, and the photo that came with it."""
    case = ctx.obj
    CaseEvent.objects.create(
        case=case,
        action=ctx.move.name,
        from_state=ctx.before,
        to_state=case.state,
        actor=ctx.actor,
        note=ctx.note,
        created_at=ctx.now,
    )
    if ctx.data.get("photo"):
        kind = CasePhoto.Kind.RESULT if ctx.move.name == "handle" else CasePhoto.Kind.INTAKE
        public = kind == CasePhoto.Kind.RESULT and bool(ctx.data.get("photo_public"))
        CasePhoto.objects.create(case=case, kind=kind, image=ctx.data["photo"], uploaded_by=ctx.actor, public=public)


def hidden_actor(case, actor) -> bool:
    """The reporter of an anonymous request and their household are named in no audit record,
    as on the timeline (cases.reporter)."""

    return case.anonymous and getattr(actor, "pk", None) in hidden_actors(case)


S = State
WORKING = (S.DISPATCHED, S.IN_PROGRESS)
LIFECYCLE = Lifecycle(
    Case,
    [
        Move(
            "dispatch",
            gettext_lazy("Dispatch"),
            (S.ACCEPTED, S.RETURNED),
            S.DISPATCHED,
            "cases.dispatch",
            forms.DispatchForm,
            effect=dispatch,
            style="danger",
        ),
        Move(
            "decline",
            gettext_lazy("Decline"),
            (S.ACCEPTED,),
            S.DECLINED,
            "cases.dispatch",
            forms.NoteForm,
            effect=decline,
        ),
        Move(
            "start",
            gettext_lazy("Start work"),
            (S.DISPATCHED,),
            S.IN_PROGRESS,
            "cases.handle",
            forms.CaseMoveForm,
            may=handler,
            style="danger",
        ),
        Move(
            "return",
            gettext_lazy("Return to dispatcher"),
            WORKING,
            S.RETURNED,
            "cases.handle",
            forms.NoteForm,
            may=handler,
        ),
        Move(
            "handle",
            gettext_lazy("Report as handled"),
            (S.IN_PROGRESS,),
            S.HANDLED,
            "cases.handle",
            forms.HandleForm,
            effect=handle,
            may=handler,
            style="danger",
        ),
        Move(
            "verify",
            gettext_lazy("Verified on site"),
            (S.HANDLED,),
            S.VERIFIED,
            "cases.verify",
            forms.PublishForm,
            effect=verify,
            style="danger",
        ),
        Move(
            "send_back",
            gettext_lazy("Send back to handler"),
            (S.HANDLED,),
            S.IN_PROGRESS,
            "cases.verify",
            forms.NoteForm,
            effect=send_back,
        ),
        Move(
            "rate",
            gettext_lazy("Rate the result"),
            (S.VERIFIED,),
            S.RATED,
            "cases.rate",
            forms.RateForm,
            effect=rate,
            may=reporter_or_staff,
            style="danger",
        ),
        Move(
            "close",
            gettext_lazy("Close"),
            (S.RATED, S.VERIFIED),
            S.CLOSED,
            "cases.dispatch",
            forms.PublishForm,
            effect=close,
            style="danger",
        ),
        Move(
            "reopen",
            gettext_lazy("Reopen"),
            (S.RATED,),
            S.ACCEPTED,
            "cases.dispatch",
            forms.NoteForm,
            guard=dissatisfied,
            effect=reopen,
        ),
        # 吹哨 · 交办 · 督办 · 反馈: the community calls in the sub-district, which assigns a department
        Move(
            "whistle",
            gettext_lazy("Blow the whistle to the sub-district"),
            (S.ACCEPTED, S.RETURNED, *WORKING),
            S.ESCALATED,
            "cases.whistle",
            forms.NoteForm,
            effect=whistle,
            style="warning",
        ),
        Move(
            "assign",
            gettext_lazy("Assign to a department"),
            (S.ESCALATED,),
            S.DISPATCHED,
            "cases.assign",
            forms.AssignForm,
            effect=assign,
            style="danger",
        ),
        Move(
            "supervise",
            gettext_lazy("Send a supervision reminder"),
            WORKING,
            None,
            "cases.assign",
            forms.CaseMoveForm,
            guard=assigned,
            effect=supervise,
            style="warning",
        ),
        Move(
            "feedback",
            gettext_lazy("Answer with feedback"),
            (*WORKING, S.HANDLED),
            None,
            "cases.handle",
            forms.NoteForm,
            guard=assigned,
            effect=feedback,
            may=handler,
        ),
        # 联合处置: co-handling organisations beside the lead, each giving feedback; only the lead handles
        Move(
            "co_handlers",
            gettext_lazy("Change co-handlers"),
            WORKING,
            None,
            "cases.dispatch",
            forms.CoHandlersForm,
            effect=co_handlers,
        ),
        Move(
            "co_feedback",
            gettext_lazy("Give co-handler feedback"),
            (*WORKING, S.HANDLED),
            None,
            "cases.handle",
            forms.CoFeedbackForm,
            effect=co_feedback,
            may=joint.co_handler,
            style="warning",
            versioned=False,
        ),
        # 缓办 / 延期: the clock stops while deferred; an approved extension moves the deadline
        Move(
            "defer",
            gettext_lazy("Defer (stop the clock)"),
            WORKING,
            None,
            "cases.dispatch",
            forms.NoteForm,
            guard=not_deferred,
            effect=defer,
        ),
        Move(
            "resume",
            gettext_lazy("Resume (restart the clock)"),
            WORKING,
            None,
            "cases.dispatch",
            forms.CaseMoveForm,
            guard=deferred,
            effect=resume,
        ),
        Move(
            "extend",
            gettext_lazy("Approve an extension"),
            WORKING,
            None,
            "cases.dispatch",
            forms.ExtendForm,
            effect=extend,
        ),
        # 议事中: a topic takes the request (its acceptance into the catalog) and gives it its outcome
        Move(
            "deliberate",
            gettext_lazy("Take into a topic"),
            (S.ACCEPTED, S.RETURNED, S.ESCALATED, *WORKING),
            S.DELIBERATING,
            "cases.dispatch",
            forms.NoteForm,
            effect=deliberate,
            offered=False,
        ),
        Move(
            "outcome",
            gettext_lazy("Receive the topic's outcome"),
            (S.DELIBERATING,),
            S.VERIFIED,
            "cases.dispatch",
            forms.OutcomeForm,
            effect=receive_outcome,
            offered=False,
        ),
        # offered from the similar-requests box, not as a button of its own
        Move(
            "merge",
            gettext_lazy("Merge"),
            (S.ACCEPTED, S.DISPATCHED),
            S.MERGED,
            "cases.dispatch",
            forms.MergeForm,
            effect=merge,
            offered=False,
        ),
    ],
    record=record,
    hidden_actor=hidden_actor,
    start=(S.ACCEPTED, "report 受理"),
    doc="workorders.md",
    messages={
        "conflict": gettext_lazy("Someone else changed this request a moment ago; here is its current state."),
        "state": gettext_lazy("“%(action)s” is not possible while the request is “%(state)s”."),
    },
)
