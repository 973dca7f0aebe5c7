"""The legal requirements of a procedure's steps (RULES.md R3, R4, R1), read by the topic's
lifecycle (workflow.TOPIC): steps in order, notice periods, hearings for major matters, the
figures of a meeting, a passed owners' vote.

R4.2 party members' meeting: ≥ 2/3 of members present; approval by at least half of the members
due to attend. R4.3 urban residents' meeting: more than half present; more than half of those
present approve. Integers only.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import tally
from .models import Ballot, Meeting, StepRule, Topic


def result(vote):
    """The tally of an owners' vote (tally.Result: the quorum's and the approval's figures)."""
    owners = dict(vote.electors.values_list("key", "area"))
    ballots = dict(Ballot.objects.filter(vote=vote).values_list("elector__key", "choice"))
    return tally.tally(vote.matter, owners, ballots)


def is_last(topic, step) -> bool:
    """Whether `step` is the last of the topic's procedure (completing it completes the topic)."""
    return not topic.procedure.steps.filter(order__gt=step.order).exists()


def next_step(topic):
    done = set(topic.records.values_list("step_id", flat=True))
    return next((s for s in topic.procedure.steps.all() if s.pk not in done), None)


def check_rule(rule, eligible, present, approving, owner_vote, topic=None):
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
    vote_missing = owner_vote is None or owner_vote.status != "closed" or not result(owner_vote).passed
    if rule == StepRule.OWNER_VOTE and vote_missing:
        errors["owner_vote"] = _("This step needs a closed owners' vote that passed.")
    elif rule == StepRule.OWNER_VOTE and topic is not None and owner_vote.topic_id != topic.pk:
        # opened for this topic: of its compound, on its matter, after its notice (actions.check_topic)
        errors["owner_vote"] = _("This step needs the owners' vote opened for this topic.")
    elif rule == StepRule.OWNER_VOTE and topic is not None and owner_vote.matter != topic.matter:
        errors["owner_vote"] = _("The vote decided another matter than the topic's.")
    if errors:
        raise ValidationError(errors)


def check_notice(topic, step):
    """The step before `step` has run its days (its lead_days: the notice of an owners' assembly
    15 days before the vote, R1.6; the notice of a consultation, R3.2)."""
    previous = topic.records.filter(step__order__lt=step.order).select_related("step").order_by("-step__order").first()
    if previous and previous.step.lead_days:
        ready = previous.completed_at + timezone.timedelta(days=previous.step.lead_days)
        if timezone.now() < ready:
            raise ValidationError(
                _("“%(prev)s” must come at least %(days)s days before this step: wait until %(date)s.")
                % {
                    "prev": previous.step.name,
                    "days": previous.step.lead_days,
                    "date": timezone.localtime(ready).strftime("%Y-%m-%d %H:%M"),
                }
            )


def check_timing(topic, step):
    """Notice periods and the hearing for major matters (RULES.md R1.6, R3.2, R3.3). The owners'
    vote step is timed when its vote opens (actions.check_topic), not when it is recorded."""
    if step.rule != StepRule.OWNER_VOTE:
        check_notice(topic, step)
    if step.needs_hearing_if_major and topic.scale == Topic.Scale.MAJOR:
        held = topic.meetings.filter(
            kind__in=(Meeting.Kind.HEARING, Meeting.Kind.CONSULTATION), closed_at__isnull=False
        )
        if not held.exists():
            raise ValidationError(_("A major matter needs a hearing or a consultation meeting held on it first."))
