"""Topics: raising one, and the moves of its lifecycle (workflow.TOPIC) for callers that read the
topic themselves — the demo, the benchmark, tests; the screens and the API call `TOPIC.perform`
with the version their user saw. The legal requirements of each step are in steps.py.
Also the procedures themselves, which administrators build from the step rules.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.models import AuditLog
from linli.people.public_text import check_public_text

from .models import ActionItem, Evaluation, Procedure, ProcedureStep, StepRule, Topic, reads_as_resident
from .steps import is_last, next_step
from .workflow import TOPIC


def _move(topic, move, /, *, actor, version=None, **data):
    """Perform the move `move` on `topic` as `actor` saw it (`version`; by default the version
    of `topic` as the caller read it), and bring `topic` up to date."""
    if not TOPIC[move].versioned:
        version = None
    elif version is None:
        version = topic.version
    moved = TOPIC.perform(topic.pk, move, actor=actor, version=version, data=data)
    for f in Topic._meta.concrete_fields:
        setattr(topic, f.attname, getattr(moved, f.attname))
    return moved


def complete_step(topic_id, step_id, *, actor, note, eligible=None, present=None, approving=None, owner_vote=None):
    """Complete the step `step_id`, which must be the next one (the move `step`, or `finish` for
    the last): for callers that show the topic to nobody, so the topic's current version."""
    topic = Topic.objects.get(pk=topic_id)
    step = next_step(topic)
    name = "finish" if step is not None and step.pk == step_id and is_last(topic, step) else "step"
    _move(
        topic,
        name,
        actor=actor,
        step=step_id,
        note=note,
        eligible=eligible,
        present=present,
        approving=approving,
        owner_vote=owner_vote,
    )
    return topic.records.get(step_id=step_id)


def screen(topic, *, actor, accept, reason=""):
    """Accept a proposed topic into the catalog or decline it (moves `accept`, `decline`): of two
    people screening the same version at once, the second gets a Conflict."""
    _move(topic, "accept" if accept else "decline", actor=actor, reason=reason)


@transaction.atomic
def raise_topic(
    *, actor, title, community, procedure, description="", compound=None, scale="minor", matter=None, cases=()
):
    """A proposed topic, from its source requests (taken into deliberation when it is accepted).
    A procedure with an owners' vote names the art. 278 matter the owners decide."""
    if matter is None and procedure.steps.filter(rule=StepRule.OWNER_VOTE).exists():
        raise ValidationError({"matter": _("Choose the matter the owners vote on.")})
    topic = Topic(
        title=title,
        description=description,
        community=community,
        subdistrict_id=community.subdistrict_id,
        compound=compound,
        scale=scale,
        matter=matter,
        procedure=procedure,
        proposer=actor,
    )
    topic.full_clean(exclude=["subdistrict"])
    # every resident of the community reads the title and description; the title goes on the board
    check_public_text(community, title=title, description=description)
    topic.save()
    topic.cases.set(cases)
    audit.record(actor, AuditLog.Action.CREATE, topic, {"title": [None, title], "cases": [None, len(cases)]})
    return topic


def add_action_item(
    topic,
    *,
    actor,
    organisation,
    measure,
    deadline,
    category,
    matter="",
    responsible="",
    building=None,
    grid=None,
    meeting=None,
):
    """A row of the resolution (move `action_item`): the work order it became. `matter` (事项)
    defaults to the measure's beginning, `responsible` (责任人) to the organisation's name."""
    _move(
        topic,
        "action_item",
        actor=actor,
        matter=matter or measure[:120],
        organisation=organisation,
        responsible=responsible or str(organisation)[:50],
        measure=measure,
        deadline=deadline,
        category=category,
        building=building,
        grid=grid,
        meeting=meeting,
    )
    return ActionItem.objects.filter(topic=topic).order_by("-id").first().case


def evaluate(topic, *, actor, score, comment="", by_callback=False):
    """An evaluation of a completed topic (move `evaluate`)."""
    _move(topic, "evaluate", actor=actor, score=score, comment=comment, by_callback=by_callback)
    return Evaluation.objects.filter(topic=topic, author=actor).order_by("-id").first()


def publish_outcome(topic, *, actor, outcome):
    """The outcome on the community board (move `publish`)."""
    _move(topic, "publish", actor=actor, outcome=outcome)


def cosign(topic, *, user):
    """A resident supports the topic (move `cosign`)."""
    _move(topic, "cosign", actor=user)


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
        entries.append(
            (
                r.completed_at,
                _("Published") if r.public else _("Step completed"),
                f"{r.step.name}：{r.note[:60]}" if r.public else r.step.name,  # a publication's text is public
                r.owner_vote.get_absolute_url() if r.owner_vote_id else "",
            )
        )
    for c in topic.action_items.select_related("assignee_org"):
        entries.append(
            (
                c.created_at,
                _("Action item"),
                f"{c.assignee_org}：{c.description}（{c.get_state_display()}）",
                c.get_absolute_url(),
            )
        )
    for e in topic.evaluations.all() if evaluations is None else evaluations:
        entries.append(
            (e.created_at, _("Evaluation"), f"{e.score}/5 {getattr(e, 'shown_comment', e.comment)}".strip(), "")
        )
    if topic.published_at and not topic.records.filter(public=True, completed_at=topic.published_at).exists():
        entries.append((topic.published_at, _("Outcome published"), topic.outcome[:60], ""))
    return sorted(entries, key=lambda x: x[0])


def readers_view(topic, user, *, readable=True):
    """What `user` may read of the topic's people: the source requests in their scope (a resident:
    their own household's) and the evaluations, each with `shown_comment` (a resident reads only
    their own comment: never a neighbour's words; nor does a reader who may not open the topic,
    such as a handler who sees it on a request's page: `readable` False)."""
    cases = list(topic.cases.restrict(user, "view").select_related("category"))
    resident = reads_as_resident(user) or not readable
    evaluations = list(topic.evaluations.all())
    for e in evaluations:
        e.shown_comment = e.comment if not resident or e.author_id == user.pk else ""
    return cases, evaluations


def readers_timeline(topic, user, *, readable=True):
    """The topic's timeline as `user` may read it (the request page's panel)."""
    cases, evaluations = readers_view(topic, user, readable=readable)
    return timeline(topic, cases=cases, evaluations=evaluations)


@transaction.atomic
def add_procedure(*, actor, name, description=""):
    """A new procedure (administrators), built from the step rules; audited."""

    proc = Procedure(name=name, description=description)
    proc.full_clean()  # a name longer than the column: the message, not PostgreSQL's error
    proc.save()
    audit.record(actor, AuditLog.Action.CREATE, proc, {"name": [None, proc.name]})
    return proc


@transaction.atomic
def add_step(procedure, *, actor, name, rule, lead_days=0, needs_hearing_if_major=False):
    """One more step at the end of `procedure`, as long as no topic follows it yet; audited."""

    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.topics.exists():
        raise ValidationError(_("Topics already follow this procedure: its steps no longer change."))
    order = (procedure.steps.aggregate(m=Max("order"))["m"] or 0) + 1
    step = ProcedureStep.objects.create(
        procedure=procedure,
        order=order,
        name=name,
        rule=rule,
        lead_days=lead_days,
        needs_hearing_if_major=needs_hearing_if_major,
    )
    audit.record(actor, AuditLog.Action.UPDATE, procedure, {"step": [None, name]})
    return step
