"""Writes of the party domain: every one audited (core.actions) and atomic; the moves of a
check-in, a commitment or an agreement go through their lifecycles (workflow.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core import notify
from linli.core.actions import create_object
from linli.core.scope import has_perm
from linli.orgs.models import Kind, Organisation
from linli.people.models import Person, ResidentPost, ledger_person

from .models import CheckIn, Commitment, MemberKind, PartyMember
from .workflow import community_staff


def _ledger_person(id_number):
    try:
        return ledger_person(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None


def _reporting_org(actor, organisation):
    if not has_perm(actor, "party.report"):
        raise PermissionDenied
    mine = Organisation.objects.restrict(actor, "report", domain="party").filter(kind=Kind.PARTY)
    if not mine.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("This party organisation is outside your scope.")})


@transaction.atomic
def add_member(*, actor, id_number, kind, home_org=None, note=""):
    """A directly managed or floating member, entered by the community where they live: in the
    roster at once."""
    if not has_perm(actor, "party.change"):
        raise PermissionDenied
    person = _ledger_person(id_number)
    if not Person.objects.restrict(actor, "change", domain="party").filter(pk=person.pk).exists():
        raise ValidationError({"id_number": _("This person does not live where you keep the party members.")})
    if kind == MemberKind.IN_SERVICE:
        raise ValidationError({"kind": _("An in-service member joins the roster through 双报到.")})
    if PartyMember.objects.filter(person=person).exists():
        raise ValidationError({"id_number": _("This person is already a party member.")})
    return create_object(
        PartyMember, actor=actor, person=person, kind=kind, home_org=home_org, note=note, in_roster=True
    )


@transaction.atomic
def report_member(*, actor, organisation, id_number, note=""):
    """双报到 of an in-service member: their workplace's party organisation reports them to the
    community where they live; the community's staff are told to confirm. The reporter learns
    only that the person is in the ledger (and the community they report to)."""
    _reporting_org(actor, organisation)
    person = _ledger_person(id_number)
    member = PartyMember.objects.filter(person=person).first()
    if member is None:
        member = create_object(
            PartyMember, actor=actor, person=person, kind=MemberKind.IN_SERVICE, workplace_org=organisation
        )
    elif member.kind != MemberKind.IN_SERVICE or member.workplace_org_id != organisation.pk:
        raise ValidationError({"id_number": _("This person is a party member of another organisation.")})
    elif member.in_roster:
        raise ValidationError({"id_number": _("This member is already in the community's roster.")})
    if member.check_ins.filter(state=CheckIn.State.REPORTED).exists():
        raise ValidationError({"id_number": _("This member's check-in is waiting for the community.")})
    check_in = create_object(
        CheckIn,
        actor=actor,
        organisation=organisation,
        member=member,
        community_id=member.community_id,
        reported_by=actor,
        note=note,
    )
    _tell_community(check_in, gettext("%(org)s reported a member to the community (双报到): please confirm."))
    return check_in


@transaction.atomic
def report_organisation(*, actor, organisation, community, note=""):
    """The organisation-level 报到: a party organisation reports itself to a community."""
    _reporting_org(actor, organisation)
    pending = CheckIn.objects.filter(organisation=organisation, member=None, community=community)
    if pending.filter(state__in=[CheckIn.State.REPORTED, CheckIn.State.CONFIRMED]).exists():
        raise ValidationError({"community": _("This organisation has already reported to this community.")})
    check_in = create_object(
        CheckIn, actor=actor, organisation=organisation, community=community, reported_by=actor, note=note
    )
    _tell_community(check_in, gettext("%(org)s reported to the community (单位报到): please confirm."))
    return check_in


def _tell_community(check_in, text):
    users = community_staff(check_in.community_id)
    url = check_in.get_absolute_url()
    transaction.on_commit(lambda: notify.send(users, text % {"org": check_in.organisation.name}, url))


@transaction.atomic
def claim_post(*, actor, member, post, year, duties, promise, building=None, unit=None):
    """认岗定责: a member of the roster takes a post of their grid (people.ResidentPost, kept
    once per person, post and grid) and pledges the year's commitment for it."""
    if not member.allows(actor, "change"):
        raise PermissionDenied
    if not member.in_roster:
        raise ValidationError(_("Only a member in the community's roster can claim a post."))
    held = ResidentPost.objects.filter(person=member.person, post=post, grid_id=member.grid_id).first()
    if held is None:
        held = create_object(
            ResidentPost,
            actor=actor,
            person=member.person,
            post=post,
            grid_id=member.grid_id,
            building=building,
            unit=unit,
        )
    if Commitment.objects.filter(member=member, post=held, year=year).exists():
        raise ValidationError({"year": _("This member has pledged for this post this year already.")})
    return create_object(Commitment, actor=actor, member=member, post=held, year=year, duties=duties, promise=promise)
