"""问需 of a 民生实事 (issue 15): the consent campaign of the houses concerned — agree or pay, 艺术巷's
80 % —, built on deliberation's ConsentCampaign and moved through the project's lifecycle. Rate =
agreeing houses ÷ houses concerned, reached iff agreeing × 100 ≥ threshold × houses (integers);
the project is not approved (立项) before; the shares paid are its 居民自筹 budget row."""

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.deliberation.models import Consent, ConsentCampaign, needed, reached
from linli.people.models import Household
from linli.projects import actions
from linli.projects.models import Funding, Heading, Project
from linli.projects.workflow import PROJECT
from linli.testing import log_in

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 1, 10, 0)
BUDGET = 30_000_000


def move(project, name, user, **data):
    project.refresh_from_db()
    return PROJECT.perform(project.pk, name, actor=user, version=project.version, data=data)


def answer(project, user, house, ans="agree", paid="", paid_on=""):
    return PROJECT.perform(
        project.pk, "answer", actor=user, data={"house": house.pk, "answer": ans, "paid_yuan": paid, "paid_on": paid_on}
    )


def applied(world, **kw):
    data = {
        "actor": world.users.community, "community": world.c1, "compound": world.cp1, "title": "艺术巷立面改造",
        "heading": Heading.ENVIRONMENT, "owner_org": world.pm, "owner_name": "社区主任",
        "starts_on": dt.date(2026, 7, 10), "ends_on": dt.date(2026, 12, 31),
        "programme": Project.Programme.LIVELIHOOD, "funding": [("subdistrict", BUDGET)],
    }  # fmt: skip
    return actions.create_project(**(data | kw))


def with_campaign(world, threshold=80, share="500.00", **kw):
    project = applied(world, **kw)
    move(project, "campaign", world.users.community, threshold_percent=threshold, share_yuan=share)
    project.refresh_from_db()
    return project


def houses(world):
    return [world.house_a1, world.house_a2, world.house_b1, world.house_b2]


def approve(project, world):
    return move(project, "approve", world.users.subdistrict, approved_on="2026-08-01")


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agreed", "total", "threshold", "ok"),
    [
        (80, 100, 80, True),  # exactly the threshold passes
        (79, 100, 80, False),  # one house below does not
        (81, 101, 80, True),  # 80 % of 101 is 80.8: 81 houses
        (80, 101, 80, False),
        (1, 1, 100, True),
        (0, 0, 80, False),  # no house: nothing reached
    ],
)
def test_the_threshold_is_reached_at_exactly_its_share_of_houses(agreed, total, threshold, ok):
    assert reached(agreed, total, threshold) is ok


def test_the_houses_needed_round_up():
    assert (needed(100, 80), needed(101, 80), needed(4, 80), needed(4, 75)) == (80, 81, 4, 3)


# --- the campaign on the project -----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_project_with_a_campaign_is_approved_only_once_its_threshold_is_reached(world):
    project = with_campaign(world, threshold=80)  # 4 houses: 80 % is 3.2, so 4 are needed
    assert project.campaign.houses().count() == 4 and project.campaign.title == project.title
    for house in houses(world)[:3]:
        answer(project, world.users.community, house)
    with pytest.raises(ValidationError) as refused:
        approve(project, world)
    text = " ".join(refused.value.messages)
    assert "3" in text and "4" in text and "80" in text and "75.0" in text, text
    assert "同意" in text or "consent" in text  # the refusal names the campaign (Chinese once merged)
    project.refresh_from_db()
    assert project.state == Project.State.PROPOSED
    answer(project, world.users.community, houses(world)[3])
    approve(project, world)
    project.refresh_from_db()
    assert project.state == Project.State.APPROVED


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("agreeing", "ok"), [(3, True), (2, False)])
def test_a_threshold_of_75_percent_of_four_houses_needs_three(world, agreeing, ok):
    project = with_campaign(world, threshold=75, share="")
    for i, house in enumerate(houses(world)):
        answer(project, world.users.community, house, "agree" if i < agreeing else "refuse")
    if ok:
        approve(project, world)
    else:
        with pytest.raises(ValidationError):
            approve(project, world)


@time_machine.travel(NOW, tick=False)
def test_a_house_is_counted_once_and_a_changed_answer_replaces_the_first(world):
    create_object(Household, actor=None, house=world.house_a1)  # a tenant household in the same house
    project = with_campaign(world, threshold=50, share="")
    answer(project, world.users.community, world.house_a1, "agree")
    answer(project, world.users.community, world.house_a1, "refuse")
    answer(project, world.users.community, world.house_a2, "agree")
    f = project.campaign.figures()
    assert (f["houses"], f["agreed"], f["refused"], f["unanswered"]) == (4, 1, 1, 2)
    answer(project, world.users.community, world.house_a1, "none")  # back to no answer
    assert project.campaign.figures()["refused"] == 0 and Consent.objects.count() == 1
    # every record is audited on the campaign
    records = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(ConsentCampaign), object_id=str(project.campaign_id)
    )
    assert records.filter(action=AuditLog.Action.UPDATE).count() == 4


@time_machine.travel(NOW, tick=False)
def test_only_houses_of_the_campaign_and_only_staff_in_scope_record(world):
    project = with_campaign(world, share="")
    with pytest.raises(ValidationError) as bad:
        answer(project, world.users.community, world.house_c1)  # another community's house
    assert "house" in bad.value.message_dict
    with pytest.raises(Project.DoesNotExist):
        answer(project, world.users.other_community, world.house_a1)
    assert not Consent.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_campaign_of_some_buildings_asks_only_their_houses(world):
    project = applied(world)
    move(project, "campaign", world.users.community, threshold_percent=100, buildings=[world.bld_a.pk])
    project.refresh_from_db()
    assert set(project.campaign.houses()) == {world.house_a1, world.house_a2}
    with pytest.raises(ValidationError):
        answer(project, world.users.community, world.house_b1)
    # a building of another compound is not offered
    other = applied(world, title="另一项目")
    with pytest.raises(ValidationError) as bad:
        move(other, "campaign", world.users.community, threshold_percent=80, buildings=[world.bld_c.pk])
    assert "buildings" in bad.value.message_dict


@time_machine.travel(NOW, tick=False)
def test_a_second_campaign_and_a_project_without_a_compound_are_refused(world):
    project = with_campaign(world)
    with pytest.raises(ValidationError):
        move(project, "campaign", world.users.community, threshold_percent=80)
    loose = applied(world, compound=None, title="社区级项目")
    with pytest.raises(ValidationError):
        move(loose, "campaign", world.users.community, threshold_percent=80)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("threshold", ["0", "101", "80.5", ""])
def test_a_threshold_outside_1_to_100_is_a_field_error(world, threshold):
    project = applied(world)
    with pytest.raises(ValidationError) as bad:
        move(project, "campaign", world.users.community, threshold_percent=threshold)
    assert "threshold_percent" in bad.value.message_dict
    project.refresh_from_db()
    assert project.campaign_id is None


# --- the shares paid ------------------------------------------------------------------------------


def residents_row(project):
    return project.funding.filter(source=Funding.Source.RESIDENTS).values_list("amount_fen", "approved_fen").first()


@time_machine.travel(NOW, tick=False)
def test_the_shares_paid_are_the_projects_residents_budget_row(world):
    project = with_campaign(world, share="500.00")
    answer(project, world.users.community, world.house_a1, paid="500.00", paid_on="2026-08-20")
    answer(project, world.users.community, world.house_a2, paid="300.00", paid_on="2026-08-21")
    assert residents_row(project) == (80_000, None)  # applied for, not approved yet
    answer(project, world.users.community, world.house_b1)
    answer(project, world.users.community, world.house_b2)
    approve(project, world)
    assert residents_row(project) == (80_000, 80_000)
    answer(project, world.users.community, world.house_a2, paid="500.00", paid_on="2026-08-25")  # the rest paid
    assert residents_row(project) == (100_000, 100_000)  # approved as paid: residents' own money
    f = project.campaign.figures()
    assert (f["paying"], f["paid_fen"]) == (2, 100_000)
    accounts = {a["source"]: a for a in Project.objects.get(pk=project.pk).accounts()}
    assert accounts["residents"]["approved"] == 100_000  # 晒账 shows it


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("ans", "paid", "paid_on", "field"),
    [
        ("agree", "500.01", "2026-08-20", "paid_yuan"),  # one fen beyond the share
        ("agree", "-0.01", "2026-08-20", "paid_yuan"),  # negative
        ("refuse", "100.00", "2026-08-20", "paid_yuan"),  # a refusing house pays nothing
        ("agree", "100.00", "", "paid_on"),  # an amount without its day
        ("agree", "", "2026-08-20", "paid_on"),  # a day without an amount
        ("agree", "100.00", "2026-09-02", "paid_on"),  # a day still to come
    ],
)
def test_a_bad_payment_is_a_field_error_and_nothing_is_saved(world, ans, paid, paid_on, field):
    project = with_campaign(world, share="500.00")
    answer(project, world.users.community, world.house_a1, "refuse")
    with pytest.raises(ValidationError) as bad:
        answer(project, world.users.community, world.house_a1, ans, paid=paid, paid_on=paid_on)
    assert field in bad.value.message_dict
    row = Consent.objects.get()
    assert (row.consent, row.paid_fen, row.paid_on) == (False, 0, None)  # the earlier answer stands, whole
    assert residents_row(project) is None


@time_machine.travel(NOW, tick=False)
def test_the_whole_share_passes_and_a_campaign_without_share_takes_no_payment(world):
    project = with_campaign(world, share="500.00")
    answer(project, world.users.community, world.house_a1, paid="500.00", paid_on="2026-09-01")
    assert Consent.objects.get().paid_fen == 50_000
    free = with_campaign(world, share="", title="无需缴费的项目")
    with pytest.raises(ValidationError):
        answer(free, world.users.community, world.house_a1, paid="0.01", paid_on="2026-09-01")


# --- screens, board, API, scope and privacy -------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_project_page_shows_progress_and_houses_without_residents(world, login):
    project = with_campaign(world, share="500.00")
    answer(project, world.users.community, world.house_a1, paid="500.00", paid_on="2026-08-20")
    client = login(world.users.community)
    url = project.get_absolute_url()

    def page():
        with CaptureQueriesContext(connection) as q:
            body = client.get(url).content.decode()
        return body, len(q)

    body, queries = page()
    section = body.split('data-testid="campaign"')[1].split("</section>")[0]
    assert "1号楼 1单元 101" in section and "2号楼 1单元 201" in section
    assert "500.00" in section and "2026-08-20" in section
    for p in (world.p_a1h, world.p_a1s):
        assert p.name not in body and str(p.phone) not in body
    # more answers (written without the move, so the page's history stays the same length)
    Consent.objects.bulk_create(
        Consent(campaign=project.campaign, house=h, consent=True, paid_fen=100, paid_on=dt.date(2026, 8, 21))
        for h in houses(world)[1:]
    )
    body, more = page()
    assert "1.00" in body.split('data-testid="campaign"')[1]
    assert more == queries  # one page of houses: the same queries however many answered
    # recorded through the page's form, a bad one shows its field error
    r = client.post(url + "answer/", {"version": 0, "house": world.house_a1.pk, "answer": "agree", "paid_yuan": "600"})
    assert r.status_code == 400 and 'data-testid="answer-errors"' in r.content.decode()
    r = client.post(url + "answer/", {"version": 0, "house": world.house_a1.pk, "answer": "refuse"})
    assert r.status_code == 302 and Consent.objects.get(house=world.house_a1).consent is False


@time_machine.travel(NOW, tick=False)
def test_another_community_and_a_resident_see_neither_the_campaign_nor_the_answers(world, login):
    project = with_campaign(world)
    answer(project, world.users.community, world.house_a2, "refuse")
    for user, hidden in ((world.users.other_community, (404,)), (world.users.resident, (403, 404))):
        client = login(user)  # another community: 404; a resident has no project pages at all: 403
        assert client.get(project.get_absolute_url()).status_code in hidden
        assert client.get(reverse("deliberation:consent", args=[project.campaign_id])).status_code in hidden
        r = client.post(project.get_absolute_url() + "answer/", {"version": 0, "house": world.house_a2.pk})
        assert r.status_code in (403, 404)
        assert client.get(f"/api/v1/projects/{project.pk}/").status_code in (403, 404)
    assert Consent.objects.get().consent is False


@time_machine.travel(NOW, tick=False)
def test_the_campaign_is_recorded_on_the_project_not_on_the_deliberation_page(world, login):
    project = with_campaign(world)
    client = login(world.users.community)
    body = client.get(reverse("deliberation:consent", args=[project.campaign_id])).content.decode()
    assert project.get_absolute_url() in body
    r = client.post(reverse("deliberation:consent", args=[project.campaign_id]), {"house": world.house_a1.pk})
    assert r.status_code == 404 and not Consent.objects.exists()  # the shares would miss the budget row


@time_machine.travel(NOW, tick=False)
def test_the_board_shows_counts_and_rate_and_no_house(world):
    project = with_campaign(world, threshold=75)
    for house in houses(world)[:3]:
        answer(project, world.users.community, house, paid="500.00", paid_on="2026-08-20")
    body = Client().get(reverse("board:community", args=[world.c1.pk])).content.decode()
    section = body.split('data-testid="consents"')[1].split("</section>")[0]
    assert project.title in section and "75.0%" in section
    assert "101" not in section and "201" not in section and "1单元" not in section


@time_machine.travel(NOW, tick=False)
def test_the_api_carries_the_figures_and_records_an_answer(world):
    project = with_campaign(world)
    client = Client()
    log_in(client, world.users.community)
    r = client.post(
        f"/api/v1/projects/{project.pk}/answer/",
        {"house": world.house_a1.pk, "answer": "agree", "paid_yuan": "500.00", "paid_on": "2026-08-20"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    campaign = r.json()["campaign"]
    assert (campaign["houses"], campaign["agreed"], campaign["paid_fen"], campaign["reached"]) == (4, 1, 50_000, False)
    assert set(campaign) == {  # counts only, no house
        "id", "houses", "agreed", "refused", "unanswered", "paying", "paid_fen", "rate", "threshold", "needed",
        "reached", "share_fen",
    }  # fmt: skip
    r = client.post(
        f"/api/v1/projects/{project.pk}/answer/",
        {"house": world.house_a2.pk, "answer": "agree", "paid_yuan": "-1", "paid_on": "2026-08-20"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "paid_yuan"
    r = client.post(
        f"/api/v1/projects/{project.pk}/answer/",
        {"house": world.house_a2.pk, "answer": "agree", "paid_yuan": "500.01", "paid_on": "2026-08-20"},
        content_type="application/json",
    )  # beyond the share: refused by the action, a field error all the same
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "paid_yuan"
    listed = client.get("/api/v1/projects/?programme=livelihood").json()["results"]
    assert listed[0]["campaign"] == {"id": project.campaign_id}
    other = Client()
    log_in(other, world.users.other_community)
    assert other.get(f"/api/v1/projects/{project.pk}/").status_code == 404
    r = other.post(
        f"/api/v1/projects/{project.pk}/answer/", {"house": world.house_a1.pk, "answer": "refuse"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 404 and Consent.objects.get(house=world.house_a1).consent is True


# --- a resident's own house ------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_resident_answers_for_their_own_house_only_and_sees_no_other(world, login):
    project = with_campaign(world, threshold=75)
    answer(project, world.users.community, world.house_a2, "refuse")  # a neighbour's answer
    client = login(world.users.resident)  # of household a1
    url = reverse("deliberation:consent_own")
    body = client.get(url).content.decode()
    assert project.title in body and "1单元 101" in body and "201" not in body
    assert f'href="{url}"' in client.get("/").content.decode()  # the menu of a resident leads there
    assert body.count('data-testid="own-answer"') == 1  # their house's answer, no one else's
    client.post(url, {"campaign": project.campaign_id, "consent": "yes"})
    assert Consent.objects.get(house=world.house_a1).consent is True
    assert Consent.objects.get(house=world.house_a2).consent is False  # untouched
    # the house comes from the resident's link, never from the request: no field names another house
    client.post(url, {"campaign": project.campaign_id, "consent": "no", "house": world.house_a2.pk})
    assert Consent.objects.get(house=world.house_a2).consent is False
    assert Consent.objects.get(house=world.house_a1).consent is False
    # a campaign that does not ask their house: 404, nothing written
    other = applied(world, title="西湖项目", community=world.c2, compound=world.cp2, actor=world.users.other_community)
    move(other, "campaign", world.users.other_community, threshold_percent=80)
    other.refresh_from_db()
    assert client.post(url, {"campaign": other.campaign_id, "consent": "yes"}).status_code == 404
    assert not Consent.objects.filter(campaign=other.campaign).exists()
    assert f'href="{url}"' not in login(world.users.community).get("/").content.decode()  # staff: no menu entry


@time_machine.travel(NOW, tick=False)
def test_a_resident_whose_house_paid_keeps_the_payment_and_cannot_refuse_here(world, login):
    project = with_campaign(world, share="500.00")
    answer(project, world.users.community, world.house_a1, paid="500.00", paid_on="2026-08-20")
    client = login(world.users.resident)
    url = reverse("deliberation:consent_own")
    client.post(url, {"campaign": project.campaign_id, "consent": "yes"})
    client.post(url, {"campaign": project.campaign_id, "consent": "no"})
    row = Consent.objects.get(house=world.house_a1)
    assert (row.consent, row.paid_fen) == (True, 50_000)
    assert residents_row(project) == (50_000, None)


@time_machine.travel(NOW, tick=False)
def test_a_contributing_partner_reads_the_figures_and_no_house(world, party, login):
    """The bank contributes to the project and so may read it: the campaign's counts, never which
    house agreed, refused or paid (a room number points to a home)."""
    project = with_campaign(world, share="500.00")
    Project.objects.filter(pk=project.pk).update(partner=party.bank)
    answer(project, world.users.community, world.house_a2, "refuse")
    body = login(party.bank_staff).get(project.get_absolute_url()).content.decode()
    section = body.split('data-testid="campaign"')[1].split("</section>")[0]
    assert 'data-testid="campaign-figures"' in section and 'data-testid="campaign-houses"' not in section
    assert "201" not in section and "1单元" not in section and "answer/" not in section
    staff = login(world.users.subdistrict).get(project.get_absolute_url()).content.decode()  # approves: sees them
    assert "2号楼 1单元 201" in staff.split('data-testid="campaign"')[1]
