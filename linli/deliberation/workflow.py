"""The lifecycles of deliberation's matters, declared on core.lifecycle. Owners' votes first:
opened by `actions.open_vote` (the electorate frozen), ballots cast and corrected while open
(`actions.cast`, not a move: ballots do not change the vote), closed by the move below. Topics,
procedure steps, meetings and consent campaigns follow (issue 11)."""

from django.utils.translation import gettext_lazy

from linli.core.lifecycle import Lifecycle, Move

from .models import OwnerVote


def close(ctx):
    """Closed now: from then on no ballot is cast or corrected (R1.7: the record is kept)."""
    ctx.obj.closed_at = ctx.now


Status = OwnerVote.Status
OWNER_VOTE = Lifecycle(
    OwnerVote,
    [Move("close", gettext_lazy("Close the vote"), (Status.OPEN,), Status.CLOSED, "votes.manage", effect=close, style="danger")],
    state_field="status",
    start=(Status.OPEN, "open 开始表决"),
    doc="deliberation.md",
    messages={
        "conflict": gettext_lazy("Someone else changed this vote a moment ago; here is its current state."),
        "state": gettext_lazy("The vote is closed already."),
    },
)
