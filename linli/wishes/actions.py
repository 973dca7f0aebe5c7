"""Writes of the wish domain: every one audited (core.actions) and atomic; the moves of a wish go
through its lifecycle (workflow.py). Posting checks the community's value limit (以内: the limit
itself is allowed) and the text bound for the wall (people.public_text)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext

from linli.core import notify
from linli.core.actions import create_object, update_object
from linli.core.scope import has_perm, scope_for
from linli.people.models import Household
from linli.people.public_text import check_public_text
from linli.places.models import Community

from .models import State, Wish, WishPolicy, policy_for
from .workflow import community_staff


def _check_value(community_id, value_fen):
    limit = policy_for(community_id).max_value_fen
    if value_fen > limit:
        raise ValidationError(
            {"value": gettext("A micro-wish is worth at most %(limit)s 元 in this community.") % {"limit": yuan(limit)}}
        )


def yuan(fen) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _post(actor, household, *, title, story, category, value, wisher=None, on_behalf):
    _check_value(household.community_id, value)
    check_public_text(household.community, title=title, story=story)
    wish = create_object(
        Wish,
        actor=actor,
        community_id=household.community_id,
        subdistrict_id=household.subdistrict_id,
        household=household,
        wisher=wisher,
        posted_by=actor,
        on_behalf=on_behalf,
        title=title,
        story=story,
        category=category,
        value_fen=value,
    )
    text = gettext("A micro-wish is waiting to be checked.")
    users = community_staff(household.community_id)
    transaction.on_commit(
        lambda: notify.send(users, text, wish.get_absolute_url(), key=f"wishes.wish:{wish.pk}:posted")
    )
    return wish


@transaction.atomic
def post_wish(*, actor, title, story, category, value):
    """A resident's wish for their own household (the one their login is granted on)."""
    households = scope_for(actor, "wishes.post").ids.get("household", set())
    if not households:
        raise PermissionDenied
    household = Household.objects.select_related("community").get(pk=min(households))
    return _post(actor, household, title=title, story=story, category=category, value=value, on_behalf=False)


@transaction.atomic
def post_on_behalf(*, actor, household, title, story, category, value, wisher=None):
    """Staff post a wish for a household of their community (a needy household that does not use
    the app); the wisher, if named, must live in it."""
    if not Household.objects.restrict(actor, "manage", domain="wishes").filter(pk=household.pk).exists():
        raise ValidationError({"household": gettext("This household is outside your scope.")})
    if wisher is not None and wisher.household_id != household.pk:
        raise ValidationError({"wisher": gettext("The wisher does not live in this household.")})
    return _post(
        actor, household, title=title, story=story, category=category, value=value, wisher=wisher, on_behalf=True
    )


@transaction.atomic
def set_policy(*, actor, community, max_value, deliver_days, unclaimed_days):
    """The community's limit and days (wishes.manage over the community)."""
    if not has_perm(actor, "wishes.manage"):
        raise PermissionDenied
    if not Community.objects.restrict(actor, "manage", domain="wishes").filter(pk=community.pk).exists():
        raise ValidationError({"community": gettext("This community is outside your scope.")})
    policy = WishPolicy.objects.filter(community=community).first()
    values = {"max_value_fen": max_value, "deliver_days": deliver_days, "unclaimed_days": unclaimed_days}
    if policy is None:
        return create_object(WishPolicy, actor=actor, community=community, **values)
    return update_object(policy, actor=actor, **values)


def claimant_record(wishes) -> dict:
    """Delivered and open claims among `wishes` (a queryset already narrowed to one claimant): the
    count that feeds volunteer points."""
    return wishes.aggregate(
        delivered=Count("id", filter=Q(state=State.DELIVERED)),
        open=Count("id", filter=Q(state=State.CLAIMED)),
    )
