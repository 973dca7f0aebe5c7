"""R0/R1 at their exact boundaries: at the threshold, one unit below, one unit above."""

from decimal import Decimal
from fractions import Fraction

import pytest

from linli.deliberation.tally import hundredths, tally


def electorate(n, area=10000):
    return {f"o{i}": area for i in range(n)}


def ballots(agree, disagree=0, abstain=0):
    keys = iter(range(10_000))
    b = {}
    for choice, count in (("agree", agree), ("disagree", disagree), ("abstain", abstain)):
        for _ in range(count):
            b[f"o{next(keys)}"] = choice
    return b


@pytest.mark.parametrize(("voters", "quorate"), [(7, False), (8, True)])  # 12 owners: 2/3 = 8
def test_quorum_two_thirds_of_owners_and_area_inclusive(voters, quorate):
    r = tally(5, electorate(12), ballots(voters))
    assert r.quorate is quorate


def test_quorum_needs_area_too():
    owners = electorate(12) | {"big": 300000}  # one owner holds most of the area
    r = tally(5, owners, ballots(12))  # 12 of 13 owners but without the big owner's area
    assert r.quorum[1].met and not r.quorum[0].met and not r.passed


@pytest.mark.parametrize(("agree", "passed"), [(9, True), (8, False)])
def test_lift_passes_at_exactly_three_quarters(agree, passed):
    # 12 owners all vote: 9/12 = 3/4 exactly passes (以上 includes), 8/12 fails
    r = tally(7, electorate(12), ballots(agree, 12 - agree))
    assert r.passed is passed


@pytest.mark.parametrize("matter", range(1, 10))
def test_three_quarters_for_matters_6_7_8_more_than_half_for_the_others(matter):
    # 12 owners all vote: 6 agree (exactly half), 7 (just more), 8 (2/3), 9 (exactly 3/4)
    passed = [tally(matter, electorate(12), ballots(agree, 12 - agree)).passed for agree in (6, 7, 8, 9)]
    result = tally(matter, electorate(12), ballots(9, 3))
    figure = result.approval[1]
    if matter in (6, 7, 8):
        assert passed == [False, False, False, True]
        assert (figure.threshold, figure.strict, result.supermajority) == (Fraction(3, 4), False, True)
    else:
        assert passed == [False, True, True, True]
        assert (figure.threshold, figure.strict, result.supermajority) == (Fraction(1, 2), True, False)


def test_three_quarters_of_area_is_also_needed():
    owners = electorate(11) | {"o11": 40000}  # total participating area 150000
    # 11 agree (area 110000 = 73.3 %) vs the big owner disagreeing: owners 11/12 ≥ 3/4, area < 3/4
    r = tally(7, owners, {f"o{i}": "agree" for i in range(11)} | {"o11": "disagree"})
    assert r.approval[1].met and not r.approval[0].met and not r.passed


@pytest.mark.parametrize(("agree", "passed"), [(6, False), (7, True)])
def test_ordinary_matter_needs_more_than_half(agree, passed):
    # 12 participate: 6/12 is exactly half — 过半数 is strictly more — fails; 7 passes
    r = tally(4, electorate(12), ballots(agree, 12 - agree))
    assert r.passed is passed


def test_more_than_half_of_the_area_and_of_the_owners_each_strictly():
    # 4 owners vote: one big (300.00 m²) against, three small (100.00 m² each) for
    owners = {"big": 30000, "s1": 10000, "s2": 10000, "s3": 10000}
    r = tally(4, owners, {"big": "disagree", "s1": "agree", "s2": "agree", "s3": "agree"})
    assert r.quorate and r.approval[1].met and not r.approval[0].met and not r.passed  # area: exactly half
    # 4 owners vote: two big (200.00 m²) for, two small against: area 4/6, owners exactly half
    owners = {"b1": 20000, "b2": 20000, "s1": 10000, "s2": 10000}
    r = tally(4, owners, {"b1": "agree", "b2": "agree", "s1": "disagree", "s2": "disagree"})
    assert r.quorate and r.approval[0].met and not r.approval[1].met and not r.passed


def test_abstentions_count_for_participation_not_approval():
    r = tally(5, electorate(12), ballots(5, 0, 4))  # 9 participate, 5 agree: 5/9 > 1/2
    assert r.quorate and r.passed
    r = tally(5, electorate(12), ballots(4, 0, 5))
    assert not r.passed


def test_area_boundary_in_hundredths_of_a_square_metre():
    # total area 300.00 m²; participating exactly 200.00 m² is 2/3; 199.99 is not
    owners = {"a": hundredths(Decimal("200.00")), "b": hundredths(Decimal("100.00")), "c": 0}
    assert tally(5, owners, {"a": "agree", "c": "agree"}).quorum[0].met
    owners["a"] = hundredths(Decimal("199.99"))
    owners["b"] = hundredths(Decimal("100.01"))
    assert not tally(5, owners, {"a": "agree", "c": "agree"}).quorum[0].met


def test_ballot_outside_electorate_is_refused():
    with pytest.raises(ValueError, match=r"\['s1', 's2', 's3'\]$"):  # the first three, sorted
        tally(5, electorate(2), {f"s{i}": "agree" for i in (4, 3, 2, 1)})


def test_shares_are_exact_fractions_and_results_cannot_be_edited():
    import dataclasses

    r = tally(5, electorate(12), ballots(7, 2))
    assert [f.share for f in r.quorum + r.approval] == [
        Fraction(9, 12),
        Fraction(9, 12),
        Fraction(7, 9),
        Fraction(7, 9),
    ]
    assert tally(5, {"a": 0}, {}).quorum[0].share is None  # nothing to divide: no share, not 0 %
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.quorum[0].part = 12
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.matter = 7


def test_no_floats_anywhere():
    r = tally(7, electorate(3), ballots(3))
    assert all(isinstance(f.part, int) and isinstance(f.whole, int) for f in r.quorum + r.approval)
