"""Completing a topic's steps in order, with each step's legal requirement (RULES.md R3, R4, R1).

R4.2 party members' meeting: ≥ 2/3 of members present; approval by at least half of the members
due to attend. R4.3 urban residents' meeting: more than half present; more than half of those
present approve. Integers only.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.models import AuditLog
from linli.people.public_text import check_public_text

from . import actions
from .models import StepRecord, StepRule, Topic


def next_step(topic):
    done = set(topic.records.values_list("step_id", flat=True))
    return next((s for s in topic.procedure.steps.all() if s.pk not in done), None)


def check_rule(rule, eligible, present, approving, owner_vote):
    errors = {}
    if rule in (StepRule.PARTY_MEETING, StepRule.RESIDENTS_MEETING):
        if not eligible or present is None or approving is None:
            raise ValidationError(_("Enter how many were due to attend, were present and approved."))
        if present > eligible or approving > present:
            raise ValidationError(_("Present cannot exceed those due to attend, nor approving those present."))
        if rule == StepRule.PARTY_MEETING:
            if 3 * present < 2 * eligible:
                errors["present"] = _("Fewer than two thirds of the members are present.")
            elif 2 * approving < eligible:
                errors["approving"] = _("Fewer than half of the members due to attend approve.")
        else:
            if 2 * present <= eligible:
                errors["present"] = _("Not more than half of those eligible are present.")
            elif 2 * approving <= present:
                errors["approving"] = _("Not more than half of those present approve.")
    vote_missing = owner_vote is None or owner_vote.status != "closed" or not actions.result(owner_vote).passed
    if rule == StepRule.OWNER_VOTE and vote_missing:
        errors["owner_vote"] = _("This step needs a closed owners' vote that passed.")
    if errors:
        raise ValidationError(errors)


def check_timing(topic, step):
    """Notice periods and the hearing for major matters (RULES.md R1.6, R3.2, R3.3)."""
    from django.utils import timezone

    previous = topic.records.filter(step__order__lt=step.order).select_related("step").order_by("-step__order").first()
    if previous and previous.step.lead_days:
        ready = previous.completed_at + timezone.timedelta(days=previous.step.lead_days)
        if timezone.now() < ready:
            raise ValidationError(_("“%(prev)s” must come at least %(days)s days before this step: wait until %(date)s.") % {
                "prev": previous.step.name, "days": previous.step.lead_days, "date": timezone.localtime(ready).strftime("%Y-%m-%d %H:%M")})
    if step.needs_hearing_if_major and topic.scale == Topic.Scale.MAJOR:
        from .models import Meeting

        held = topic.meetings.filter(kind__in=(Meeting.Kind.HEARING, Meeting.Kind.CONSULTATION), closed_at__isnull=False)
        if not held.exists():
            raise ValidationError(_("A major matter needs a hearing or a consultation meeting held on it first."))


@transaction.atomic
def complete_step(topic_id, step_id, *, actor, note, eligible=None, present=None, approving=None, owner_vote=None):
    topic = Topic.objects.select_for_update().get(pk=topic_id)
    if topic.status != Topic.Status.ACCEPTED:
        raise ValidationError(_("Only a topic in the catalog moves through its procedure."))
    step = next_step(topic)
    if step is None or step.pk != step_id:
        raise ValidationError(_("Steps are taken in order: the next step is “%(step)s”.") % {"step": step.name if step else "—"})
    if not note.strip():
        raise ValidationError({"note": _("Write what was done or decided.")})
    check_timing(topic, step)
    check_rule(step.rule, eligible, present, approving, owner_vote)
    record = StepRecord(topic=topic, step=step, note=note, eligible=eligible, present=present, approving=approving,
                        owner_vote=owner_vote, completed_by=actor)
    # counts from 0 up to what the column holds (a rule of its own checks only meetings' counts)
    record.full_clean(exclude=["topic", "step", "owner_vote", "completed_by"])
    record.save()
    audit.record(actor, AuditLog.Action.UPDATE, topic, {"step": [None, str(step)]})
    if next_step(topic) is None:
        topic.status = Topic.Status.DONE
        topic.save(update_fields=["status"])
    return record


@transaction.atomic
def screen(topic, *, actor, accept, reason=""):
    """Accept a proposed topic into the catalog or decline it. The status is read under the
    row's lock, not from `topic` as the caller read it: of two people screening at once, the
    second is refused. `topic` is brought up to date."""
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    if locked.status != Topic.Status.PROPOSED:
        raise ValidationError(_("Only a proposed topic is screened."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Tell the proposer why.")})
    before = locked.status
    locked.status = Topic.Status.ACCEPTED if accept else Topic.Status.DECLINED
    locked.decline_reason = "" if accept else reason
    locked.save(update_fields=["status", "decline_reason"])
    audit.record(actor, AuditLog.Action.UPDATE, locked, {"status": [before, locked.status]})
    topic.status, topic.decline_reason = locked.status, locked.decline_reason


@transaction.atomic
def raise_topic(*, actor, title, community, procedure, description="", compound=None, scale="minor", cases=()):
    topic = Topic(title=title, description=description, community=community, subdistrict_id=community.subdistrict_id,
                  compound=compound, scale=scale, procedure=procedure, proposer=actor)
    topic.full_clean(exclude=["subdistrict"])
    # every resident of the community reads the title and description; the title goes on the board
    check_public_text(community, title=title, description=description)
    topic.save()
    topic.cases.set(cases)
    audit.record(actor, AuditLog.Action.CREATE, topic, {"title": [None, title], "cases": [None, len(cases)]})
    return topic


@transaction.atomic
def add_action_item(topic, *, actor, organisation, measure, deadline, category):
    """协商成果的落实: an action item — responsible organisation, measure, deadline — becomes a work
    order dispatched at once, so progress, reminders, overdue notices and escalation follow."""
    from django.utils import timezone

    from linli.cases import actions as case_actions
    from linli.places.models import Grid

    if topic.status not in (Topic.Status.ACCEPTED, Topic.Status.DONE):
        raise ValidationError(_("Only a topic in the catalog has action items."))
    if deadline is None or deadline <= timezone.now():
        raise ValidationError({"deadline": _("Give a deadline in the future.")})
    if not measure.strip():
        raise ValidationError({"measure": _("Describe the measure.")})
    grid = (Grid.objects.filter(buildings__compound=topic.compound).first() if topic.compound_id else None) or topic.community.grids.first()
    # born with the item's deadline and its topic: nothing but the lifecycle changes them later
    case = case_actions.report_case(actor=actor, category=category, grid=grid, compound=topic.compound, description=measure.strip(),
                                    channel="resolution", resolve_by=deadline, resolution_of=topic)
    case = case_actions.transition(case.pk, "dispatch", actor=actor, version=case.version, assignee_org=organisation,
                                   note=_("Action item of the topic “%(topic)s”") % {"topic": topic.title})
    audit.record(actor, AuditLog.Action.UPDATE, topic, {"action_item": [None, f"{organisation}: {measure[:60]}"]})
    return case


@transaction.atomic
def evaluate(topic, *, actor, score, comment="", by_callback=False):
    from .models import Evaluation

    if topic.status != Topic.Status.DONE:
        raise ValidationError(_("A topic is evaluated once its procedure is complete."))
    if score not in range(1, 6):
        raise ValidationError({"score": _("Give a score from 1 to 5.")})
    if not by_callback and Evaluation.objects.filter(topic=topic, author=actor, by_callback=False).exists():
        raise ValidationError(_("You have evaluated this topic already."))
    return Evaluation.objects.create(topic=topic, score=score, comment=comment[:300], by_callback=by_callback, author=actor)


@transaction.atomic
def publish_outcome(topic, *, actor, outcome):
    from django.utils import timezone

    if topic.status != Topic.Status.DONE:
        raise ValidationError(_("The outcome is published once the procedure is complete."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe what was decided and done.")})
    check_public_text(topic.community, title=topic.title, outcome=outcome.strip())
    topic.outcome, topic.published_at = outcome.strip(), timezone.now()
    topic.save(update_fields=["outcome", "published_at"])
    audit.record(actor, AuditLog.Action.UPDATE, topic, {"published": [None, str(topic.published_at)]})


@transaction.atomic
def cosign(topic, *, user):
    from .models import CoSignature

    if topic.status not in (Topic.Status.PROPOSED, Topic.Status.ACCEPTED):
        raise ValidationError(_("Only a proposed or catalogued topic can be supported."))
    if topic.proposer_id == user.pk:
        raise ValidationError(_("You proposed this topic."))
    CoSignature.objects.get_or_create(topic=topic, user=user)


def timeline(topic, *, cases=None, evaluations=None):
    """The whole story as one list of (time, kind, text, url), oldest first: source requests, the
    topic, meetings, steps, votes, action items, evaluations and the publication. A page passes the
    source requests and evaluations its reader may see (`shown_comment` on an evaluation hides
    a comment the reader may not read); by default, all."""
    cases = topic.cases.select_related("category") if cases is None else cases
    entries = [(c.created_at, _("Request"), f"{c.number} {c.category.name}", c.get_absolute_url()) for c in cases]
    entries.append((topic.created_at, _("Topic raised"), topic.title, ""))
    for m in topic.meetings.all():
        if m.notice_published_at:
            entries.append((m.notice_published_at, _("Notice published"), m.title, m.get_absolute_url()))
        if m.closed_at:
            entries.append((m.closed_at, _("Meeting held"), m.title, m.get_absolute_url()))
    for r in topic.records.select_related("step", "owner_vote"):
        entries.append((r.completed_at, _("Step completed"), r.step.name, r.owner_vote.get_absolute_url() if r.owner_vote_id else ""))
    for c in topic.action_items.select_related("assignee_org"):
        entries.append((c.created_at, _("Action item"), f"{c.assignee_org}：{c.description}（{c.get_state_display()}）", c.get_absolute_url()))
    for e in topic.evaluations.all() if evaluations is None else evaluations:
        entries.append((e.created_at, _("Evaluation"), f"{e.score}/5 {getattr(e, 'shown_comment', e.comment)}".strip(), ""))
    if topic.published_at:
        entries.append((topic.published_at, _("Outcome published"), topic.outcome[:60], ""))
    return sorted(entries, key=lambda x: x[0])


@transaction.atomic
def add_procedure(*, actor, name, description=""):
    """A new procedure (administrators), built from the step rules; audited."""
    from .models import Procedure

    proc = Procedure(name=name, description=description)
    proc.full_clean()  # a name longer than the column: the message, not PostgreSQL's error
    proc.save()
    audit.record(actor, AuditLog.Action.CREATE, proc, {"name": [None, proc.name]})
    return proc


@transaction.atomic
def add_step(procedure, *, actor, name, rule, lead_days=0, needs_hearing_if_major=False):
    """One more step at the end of `procedure`, as long as no topic follows it yet; audited."""
    from django.db.models import Max

    from .models import Procedure, ProcedureStep

    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.topics.exists():
        raise ValidationError(_("Topics already follow this procedure: its steps no longer change."))
    order = (procedure.steps.aggregate(m=Max("order"))["m"] or 0) + 1
    step = ProcedureStep.objects.create(procedure=procedure, order=order, name=name, rule=rule, lead_days=lead_days,
                                        needs_hearing_if_major=needs_hearing_if_major)
    audit.record(actor, AuditLog.Action.UPDATE, procedure, {"step": [None, name]})
    return step
