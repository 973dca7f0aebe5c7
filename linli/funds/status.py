"""What a fund's page and the board say of a compound's fund: its floor and, under the Shanghai
policy, the top-up the owners owe (read-only; rules.py holds the numbers)."""

import datetime as dt
from dataclasses import dataclass

from . import rules


@dataclass(frozen=True)
class FloorStatus:
    percent: int
    floor: int  # fen
    available: int  # fen that uses may still take (0 when at or below the floor)
    below: bool
    topup_target: int | None = None  # Shanghai: the balance to reach …
    topup_short: int | None = None  # … what is missing …
    topup_by: dt.date | None = None  # … and by when


def floor_status(fund) -> FloorStatus:
    p = rules.policy()
    floor = rules.share_of(fund.first_total, p.floor_percent)
    below = rules.below(fund.balance, fund.first_total, p.floor_percent)
    target = short = by = None
    if below and p.topup_percent is not None:
        target = rules.share_of(fund.first_total, p.topup_percent)
        short = max(0, target - fund.balance)
        if fund.below_floor_since and p.topup_days is not None:
            by = fund.below_floor_since + dt.timedelta(days=p.topup_days)
    return FloorStatus(p.floor_percent, floor, max(0, fund.balance - floor), below, target, short, by)
