"""The lifecycle of a use of the fund (docs/funds.md), declared once and performed by
core.lifecycle. R2.3, a normal use: proposed → put to the owners' vote (art. 278 matter 5, the
electorate the houses concerned: deliberation.OwnerVote) → agreed once that vote has closed and
passed → works → payment requested → approved (by someone other than who requested it) → paid,
which posts the invoice apportioned by area to the houses concerned. R2.4, an emergency use
(电梯故障, 消防设施, 外墙脱落 …) goes from proposed to works without the vote and keeps the
request, the approval and the payment; its owners are told once it is paid (公示 after the fact).
The floor (R2.2) is checked when the payment is requested, approved and made."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core.lifecycle import Lifecycle, Move
from linli.deliberation import actions as votes
from linli.deliberation.models import Matter, OwnerVote

from . import book, forms, notices, rules
from .models import EntryKind, Use
from .money import yuan

S = Use.State


def _not_emergency(use, actor, data):
    """An emergency use (R2.4) skips the owners' vote."""
    return gettext("An emergency use skips the owners' vote.") if use.emergency else None


def _put_to_vote(ctx):
    """An owners' vote (matter 5, using the fund) opens for the houses concerned and is linked."""
    use = ctx.obj
    ctx.obj.vote = votes.open_vote(
        actor=ctx.actor,
        title=use.title,
        matter=Matter.USE_FUND,
        compound=use.fund.compound,
        closes_at=ctx.data["closes_at"],
        buildings=list(use.buildings.all()),
        unit=use.unit,
    )
    ctx.changes["vote"] = [None, ctx.obj.vote.pk]


def _vote_outcome(passed):
    def guard(use, actor, data):
        vote = use.vote
        if vote is None or vote.status != OwnerVote.Status.CLOSED:
            return gettext("The owners' vote has not closed yet.")
        if votes.result(vote).passed != passed:
            return gettext("The owners' vote did not pass.") if passed else gettext("The owners' vote passed.")
        return None

    guard.__doc__ = (
        "Before the owners' vote has closed, or when it did not pass (R1.1 quorum and R1.3 more than half)."
        if passed
        else "Before the owners' vote has closed, or when it passed."
    )
    return guard


def _is_emergency(use, actor, data):
    """A normal use: it needs the owners' vote first."""
    return None if use.emergency else gettext("A normal use starts its works only after the owners agreed.")


def _works(ctx):
    """The contractor and the start of the works are kept."""
    ctx.obj.contractor, ctx.obj.works_started_on = ctx.data["contractor"], ctx.data["works_started_on"]


def _floor(use, actor, data):
    """When the amount would take the compound's balance under the floor (R2.2), with the shortfall."""
    amount = (data or {}).get("invoice_total") or use.amount
    return book.floor_refusal(use.fund, amount)


def _request(ctx):
    """The invoice's total and reference and the end of the works are kept with who requested."""
    use = ctx.obj
    use.invoice_total, use.invoice_reference = ctx.data["invoice_total"], ctx.data["invoice_reference"]
    use.works_finished_on, use.requested_by = ctx.data["works_finished_on"], ctx.actor


def _not_requester(use, actor):
    """Whoever requested the payment does not approve it."""
    return use.requested_by_id != actor.pk


def _approve(ctx):
    """Who approved and when are kept."""
    ctx.obj.approved_by, ctx.obj.approved_at = ctx.actor, ctx.now


def _send_back(ctx):
    """The request is cleared; the works go on."""
    ctx.obj.invoice_total, ctx.obj.invoice_reference, ctx.obj.requested_by = None, "", None


def _pay(ctx):
    """The invoice is apportioned to the houses concerned by area (largest remainder) and posted as
    one entry per house, with the fund locked and the floor checked again; the compound's balance
    after it is kept for the board. An emergency use's owners are told (公示 after the fact)."""
    use = ctx.obj
    fund = book.locked_fund(use.fund_id)
    use.fund = fund
    refusal = book.floor_refusal(fund, use.invoice_total)
    if refusal:
        raise ValidationError(refusal)
    accounts = book.concerned(fund.pk, list(use.buildings.all()), use.unit)
    by_id = {a.pk: a for a in accounts}
    shares = rules.apportion(use.invoice_total, book.by_area(accounts))
    lines = [(by_id[pk], EntryKind.USE, -share, None) for pk, share in sorted(shares.items()) if share]
    book.post(fund, lines, actor=ctx.actor, booked_on=ctx.data["booked_on"], note=use.title[:200], use=use)
    use.balance_after, use.paid_at, use.houses = fund.balance, ctx.now, len(by_id)
    ctx.changes["entries"] = [None, len(lines)]
    if use.emergency:
        text = gettext("Emergency use of the maintenance fund “%(title)s”: ¥%(amount)s paid, published on the board.")
        words = text % {"title": use.title, "amount": yuan(use.invoice_total)}
        ctx.notify(lambda: list(notices.owner_users(accounts.values_list("house_id", flat=True))), words, step="paid")


USE = Lifecycle(
    Use,
    [
        Move(
            "put_to_vote",
            _("Put to the owners' vote"),
            (S.PROPOSED,),
            S.VOTING,
            "funds.change",
            forms.VoteForm,
            guard=_not_emergency,
            effect=_put_to_vote,
            style="primary",
        ),
        Move(
            "agreed",
            _("Record the vote: agreed"),
            (S.VOTING,),
            S.AGREED,
            "funds.change",
            guard=_vote_outcome(True),
            style="success",
        ),
        Move(
            "not_agreed",
            _("Record the vote: not agreed"),
            (S.VOTING,),
            S.REJECTED,
            "funds.change",
            guard=_vote_outcome(False),
            style="outline-danger",
        ),
        Move(
            "start_works",
            _("Start the works"),
            (S.AGREED,),
            S.WORKS,
            "funds.change",
            forms.WorksForm,
            effect=_works,
            style="primary",
        ),
        Move(
            "emergency_works",
            _("Start the emergency works"),
            (S.PROPOSED,),
            S.WORKS,
            "funds.change",
            forms.WorksForm,
            guard=_is_emergency,
            effect=_works,
            style="warning",
        ),
        Move(
            "request_payment",
            _("Request the payment"),
            (S.WORKS,),
            S.REQUESTED,
            "funds.change",
            forms.PaymentRequestForm,
            guard=_floor,
            effect=_request,
            style="primary",
        ),
        Move(
            "approve",
            _("Approve the payment"),
            (S.REQUESTED,),
            S.APPROVED,
            "funds.approve",
            forms.NoteForm,
            guard=_floor,
            effect=_approve,
            may=_not_requester,
            style="success",
        ),
        Move(
            "send_back",
            _("Send the request back"),
            (S.REQUESTED,),
            S.WORKS,
            "funds.approve",
            forms.ReasonForm,
            effect=_send_back,
            may=_not_requester,
            style="outline-danger",
        ),
        Move(
            "pay",
            _("Pay"),
            (S.APPROVED,),
            S.PAID,
            "funds.pay",
            forms.PayForm,
            guard=_floor,
            effect=_pay,
            style="success",
        ),
        Move(
            "withdraw",
            _("Withdraw"),
            (S.PROPOSED, S.AGREED),
            S.WITHDRAWN,
            "funds.change",
            forms.ReasonForm,
            style="outline-secondary",
        ),
    ],
    start=(S.PROPOSED, _("staff propose a use for the houses concerned")),
    doc="funds.md",
)
