"""Owners' joint decisions, Civil Code art. 278, counted exactly.

Counting words (art. 1259): "以上" includes the number, "过半数" is strictly more than half. All
comparisons are on integers (areas in hundredths of a square metre), never floats:

- R1.1 quorum: participating area ≥ 2/3 of the total area AND participating owners ≥ 2/3 of all owners;
- R1.2 matters 6, 7, 8 (raise the fund, rebuild/alter — 加装电梯 —, change the use of common parts):
  approving area ≥ 3/4 of participating area AND approving owners ≥ 3/4 of participating owners;
- R1.3 every other matter: approving area > 1/2 of participating area AND approving owners > 1/2.

Owners are counted once however many houses they hold (with all their area); the developer's
unsold houses are one owner (R1.4). The caller builds the electorate accordingly.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

SUPERMAJORITY_MATTERS = {6, 7, 8}


def hundredths(area: Decimal) -> int:
    return int((Decimal(area) * 100).to_integral_value())


@dataclass(frozen=True)
class Figure:
    """One of the four comparisons shown on the result page."""

    label: str
    part: int
    whole: int
    threshold: Fraction
    strict: bool  # True: more than (过半数); False: at least (以上)

    @property
    def met(self) -> bool:
        left, right = self.part * self.threshold.denominator, self.whole * self.threshold.numerator
        return left > right if self.strict else left >= right

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.part, self.whole) if self.whole else None


@dataclass(frozen=True)
class Result:
    matter: int
    quorum: tuple[Figure, Figure]
    approval: tuple[Figure, Figure]

    @property
    def quorate(self) -> bool:
        return all(f.met for f in self.quorum)

    @property
    def passed(self) -> bool:
        return self.quorate and all(f.met for f in self.approval)

    @property
    def supermajority(self) -> bool:
        """Approval needs three quarters (R1.2), not more than half."""
        return self.matter in SUPERMAJORITY_MATTERS


def tally(matter: int, owners: dict[str, int], ballots: dict[str, str]) -> Result:
    """owners: owner key → area in hundredths of m² (all their houses in scope);
    ballots: owner key → "agree" | "disagree" | "abstain" (one per owner)."""
    unknown = set(ballots) - set(owners)
    if unknown:
        raise ValueError(f"ballots from outside the electorate: {sorted(unknown)[:3]}")
    total_area, total_owners = sum(owners.values()), len(owners)
    part_area = sum(owners[k] for k in ballots)
    agree = [k for k, choice in ballots.items() if choice == "agree"]
    agree_area = sum(owners[k] for k in agree)
    two_thirds, three_quarters, half = Fraction(2, 3), Fraction(3, 4), Fraction(1, 2)
    quorum = (
        Figure("participating area", part_area, total_area, two_thirds, strict=False),
        Figure("participating owners", len(ballots), total_owners, two_thirds, strict=False),
    )
    if matter in SUPERMAJORITY_MATTERS:
        approval = (
            Figure("approving area", agree_area, part_area, three_quarters, strict=False),
            Figure("approving owners", len(agree), len(ballots), three_quarters, strict=False),
        )
    else:
        approval = (
            Figure("approving area", agree_area, part_area, half, strict=True),
            Figure("approving owners", len(agree), len(ballots), half, strict=True),
        )
    return Result(matter, quorum, approval)
