"""The public board (晒事): its pages open without a login; each settled request reads 问题—措施—结果
from the staff's public summaries and the result photos its handler marked public; owners' vote
results, consent outcomes, resolutions without the person responsible, the month's three rates
with an SVG chart, filters, pagination, an RSS feed, constant queries. (What the board hides of
requests is also tested in cases/tests/test_workflow.py, test_anonymity.py and the privacy crawl.)"""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from linli.cases import actions
from linli.cases.models import Case, CasePhoto, Category
from linli.deliberation import actions as vote_actions
from linli.deliberation import meetings, procedures
from linli.deliberation.models import ActionItem, ConsentCampaign, Meeting, OwnerVote, Procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg(colour="red"):
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), colour).save(buf, "JPEG")
    return SimpleUploadedFile("result.jpg", buf.getvalue(), content_type="image/jpeg")


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


def settled(world, *, photo_public=False, anonymous=False, cat="设施维修", **verify):
    """A request reported by the resident, handled by the property company with a photo, verified."""
    u = world.users
    case = actions.report_case(
        actor=u.resident,
        category=Category.objects.get(name=cat),
        grid=world.grid_a,
        compound=world.cp1,
        description="楼道灯坏了，居民a1h家门口",
        channel="whisper" if anonymous else "self_service",
        reporter=u.resident,
        reporter_household=world.hh_a1,
        anonymous=anonymous,
    )
    step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    step(case, "start", u.property)
    step(case, "handle", u.property, note="已更换灯泡，住户居民a1h确认", photos=[jpeg()], photo_public=photo_public)
    return step(case, "verify", u.grid_a, **verify)


def board(client, world, **query):
    return client.get(reverse("board:community", args=[world.c1.pk]), query)


def test_the_index_links_every_community_without_a_login(world, client):
    r = client.get(reverse("board:index"))
    assert r.status_code == 200
    body = r.content.decode()
    for community in (world.c1, world.c2):
        assert reverse("board:community", args=[community.pk]) in body


def test_a_community_board_opens_without_a_login_and_an_unknown_one_is_a_404(world, client):
    assert reverse("board:community", args=[world.c1.pk]) == f"/board/{world.c1.pk}/"
    assert client.get(reverse("board:community", args=[world.c1.pk])).status_code == 200
    assert client.get(reverse("board:community", args=[world.c2.pk + 1000])).status_code == 404
    assert client.get(reverse("board:feed", args=[world.c2.pk + 1000])).status_code == 404


def test_every_page_links_the_board_signed_in_or_not(world, client, login):
    board_link = f'href="{reverse("board:index")}"'
    assert board_link in client.get(reverse("accounts:login")).content.decode()
    for user in (world.users.resident, world.users.community):
        assert board_link in login(user).get(reverse("home:home"), follow=True).content.decode()


# --- 问题—措施—结果 ------------------------------------------------------------------------------


def test_verification_writes_the_public_summaries_only_without_personal_data(world, media):
    case = settled(world)  # verified without summaries: the board shows the category only
    assert (case.public_summary, case.public_measures) == ("", "")
    other = settled(world)
    Case.objects.filter(pk=other.pk).update(state="handled")  # verify it again, with a name in the summary
    with pytest.raises(ValidationError) as refused:
        step(other, "verify", world.users.grid_a, public_summary="居民a1h反映楼道灯坏了", public_measures="已修复")
    assert "public_summary" in refused.value.message_dict and "public_measures" not in refused.value.message_dict
    other.refresh_from_db()
    assert (other.state, other.public_summary, other.public_measures) == ("handled", "", "")  # nothing half-saved
    step(other, "verify", world.users.grid_a, public_summary="1号楼楼道灯不亮", public_measures="物业更换了灯泡")
    other.refresh_from_db()
    assert (other.state, other.public_summary) == ("verified", "1号楼楼道灯不亮")
    assert other.public_measures == "物业更换了灯泡"
    # closing with no summary keeps the one given
    step(other, "close", world.users.grid_a)
    assert Case.objects.get(pk=other.pk).public_summary == "1号楼楼道灯不亮"


def test_the_screen_shows_a_refused_summary_as_a_field_error_in_chinese(world, login, media):
    case = settled(world)
    Case.objects.filter(pk=case.pk).update(state="handled")
    case.refresh_from_db()
    r = login(world.users.grid_a).post(
        reverse("cases:move_verify", args=[case.pk]),
        {"version": case.version, "public_summary": "请联系13800000001"},
        follow=True,
    )
    assert r.status_code == 400 and "公开发布的内容不能含有个人信息" in r.content.decode()
    assert Case.objects.get(pk=case.pk).state == "handled"


def test_a_request_reads_problem_measures_result_with_only_the_photos_marked_public(world, client, media):
    shown = settled(world, photo_public=True, public_summary="1号楼楼道灯不亮", public_measures="物业更换了灯泡")
    hidden = settled(world, photo_public=False, cat="环境卫生")
    whisper = settled(world, photo_public=True, anonymous=True, public_summary="楼上噪音")
    public = CasePhoto.objects.get(case=shown, kind="result")
    private = CasePhoto.objects.get(case=hidden, kind="result")
    secret = CasePhoto.objects.get(case=whisper, kind="result")
    assert public.public and not private.public
    r = board(client, world)
    body = r.content.decode()
    assert "1号楼楼道灯不亮" in body and "物业更换了灯泡" in body and "环境卫生" in body
    assert reverse("board:photo", args=[public.pk]) in body
    assert reverse("board:photo", args=[private.pk]) not in body
    for private_text in ("居民a1h", "楼道灯坏了", "已更换灯泡", "楼上噪音", reverse("board:photo", args=[secret.pk])):
        assert private_text not in body, private_text
    # the photo URL serves the public one only, to anyone: never another, nor an anonymous request's
    photo = client.get(reverse("board:photo", args=[public.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    for pk in (private.pk, secret.pk, public.pk + 1000):
        assert client.get(reverse("board:photo", args=[pk])).status_code == 404
    # a request not yet verified is not on the board, nor is its public photo
    Case.objects.filter(pk=shown.pk).update(state="handled")
    assert client.get(reverse("board:photo", args=[public.pk])).status_code == 404
    assert "1号楼楼道灯不亮" not in board(client, world).content.decode()


def test_only_a_result_photo_can_be_public(world, media):
    case = actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        description="x",
        channel="patrol",
    )
    step(case, "dispatch", world.users.grid_a, assignee_org=world.pm, photos=[jpeg()], photo_public=True)
    assert not CasePhoto.objects.get(case=case).public  # the dispatch form has no such field; ignored


def test_filters_by_category_and_compound_of_the_community(world, client, media):
    settled(world, cat="设施维修", public_summary="路灯不亮")
    settled(world, cat="环境卫生", public_summary="垃圾堆放")
    repair = Category.objects.get(name="设施维修")
    body = board(client, world, category=repair.pk).content.decode()
    assert "路灯不亮" in body and "垃圾堆放" not in body
    assert board(client, world, compound=world.cp1.pk).context["page_obj"].paginator.count == 2
    # a compound of another community is refused in Chinese, and the list is not filtered by it
    r = board(client, world, compound=world.cp2.pk)
    assert r.status_code == 200 and "请选择本社区的小区" in r.content.decode()
    assert r.context["page_obj"].paginator.count == 2
    assert board(client, world, category="x", page="99").status_code == 200
    other = client.get(reverse("board:community", args=[world.c2.pk]))
    assert other.context["page_obj"].paginator.count == 0 and "路灯不亮" not in other.content.decode()


# --- votes, consent, resolutions, figures --------------------------------------------------------


def closed_vote(world, choices, title="一单元加装电梯"):
    vote = vote_actions.open_vote(
        actor=world.users.community,
        title=title,
        matter=7,
        compound=world.cp1,
        unit=world.unit_a,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    for elector, choice in zip(vote.electors.order_by("id"), choices, strict=False):
        vote_actions.cast(vote.pk, elector.pk, choice, actor=world.users.community)
    vote_actions.close_vote(vote, actor=world.users.community)
    return vote


def test_a_closed_vote_shows_its_checked_title_four_figures_and_result_without_ballots_or_names(world, client):
    vote = closed_vote(world, ["agree", "agree"])  # unit A: two owners of equal area, both agree
    open_one = vote_actions.open_vote(
        actor=world.users.community,
        title="开放中的表决",
        matter=1,
        compound=world.cp1,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    body = board(client, world).content.decode()
    section = body.split('data-testid="votes"')[1].split("</section>")[0]
    assert "改建、重建建筑物及其附属设施" in section or vote.get_matter_display() in section
    assert "通过" in section and "未通过" not in section and section.count("100.0%") == 4
    assert vote.title in section  # checked for personal data when the vote was opened
    for private in (open_one.title, "居民", "101"):
        assert private not in section, private
    assert 'data-testid="votes"' not in client.get(reverse("board:community", args=[world.c2.pk])).content.decode()


def test_a_vote_short_of_quorum_is_shown_as_not_passed(world, client):
    closed_vote(world, ["agree"])  # one of two owners: half the area, below two thirds
    section = board(client, world).content.decode().split('data-testid="votes"')[1].split("</section>")[0]
    assert "未通过" in section and "50.0%" in section


def test_consent_outcome_is_the_rate_against_the_threshold_at_its_exact_boundary(world, client):
    campaign = vote_actions.open_campaign(
        actor=world.users.community, title="车棚改造征求意见", compound=world.cp1, threshold_percent=75
    )
    houses = [world.house_a1, world.house_a2, world.house_b1, world.house_b2]
    for house in houses[:2]:
        vote_actions.record_consent(campaign, house, actor=world.users.community, consent=True)

    def section():
        return board(client, world).content.decode().split('data-testid="consents"')[1].split("</section>")[0]

    assert "50.0%" in section() and "未达到" in section()  # 2 of 4 < 75 %
    vote_actions.record_consent(campaign, houses[2], actor=world.users.community, consent=True)
    assert "75.0%" in section() and "未达到" not in section() and "已达到" in section()  # 3 of 4 = 75 %: reached
    assert campaign.title in section()  # checked for personal data when the campaign was opened


def resolution(world, **item):
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="车棚改造",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="城乡社区协商"),
    )
    procedures.screen(topic, actor=world.users.community, accept=True)
    meeting = meetings.create_meeting(
        actor=world.users.community,
        kind="consultation",
        title="车棚改造协商会",
        community=world.c1,
        compound=world.cp1,
        starts_at=timezone.now() - dt.timedelta(days=1),
        location="社区会议室",
        topics=[topic],
    )
    fields = {
        "actor": world.users.community,
        "organisation": world.pm,
        "measure": "更换车棚顶棚",
        "deadline": timezone.now() + dt.timedelta(days=10),
        "category": Category.objects.get(name="设施维修"),
        "matter": "车棚顶棚",
        "responsible": "王经理",
        "building": world.bld_b,
        "meeting": meeting,
    } | item
    procedures.add_action_item(topic, **fields)
    return meeting


def test_resolutions_of_closed_meetings_show_without_the_person_responsible(world, client):
    meeting = resolution(world)
    assert 'data-testid="resolutions"' not in board(client, world).content.decode()  # not closed yet
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now(), status="closed")
    body = board(client, world).content.decode()
    section = body.split('data-testid="resolutions"')[1].split("</section>")[0]
    assert "车棚顶棚" in section and "宁和物业" in section and "更换车棚顶棚" in section
    assert "王经理" not in body and "责任人" not in section
    other = client.get(reverse("board:community", args=[world.c2.pk])).content.decode()
    assert 'data-testid="resolutions"' not in other


def test_an_action_item_with_personal_data_is_refused_for_the_board(world):
    with pytest.raises(ValidationError) as refused:
        resolution(world, matter="居民a1h家的车棚", measure="联系13800000001")
    assert {"matter", "measure"} <= set(refused.value.message_dict)
    assert not Case.objects.filter(channel="resolution").exists()


def test_the_months_three_rates_and_an_svg_chart_drawn_without_script(world, client, media):
    settled(world)
    r = board(client, world)
    figures = r.context["figures"]
    assert figures["current"]["label"] == f"{timezone.localtime():%Y-%m}" and figures["current"]["total"] == 1
    assert [m["label"] for m in figures["chart"]["months"]][-1] == figures["current"]["label"]
    assert len(figures["chart"]["months"]) == 6
    body = r.content.decode()
    chart = body.split('data-testid="chart"')[1].split("</svg>")[0]
    assert chart.count("<rect") == 18 and "<script" not in body.split("<main")[1]
    assert "100.0%" in body.split('data-testid="figures"')[1].split("</section>")[0]  # responded in time
    other = client.get(reverse("board:community", args=[world.c2.pk])).context["figures"]["current"]
    assert other["total"] == 0


# --- the feed, pages and queries ---------------------------------------------------------------------


def test_the_rss_feed_of_a_community_carries_its_public_items_only(world, client, media):
    settled(world, public_summary="1号楼楼道灯不亮", public_measures="物业更换了灯泡")
    settled(world, anonymous=True, public_summary="楼上噪音")
    r = client.get(reverse("board:feed", args=[world.c1.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/rss+xml")
    feed = r.content.decode()
    assert feed.count("<item>") == 1 and "1号楼楼道灯不亮" in feed and "物业更换了灯泡" in feed
    for private in ("楼上噪音", "居民a1h", "楼道灯坏了", "已更换灯泡"):
        assert private not in feed, private
    assert "<item>" not in client.get(reverse("board:feed", args=[world.c2.pk])).content.decode()


def test_the_board_pages_by_cursor_older_and_newer_with_ties_and_unhandled_requests_first(
    world, client, media, monkeypatch, django_assert_num_queries
):
    """Latest handled first, then the id: two handled at the same instant keep their order across a
    page boundary; a request closed without being handled (no handled_at) comes first."""
    from linli.board import views

    made = [settled(world) for _ in range(4)]
    handled = Case.objects.get(pk=made[0].pk).handled_at
    Case.objects.filter(pk__in=[made[1].pk, made[2].pk]).update(handled_at=handled + dt.timedelta(hours=1))
    Case.objects.filter(pk=made[3].pk).update(handled_at=handled + dt.timedelta(hours=2))
    Case.objects.filter(pk=made[0].pk).update(handled_at=None)
    expected = [made[0].pk, made[3].pk, made[2].pk, made[1].pk]
    monkeypatch.setattr(views, "PAGE", 1)
    r, pages = board(client, world), []
    with CaptureQueriesContext(connection) as first:
        r = board(client, world)
    queries = len(first.captured_queries)  # now: the next request clears the log the capture reads
    assert 'rel="prev"' not in r.content.decode() and 'rel="next"' in r.content.decode()  # only "older" here
    while True:
        pages.append([c.pk for c in r.context["page_obj"]])
        if not r.context["page_obj"].has_next:
            break
        # past the unhandled request the page issues the first page's queries; the step from it
        # reads the NULLs' part, then the rest (core.keyset.beyond): one query more
        extra = int(r.context["page_obj"].object_list[-1].handled_at is None)
        with django_assert_num_queries(queries + extra):
            r = board(client, world, cursor=r.context["page_obj"].next_cursor)
    assert [pk for page in pages for pk in page] == expected
    back = []
    while r.context["page_obj"].has_previous:
        r = board(client, world, cursor=r.context["page_obj"].previous_cursor)
        back.append([c.pk for c in r.context["page_obj"]])
    assert back == pages[-2::-1]


def test_a_tampered_board_cursor_shows_the_first_page_with_a_message(world, client, media, monkeypatch):
    from linli.board import views

    made = [settled(world) for _ in range(2)]
    monkeypatch.setattr(views, "PAGE", 1)
    cursor = board(client, world).context["page_obj"].next_cursor
    r = board(client, world, cursor=cursor[:-2] + "zz")
    assert r.status_code == 200 and [c.pk for c in r.context["page_obj"]] == [made[1].pk]
    assert [str(m) for m in r.context["messages"]] == ["翻页链接无效（可能被改动过），已显示最新的记录。"]


def test_a_board_cursor_of_another_community_shows_only_this_boards_requests(world, client, media, monkeypatch):
    from linli.board import views

    mine = [settled(world) for _ in range(2)]
    monkeypatch.setattr(views, "PAGE", 1)
    cursor = board(client, world).context["page_obj"].next_cursor
    other = client.get(reverse("board:community", args=[world.c2.pk]), {"cursor": cursor})
    assert other.status_code == 200 and list(other.context["page_obj"]) == []
    assert [c.pk for c in board(client, world, cursor=cursor).context["page_obj"]] == [mine[0].pk]


def test_queries_per_board_page_are_constant(world, client, media, django_assert_max_num_queries):
    settled(world, photo_public=True, public_summary="路灯不亮")
    closed_vote(world, ["agree"])
    vote_actions.open_campaign(actor=world.users.community, title="改造", compound=world.cp1, threshold_percent=80)
    meeting = resolution(world)
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now())
    board(client, world)
    with django_assert_max_num_queries(40) as before:
        board(client, world)
    for i in range(6):
        settled(world, photo_public=True, cat="环境卫生", public_summary=f"垃圾{i}")
        closed_vote(world, ["agree", "disagree"])
        vote_actions.open_campaign(actor=world.users.community, title="改造", compound=world.cp1, threshold_percent=80)
        meeting = resolution(world, matter=f"车棚{i}")
        Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now())
    with django_assert_max_num_queries(len(before.captured_queries)):
        r = board(client, world)
    assert r.context["page_obj"].paginator.count == 7 and len(r.context["votes"]) == 5
    assert len(re.findall(r"/board/photo/\d+/", r.content.decode())) >= 14  # link and image of each


def test_the_category_filter_offers_only_what_the_board_shows(world, client, media):
    settled(world, cat="设施维修")
    settled(world, cat="邻里纠纷", anonymous=True)
    offered = {str(c) for c in board(client, world).context["filters"].fields["category"].queryset}
    assert offered == {str(Category.objects.get(name="设施维修")), str(Category.objects.get(name="设施维修").parent)}
    whisper = Category.objects.get(name="邻里纠纷")
    assert board(client, world, category=whisper.pk).context["filters"].errors  # refused, not filtered by it


def test_the_request_page_tells_staff_what_the_board_shows(world, login, media):
    case = settled(world, photo_public=True, public_summary="1号楼楼道灯不亮", public_measures="物业更换了灯泡")
    page = login(world.users.grid_a).get(case.get_absolute_url()).content.decode()
    assert 'data-testid="public-summary"' in page and "1号楼楼道灯不亮" in page and "物业更换了灯泡" in page
    assert page.count('data-testid="photo-public"') == 1
    plain = settled(world)
    page = login(world.users.grid_a).get(plain.get_absolute_url()).content.decode()
    assert 'data-testid="public-summary"' not in page and 'data-testid="photo-public"' not in page


# ---- titles and resolution rows checked for personal data before the board shows them -------
def test_a_vote_or_campaign_title_with_personal_data_is_refused_field_by_field(world, login):
    closes = timezone.now() + dt.timedelta(days=15)
    for title in ("居民a1h家门口加装电梯", "1号楼101室加装电梯", "联系13800000001"):
        with pytest.raises(ValidationError) as refused:
            vote_actions.open_vote(
                actor=world.users.community, title=title, matter=7, compound=world.cp1, closes_at=closes
            )
        assert list(refused.value.message_dict) == ["title"]
        with pytest.raises(ValidationError) as refused:
            vote_actions.open_campaign(
                actor=world.users.community, title=title, compound=world.cp1, threshold_percent=75
            )
        assert list(refused.value.message_dict) == ["title"]
    assert not OwnerVote.objects.exists() and not ConsentCampaign.objects.exists()
    # the screen: a field-level error in Chinese, nothing made
    r = login(world.users.community).post(
        reverse("deliberation:consent_create"),
        {"title": "居民a1h牵头的改造", "compound": world.cp1.pk, "threshold_percent": 75},
    )
    assert r.status_code == 200 and "不能含有个人信息" in r.content.decode() and "居民a1h" in r.content.decode()
    assert not ConsentCampaign.objects.exists()


def test_an_unchecked_legacy_title_or_resolution_row_stays_off_the_board(world, client):
    vote = closed_vote(world, ["agree", "agree"])
    campaign = vote_actions.open_campaign(
        actor=world.users.community, title="车棚改造征求意见", compound=world.cp1, threshold_percent=75
    )
    meeting = resolution(world)
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now(), status="closed")
    # rows from before the check: the title says who, nothing marked them as checked
    OwnerVote.objects.filter(pk=vote.pk).update(title="居民a1h家门口加装电梯", title_checked=False)
    ConsentCampaign.objects.filter(pk=campaign.pk).update(title="居民a1h牵头的改造", title_checked=False)
    ActionItem.objects.update(matter="居民a1h家的车棚", public_checked=False)
    body = board(client, world).content.decode()
    assert "居民a1h" not in body
    votes = body.split('data-testid="votes"')[1].split("</section>")[0]
    assert vote.get_matter_display() in votes and "100.0%" in votes  # the result stays, by its matter
    assert 'data-testid="consents"' in body and world.cp1.name in body
    assert 'data-testid="resolutions"' not in body


def test_the_migration_marks_the_legacy_rows_that_pass_the_check(world, client):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("linli.deliberation.migrations.0023_check_legacy_public_text")
    clean_vote = closed_vote(world, ["agree", "agree"])
    leaky_vote = closed_vote(world, ["agree", "agree"], title="二单元加装电梯")
    campaign = vote_actions.open_campaign(
        actor=world.users.community, title="车棚改造征求意见", compound=world.cp1, threshold_percent=75
    )
    meeting = resolution(world)
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now(), status="closed")
    OwnerVote.objects.update(title_checked=False)
    OwnerVote.objects.filter(pk=leaky_vote.pk).update(title="居民a1h家门口加装电梯")
    ConsentCampaign.objects.update(title_checked=False)
    ActionItem.objects.update(public_checked=False)
    migration.check(apps, None)
    assert OwnerVote.objects.get(pk=clean_vote.pk).title_checked
    assert not OwnerVote.objects.get(pk=leaky_vote.pk).title_checked
    assert ConsentCampaign.objects.get(pk=campaign.pk).title_checked
    assert ActionItem.objects.get().public_checked
    body = board(client, world).content.decode()
    assert clean_vote.title in body and "居民a1h" not in body and "车棚顶棚" in body
