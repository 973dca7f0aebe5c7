"""Opening an owners' vote (freezing its electorate), casting and correcting ballots, closing."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.masking import mask_name
from linli.core.models import AuditLog
from linli.people.models import Household, Ownership, Person, Relation, Tenure
from linli.people.public_text import check_public_text
from linli.places.models import House

from . import notices, steps, tally
from .models import Ballot, Consent, ConsentCampaign, Elector, OwnerVote, StepRule
from .steps import result  # noqa: F401 (read as actions.result by the vote page, the API, the benchmark)
from .workflow import OWNER_VOTE


def electorate(compound, buildings=(), unit=None):
    """{owner key: (label, area in hundredths, [house ids])} for the houses concerned (R1.4, R1.5)."""
    houses = House.objects.filter(compound=compound).select_related("unit__building")
    if unit is not None:
        houses = houses.filter(unit=unit)
    elif buildings:
        houses = houses.filter(building__in=buildings)
    owners_of = {}
    # registered owners first: co-owners of one house vote once; one owner of several houses is one key
    registered = defaultdict(list)
    for o in Ownership.objects.filter(house__in=houses).select_related("person").order_by("id"):
        registered[o.house_id].append(o)
    for house_id, owners in registered.items():
        owners.sort(key=lambda o: o.owner_key)
        owners_of[house_id] = ("p:" + "+".join(o.owner_key for o in owners), "、".join(o.owner_label for o in owners))
    # otherwise the head of the owner-occupier household
    for hh in (
        Household.objects.filter(house__in=houses, tenure=Tenure.OWNER)
        .exclude(house_id__in=list(registered))
        .prefetch_related("members")
        .order_by("id")
    ):
        head = next((m for m in hh.members.all() if m.relation == Relation.HEAD), None) or next(
            iter(hh.members.all()), None
        )
        if head and hh.house_id not in owners_of:
            owners_of[hh.house_id] = (f"p:{head.id_number_hash}", mask_name(head.name))
    by_owner = defaultdict(lambda: ["", 0, []])
    for house in houses:
        if house.developer_owned:
            key, name = "developer", _("Developer (unsold houses)")
        elif house.pk in owners_of:
            key, name = owners_of[house.pk]
        else:
            key, name = f"house:{house.pk}", _("Owner not registered")
        entry = by_owner[key]
        entry[0] = name
        entry[1] += tally.hundredths(house.area)
        entry[2].append(house.pk)
    return {k: (label, area, ids) for k, (label, area, ids) in by_owner.items()}


def check_topic(topic, compound, matter):
    """A vote opened as a topic's 业主表决 step: the topic is of this compound and decides this
    matter, its next step is the owners' vote, and the notice before it has run its days when the
    vote OPENS (R1.6: notice of an owners' assembly ≥ 15 days before it; the step's lead_days)."""
    if topic.compound_id != compound.pk:
        raise ValidationError({"topic": _("The topic concerns another compound.")})
    if topic.matter != matter:
        raise ValidationError(
            {
                "matter": _("The topic's owners decide another matter: %(matter)s.")
                % {"matter": topic.get_matter_display() or "—"}
            }
        )
    step = steps.next_step(topic)
    if step is None or step.rule != StepRule.OWNER_VOTE:
        raise ValidationError({"topic": _("The topic is not at its owners' vote step.")})
    try:
        steps.check_notice(topic, step)
    except ValidationError as exc:
        raise ValidationError({"topic": exc.messages}) from None


def house_names(electors):
    """Each elector's houses by name (1号楼1单元101), for the page of electors shown: which houses and
    area each owner holds (one query)."""
    electors = list(electors)
    ids = {i for e in electors for i in e.houses}
    names = {
        h.pk: f"{h.unit.building.name}{h.unit.name}{h.number}"
        for h in House.objects.filter(pk__in=ids).select_related("unit__building")
    }
    for e in electors:
        e.house_names = [names[i] for i in e.houses if i in names]
    return electors


@transaction.atomic
def open_vote(*, actor, title, matter, compound, closes_at, buildings=(), unit=None, topic=None):
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The vote must close in the future.")})
    if unit is not None and unit.compound_id != compound.pk:
        raise ValidationError({"unit": _("The unit is not in this compound.")})
    if any(b.compound_id != compound.pk for b in buildings):
        raise ValidationError({"buildings": _("The buildings are not in this compound.")})
    if topic is not None:
        check_topic(topic, compound, matter)
    check_public_text(compound.community, title=title)  # the title is on the community's board
    owners = electorate(compound, buildings, unit)
    if not owners:
        raise ValidationError(_("There are no houses in this scope."))
    vote = OwnerVote.objects.create(
        title=title,
        title_checked=True,
        matter=matter,
        compound=compound,
        unit=unit,
        topic=topic,
        closes_at=closes_at,
        created_by=actor,
        community_id=compound.community_id,
        subdistrict_id=compound.subdistrict_id,
    )
    vote.buildings.set(buildings)
    houses_label = {
        h.pk: f"{h.unit.building.name}{h.unit.name}{h.number}"
        for h in House.objects.filter(compound=compound).select_related("unit__building")
    }
    Elector.objects.bulk_create(
        [
            Elector(
                vote=vote,
                key=key,
                label=f"{label} · {'、'.join(houses_label[i] for i in ids[:4])}{'…' if len(ids) > 4 else ''}"[:120],
                area=area,
                houses=ids,
            )
            for key, (label, area, ids) in owners.items()
        ]
    )
    audit.record(
        actor,
        AuditLog.Action.CREATE,
        vote,
        {"electors": [None, len(owners)], "matter": [None, matter], "topic": [None, topic.pk if topic else None]},
    )
    notices.vote_opened(vote)
    return vote


@transaction.atomic
def cast(vote_id, elector_id, choice, *, actor, paper_reference="", online=False):
    """A ballot cast or corrected until the close. `spoiled` (废票) is a paper ballot staff could
    not read as one choice: never cast online."""
    vote = OwnerVote.objects.select_for_update().get(pk=vote_id)
    if vote.status != OwnerVote.Status.OPEN or vote.closes_at <= timezone.now():
        raise ValidationError(_("The vote is closed: ballots can no longer be cast or corrected."))
    if choice not in Ballot.Choice.values or (online and choice == Ballot.Choice.SPOILED):
        raise ValidationError({"choice": _("Choose agree, disagree or abstain.")})
    elector = Elector.objects.get(pk=elector_id, vote=vote)
    ballot = Ballot.objects.filter(elector=elector).first()
    if ballot is None:
        ballot = Ballot.objects.create(
            vote=vote, elector=elector, choice=choice, paper_reference=paper_reference, entered_by=actor
        )
        audit.record(
            actor,
            AuditLog.Action.CREATE,
            ballot,
            {"choice": [None, choice], "paper_reference": [None, paper_reference]},
        )
    elif (ballot.choice, ballot.paper_reference) != (choice, paper_reference):
        changes = {"choice": [ballot.choice, choice], "paper_reference": [ballot.paper_reference, paper_reference]}
        ballot.choice, ballot.paper_reference, ballot.entered_by, ballot.updated_at = (
            choice,
            paper_reference,
            actor,
            timezone.now(),
        )
        ballot.save()
        audit.record(actor, AuditLog.Action.UPDATE, ballot, changes, note=_("ballot corrected before the close"))
    return ballot


def close_vote(vote, *, actor):
    """Close the vote (workflow.OWNER_VOTE: locked, its version checked against `vote`'s, the
    permission votes.manage in scope, audited); `vote`, as the caller read it, is brought up to date."""
    closed = OWNER_VOTE.perform(vote.pk, "close", actor=actor, version=vote.version)
    vote.status, vote.closed_at, vote.version = closed.status, closed.closed_at, closed.version


def own_elector(vote, user):
    """The elector a resident votes as: the owner key holding the ID hash of a person of their
    household who owns houses in scope (or None)."""

    households = [ra.household_id for ra in user.role_list if ra.role == "resident"]
    hashes = set(Person.objects.filter(household_id__in=households).values_list("id_number_hash", flat=True))
    for elector in vote.electors.filter(key__startswith="p:"):
        if hashes & set(elector.key[2:].split("+")):
            return elector
    return None


@transaction.atomic
def open_campaign(*, actor, title, compound, threshold_percent, buildings=(), share_fen=None):
    """征求意见: ask the houses of a compound (or of some of its buildings) for consent — and, with
    `share_fen`, for each house's share (a 民生实事's 缴费)."""
    check_public_text(compound.community, title=title)  # the title is on the community's board
    campaign = ConsentCampaign.objects.create(
        title=title,
        title_checked=True,
        compound=compound,
        threshold_percent=threshold_percent,
        share_fen=share_fen,
        community_id=compound.community_id,
        subdistrict_id=compound.subdistrict_id,
        created_by=actor,
    )
    campaign.buildings.set(buildings)
    audit.record(actor, AuditLog.Action.CREATE, campaign, {"title": [None, campaign.title]})
    return campaign


def _answer(row):
    if row is None:
        return None
    return f"{'agree' if row.consent else 'refuse'} {row.paid_fen} {row.paid_on or ''}".strip()


@transaction.atomic
def record_consent(campaign, house, *, actor, consent, paid_fen=0, paid_on=None):
    """A house's answer, recorded from the door-to-door form (a changed mind replaces it; None
    clears it back to no answer), with the share it paid; audited. The house is counted once.
    Refused (ValidationError, nothing written): a payment beyond the campaign's share, a payment
    by a house that does not agree, an amount without its day."""
    if paid_fen < 0 or (paid_fen and campaign.share_fen is None) or paid_fen > (campaign.share_fen or 0):
        raise ValidationError({"paid_yuan": _("A house pays between 0 and its share.")})
    if paid_fen and consent is not True:
        raise ValidationError({"paid_yuan": _("Only a house that agrees pays its share.")})
    if bool(paid_fen) != (paid_on is not None):
        raise ValidationError({"paid_on": _("A payment is recorded with its amount and its day.")})
    old = Consent.objects.select_for_update().filter(campaign=campaign, house=house).first()
    before = _answer(old)
    if consent is None:
        if old is not None:
            old.delete()
        row = None
    else:
        row, _created = Consent.objects.update_or_create(
            campaign=campaign,
            house=house,
            defaults={"consent": consent, "paid_fen": paid_fen, "paid_on": paid_on, "recorded_by": actor},
        )
    audit.record(actor, AuditLog.Action.UPDATE, campaign, {f"house {house.pk}": [before, _answer(row)]})
    return row


def own_houses(user):
    """The houses of the households a resident is linked to (their RoleAssignment)."""
    households = [ra.household_id for ra in user.role_list if ra.role == "resident" and ra.household_id]
    return House.objects.filter(households__in=households).distinct()


def own_campaigns(user):
    """(campaign, house, answer row or None) for each campaign that asks a resident's own house."""
    houses = list(own_houses(user))
    if not houses:
        return []
    campaigns = ConsentCampaign.objects.filter(compound__in={h.compound_id for h in houses}).prefetch_related(
        "buildings"
    )
    answers = {(c.campaign_id, c.house_id): c for c in Consent.objects.filter(house__in=houses)}
    out = []
    for campaign in campaigns:
        buildings = {b.pk for b in campaign.buildings.all()}
        for house in houses:
            if house.compound_id == campaign.compound_id and (not buildings or house.building_id in buildings):
                out.append((campaign, house, answers.get((campaign.pk, house.pk))))
    return out


@transaction.atomic
def answer_own(user, campaign_id, consent):
    """A resident answers for their own house (never another's: the house comes from their link,
    not from the request). A share already paid stays as staff recorded it; so a house that paid
    cannot turn to refusing here (staff correct the form)."""
    for campaign, house, row in own_campaigns(user):
        if campaign.pk == campaign_id:
            if row is not None and row.paid_fen and not consent:
                raise ValidationError(_("Your house has paid its share: ask the community to correct the form."))
            paid = {"paid_fen": row.paid_fen, "paid_on": row.paid_on} if row is not None else {}
            return record_consent(campaign, house, actor=user, consent=consent, **paid)
    raise ConsentCampaign.DoesNotExist
