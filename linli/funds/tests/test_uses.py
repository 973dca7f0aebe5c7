"""A use's lifecycle: R2.3 through the owners' vote (art. 278 matter 5, its boundaries), R2.4 the
emergency path without a vote but with its approvals, the floor at the payment, and the payment
apportioned by area to exactly the invoice."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.core.models import Notification
from linli.deliberation import actions as votes
from linli.deliberation.models import Matter
from linli.funds import actions
from linli.funds.models import Account, Entry, EntryKind, Fund, Use
from linli.funds.tests.conftest import DEPOSIT
from linli.funds.tests.helpers import DAY, closes_soon, move, paid_emergency

pytestmark = pytest.mark.django_db


def _voting(world, funds, **scope):
    use = actions.propose_use(actor=world.users.community, fund=funds.fund, title="更换单元门", budget=320_000, **scope)
    move(use, "put_to_vote", world.users.community, closes_at=closes_soon())
    use.refresh_from_db()
    return use


def _ballots(world, use, choices):
    """Cast `choices` (one per elector, in order; None: does not vote), then close the vote."""
    vote = use.vote
    for elector, choice in zip(vote.electors.order_by("id"), choices, strict=True):
        if choice:
            votes.cast(vote.pk, elector.pk, choice, actor=world.users.community, paper_reference="P")
    vote.refresh_from_db()
    votes.close_vote(vote, actor=world.users.community)


def test_put_to_vote_opens_an_owners_vote_on_matter_5_for_the_houses_concerned(world, funds):
    use = _voting(world, funds, buildings=[world.bld_a])
    assert use.state == Use.State.VOTING
    assert use.vote.matter == Matter.USE_FUND and use.vote.compound_id == world.cp1.pk
    assert sorted(h for e in use.vote.electors.all() for h in e.houses) == [world.house_a1.pk, world.house_a2.pk]
    with pytest.raises(ValidationError):  # still open
        move(use, "agreed", world.users.community)


@pytest.mark.parametrize(
    "choices, passed",
    [
        (["agree", "agree", "agree", "disagree"], True),  # 3 of 4 > 1/2
        (["agree", "agree", "disagree", "disagree"], False),  # exactly half: 过半数 excludes it
        (["agree", "agree", "agree", None], True),  # 3 of 4 take part: ≥ 2/3, all three approve
        (["agree", "agree", None, None], False),  # 2 of 4 take part: below the 2/3 quorum
    ],
)
def test_the_use_proceeds_only_when_its_vote_passed_at_the_art_278_boundaries(world, funds, choices, passed):
    use = _voting(world, funds)
    _ballots(world, use, choices)
    assert votes.result(use.vote).passed is passed
    good, bad = ("agreed", "not_agreed") if passed else ("not_agreed", "agreed")
    with pytest.raises(ValidationError):
        move(use, bad, world.users.community)
    move(use, good, world.users.community)
    use.refresh_from_db()
    assert use.state == (Use.State.AGREED if passed else Use.State.REJECTED)
    if not passed:
        with pytest.raises(ValidationError):
            move(use, "start_works", world.users.community, contractor="X", works_started_on=DAY)


def test_a_normal_use_cannot_skip_the_vote(world, funds):
    use = actions.propose_use(actor=world.users.community, fund=funds.fund, title="道路修缮", budget=300_000)
    with pytest.raises(ValidationError):
        move(use, "emergency_works", world.users.community, contractor="X", works_started_on=DAY)


def test_normal_use_paid_after_its_vote_apportions_by_area_to_exactly_the_invoice(world, funds):
    world.house_b1.area = "120.25"
    world.house_b1.save()
    use = _voting(world, funds)
    _ballots(world, use, ["agree"] * 4)
    u = world.users
    move(use, "agreed", u.community)
    move(use, "start_works", u.community, contractor="宁夏建工", works_started_on=DAY)
    move(use, "request_payment", u.community, invoice_total="3210.01", invoice_reference="FP-2",
         works_finished_on=DAY)  # fmt: skip
    move(use, "approve", u.subdistrict)
    move(use, "pay", u.subdistrict, booked_on=DAY)
    use.refresh_from_db()
    entries = Entry.objects.filter(use=use)
    assert entries.count() == 4 and sum(e.amount for e in entries) == -321_001
    by_house = {e.account.house_id: -e.amount for e in entries.select_related("account")}
    assert by_house[world.house_b1.pk] > by_house[world.house_a1.pk]  # the larger house pays more
    fund = Fund.objects.get(pk=funds.fund.pk)
    assert use.state == Use.State.PAID and use.balance_after == fund.balance == 4 * DEPOSIT - 321_001


def test_emergency_use_skips_the_vote_and_keeps_its_approvals(world, funds, django_capture_on_commit_callbacks):
    u = world.users
    use = actions.propose_use(
        actor=u.community, fund=funds.fund, title="电梯困人抢修", budget=50_000, emergency="lift", unit=world.unit_a
    )
    with pytest.raises(ValidationError):
        move(use, "put_to_vote", u.community, closes_at=closes_soon())
    move(use, "emergency_works", u.community, contractor="电梯维保", works_started_on=DAY)
    move(use, "request_payment", u.community, invoice_total="500.00", invoice_reference="FP-3", works_finished_on=DAY)
    with pytest.raises(ValidationError):  # no payment before the approval
        move(use, "pay", u.subdistrict, booked_on=DAY)
    with pytest.raises(PermissionDenied):  # the community cannot approve its own request
        move(use, "approve", u.community)
    with pytest.raises(PermissionDenied):  # nor can someone who requested it, whatever their role
        use.refresh_from_db()
        Use.objects.filter(pk=use.pk).update(requested_by=u.subdistrict)
        move(use, "approve", u.subdistrict)
    Use.objects.filter(pk=use.pk).update(requested_by=u.community)
    move(use, "approve", u.subdistrict)
    with django_capture_on_commit_callbacks(execute=True):
        move(use, "pay", u.subdistrict, booked_on=DAY)
    use.refresh_from_db()
    assert use.vote is None and use.state == Use.State.PAID and use.paid_at
    assert list(Entry.objects.filter(use=use).values_list("amount", flat=True)) == [-25_000, -25_000]
    assert Notification.objects.filter(user=world.users.resident, text__contains="电梯困人抢修").exists()


def test_the_floor_is_checked_again_at_the_payment_request(world, funds):
    u = world.users
    use = actions.propose_use(actor=u.community, fund=funds.fund, title="外墙", budget=2_000_000, emergency="facade")
    move(use, "emergency_works", u.community, contractor="X", works_started_on=DAY)
    with pytest.raises(ValidationError) as exc:  # 28,000.01 would leave the balance one fen under
        move(use, "request_payment", u.community, invoice_total="28000.01", invoice_reference="F",
             works_finished_on=DAY)  # fmt: skip
    assert "0.01" in " ".join(exc.value.messages)
    move(use, "request_payment", u.community, invoice_total="28000.00", invoice_reference="F", works_finished_on=DAY)
    # meanwhile another payment lowers the balance: approval and payment refuse
    paid_emergency(world, funds.fund, 1)
    with pytest.raises(ValidationError):
        move(use, "approve", u.subdistrict)
    assert Fund.objects.get(pk=funds.fund.pk).balance == 4 * DEPOSIT - 1
    assert not Entry.objects.filter(use=use).exists()
    # the one-fen use went to one house only (the lowest id: largest remainder, tie): no zero entries
    assert Account.objects.filter(fund=funds.fund, entries__kind=EntryKind.USE).count() == 1
