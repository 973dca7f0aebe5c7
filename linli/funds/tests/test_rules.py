"""The numbers of RULES.md §2 at their boundaries, and the apportionment's rounding rule."""

import random

import pytest

from linli.funds import rules


def test_house_topup_exactly_30_percent_is_not_flagged_one_fen_below_is():
    assert not rules.needs_topup(300, 1000, 30)  # exactly 30 %
    assert rules.needs_topup(299, 1000, 30)  # one fen below
    assert not rules.needs_topup(301, 1000, 30)
    # a first deposit that does not divide: 30 % of 1001 fen is 300.3 fen
    assert rules.needs_topup(300, 1001, 30)
    assert not rules.needs_topup(301, 1001, 30)
    assert not rules.needs_topup(0, 0, 30)  # no first deposit: nothing to top up


def test_floor_exactly_at_is_allowed_one_fen_below_is_refused():
    first, balance = 1_000_000, 400_000  # floor 300,000
    assert rules.floor_shortfall(balance, 100_000, first, 30) == 0  # leaves exactly the floor
    assert rules.floor_shortfall(balance, 100_001, first, 30) == 1  # one fen below
    assert rules.floor_shortfall(balance, 99_999, first, 30) == 0
    # a floor that is not whole fen rounds up: 30 % of 1,000,001 is 300,000.3 → 300,001
    assert rules.share_of(1_000_001, 30) == 300_001
    assert rules.floor_shortfall(400_000, 99_999, 1_000_001, 30) == 0
    assert rules.floor_shortfall(400_000, 100_000, 1_000_001, 30) == 1


def test_apportion_sums_exactly_largest_remainder_ties_to_lower_id():
    # 100 fen over three equal areas: 33.33 each, the one fen left to the lowest id
    assert rules.apportion(100, {3: 1, 1: 1, 2: 1}) == {1: 34, 2: 33, 3: 33}
    # by area: 1000 fen over 89.50, 120.25 and 60.00 m²
    shares = rules.apportion(1000, {1: 8950, 2: 12025, 3: 6000})
    assert sum(shares.values()) == 1000
    # quotas 331.789, 445.783, 222.428: 998 fen by rounding down, the two left to the largest rests
    assert shares == {1: 332, 2: 446, 3: 222}
    # negative totals (a use) mirror the positive ones
    assert rules.apportion(-100, {1: 1, 2: 1, 3: 1}) == {1: -34, 2: -33, 3: -33}


@pytest.mark.parametrize("seed", range(20))
def test_apportion_never_loses_or_creates_a_fen(seed):
    rnd = random.Random(seed)
    weights = {i: rnd.randint(1, 20_000) for i in range(1, rnd.randint(2, 60))}
    total = rnd.randint(0, 10**9)
    shares = rules.apportion(total, weights)
    assert sum(shares.values()) == total
    whole = sum(weights.values())
    for key, share in shares.items():  # each share is its exact quota rounded down or up
        assert total * weights[key] // whole <= share <= total * weights[key] // whole + 1


def test_apportion_refuses_nothing_to_share_to():
    with pytest.raises(ValueError):
        rules.apportion(100, {})
