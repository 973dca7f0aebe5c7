"""The lifecycles of the party domain (docs/party.md), declared once and performed by
core.lifecycle: 双报到 (CheckIn: confirmed or refused by the community), the year-end check of a
commitment (践诺), and the co-building agreement (draft → signed → renewed / expired)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.core.lifecycle import Lifecycle, Move

from . import forms
from .models import Agreement, CheckIn, Commitment

# 践诺 is checked at year end: from this day of the commitment's year on (month, day).
CHECK_FROM = (12, 1)


def community_staff(community_id):
    return list(
        User.objects.filter(
            is_active=True, role_assignments__role="community_staff", role_assignments__community_id=community_id
        ).distinct()
    )


def organisation_staff(org):
    """The staff of `org` and of the organisation it belongs to (a partner's party branch: the partner's)."""
    ids = [i for i in (org.pk, org.host_id) if i]
    return list(User.objects.filter(is_active=True, role_assignments__organisation_id__in=ids).distinct())


# --- 双报到 ---------------------------------------------------------------------------------


def _confirm(ctx):
    """The member enters the community's roster (with the branch chosen); who reported is told."""
    check_in, member = ctx.obj, ctx.obj.member
    check_in.decided_at = ctx.now
    if member is not None:
        before = member.in_roster
        member.in_roster = True
        if ctx.data.get("home_org"):
            member.home_org = ctx.data["home_org"]
        ctx.save(member, ["in_roster", "home_org"])
        ctx.changes["in_roster"] = [before, True]
    text = gettext("%(community)s confirmed the check-in of %(who)s.") % {
        "community": check_in.community.name,
        "who": member.person.name if member else check_in.organisation.name,
    }
    ctx.notify(lambda: _reporters(check_in), text, step="decided")


def _refuse(ctx):
    """The reason is kept and told to who reported; the member stays out of the roster."""
    check_in = ctx.obj
    check_in.reason, check_in.decided_at = ctx.data["reason"], ctx.now
    text = gettext("%(community)s did not confirm the check-in: %(reason)s") % {
        "community": check_in.community.name,
        "reason": ctx.data["reason"],
    }
    ctx.notify(lambda: _reporters(check_in), text, step="decided")


def _reporters(check_in):
    users = organisation_staff(check_in.organisation)
    if check_in.reported_by_id and check_in.reported_by not in users:
        users.append(check_in.reported_by)
    return users


CHECK_IN = Lifecycle(
    CheckIn,
    [
        Move(
            "confirm",
            _("Confirm"),
            (CheckIn.State.REPORTED,),
            CheckIn.State.CONFIRMED,
            "party.change",
            forms.ConfirmForm,
            effect=_confirm,
            style="success",
        ),
        Move(
            "refuse",
            _("Refuse"),
            (CheckIn.State.REPORTED,),
            CheckIn.State.REFUSED,
            "party.change",
            forms.RefuseForm,
            effect=_refuse,
            style="outline-danger",
        ),
    ],
    start=(CheckIn.State.REPORTED, _("a workplace party organisation reports")),
    doc="party.md",
)


# --- 践诺 -------------------------------------------------------------------------------------


def check_opens(year: int) -> dt.date:
    return dt.date(year, *CHECK_FROM)


def _year_end(commitment, actor, data):
    """Before 1 December of the commitment's year (践诺 is checked at year end)."""
    if timezone.localdate() < check_opens(commitment.year):
        return gettext("A commitment is checked at year end, from %(date)s.") % {
            "date": check_opens(commitment.year).isoformat()
        }
    return None


def _checked(ctx):
    """The note and the time of the check are kept."""
    ctx.obj.check_note, ctx.obj.checked_at = ctx.data.get("note") or "", ctx.now


def _check(name, label, target, form, style):
    return Move(
        name,
        label,
        (Commitment.State.PLEDGED,),
        target,
        "party.change",
        form,
        guard=_year_end,
        effect=_checked,
        style=style,
    )


COMMITMENT = Lifecycle(
    Commitment,
    [
        _check("kept", _("Kept"), Commitment.State.KEPT, forms.CheckForm, "success"),
        _check("partly", _("Partly kept"), Commitment.State.PARTLY, forms.NotedCheckForm, "outline-warning"),
        _check("not_kept", _("Not kept"), Commitment.State.NOT_KEPT, forms.NotedCheckForm, "outline-danger"),
    ],
    start=(Commitment.State.PLEDGED, _("a member claims a post")),
    doc="party.md",
)


# --- 共驻共建协议书 ------------------------------------------------------------------------------


def _signable(agreement, actor, data):
    """Signed after the term's end or on a day still to come."""
    if data is None:
        return None
    if data["signed_on"] > timezone.localdate():
        return gettext("An agreement cannot be signed on a day still to come.")
    if data["signed_on"] > agreement.ends_on:
        return gettext("An agreement cannot be signed after its term has ended.")
    return None


def _sign(ctx):
    """The signing date is kept; the partner's staff are told."""
    ctx.obj.signed_on = ctx.data["signed_on"]
    text = gettext("The co-building agreement “%(title)s” is signed.") % {"title": ctx.obj.title}
    ctx.notify(lambda: organisation_staff(ctx.obj.partner), text, step="signed")


def _term_over(agreement, actor, data):
    """On or before the last day of the term (届满: the term includes its last day)."""
    if timezone.localdate() <= agreement.ends_on:
        return gettext("The term runs until %(date)s.") % {"date": agreement.ends_on.isoformat()}
    return None


def _renewable(agreement, actor, data):
    """A new term that does not end after the current one."""
    if data is not None and data["ends_on"] <= agreement.ends_on:
        return gettext("The new term must end after %(date)s.") % {"date": agreement.ends_on.isoformat()}
    return None


def _renew(ctx):
    """A new draft takes over, from the day after the term with the same parties and commitments."""
    old = ctx.obj
    new = Agreement(
        partner=old.partner,
        community=old.community,
        title=old.title,
        starts_on=old.ends_on + dt.timedelta(days=1),
        ends_on=ctx.data["ends_on"],
        community_commits=old.community_commits,
        partner_commits=old.partner_commits,
        renewal_of=old,
    )
    new.full_clean()
    ctx.save(new)
    ctx.changes["renewal"] = [None, f"{new.starts_on} – {new.ends_on}"]


AGREEMENT = Lifecycle(
    Agreement,
    [
        Move(
            "sign",
            _("Sign"),
            (Agreement.State.DRAFT,),
            Agreement.State.SIGNED,
            "party.change",
            forms.SignForm,
            guard=_signable,
            effect=_sign,
            style="success",
        ),
        Move(
            "renew",
            _("Renew"),
            (Agreement.State.SIGNED, Agreement.State.EXPIRED),
            Agreement.State.RENEWED,
            "party.change",
            forms.RenewForm,
            guard=_renewable,
            effect=_renew,
        ),
        Move(
            "expire",
            _("Mark as expired"),
            (Agreement.State.SIGNED,),
            Agreement.State.EXPIRED,
            "party.change",
            guard=_term_over,
            style="outline-secondary",
        ),
    ],
    start=(Agreement.State.DRAFT, _("the community drafts it with a partner")),
    doc="party.md",
)
