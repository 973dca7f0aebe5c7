"""What the public board shows of the funds (Civil Code art. 281: 筹集、使用情况应当定期公布): per
compound of a community, the fund's balance, first deposits and floor, and each paid use with its
owners' vote (or its emergency), its invoice total and the balance after it. Compound figures
only: no house's sub-account, no owner, no contractor or invoice reference. The use's title and
description passed the personal-data check when proposed. Three queries whatever the numbers."""

from collections import defaultdict
from dataclasses import dataclass

from .models import Fund, Use
from .status import FloorStatus, floor_status

RECENT = 20  # paid uses per compound on the board


@dataclass
class PublishedFund:
    fund: Fund
    status: FloorStatus
    uses: list


def board(community) -> list[PublishedFund]:
    funds = list(Fund.objects.filter(community=community).select_related("compound").order_by("compound__sort_key"))
    uses = defaultdict(list)
    paid = (
        Use.objects.filter(fund__in=funds, state=Use.State.PAID)
        .select_related("vote")
        .prefetch_related("buildings")
        .order_by("-paid_at", "-id")
    )
    for use in paid:
        if len(uses[use.fund_id]) < RECENT:
            uses[use.fund_id].append(use)
    return [PublishedFund(f, floor_status(f), uses[f.pk]) for f in funds]
