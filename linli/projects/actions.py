"""Writes of the three lists: every one audited (core.actions) and atomic; the moves of a need, a
resource or a project go through their lifecycles (workflow.py).

A need's and a resource's texts are read by partners' staff, and a project's by the public once
delivered: each passes the personal-data check (people.public_text) when it is written."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.cases.models import Case
from linli.core import audit, notify
from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.core.scope import has_perm
from linli.deliberation import procedures
from linli.deliberation.models import Topic
from linli.orgs.models import Kind, Organisation
from linli.people.public_text import check_public_text
from linli.places.models import Community

from .models import Funding, Need, Project, Resource
from .workflow import community_staff

# the joint meeting's action item falls due at the end of the project's last day
DUE_AT = dt.time(18, 0)


def _community(actor, community):
    if not has_perm(actor, "projects.change"):
        raise PermissionDenied
    if not Community.objects.restrict(actor, "change", domain="projects").filter(pk=community.pk).exists():
        raise ValidationError({"community": _("This community is outside your scope.")})


def _cases(actor, community, numbers):
    """The requests named by number that `actor` sees in `community`; a number not found is a
    field error (whether it exists elsewhere is not told)."""
    found = []
    for number in numbers:
        day, _sep, pk = number.partition("-")
        case = None
        if pk.isdigit() and day.isdigit():
            case = Case.objects.restrict(actor).filter(pk=int(pk), community=community).first()
        if case is None or case.number != number:
            raise ValidationError({"case_numbers": _("No request %(number)s in this community.") % {"number": number}})
        found.append(case)
    return found


@transaction.atomic
def create_need(
    *,
    actor,
    community,
    title,
    heading,
    beneficiaries,
    people_count,
    source=Need.Source.STAFF,
    description="",
    compound=None,
    grid=None,
    case_numbers=(),
    cases=(),
    topic=None,
    topics=(),
):
    """需求: entered by staff, or collected from requests (`case_numbers` or `cases`) and topics
    of the community. Its texts are read by the paired partners' staff: no resident's name,
    house or phone (people.public_text)."""
    _community(actor, community)
    cases = list(cases) + _cases(actor, community, case_numbers)
    topics = list(topics) + ([topic] if topic else [])
    for t in topics:
        if t.community_id != community.pk or not Topic.objects.restrict(actor).filter(pk=t.pk).exists():
            raise ValidationError({"topic": _("Choose a topic of the community.")})
    check_public_text(community, title=title, description=description, beneficiaries=beneficiaries)
    if source == Need.Source.STAFF and (cases or topics):
        source = Need.Source.REQUEST if cases else Need.Source.TOPIC
    return create_object(
        Need,
        actor=actor,
        m2m={"cases": cases, "topics": topics},
        community=community,
        compound=compound,
        grid=grid,
        title=title,
        heading=heading,
        description=description,
        beneficiaries=beneficiaries,
        people_count=people_count,
        source=source,
        created_by=actor,
    )


@transaction.atomic
def offer_resource(*, actor, partner=None, community=None, compound=None, grid=None, amount_fen=None, **fields):
    """资源: a partner's staff offer for their organisation (to its paired community); a
    community's staff enter a paired partner's offer or the residents' talent pool (no partner).
    The community's staff are told of a partner's offer."""
    if not has_perm(actor, "projects.offer"):
        raise PermissionDenied
    if partner is not None:
        mine = Organisation.objects.restrict(actor, "offer", domain="projects").filter(kind=Kind.PARTNER)
        if not mine.filter(pk=partner.pk).exists():
            raise ValidationError({"partner": _("This partner is outside your scope.")})
        if partner.community_id is None:
            raise ValidationError({"partner": _("The partner is paired with no community.")})
        if community is not None and community.pk != partner.community_id:
            raise ValidationError({"community": _("A partner offers to the community it is paired with.")})
        community = partner.community
    elif community is None:
        raise ValidationError({"partner": _("Choose the partner that offers it.")})
    else:
        _community(actor, community)
    check_public_text(
        community, title=fields.get("title", ""), description=fields.get("description", ""),
        conditions=fields.get("conditions", ""),
    )  # fmt: skip
    resource = create_object(
        Resource,
        actor=actor,
        partner=partner,
        community=community,
        compound=compound,
        grid=grid,
        amount_fen=amount_fen,
        offered_by=actor,
        **fields,
    )
    if partner is not None:
        users = community_staff(community.pk)
        text = gettext("%(partner)s offers a resource: %(title)s") % {"partner": partner.name, "title": resource.title}
        url = resource.get_absolute_url()
        transaction.on_commit(lambda: notify.send(users, text, url))
    return resource


@transaction.atomic
def create_project(
    *,
    actor,
    community,
    title,
    heading,
    owner_org,
    owner_name,
    starts_on,
    ends_on,
    needs=(),
    resources=(),
    partner=None,
    description="",
    compound=None,
    grid=None,
    funding=(),
    meeting=None,
    topic=None,
    category=None,
    programme=Project.Programme.COBUILDING,
):
    """项目: open needs and offered resources of one community taken up by a project (needs →
    planned, resources → in use), with its budget rows (source, fen). Resolved at a 党建联席会议
    (`meeting`, with a `topic` of its agenda and a work-order `category`) it is also a row of the
    meeting's resolution: a deliberation ActionItem whose work order is dispatched to the owner
    organisation with the project's deadline (deliberation.procedures.add_action_item).

    A 民生实事 (`programme` livelihood) starts as applied for (问需·申报): its budget rows are the
    amounts applied for, which the sub-district approves (立项, workflow.py)."""
    _community(actor, community)
    livelihood = programme == Project.Programme.LIVELIHOOD
    if livelihood and meeting is not None:
        raise ValidationError({"programme": _("A joint meeting resolves co-building projects.")})
    # read again and locked: two projects taking the same need at once, or a need just withdrawn
    needs = list(Need.objects.select_for_update().filter(pk__in=[n.pk for n in needs]).order_by("pk"))
    resources = list(Resource.objects.select_for_update().filter(pk__in=[r.pk for r in resources]).order_by("pk"))
    errors = {}
    if any(n.community_id != community.pk or n.state != Need.State.OPEN for n in needs):
        errors["needs"] = _("Choose open needs of the community.")
    if any(r.community_id != community.pk or r.state != Resource.State.OFFERED for r in resources):
        errors["resources"] = _("Choose offered resources of the community.")
    if owner_org.subdistrict_id != community.subdistrict_id:
        errors["owner_org"] = _("Choose an organisation of the community's sub-district.")
    if partner is not None and partner.community_id != community.pk:
        errors["partner"] = _("Choose a partner paired with the community.")
    if partner is None:
        credited = {r.partner for r in resources if r.partner_id}
        partner = credited.pop() if len(credited) == 1 else None
    if errors:
        raise ValidationError(errors)
    project = create_object(
        Project,
        actor=actor,
        m2m={"needs": needs, "resources": resources},
        community=community,
        compound=compound,
        grid=grid,
        title=title,
        heading=heading,
        description=description,
        partner=partner,
        owner_org=owner_org,
        owner_name=owner_name,
        starts_on=starts_on,
        ends_on=ends_on,
        meeting=meeting,
        programme=programme,
        state=Project.State.PROPOSED if livelihood else Project.State.PLANNED,
        created_by=actor,
    )
    for source, amount_fen in funding:
        add_funding(actor=actor, project=project, source=source, amount_fen=amount_fen)
    for rows, state in ((needs, Need.State.PLANNED), (resources, Resource.State.IN_USE)):
        for row in rows:
            before = row.state
            type(row).objects.filter(pk=row.pk).update(state=state, version=row.version + 1)
            audit.record(actor, AuditLog.Action.UPDATE, row, {"state": [before, state], "project": [None, project.pk]})
    if meeting is not None:
        _resolve(actor, project, meeting, topic, category)
    return project


def _resolve(actor, project, meeting, topic, category):
    """The project as a row of the joint meeting's resolution (事项, 责任单位, 责任人, 措施, 时限)."""
    if topic is None or not meeting.topics.filter(pk=topic.pk).exists():
        raise ValidationError({"topic": _("Choose a topic of the meeting's agenda.")})
    if category is None:
        raise ValidationError({"category": _("Choose the category of the work order.")})
    deadline = timezone.make_aware(dt.datetime.combine(project.ends_on, DUE_AT))
    if deadline <= timezone.now():
        raise ValidationError({"ends_on": _("Give a deadline in the future.")})
    procedures.add_action_item(
        topic,
        actor=actor,
        organisation=project.owner_org,
        measure=project.description or project.title,
        deadline=deadline,
        category=category,
        matter=project.title[:120],
        responsible=project.owner_name,
        grid=project.grid,
        meeting=meeting,
    )
    item = topic.items.order_by("-id").first()
    Project.objects.filter(pk=project.pk).update(action_item=item)
    project.action_item = item
    audit.record(actor, AuditLog.Action.UPDATE, project, {"action_item": [None, item.pk]})


@transaction.atomic
def add_funding(*, actor, project, source, amount_fen, note=""):
    """A row of the budget (source, amount in fen), while the project is not delivered or
    cancelled; of a 民生实事, while it is applied for (once approved, a further amount is approved
    by the sub-district: the move `extend`, 追加)."""
    if not project.allows(actor, "change"):
        raise PermissionDenied
    if project.livelihood and project.state != Project.State.PROPOSED:
        raise ValidationError(_("The budget was approved: a further amount is approved by the sub-district (追加)."))
    if project.state not in (Project.State.PROPOSED, Project.State.PLANNED, Project.State.IN_PROGRESS):
        raise ValidationError(_("The budget of a delivered or cancelled project is closed."))
    return create_object(Funding, actor=actor, project=project, source=source, amount_fen=amount_fen, note=note)
