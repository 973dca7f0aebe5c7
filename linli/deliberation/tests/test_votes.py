import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.deliberation import actions
from linli.deliberation.models import Ballot, OwnerVote
from linli.people.models import Household, Person, Relation, Tenure
from linli.places.models import House
from linli.testing import database_refuses_inserts_into, make_id

from .moves import post_move


@pytest.fixture
def lift_unit(world):
    """Unit A: houses 101, 201 (existing owner households) + 301 owned by the head of 101, + 401
    unsold (developer) + 501 whose owner is not registered. Owners: a1h(101+301), a2h(201),
    developer(401), house:501 → 4 owners."""

    def mk(number, **kw):
        return create_object(House, actor=None, unit=world.unit_a, number=number, area=Decimal("100.00"), **kw)

    h301, h401, h501 = mk("301"), mk("401", developer_owned=True), mk("501")
    hh = create_object(Household, actor=None, house=h301, tenure=Tenure.TENANT)
    create_object(
        Person, actor=None, household=hh, name="租户", relation=Relation.HEAD, id_number=make_id(999, "19700101")
    )
    return {"h301": h301, "h401": h401, "h501": h501}


def open_lift_vote(world, user, matter=7):
    return actions.open_vote(
        actor=user,
        title="1号楼1单元加装电梯",
        matter=matter,
        compound=world.cp1,
        unit=world.unit_a,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )


@pytest.mark.django_db
def test_electorate_counts_owners_and_area_per_art_278(world, lift_unit):
    vote = open_lift_vote(world, world.users.community)
    electors = {e.key: e for e in vote.electors.all()}
    assert "developer" in electors and f"house:{lift_unit['h501'].pk}" in electors
    assert electors["developer"].area == 10000
    assert sum(e.area for e in electors.values()) == 2 * 8950 + 3 * 10000
    assert len(electors) == 5  # 101, 201, 301 (let: owner not registered), developer 401, unknown 501
    assert f"house:{lift_unit['h301'].pk}" in electors  # a tenant is not the owner


@pytest.mark.django_db
def test_one_buyer_of_several_houses_counts_once(world, lift_unit):
    from linli.people.models import Ownership

    # the head of 101 also bought 301 and lets it: one owner with both houses' area
    Ownership.objects.create(house=lift_unit["h301"], person=world.p_a1h)
    vote = open_lift_vote(world, world.users.community)
    e = vote.electors.get(key=f"p:{world.p_a1h.id_number_hash}")
    assert sorted(e.houses) == sorted([world.house_a1.pk, lift_unit["h301"].pk]) and e.area == 8950 + 10000
    assert vote.electors.count() == 4


def cast_all(vote, user, choices):
    for elector, choice in zip(vote.electors.order_by("-area", "id"), choices, strict=False):
        actions.cast(vote.pk, elector.pk, choice, actor=user)


@pytest.mark.django_db
def test_lift_vote_passes_at_exactly_three_quarters_and_fails_just_below(world):
    # four owners in the unit (the two households of unit A plus two more houses), equal areas
    for n in ("301", "401"):
        h = create_object(House, actor=None, unit=world.unit_a, number=n, area=Decimal("89.50"))
        hh = create_object(Household, actor=None, house=h, tenure=Tenure.OWNER)
        create_object(
            Person,
            actor=None,
            household=hh,
            name=f"业主{n}",
            relation=Relation.HEAD,
            id_number=make_id(int(n), "19660101"),
        )
    vote = open_lift_vote(world, world.users.community)
    assert vote.electors.count() == 4
    cast_all(vote, world.users.community, ["agree", "agree", "agree", "disagree"])
    r = actions.result(vote)
    assert r.quorate and r.passed  # 3/4 of owners and 3/4 of area: 以上 includes the threshold
    below = open_lift_vote(world, world.users.community)
    cast_all(below, world.users.community, ["agree", "agree", "disagree", "disagree"])
    assert not actions.result(below).passed


@pytest.mark.django_db
def test_correction_before_close_is_audited_and_refused_after(world, login):
    vote = open_lift_vote(world, world.users.community)
    elector = vote.electors.first()
    c = login(world.users.community)
    c.post(vote.get_absolute_url(), {"elector": elector.pk, "choice": "disagree", "paper_reference": "纸质001"})
    c.post(vote.get_absolute_url(), {"elector": elector.pk, "choice": "agree", "paper_reference": "纸质001"})
    ballot = Ballot.objects.get()
    assert ballot.choice == "agree"
    corrected = AuditLog.objects.get(action="update", content_type__model="ballot")
    assert corrected.changes["choice"] == ["disagree", "agree"]
    assert post_move(c, vote, "close", {"version": vote.version + 1}).status_code == 302  # a stale page: refused
    assert OwnerVote.objects.get(pk=vote.pk).status == "open"
    assert post_move(c, vote, "close").status_code == 302
    vote.refresh_from_db()
    assert vote.status == "closed"
    with pytest.raises(ValidationError):
        actions.cast(vote.pk, elector.pk, "disagree", actor=world.users.community)
    r = c.post(vote.get_absolute_url(), {"elector": elector.pk, "choice": "disagree"}, follow=True)
    assert "已结束" in r.content.decode() and Ballot.objects.get().choice == "agree"


@pytest.mark.django_db
def test_votes_are_scoped(world, login):
    vote = open_lift_vote(world, world.users.community)
    assert login(world.users.other_community).get(vote.get_absolute_url()).status_code == 404
    assert login(world.users.grid_a).get(vote.get_absolute_url()).status_code == 200
    assert post_move(login(world.users.grid_a), vote, "close").status_code == 403  # sees it, does not manage it
    assert post_move(login(world.users.other_community), vote, "close").status_code == 404
    assert OwnerVote.objects.get(pk=vote.pk).status == "open"
    assert (
        "1号楼1单元加装电梯" in login(world.users.resident).get(reverse("deliberation:votes")).content.decode()
    )  # their compound
    page = login(world.users.community).get(vote.get_absolute_url()).content.decode()
    assert world.p_a1h.name not in page and "居*" in page  # owners shown masked
    assert OwnerVote.objects.restrict(world.users.property).count() == 0


@pytest.mark.django_db
def test_open_vote_form_checks(world, login):
    c = login(world.users.community)
    r = c.post(
        reverse("deliberation:vote_create"),
        {"title": "x", "matter": 7, "compound": world.cp1.pk, "closes_at": "2020-01-01T10:00"},
    )
    assert r.status_code == 200 and "closes_at" in r.context["form"].errors
    r = c.post(
        reverse("deliberation:vote_create"),
        {"title": "x", "matter": 7, "compound": world.cp2.pk, "closes_at": "2030-01-01T10:00"},
    )
    assert "compound" in r.context["form"].errors
    r = c.post(
        reverse("deliberation:vote_create"),
        {"title": "续聘物业", "matter": 4, "compound": world.cp1.pk, "closes_at": "2030-01-01T10:00"},
    )
    assert r.status_code == 302 and OwnerVote.objects.get().electors.count() == 4


@pytest.mark.django_db
def test_owner_casts_own_ballot_online_until_the_close(world, login):
    vote = open_lift_vote(world, world.users.community)
    c = login(world.users.resident)  # head of household a1, owner of 101
    page = c.get(vote.get_absolute_url()).content.decode()
    assert 'data-testid="my-ballot"' in page
    c.post(vote.get_absolute_url(), {"mine": "1", "choice": "agree"})
    c.post(vote.get_absolute_url(), {"mine": "1", "choice": "abstain"})
    ballot = Ballot.objects.get()
    assert (ballot.choice, ballot.elector.key, ballot.entered_by) == (
        "abstain",
        f"p:{world.p_a1h.id_number_hash}",
        world.users.resident,
    )
    # residents cannot touch other ballots or close
    other = vote.electors.exclude(pk=ballot.elector_id).first()
    assert c.post(vote.get_absolute_url(), {"elector": other.pk, "choice": "agree"}).status_code == 404
    actions.close_vote(vote, actor=world.users.community)
    r = c.post(vote.get_absolute_url(), {"mine": "1", "choice": "agree"}, follow=True)
    assert "已结束" in r.content.decode() and Ballot.objects.get().choice == "abstain"


@pytest.mark.django_db
def test_resident_of_another_compound_has_no_ballot(world, login):
    from linli.accounts.models import RoleAssignment, User

    vote = open_lift_vote(world, world.users.community)
    outsider = User.objects.create_user("outsider")
    RoleAssignment.objects.create(user=outsider, role="resident", household=world.hh_c1)
    assert login(outsider).get(vote.get_absolute_url()).status_code == 404
    assert login(outsider).post(vote.get_absolute_url(), {"mine": "1", "choice": "agree"}).status_code == 404


@pytest.mark.django_db
def test_owners_do_not_see_how_neighbours_voted(world, login):
    vote = open_lift_vote(world, world.users.community)
    neighbour = vote.electors.exclude(key=f"p:{world.p_a1h.id_number_hash}").first()
    actions.cast(vote.pk, neighbour.pk, "disagree", actor=world.users.community, paper_reference="纸票第九号")
    page = login(world.users.resident).get(vote.get_absolute_url()).content.decode()
    assert 'data-testid="electors"' not in page and "纸票第九号" not in page
    assert 'data-testid="electors"' in login(world.users.community).get(vote.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_ballots_are_refused_from_the_closing_time_on(world):
    import time_machine

    vote = open_lift_vote(world, world.users.community)
    elector = vote.electors.first()
    with time_machine.travel(vote.closes_at - dt.timedelta(microseconds=1), tick=False):
        actions.cast(vote.pk, elector.pk, "agree", actor=world.users.community)
    for late in (dt.timedelta(0), dt.timedelta(days=1)):
        with time_machine.travel(vote.closes_at + late, tick=False), pytest.raises(ValidationError, match="已结束"):
            actions.cast(vote.pk, elector.pk, "disagree", actor=world.users.community)  # nobody closed it: the time did
    vote.refresh_from_db()
    assert vote.status == OwnerVote.Status.OPEN and Ballot.objects.get().choice == "agree"


@pytest.mark.django_db
def test_a_vote_is_closed_once(world):
    vote = open_lift_vote(world, world.users.community)
    actions.close_vote(vote, actor=world.users.community)
    with pytest.raises(ValidationError, match="已经结束|已结束"):
        actions.close_vote(vote, actor=world.users.community)
    assert AuditLog.objects.filter(action="update", content_type__model="ownervote").count() == 1


@pytest.mark.django_db
def test_a_closed_vote_reads_as_a_vote_not_as_a_closed_request(world, login):
    """表决已截止: the vote's status had the request's word (已结案)."""
    vote = open_lift_vote(world, world.users.community)
    actions.close_vote(vote, actor=world.users.community)
    assert vote.get_status_display() == "已截止"
    page = login(world.users.community).get(vote.get_absolute_url()).content.decode()
    assert "已截止" in page and "已结案" not in page


@pytest.mark.django_db
def test_a_vote_is_not_closed_when_its_audit_record_cannot_be_written(world):
    """The close and its audit record are one write: when the database refuses the audit record's
    INSERT (a full disk, a lost connection), the vote stays open, not closed without a trace."""
    vote = open_lift_vote(world, world.users.community)
    with database_refuses_inserts_into("core_auditlog"), pytest.raises(DatabaseError):
        actions.close_vote(vote, actor=world.users.community)
    vote.refresh_from_db()
    assert (vote.status, vote.closed_at) == (OwnerVote.Status.OPEN, None)
    assert not AuditLog.objects.filter(action="update", content_type__model="ownervote").exists()


@pytest.mark.django_db
def test_a_ballot_is_not_recorded_when_its_audit_record_cannot_be_written(world):
    """Likewise a ballot and its audit record (cast's own transaction; on PostgreSQL its row lock
    needs it too: cases/tests/test_concurrency.py)."""
    vote = open_lift_vote(world, world.users.community)
    with database_refuses_inserts_into("core_auditlog"), pytest.raises(DatabaseError):
        actions.cast(vote.pk, vote.electors.first().pk, "agree", actor=world.users.community)
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_a_household_without_a_head_votes_through_its_first_member(world):
    # nobody in household A2 is recorded as its head: its first member stands for the house
    Person.objects.filter(pk=world.p_a2h.pk).update(relation=Relation.OTHER)
    vote = open_lift_vote(world, world.users.community)
    keys = set(vote.electors.values_list("key", flat=True))
    assert keys == {f"p:{world.p_a1h.id_number_hash}", f"p:{world.p_a2h.id_number_hash}"}


@pytest.mark.django_db
def test_two_owner_households_in_one_house_vote_once_through_the_first(world):
    hh = create_object(Household, actor=None, house=world.house_a1, tenure=Tenure.OWNER)
    create_object(
        Person, actor=None, household=hh, name="二户户主", relation=Relation.HEAD, id_number=make_id(77, "19700101")
    )
    vote = open_lift_vote(world, world.users.community)
    assert set(vote.electors.values_list("key", flat=True)) == {
        f"p:{world.p_a1h.id_number_hash}",
        f"p:{world.p_a2h.id_number_hash}",
    }


@pytest.mark.django_db
def test_closing_over_the_api_is_one_move_with_its_version(world):
    """POST /api/v1/votes/<id>/close/ (workflow.OWNER_VOTE): 403 without votes.manage, 409 on a
    stale version, then closed once, audited once; ballots after it are refused."""
    from rest_framework.test import APIClient

    def api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    vote = open_lift_vote(world, world.users.community)
    url = f"/api/v1/votes/{vote.pk}/close/"
    assert api(world.users.resident).post(url, {"version": 0}, format="json").status_code == 403
    assert api(world.users.community).post(url, {"version": 1}, format="json").status_code == 409
    r = api(world.users.community).post(url, {"version": 0}, format="json")
    assert r.status_code == 200 and (r.json()["status"], r.json()["version"]) == ("closed", 1) and r.json()["closed_at"]
    r = api(world.users.community).post(url, {"version": 1}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["message"] == "表决已结束。"
    row = AuditLog.objects.get(content_type__model="ownervote", action="update")
    assert (row.note, row.changes["status"], row.actor) == ("close", ["open", "closed"], world.users.community)
    with pytest.raises(ValidationError, match="已结束"):
        actions.cast(vote.pk, vote.electors.first().pk, "agree", actor=world.users.community)


@pytest.mark.django_db
@pytest.mark.parametrize(("matter", "threshold"), [(5, "&gt; 1/2"), (6, "≥ 3/4"), (8, "≥ 3/4"), (9, "&gt; 1/2")])
def test_the_result_page_shows_the_threshold_of_the_matter(world, login, matter, threshold):
    vote = open_lift_vote(world, world.users.community, matter=matter)
    page = login(world.users.community).get(vote.get_absolute_url()).content.decode()
    assert page.count(threshold) == 2 and page.count("≥ 3/4" if "1/2" in threshold else "&gt; 1/2") == 0


@pytest.mark.django_db
def test_the_page_and_the_count_take_the_supermajority_matters_from_one_place(world, login, monkeypatch):
    from linli.deliberation import tally

    monkeypatch.setattr(tally, "SUPERMAJORITY_MATTERS", {4})  # as if the law changed
    vote = open_lift_vote(world, world.users.community, matter=4)
    assert actions.result(vote).approval[0].threshold == tally.Fraction(3, 4)
    assert login(world.users.community).get(vote.get_absolute_url()).content.decode().count("≥ 3/4") == 2


def test_a_spoiled_ballot_counts_as_participation_never_as_approval():
    """Three owners of equal area: agree + spoiled is exactly the 2/3 quorum, and 1 of 2 approving
    is not more than half (fails); without the spoiled ballot there is no quorum at all."""
    from linli.deliberation import tally

    owners = {"a": 10000, "b": 10000, "c": 10000}
    with_spoiled = tally.tally(4, owners, {"a": "agree", "b": "spoiled"})
    assert with_spoiled.quorate and not with_spoiled.passed
    assert [f.part for f in with_spoiled.quorum] == [20000, 2] and [f.part for f in with_spoiled.approval] == [10000, 1]
    assert not tally.tally(4, owners, {"a": "agree"}).quorate
    assert tally.tally(4, owners, {"a": "agree", "b": "agree"}).passed


@pytest.mark.django_db
def test_staff_record_a_spoiled_paper_ballot_an_owner_cannot_cast_one_online(world, login):
    vote = open_lift_vote(world, world.users.community)
    mine = actions.own_elector(vote, world.users.resident)
    resident = login(world.users.resident)
    page = resident.get(vote.get_absolute_url()).content.decode()
    assert 'value="spoiled"' not in page  # the owner's buttons: agree, disagree, abstain
    resident.post(vote.get_absolute_url(), {"mine": "1", "choice": "spoiled"})
    assert not Ballot.objects.exists()
    staff = login(world.users.community)
    assert 'value="spoiled"' in staff.get(vote.get_absolute_url()).content.decode()
    staff.post(vote.get_absolute_url(), {"elector": mine.pk, "choice": "spoiled", "paper_reference": "P7"})
    ballot = Ballot.objects.get()
    assert (ballot.choice, ballot.paper_reference, ballot.get_choice_display()) == ("spoiled", "P7", "废票")
    assert actions.result(vote).quorum[1].part == 1 and actions.result(vote).approval[1].part == 0


@pytest.mark.django_db
def test_the_vote_form_opens_a_topics_vote_only_after_its_notice(world, login):
    from linli.deliberation import procedures
    from linli.deliberation.models import Procedure, StepRecord

    topic = procedures.raise_topic(
        actor=world.users.community,
        title="续聘物业",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="业主共同决定"),
        matter=4,
    )
    procedures.screen(topic, actor=world.users.community, accept=True)
    step = procedures.next_step(topic)
    procedures.complete_step(topic.pk, step.pk, actor=world.users.community, note="公告业主大会")
    c = login(world.users.community)
    data = {"title": "续聘物业", "matter": 4, "compound": world.cp1.pk, "closes_at": "2030-01-01T10:00"}
    r = c.post(reverse("deliberation:vote_create"), data | {"topic": topic.pk})
    assert r.status_code == 200 and "15" in str(r.context["form"].errors["topic"]) and not OwnerVote.objects.exists()
    StepRecord.objects.filter(topic=topic).update(completed_at=timezone.now() - dt.timedelta(days=15))
    r = c.post(reverse("deliberation:vote_create"), data | {"topic": topic.pk})
    assert r.status_code == 302 and OwnerVote.objects.get().topic == topic
    other = login(world.users.other_community)  # a topic outside one's scope is not offered
    r = other.post(reverse("deliberation:vote_create"), data | {"compound": world.cp2.pk, "topic": topic.pk})
    assert r.status_code == 200 and "topic" in r.context["form"].errors


@pytest.mark.django_db
def test_the_register_makes_the_electorate_by_head_and_area(world, login, lift_unit):
    """A landlord of three houses in two buildings is one elector with the three areas; two
    co-owners (a person and an organisation, 50/50) of a house are one elector together; the
    vote page shows each elector's houses and area, the names masked."""
    from linli.people.models import Ownership

    landlord = world.p_c1h  # lives in another compound
    for house in (lift_unit["h301"], lift_unit["h501"], world.house_b1):
        create_object(Ownership, actor=world.users.admin, house=house, person=landlord)
    create_object(Ownership, actor=None, house=world.house_b2, person=world.p_b2h, share=Decimal("50"))
    create_object(Ownership, actor=None, house=world.house_b2, organisation="宁夏某投资有限公司", share=Decimal("50"))
    vote = actions.open_vote(
        actor=world.users.community,
        title="续聘物业",
        matter=4,
        compound=world.cp1,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    electors = {e.key: e for e in vote.electors.all()}
    mine = electors[f"p:{landlord.id_number_hash}"]
    assert sorted(mine.houses) == sorted([lift_unit["h301"].pk, lift_unit["h501"].pk, world.house_b1.pk])
    assert mine.area == 10000 + 10000 + 8950
    together = electors["p:" + "+".join(sorted([world.p_b2h.id_number_hash, "o:宁夏某投资有限公司"]))]
    assert together.houses == [world.house_b2.pk] and together.area == 8950
    # a1h (101), a2h (201), the landlord, the developer (401), the co-owners of B2: five by head
    assert len(electors) == 5 and sum(e.area for e in electors.values()) == 4 * 8950 + 3 * 10000
    assert f"house:{lift_unit['h501'].pk}" not in electors  # registered now
    page = login(world.users.community).get(vote.get_absolute_url()).content.decode()
    assert "1号楼1单元301、1号楼1单元501、2号楼1单元101" in page and "289.50" in page
    assert landlord.name not in page and "居**" in page and "宁夏某投资有限公司" in page
