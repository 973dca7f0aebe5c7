"""The wish's lifecycle (docs/wishes.md), declared once and performed by core.lifecycle: checked by
the community (published anonymised, or not accepted with a reason), claimed by one claimant at a
time (the row is locked: a second claim finds it claimed), released back to the wall, delivered
once the household or the community confirms with a photo, or withdrawn."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.core.lifecycle import Lifecycle, Move
from linli.core.scope import scope_for
from linli.party.workflow import community_staff
from linli.people.models import Household
from linli.people.public_text import check_public_text

from . import forms
from .models import ClaimantKind, Credit, State, Wish, policy_for


def household_users(wish):
    """The logins of the wish's household (the resident role on it)."""
    return list(
        User.objects.filter(
            is_active=True, role_assignments__role=Role.RESIDENT, role_assignments__household_id=wish.household_id
        ).distinct()
    )


def is_household(wish, user) -> bool:
    """`user` holds the resident role on the wish's household."""
    return wish.household_id in scope_for(user, "wishes.post").ids.get("household", ())


def manages(wish, user) -> bool:
    """`user` keeps the wishes of the wish's community (wishes.manage in scope; one query)."""
    return wish.allows(user, "manage")


def _key(ctx, step):
    return f"{step}-{ctx.obj.version}"  # a wish may be claimed, released and claimed again


# --- checked by the community -----------------------------------------------------------------------


def _approve(ctx):
    """The text (as rewritten, if it was) must pass the personal-data check; it goes on the wall
    and the household is told."""
    wish = ctx.obj
    title, story = ctx.data.get("title") or wish.title, ctx.data.get("story") or wish.story
    check_public_text(wish.community, title=title, story=story)
    wish.title, wish.story = title, story
    wish.published_at = wish.waiting_since = ctx.now
    text = gettext("Your wish “%(title)s” is on the wish wall.") % {"title": wish.title}
    ctx.notify(lambda: household_users(wish), text, step=_key(ctx, "published"))


def _reject(ctx):
    """The reason is kept and told to the household."""
    wish = ctx.obj
    wish.reason = ctx.data["reason"]
    text = gettext("Your wish “%(title)s” was not accepted: %(reason)s") % {"title": wish.title, "reason": wish.reason}
    ctx.notify(lambda: household_users(wish), text, step="rejected")


# --- claimed, released --------------------------------------------------------------------------------


def _not_own(wish, user):
    """A household claiming its own wish."""
    return not is_household(wish, user)


def _claimable(wish, actor, data):
    """A claimant the kind does not allow: a member not in the roster or not of the actor's
    household, a partner not paired with the community or not the actor's, a volunteer who is not
    a resident of the community."""
    if data is None:
        return None
    kind = data["as_kind"]
    if kind == ClaimantKind.MEMBER and data.get("member") is None:
        return gettext("Choose the party member who claims it.")
    if kind == ClaimantKind.PARTNER and data.get("organisation") is None:
        return gettext("Choose the partner that claims it.")
    if kind == ClaimantKind.VOLUNTEER and not _resident_of(actor, wish.community_id):
        return gettext("A volunteer claims with the login of a resident of this community.")
    if data["credit"] == Credit.ORGANISATION and kind != ClaimantKind.PARTNER:
        return gettext("Only a partner is named by organisation.")
    return None


def _resident_of(user, community_id) -> bool:
    households = scope_for(user, "wishes.claim").ids.get("household", ())
    return Household.objects.filter(pk__in=sorted(households), community_id=community_id).exists()


def _claim(ctx):
    """The claimant and how the board names them are kept, with the deadline (the community's
    days to deliver); the community's staff and the household are told."""
    wish, data = ctx.obj, ctx.data
    kind = data["as_kind"]
    wish.claimant_kind, wish.claimant_user, wish.credit = kind, ctx.actor, data["credit"]
    wish.claimant_member = data.get("member") if kind == ClaimantKind.MEMBER else None
    wish.claimant_org = data.get("organisation") if kind == ClaimantKind.PARTNER else None
    wish.credit_name = _credit_name(wish)
    wish.claimed_at = ctx.now
    wish.deliver_by = timezone.localdate(ctx.now) + dt.timedelta(days=policy_for(wish.community_id).deliver_days)
    wish.overdue_flagged_at = None
    text = gettext("The wish “%(title)s” was claimed; to be delivered by %(date)s.") % {
        "title": wish.title,
        "date": wish.deliver_by.isoformat(),
    }
    ctx.notify(lambda: community_staff(wish.community_id) + household_users(wish), text, step=_key(ctx, "claimed"))


def _credit_name(wish) -> str:
    """The name on the board, as the claimant chose: their own name, the partner's, or none."""
    if wish.credit == Credit.ANONYMOUS:
        return ""
    if wish.claimant_kind == ClaimantKind.PARTNER:
        return wish.claimant_org.name
    if wish.claimant_kind == ClaimantKind.MEMBER:
        return wish.claimant_member.person.name
    return str(wish.claimant_user)


def _may_release(wish, user):
    """Someone other than who claimed it (or the community's staff)."""
    return wish.claimant_user_id == user.pk or manages(wish, user)


def _release(ctx):
    """The claimant is cleared and the wish is back on the wall, waiting again from now; the
    community's staff are told."""
    wish = ctx.obj
    wish.claimant_kind, wish.claimant_user, wish.claimant_member, wish.claimant_org = "", None, None, None
    wish.credit = wish.credit_name = ""
    wish.claimed_at = wish.deliver_by = wish.overdue_flagged_at = wish.unclaimed_flagged_at = None
    wish.waiting_since = ctx.now
    text = gettext("The wish “%(title)s” was released and is back on the wall.") % {"title": wish.title}
    ctx.notify(lambda: community_staff(wish.community_id), text, step=_key(ctx, "released"))


# --- delivered, withdrawn ------------------------------------------------------------------------------


def _may_confirm(wish, user):
    """Neither the household nor the community's staff (the claimant does not confirm their own delivery)."""
    return is_household(wish, user) or manages(wish, user)


def _confirm(ctx):
    """The photo (EXIF removed) and the time are kept; the claimant's record counts it; the
    claimant and the community are told."""
    wish = ctx.obj
    wish.photo = ctx.data["photo"]
    wish.delivered_at = ctx.now
    text = gettext("The wish “%(title)s” is delivered. Thank you!") % {"title": wish.title}
    users = ([wish.claimant_user] if wish.claimant_user_id else []) + community_staff(wish.community_id)
    ctx.notify(users, text, step="delivered")


def _may_withdraw(wish, user):
    """Neither the household nor the community's staff."""
    return is_household(wish, user) or manages(wish, user)


def _withdraw(ctx):
    """The reason, if any, is kept."""
    ctx.obj.reason = ctx.data.get("reason") or ""


WISH = Lifecycle(
    Wish,
    [
        Move(
            "approve",
            _("Publish"),
            (State.SUBMITTED,),
            State.PUBLISHED,
            "wishes.manage",
            forms.ApproveForm,
            effect=_approve,
            style="success",
        ),
        Move(
            "reject",
            _("Do not accept"),
            (State.SUBMITTED,),
            State.REJECTED,
            "wishes.manage",
            forms.ReasonForm,
            effect=_reject,
            style="outline-danger",
        ),
        Move(
            "claim",
            _("Claim"),
            (State.PUBLISHED,),
            State.CLAIMED,
            "wishes.claim",
            forms.ClaimForm,
            guard=_claimable,
            effect=_claim,
            may=_not_own,
            style="primary",
        ),
        Move(
            "release",
            _("Release"),
            (State.CLAIMED,),
            State.PUBLISHED,
            "wishes.claim",
            guard=None,
            effect=_release,
            may=_may_release,
            style="outline-secondary",
        ),
        Move(
            "confirm",
            _("Confirm delivery"),
            (State.CLAIMED,),
            State.DELIVERED,
            "wishes.confirm",
            forms.ConfirmForm,
            effect=_confirm,
            may=_may_confirm,
            style="success",
        ),
        Move(
            "withdraw",
            _("Withdraw"),
            (State.SUBMITTED, State.PUBLISHED),
            State.WITHDRAWN,
            "wishes.confirm",
            forms.OptionalReasonForm,
            effect=_withdraw,
            may=_may_withdraw,
            style="outline-secondary",
        ),
    ],
    start=(State.SUBMITTED, _("a resident, or staff for a household, posts a wish")),
    doc="wishes.md",
)
