"""文书 of an owners' vote: the notice, the paper ballots and the result announcement, as HTML and
as PDF with the Chinese read back; scoped as the vote's page; ballots only for who manages it."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from linli.deliberation import actions

from .test_votes import lift_unit as unit_of_five  # noqa: F401 - a fixture, by another name here
from .test_votes import open_lift_vote


def pdf_text(response):
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def vote(world):
    vote = open_lift_vote(world, world.users.community)
    for elector in vote.electors.all():
        actions.cast(vote.pk, elector.pk, "agree", actor=world.users.community, paper_reference="P-1")
    return vote


def urls(vote):
    return {name: reverse(f"deliberation:vote_{name}", args=[vote.pk]) for name in ("notice", "ballots", "result")}


@pytest.mark.django_db
def test_notice_states_the_matter_the_close_and_the_rule(world, login, vote):
    c = login(world.users.community)
    page = c.get(vote.get_absolute_url()).content.decode()
    assert all(url in page for url in urls(vote).values())  # 打印/PDF from the vote's page
    html = c.get(urls(vote)["notice"]).content.decode()
    for shown in ("馨和苑社区", "业主共同决定公告", "1号楼1单元加装电梯", "四分之三以上", "民法典》第二百七十八条"):
        assert shown in html, shown
    text = pdf_text(c.get(urls(vote)["notice"], {"format": "pdf"}))
    for shown in ("业主共同决定公告", "1号楼1单元加装电梯", "四分之三以上", "第二百七十八条"):
        assert shown in text, shown


@pytest.mark.django_db
def test_a_ballot_per_elector_with_the_masked_owner_houses_area_and_boxes(world, login, vote):
    c = login(world.users.community)
    html = c.get(urls(vote)["ballots"]).content.decode()
    electors = list(vote.electors.all())
    assert html.count('data-testid="ballot"') == len(electors) == 2
    for e in electors:
        assert e.label in html
    assert "□ 同意" in html and "□ 不同意" in html and "□ 弃权" in html and "□ 废票" not in html
    assert "101" in html and "89.50" in html
    # the owner's full name is not printed: the label is the masked one of the vote's page
    assert world.p_a1h.name not in html and world.p_a2h.name not in html
    r = c.get(urls(vote)["ballots"], {"format": "pdf"})
    text = pdf_text(r)
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 2  # one paper per owner
    for shown in ("表决票", "1号楼1单元加装电梯", "业主签字", "同意", "不同意", "弃权"):
        assert shown in text, shown
    assert world.p_a1h.name not in text


@pytest.mark.django_db
def test_result_announcement_with_the_four_figures(world, login, vote):
    c = login(world.users.community)
    html = c.get(urls(vote)["result"]).content.decode()
    assert 'data-testid="provisional"' in html  # still open
    # a provisional count is dated the day it is printed, not the (future) close of the vote
    today, closes = timezone.localdate(), timezone.localtime(vote.closes_at).date()
    assert closes > today and f"{today.year}年{today.month}月{today.day}日" in html
    assert f"{closes.year}年{closes.month}月{closes.day}日</" not in html.split("<main", 1)[-1].split("表决统计")[0]
    assert html.count("100.0%") == 4 and "179.00" in html  # both houses, 89.50 m² each
    text = pdf_text(c.get(urls(vote)["result"], {"format": "pdf"}))
    for shown in ("表决结果公告", "参与表决面积", "参与表决人数", "同意面积", "同意人数", "通过", "第二百七十八条"):
        assert shown in text, shown


@pytest.mark.django_db
def test_vote_papers_are_scoped_as_the_vote(world, login, vote):
    for user in (world.users.other_community, world.users.nobody):
        c = login(user)
        for url in urls(vote).values():
            assert c.get(url).status_code in (403, 404), (user, url)
    c = login(world.users.other_community)
    for url in urls(vote).values():
        assert c.get(url).status_code == 404
        assert c.get(url, {"format": "pdf"}).status_code == 404
    resident = login(world.users.resident)  # an owner of the compound: the notice and result, not the ballots
    assert resident.get(urls(vote)["notice"]).status_code == 200
    assert resident.get(urls(vote)["result"]).status_code == 200
    assert resident.get(urls(vote)["ballots"]).status_code in (403, 404)


@pytest.mark.django_db
def test_ballot_papers_take_the_same_queries_for_more_owners(world, login, request):
    """Unit A gets three more houses (the fixture of test_votes): five owners against two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few = actions.open_vote(
        actor=world.users.community,
        title="2号楼外墙维修",
        matter=5,
        compound=world.cp1,
        buildings=[world.bld_b],
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    request.getfixturevalue("unit_of_five")
    many = open_lift_vote(world, world.users.community)
    assert (few.electors.count(), many.electors.count()) == (2, 5)
    c = login(world.users.community)
    counts = []
    for vote in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert c.get(urls(vote)["ballots"]).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
