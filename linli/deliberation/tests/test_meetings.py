import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from linli.deliberation import meetings, procedures
from linli.deliberation.models import Meeting, Procedure

from .moves import post_move


@pytest.fixture
def meeting(world):
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="枫林湾消防通道",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="城乡社区协商"),
    )
    procedures.screen(topic, actor=world.users.community, accept=True)
    return meetings.create_meeting(
        actor=world.users.community,
        kind="consultation",
        title="消防通道协商议事会",
        community=world.c1,
        compound=world.cp1,
        starts_at=timezone.now() + dt.timedelta(days=3),
        location="社区会议室",
        topics=[topic],
    )


@pytest.mark.django_db
def test_consultation_meeting_with_attendance_opinions_and_minutes(world, login, meeting, client):
    c = login(world.users.community)
    assert post_move(c, meeting, "notice").status_code == 302
    assert (
        "消防通道协商议事会" in client.get(reverse("board:community", args=[world.c1.pk])).content.decode()
    )  # public notice
    c = login(world.users.community)
    for party, name in (("业委会", "李主任"), ("物业公司", "王经理"), ("网格警", "赵警官")):
        post_move(c, meeting, "invite", {"party": party, "name": name})
    li, wang, zhao = meeting.invitations.all()
    post_move(c, meeting, "sign_in", {"invitation": li.pk})
    post_move(c, meeting, "sign_in", {"invitation": wang.pk})
    topic = meeting.topics.get()
    post_move(
        c,
        meeting,
        "opinion",
        {"speaker": li.pk, "topic": topic.pk, "text": "建议划线并设置禁停标识", "mode": "in_turn"},
    )
    r = post_move(c, meeting, "opinion", {"speaker": zhao.pk, "text": "未签到发言", "mode": "in_turn"})
    assert r.status_code == 400 and "签到" in r.content.decode() and meeting.opinions.count() == 1
    r = post_move(c, meeting, "close", {"minutes": "物业公司7日内完成划线", "chair": "张" * 51})
    assert r.status_code == 400 and Meeting.objects.get(pk=meeting.pk).status != "closed"  # nothing half-saved
    close = {"minutes": "物业公司7日内完成划线；网格员每日巡查", "chair": "张书记", "recorder": "刘干事"}
    assert post_move(c, meeting, "close", close).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.chair, meeting.recorder) == ("张书记", "刘干事")
    assert meeting.closed_at and "7日内" in meeting.minutes
    minutes = c.get(reverse("deliberation:minutes", args=[meeting.pk])).content.decode()
    assert (
        "业委会李主任、物业公司王经理" in minutes
        and "赵警官" not in minutes.split('data-testid="present">')[1].split("</td>")[0]
        and "网格警赵警官" in minutes.split('data-testid="absent">')[1].split("</td>")[0]
    )
    assert "建议划线" in minutes and "7日内" in minutes
    with pytest.raises(ValidationError):
        meetings.record_opinion(meeting, actor=world.users.community, speaker=wang, text="会后补充")


@pytest.mark.django_db
def test_meeting_rules_and_scope(world, login, meeting):
    with pytest.raises(ValidationError):
        meetings.close_meeting(meeting, actor=world.users.community, conclusions="无人到会")  # nobody signed in
    past = meetings.create_meeting(
        actor=world.users.community,
        kind="forum",
        title="已开过的会",
        community=world.c1,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        location="x",
    )
    with pytest.raises(ValidationError):
        meetings.publish_notice(past, actor=world.users.community)
    assert login(world.users.other_community).get(meeting.get_absolute_url()).status_code == 404
    assert post_move(login(world.users.grid_a), meeting, "notice").status_code == 403  # sees it, does not manage it
    assert post_move(login(world.users.other_community), meeting, "notice").status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).notice_published_at is None
    assert Meeting.objects.restrict(world.users.grid_a).filter(pk=meeting.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "yes", "no", "adopted"),
    [
        ("majority", 3, 2, True),
        ("majority", 2, 2, False),  # 5 present / 4 present…
        ("two_thirds", 4, 2, True),
        ("two_thirds", 3, 2, False),  # 4/6 = 2/3 adopted; 3/5 not
        ("unanimity", 5, 0, True),
        ("unanimity", 4, 0, False),
    ],
)
def test_show_of_hands_rules_at_their_boundaries(world, meeting, rule, yes, no, adopted):
    from linli.deliberation.models import HandVote

    present = yes + no + (1 if rule == "unanimity" and not adopted else 0)
    for i in range(present + 1):  # one invitee stays away: quorum is still more than half
        inv = meetings.invite(meeting, actor=world.users.community, name=f"代表{i}", party="居民代表")
        if i < present:
            meetings.sign_in(inv, actor=world.users.community)
    abstain = present - yes - no
    v = meetings.show_of_hands(
        meeting, actor=world.users.community, question="是否同意施划黄线", rule=rule, yes=yes, no=no, abstain=abstain
    )
    assert isinstance(v, HandVote) and v.quorate and v.passed is adopted


@pytest.mark.django_db
def test_show_of_hands_needs_quorum_and_consistent_counts(world, meeting):
    invs = [meetings.invite(meeting, actor=world.users.community, name=f"代表{i}", party="居民代表") for i in range(4)]
    for inv in invs[:2]:
        meetings.sign_in(inv, actor=world.users.community)  # 2 of 4: not more than half
    v = meetings.show_of_hands(
        meeting, actor=world.users.community, question="x", rule="majority", yes=2, no=0, abstain=0
    )
    assert not v.quorate and not v.passed
    with pytest.raises(ValidationError):
        meetings.show_of_hands(
            meeting, actor=world.users.community, question="x", rule="majority", yes=3, no=0, abstain=0
        )


@pytest.mark.django_db
def test_participant_confirms_attendance_on_the_day_with_their_link(world, meeting, client):
    inv = meetings.invite(meeting, actor=world.users.community, name="李主任", party="业委会")
    url = inv.get_confirm_url()
    assert client.get(url).status_code == 200
    r = client.post(url, follow=True)  # three days early
    inv.refresh_from_db()
    assert inv.signed_in_at is None and "会议当天" in r.content.decode()
    # The day is Beijing's: a meeting at 09:00 is confirmed from 00:00 that day, not at 23:59 the day before.
    beijing = dt.timezone(dt.timedelta(hours=8))
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=beijing))
    with time_machine.travel(dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=beijing), tick=False):
        client.post(url)
    inv.refresh_from_db()
    assert inv.signed_in_at is None
    with time_machine.travel(dt.datetime(2026, 12, 1, 0, 0, tzinfo=beijing), tick=False):
        client.post(url)
    inv.refresh_from_db()
    assert inv.signed_in_at is not None
    assert client.get("/m/not-a-token/").status_code == 404
    assert client.get(f"/m/{inv.token[:-2]}xx/").status_code == 404  # a forged link


@pytest.mark.django_db
def test_minutes_as_pdf_with_chinese_text(world, meeting, login):
    import io

    inv = meetings.invite(meeting, actor=world.users.community, name="李主任", party="业委会")
    meetings.sign_in(inv, actor=world.users.community)
    meetings.record_opinion(meeting, actor=world.users.community, speaker=inv, text="建议施划禁停黄线")
    meetings.close_meeting(
        meeting, actor=world.users.community, conclusions="物业公司7日内施划黄线", chair="张书记", recorder="刘干事"
    )
    r = login(world.users.community).get(reverse("deliberation:minutes", args=[meeting.pk]), {"format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "物业公司7日内施划黄线" in text and "李主任" in text
    number = f"纪要〔{timezone.localtime(meeting.starts_at):%Y}〕{meeting.pk:05d}号"
    shown_texts = ("馨和苑社区", number, "签到表", "本人签字", "出席", "缺席", "主持人签字", "记录人签字")
    for shown in (*shown_texts, "张书记", "刘干事"):
        assert shown in text, shown


@pytest.mark.django_db
def test_invitation_cards_print_as_pdf_with_their_qr_codes(world, meeting, login, caplog):
    import io

    from pypdf import PdfReader

    meetings.invite(meeting, actor=world.users.community, name="李主任", party="业委会")
    meetings.invite(meeting, actor=world.users.community, name="王经理", party="物业公司")
    url = reverse("deliberation:invitation_cards", args=[meeting.pk])
    with caplog.at_level("WARNING", logger="weasyprint"):
        r = login(world.users.community).get(url, {"format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert not [rec for rec in caplog.records if rec.name == "weasyprint"]  # the QR codes were drawn
    pages = PdfReader(io.BytesIO(r.content)).pages
    assert len(pages) == 2  # one card per page
    assert "李主任" in pages[0].extract_text() and "王经理" in pages[1].extract_text()
    assert login(world.users.other_community).get(url, {"format": "pdf"}).status_code == 404


@pytest.mark.django_db
def test_invite_an_organisation_and_opinion_formats(world, meeting, login):
    c = login(world.users.community)
    post_move(c, meeting, "invite", {"organisation": world.pm.pk, "name": "周经理"})
    inv = meeting.invitations.get()
    assert (inv.party, inv.organisation) == ("宁和物业", world.pm)
    post_move(c, meeting, "sign_in", {"invitation": inv.pk})
    post_move(c, meeting, "opinion", {"speaker": inv.pk, "text": "同意整改", "mode": "form"})
    assert meeting.opinions.get().get_mode_display() == "填写意见征求表"
    with pytest.raises(ValidationError):
        meetings.record_opinion(meeting, actor=world.users.community, speaker=inv, text="x", mode="shouting")


@pytest.mark.django_db
def test_an_opinion_is_in_the_audit_log(world, meeting):
    from linli.core.audit import history

    inv = meetings.invite(meeting, actor=world.users.community, name="李主任", party="业委会")
    meetings.sign_in(inv, actor=world.users.community)
    meetings.record_opinion(meeting, actor=world.users.community, speaker=inv, text="  建议施划禁停黄线  ")
    entry = history(meeting).order_by("-id").first()
    assert (entry.action, entry.note, entry.actor, entry.changes) == (
        "update",
        "opinion",
        world.users.community,
        {"opinion": [None, f"{inv}: 建议施划禁停黄线"]},
    )
    with pytest.raises(ValidationError):  # refused: nothing written, nothing audited
        meetings.record_opinion(meeting, actor=world.users.community, speaker=inv, text=" ")
    assert history(meeting).filter(changes__has_key="opinion").count() == 1


@pytest.mark.django_db
def test_the_topic_and_meeting_forms_start_on_the_only_community_offered(world, login):
    """A community's staff have one community to choose: it is chosen; the sub-district's are not."""
    import re

    staff = login(world.users.community)
    for url in ("/deliberation/topics/new/", "/deliberation/meetings/new/"):
        page = staff.get(url).content.decode()
        select = page.split('name="community"')[1].split("</select>")[0]
        assert re.search(rf'<option value="{world.c1.pk}" selected>', select), url
    page = login(world.users.subdistrict).get("/deliberation/meetings/new/").content.decode()
    assert '<option value="" selected>' in page.split('name="community"')[1].split("</select>")[0]
