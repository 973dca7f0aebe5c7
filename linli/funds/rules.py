"""The numbers of the maintenance fund (RULES.md §2), on integers only (fen; areas in hundredths
of a square metre). No Django model here: the rules are tested at their boundaries alone.

- R2.1 (住宅专项维修资金管理办法 art. 17): a house whose balance is *below* 30 % of its own first
  deposit must top up (需续交): `100 × balance < 30 × first deposit`; exactly 30 % is not flagged.
- R2.2: a compound-level floor: a use that would leave the compound's balance *below* the floor
  percent (default 30) of the total first deposits is refused; exactly at the floor is allowed.
  The Shanghai variant adds: once the balance is below the floor, the owners top it up to 50 %
  of the first total within 90 days (the fund shows the target, the shortfall and the date).
- Apportionment by area: largest remainder (Hamilton). Each house gets floor(total × area /
  total area) fen; the fen left over (fewer than the number of houses) go one each to the houses
  with the largest remainders, ties to the lower house id. The shares sum exactly to the total.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Policy:
    """The compound-level floor policy (settings LINLI_FUND_*; docs/funds.md)."""

    name: str  # "national" or "shanghai"
    floor_percent: int
    house_percent: int  # R2.1
    topup_percent: int | None = None  # Shanghai: top up to this share of the first total …
    topup_days: int | None = None  # … within these days of falling below the floor


def policy() -> Policy:
    name = settings.LINLI_FUND_FLOOR_POLICY
    shanghai = name == "shanghai"
    return Policy(
        name=name,
        floor_percent=settings.LINLI_FUND_FLOOR_PERCENT,
        house_percent=settings.LINLI_FUND_HOUSE_PERCENT,
        topup_percent=settings.LINLI_FUND_TOPUP_PERCENT if shanghai else None,
        topup_days=settings.LINLI_FUND_TOPUP_DAYS if shanghai else None,
    )


def below(balance: int, base: int, percent: int) -> bool:
    """Whether `balance` is below `percent` % of `base` (不足: strictly below)."""
    return 100 * balance < percent * base


def share_of(base: int, percent: int) -> int:
    """The smallest whole fen amount that is not below `percent` % of `base` (the floor in fen):
    `balance >= share_of(base, p)` exactly when not `below(balance, base, p)`."""
    return -(-percent * base // 100)


def needs_topup(balance: int, first_deposit: int, percent: int | None = None) -> bool:
    """R2.1: 需续交."""
    return below(balance, first_deposit, settings.LINLI_FUND_HOUSE_PERCENT if percent is None else percent)


def floor_shortfall(balance: int, amount: int, first_total: int, percent: int) -> int:
    """R2.2: how many fen the use of `amount` would take the balance under the floor (0: allowed)."""
    return max(0, share_of(first_total, percent) - (balance - amount))


def apportion(total: int, weights: dict[int, int]) -> dict[int, int]:
    """`total` fen shared by `weights` (house id → area in hundredths), largest remainder."""
    if total < 0:
        return {k: -v for k, v in apportion(-total, weights).items()}
    whole = sum(weights.values())
    if not weights or whole <= 0:
        raise ValueError("nothing to apportion to")
    shares, remainders = {}, []
    for key, weight in weights.items():
        shares[key], rest = divmod(total * weight, whole)
        remainders.append((-rest, key))
    for _rest, key in sorted(remainders)[: total - sum(shares.values())]:
        shares[key] += 1
    return shares
