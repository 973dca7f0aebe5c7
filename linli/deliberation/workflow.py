"""The lifecycles of deliberation's matters, declared on core.lifecycle: every move with its
states, permission, input form (forms.py), guard and effect. `perform()` is the only way a topic
or a vote moves (procedures.py and actions.py wrap it for callers that read the row themselves);
`available()` gives the buttons; docs/deliberation.md's diagrams and tables are generated from
these declarations (`linli docs-diagrams`).

Owners' votes: opened by `actions.open_vote` (the electorate frozen), ballots cast and corrected
while open (`actions.cast`, not a move: ballots do not change the vote), closed by a move.
Topics: raised by `procedures.raise_topic`, screened, taken through their procedure step by step
(steps.py holds the legal requirements), then evaluated and published. Meetings: convened by
`meetings.create_meeting`, their notice published, participants invited and signed in, opinions
and shows of hands recorded, then closed with conclusions, after which nothing changes. Co-signatures, action
items and evaluations add rows of their own and leave the topic's fields alone: they take no
version, so a resident's co-signature never turns a staff member's open page stale.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.cases import actions as case_actions
from linli.cases.models import State as CaseState
from linli.core.lifecycle import Lifecycle, Move, MoveForm
from linli.core.scope import has_perm
from linli.people.public_text import check_public_text
from linli.places.models import Grid

from . import forms, notices, steps
from .models import (
    ActionItem,
    CoSignature,
    Evaluation,
    HandVote,
    Invitation,
    Meeting,
    Opinion,
    OwnerVote,
    StepRecord,
    StepRule,
    Topic,
)

# --- owners' votes ---------------------------------------------------------------------------


def close(ctx):
    """Closed now: from then on no ballot is cast or corrected (R1.7: the record is kept)."""
    ctx.obj.closed_at = ctx.now


Status = OwnerVote.Status
OWNER_VOTE = Lifecycle(
    OwnerVote,
    [
        Move(
            "close",
            gettext_lazy("Close the vote"),
            (Status.OPEN,),
            Status.CLOSED,
            "votes.manage",
            effect=close,
            style="danger",
        )
    ],
    state_field="status",
    start=(Status.OPEN, "open 开始表决"),
    doc="deliberation.md",
    messages={
        "conflict": gettext_lazy("Someone else changed this vote a moment ago; here is its current state."),
        "state": gettext_lazy("The vote is closed already."),
    },
)

# --- topics: guards --------------------------------------------------------------------------


def _next_in_order(topic, data):
    """The next step, or the reason to refuse: the step the screen showed is not the next one."""
    step = steps.next_step(topic)
    if step is None or (data and data.get("step") and data["step"] != step.pk):
        return None, _("Steps are taken in order: the next step is “%(step)s”.") % {"step": step.name if step else "—"}
    return step, None


def not_last_step(topic, actor, data):
    """The step given is not the next one; the next one is the last (that is `finish`)."""
    step, reason = _next_in_order(topic, data)
    if reason is None and steps.is_last(topic, step):
        reason = _("This is the procedure's last step: completing it completes the topic.")
    return reason


def last_step(topic, actor, data):
    """The step given is not the next one; the next one is not the last."""
    step, reason = _next_in_order(topic, data)
    if reason is None and not steps.is_last(topic, step):
        reason = _("Steps are taken in order: the next step is “%(step)s”.") % {"step": step.name}
    return reason


VERIFIED = (CaseState.VERIFIED, CaseState.RATED, CaseState.CLOSED)


def items_verified(topic, actor, data):
    """The step given is not the next one; the next one is not the last; an action item's work
    order is not verified yet (the topic completes once every item is done and checked)."""
    reason = last_step(topic, actor, data)
    if reason is None:
        pending = topic.action_items.exclude(state__in=VERIFIED).order_by("id").first()
        if pending is not None:
            reason = _("The action item %(number)s is not verified yet: the topic completes once every item is.") % {
                "number": pending.number
            }
    return reason


def not_published(topic, actor, data):
    """The outcome is published already (a publication cannot be taken back)."""
    return _("The outcome is published already.") if topic.published_at else None


def not_proposer(topic, actor, data):
    """The actor proposed the topic, or supports it already."""
    if topic.proposer_id == actor.pk:
        return _("You proposed this topic.")
    if CoSignature.objects.filter(topic=topic, user=actor).exists():
        return _("You support this topic already.")
    return None


def evaluated_once(topic, actor, data):
    """The actor evaluated it already (staff record call-backs as often as they call)."""
    if has_perm(actor, "votes.manage") and (data is None or data.get("by_callback")):
        return None
    if Evaluation.objects.filter(topic=topic, author=actor, by_callback=False).exists():
        return _("You have evaluated this topic already.")
    return None


# --- topics: effects -------------------------------------------------------------------------


def accept(ctx):
    """Into the topic catalog (议题目录): its procedure starts, and its source requests still open
    are taken into it (议事中: their clocks stop, their reporters are told)."""
    topic = ctx.obj
    topic.decline_reason = ""
    if ctx.replaying:
        return
    movable = case_actions.LIFECYCLE["deliberate"].sources
    for case in topic.cases.filter(state__in=movable).order_by("id"):
        case_actions.transition(case.pk, "deliberate", actor=ctx.actor, version=case.version, note=topic.title)
        ctx.changes.setdefault("deliberating", [None, []])[1].append(case.number)


def deliver_outcome(ctx, text):
    """The outcome is on the board from now; the source requests in deliberation receive it as
    their result (their reporters are asked to rate it)."""
    topic = ctx.obj
    topic.outcome, topic.published_at = text, ctx.now
    if ctx.replaying:
        return
    for case in topic.cases.filter(state=CaseState.DELIBERATING).order_by("id"):
        case_actions.transition(case.pk, "outcome", actor=ctx.actor, version=case.version, note=text)


def decline(ctx):
    """The reason is kept for the proposer."""
    ctx.obj.decline_reason = ctx.data["reason"]


def complete_step(ctx):
    """A step record with its figures, once the step's timing and rule allow it (steps.py)."""
    topic, data = ctx.obj, ctx.data
    step = steps.next_step(topic)
    steps.check_timing(topic, step)
    steps.check_rule(step.rule, data["eligible"], data["present"], data["approving"], data["owner_vote"], topic)
    public = step.rule == StepRule.PUBLICATION
    if public:  # the record is the text on the community board
        check_public_text(topic.community, note=data["note"])
    StepRecord.objects.create(
        topic=topic,
        step=step,
        note=data["note"],
        eligible=data["eligible"],
        present=data["present"],
        approving=data["approving"],
        owner_vote=data["owner_vote"],
        completed_by=ctx.actor,
        completed_at=ctx.now,
        public=public,
    )
    ctx.changes["step"] = [None, str(step)]
    return step


def finish(ctx):
    """The last step's record (as `step`); the topic is complete. When that step is a publication
    (实施结果公开, 反馈结果, 公布表决结果) its text is the outcome, delivered to the source requests."""
    step = complete_step(ctx)
    if step.rule == StepRule.PUBLICATION:
        deliver_outcome(ctx, ctx.data["note"])


def add_action_item(ctx):
    """协商成果的落实: a row of the resolution (事项, 责任单位, 责任人, 措施, 时限) and its work order,
    born with the item's deadline and topic in the grid of the place it concerns, dispatched at once
    to the organisation, so progress, reminders, overdue notices and escalation follow."""
    topic, data = ctx.obj, ctx.data
    building, grid = data["building"], data["grid"]
    if building is not None:
        grid = building.grid
    elif grid is None:
        grids = Grid.objects.filter(community_id=topic.community_id)
        if topic.compound_id:
            grids = grids.filter(buildings__compound=topic.compound_id)
        grids = list(grids.distinct()[:2])
        if len(grids) != 1:
            raise ValidationError({"grid": _("Choose the building or the grid the item concerns.")})
        grid = grids[0]
    # the resolution table is on the community's public board (晒事), without the person responsible
    check_public_text(topic.community, matter=data["matter"], measure=data["measure"])
    case = case_actions.report_case(
        actor=ctx.actor,
        category=data["category"],
        grid=grid,
        compound=building.compound if building is not None else topic.compound,
        building=building,
        description=data["measure"],
        channel="resolution",
        resolve_by=data["deadline"],
        resolution_of=topic,
    )
    case_actions.transition(
        case.pk,
        "dispatch",
        actor=ctx.actor,
        version=case.version,
        assignee_org=data["organisation"],
        note=_("Action item of the topic “%(topic)s”: %(item)s") % {"topic": topic.title, "item": data["matter"]},
    )
    ActionItem.objects.create(
        topic=topic,
        meeting=data["meeting"],
        matter=data["matter"],
        responsible=data["responsible"],
        case=case,
        created_at=ctx.now,
        public_checked=True,  # matter and measure passed check_public_text above
    )
    ctx.changes["action_item"] = [None, f"{data['matter']} · {data['organisation']}: {data['measure'][:60]}"]


def cosign(ctx):
    """附议: the actor's co-signature."""
    CoSignature.objects.create(topic=ctx.obj, user=ctx.actor, created_at=ctx.now)
    ctx.changes["cosigned"] = [None, ctx.actor.pk]


def evaluate(ctx):
    """An evaluation (score and comment); a call-back only when staff record it."""
    by_callback = ctx.data["by_callback"] and has_perm(ctx.actor, "votes.manage")
    Evaluation.objects.create(
        topic=ctx.obj,
        score=ctx.data["score"],
        comment=ctx.data["comment"],
        by_callback=by_callback,
        author=ctx.actor,
        created_at=ctx.now,
    )
    ctx.changes["evaluation"] = [None, ctx.data["score"]]


def publish(ctx):
    """The outcome, once it holds no personal data (people.public_text), is on the board from now
    and delivered to the source requests (a procedure whose last step publishes did it then)."""
    topic = ctx.obj
    check_public_text(topic.community, title=topic.title, outcome=ctx.data["outcome"])
    deliver_outcome(ctx, ctx.data["outcome"])


T = Topic.Status
# A topic completes only once every item of its resolution is verified (`finish`): a done topic
# takes no new item, which would stand unverified on a completed topic.
LISTED = (T.ACCEPTED,)
TOPIC = Lifecycle(
    Topic,
    [
        Move(
            "accept",
            gettext_lazy("Accept into the topic catalog"),
            (T.PROPOSED,),
            T.ACCEPTED,
            "votes.manage",
            MoveForm,
            effect=accept,
            style="danger",
        ),
        Move(
            "decline",
            gettext_lazy("Decline"),
            (T.PROPOSED,),
            T.DECLINED,
            "votes.manage",
            forms.DeclineForm,
            effect=decline,
        ),
        Move(
            "cosign",
            gettext_lazy("Support (co-sign)"),
            (T.PROPOSED, T.ACCEPTED),
            None,
            "votes.propose",
            MoveForm,
            guard=not_proposer,
            effect=cosign,
            versioned=False,
        ),
        Move(
            "step",
            gettext_lazy("Complete this step"),
            (T.ACCEPTED,),
            None,
            "votes.manage",
            forms.StepForm,
            guard=not_last_step,
            effect=complete_step,
            style="danger",
        ),
        Move(
            "finish",
            gettext_lazy("Complete the last step"),
            (T.ACCEPTED,),
            T.DONE,
            "votes.manage",
            forms.StepForm,
            guard=items_verified,
            effect=finish,
            style="danger",
        ),
        Move(
            "action_item",
            gettext_lazy("Add an action item"),
            LISTED,
            None,
            "votes.manage",
            forms.ActionItemForm,
            effect=add_action_item,
            versioned=False,
        ),
        Move(
            "evaluate",
            gettext_lazy("Evaluate the outcome"),
            (T.DONE,),
            None,
            "votes.view",
            forms.EvaluateForm,
            guard=evaluated_once,
            effect=evaluate,
            versioned=False,
        ),
        Move(
            "publish",
            gettext_lazy("Publish"),
            (T.DONE,),
            None,
            "votes.manage",
            forms.OutcomeForm,
            guard=not_published,
            effect=publish,
            style="danger",
        ),
    ],
    state_field="status",
    start=(T.PROPOSED, "raise 提出议题"),
    doc="deliberation.md",
    messages={
        "conflict": gettext_lazy("Someone else changed this topic a moment ago; here is its current state."),
        "state": gettext_lazy("“%(action)s” is not possible while the topic is “%(state)s”."),
    },
)

# --- meetings --------------------------------------------------------------------------------


def before_the_meeting(meeting, actor, data):
    """The meeting has begun (a notice comes before it)."""
    if meeting.starts_at <= timezone.now():
        return _("A notice is published before the meeting.")
    return None


def someone_signed_in(meeting, actor, data):
    """Nobody signed in."""
    if not meeting.invitations.filter(signed_in_at__isnull=False).exists():
        return _("Nobody signed in: there is no meeting to close.")
    return None


def notice(ctx):
    """On the community's board from now, once its title and location hold no personal data."""
    meeting = ctx.obj
    check_public_text(meeting.community, title=meeting.title, location=meeting.location)
    meeting.notice_published_at = ctx.now


def invite(ctx):
    """An invitation (a person for a party, or an organisation, whose staff get its sign-in link)."""
    data = ctx.data
    invitation = Invitation.objects.create(
        meeting=ctx.obj, name=data["name"], party=data["party"], organisation=data["organisation"]
    )
    ctx.changes["invitation"] = [None, str(invitation)]
    notices.invited(ctx, invitation)


def mark_signed_in(invitation, now) -> bool:
    """The participant is present from `now` (once: a second sign-in changes nothing). The staff's
    move and the participant's own link (meetings.confirm_attendance) both write it here."""
    if invitation.signed_in_at:
        return False
    invitation.signed_in_at = now
    invitation.save(update_fields=["signed_in_at"])
    return True


def sign_in(ctx):
    """The participant is present from now."""
    invitation = ctx.data["invitation"]
    if mark_signed_in(invitation, ctx.now):
        ctx.changes["signed_in"] = [None, str(invitation)]


def opinion(ctx):
    """What the speaker said, in speaking order."""
    data = ctx.data
    created = Opinion.objects.create(
        meeting=ctx.obj,
        speaker=data["speaker"],
        topic=data["topic"],
        text=data["text"],
        mode=data["mode"],
        recorded_at=ctx.now,
    )
    ctx.changes["opinion"] = [None, f"{created.speaker}: {created.text[:40]}"]


def hands(ctx):
    """A show of hands among those signed in now: the counts add up to them."""
    meeting, data = ctx.obj, ctx.data
    present = meeting.invitations.filter(signed_in_at__isnull=False).count()
    yes, no, abstain = data["yes"], data["no"], data["abstain"]
    if yes + no + abstain != present:
        raise ValidationError(_("In favour, against and abstaining must add up to the %(n)s present.") % {"n": present})
    HandVote.objects.create(
        meeting=meeting,
        question=data["question"],
        rule=data["rule"],
        invited=meeting.invitations.count(),
        present=present,
        yes=yes,
        no=no,
        abstain=abstain,
        recorded_at=ctx.now,
    )
    ctx.changes["show_of_hands"] = [None, f"{data['question'][:40]}: {yes}/{no}/{abstain}"]


def close_meeting(ctx):
    """The conclusions are the minutes; from now on the record no longer changes."""
    ctx.obj.minutes, ctx.obj.closed_at = ctx.data["minutes"], ctx.now
    ctx.obj.chair, ctx.obj.recorder = ctx.data.get("chair", ""), ctx.data.get("recorder", "")


M = Meeting.Status
OPEN = (M.SCHEDULED, M.NOTICED)
MEETING = Lifecycle(
    Meeting,
    [
        Move(
            "notice",
            gettext_lazy("Publish the notice on the community board"),
            (M.SCHEDULED,),
            M.NOTICED,
            "votes.manage",
            MoveForm,
            guard=before_the_meeting,
            effect=notice,
            style="danger",
        ),
        Move(
            "invite",
            gettext_lazy("Invite"),
            OPEN,
            None,
            "votes.manage",
            forms.InviteForm,
            effect=invite,
            versioned=False,
        ),
        Move(
            "sign_in",
            gettext_lazy("Sign in"),
            OPEN,
            None,
            "votes.manage",
            forms.SignInForm,
            effect=sign_in,
            versioned=False,
        ),
        Move(
            "opinion",
            gettext_lazy("Record the opinion"),
            OPEN,
            None,
            "votes.manage",
            forms.OpinionForm,
            effect=opinion,
            versioned=False,
        ),
        Move(
            "hands",
            gettext_lazy("Record the show of hands"),
            OPEN,
            None,
            "votes.manage",
            forms.HandsForm,
            effect=hands,
            versioned=False,
        ),
        Move(
            "close",
            gettext_lazy("Close the meeting with these conclusions"),
            OPEN,
            M.CLOSED,
            "votes.manage",
            forms.CloseForm,
            guard=someone_signed_in,
            effect=close_meeting,
            style="danger",
        ),
    ],
    state_field="status",
    start=(M.SCHEDULED, "convene 召集"),
    doc="deliberation.md",
    messages={
        "conflict": gettext_lazy("Someone else changed this meeting a moment ago; here is its current state."),
        "state": gettext_lazy("“%(action)s” is not possible while the meeting is “%(state)s”."),
    },
)
