"""The exports of the topic, meeting and owners' vote lists: the list's rows in scope and filter,
formulas neutralised, audited, a constant number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.models import AuditLog
from linli.core.tests.export_helpers import csv_rows, xlsx_cells, xlsx_rows
from linli.deliberation import actions, meetings, procedures
from linli.deliberation.models import Procedure


def topic(world, title, community=None):
    return procedures.raise_topic(
        actor=world.users.community if community is None else world.users.other_community,
        title=title,
        community=community or world.c1,
        procedure=Procedure.objects.get(name="四议两公开"),
    )


def meeting(world, title, starts_at, community=None):
    return meetings.create_meeting(
        actor=world.users.community if community is None else world.users.other_community,
        kind="consultation",
        title=title,
        community=community or world.c1,
        starts_at=starts_at,
        location="会议室",
    )


def vote(world, title, compound=None, unit=None):
    return actions.open_vote(
        actor=world.users.community if compound is None else world.users.other_community,
        title=title,
        matter=7,
        compound=compound or world.cp1,
        unit=unit,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )


def titles(rows):
    return [r[0] for r in rows[1:]]


@pytest.mark.django_db
def test_topics_export_in_scope_and_in_the_lists_order(world, login):
    for t in ("车棚改造", "=1+1", "加装电梯"):
        topic(world, t)
    topic(world, "西湖停车", community=world.c2)
    c = login(world.users.community)
    listed = [t.title for t in c.get(reverse("deliberation:topics")).context["page_obj"]]
    rows = csv_rows(c.get(reverse("deliberation:topics_csv")))
    assert rows[0][:2] == ["标题", "社区"]
    assert [t.lstrip("'") for t in titles(rows)] == listed and "'=1+1" in titles(rows) and "西湖停车" not in listed
    assert titles(xlsx_rows(c.get(reverse("deliberation:topics_xlsx")))) == listed
    # a community's staff exporting another community's topics get only their own
    assert titles(csv_rows(login(world.users.other_community).get(reverse("deliberation:topics_csv")))) == ["西湖停车"]
    assert login(world.users.resident).get(reverse("deliberation:topics_csv")).status_code == 403
    record = AuditLog.objects.filter(action="export").order_by("id").first()
    assert (record.note, record.changes["rows"][1], record.community_id) == ("topics.csv", 3, world.c1.pk)


@pytest.mark.django_db
def test_meetings_export_honours_the_today_filter_and_neutralises_formulas(world, login):
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))  # today, whenever it runs
    meeting(world, "+今日协商", noon)
    meeting(world, "下周协商", noon + dt.timedelta(days=7))
    meeting(world, "西湖协商", noon, community=world.c2)
    c = login(world.users.community)
    assert sorted(titles(csv_rows(c.get(reverse("deliberation:meetings_csv"))))) == ["'+今日协商", "下周协商"]
    r = c.get(reverse("deliberation:meetings_csv"), {"when": "today"})
    assert titles(csv_rows(r)) == ["'+今日协商"]
    cells = xlsx_cells(c.get(reverse("deliberation:meetings_xlsx"), {"when": "today"}))
    assert cells[0] == ("+今日协商", "s", True)
    starts = [v for v, t, _q in cells if isinstance(v, dt.datetime)]
    assert len(starts) == 1 and starts[0].tzinfo is None  # a real date-time cell, local time
    assert [a.changes["filter"][1] for a in AuditLog.objects.filter(action="export").order_by("id")] == [
        "",
        "when=today",
        "when=today",
    ]
    assert titles(csv_rows(login(world.users.other_community).get(reverse("deliberation:meetings_csv")))) == [
        "西湖协商"
    ]


@pytest.mark.django_db
def test_votes_export_honours_the_open_filter_and_scope(world, login, django_assert_max_num_queries):
    vote(world, "加装电梯", unit=world.unit_a)
    closed = vote(world, "更换物业")
    type(closed).objects.filter(pk=closed.pk).update(status="closed")
    vote(world, "西湖表决", compound=world.cp2)
    c = login(world.users.community)
    assert sorted(titles(csv_rows(c.get(reverse("deliberation:votes_csv"))))) == ["加装电梯", "更换物业"]
    assert titles(csv_rows(c.get(reverse("deliberation:votes_csv"), {"status": "open"}))) == ["加装电梯"]
    assert titles(csv_rows(login(world.users.other_community).get(reverse("deliberation:votes_csv")))) == ["西湖表决"]
    assert login(world.users.resident).get(reverse("deliberation:votes_xlsx")).status_code == 403
    c = login(world.users.community)
    with django_assert_max_num_queries(40) as small:
        csv_rows(c.get(reverse("deliberation:votes_csv")))
    for i in range(6):
        vote(world, f"表决{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(csv_rows(c.get(reverse("deliberation:votes_csv")))) == 1 + 2 + 6


@pytest.mark.django_db
def test_topic_and_meeting_export_queries_do_not_grow_with_rows(world, login, django_assert_max_num_queries):
    c = login(world.users.community)
    for name in ("topics_csv", "meetings_csv"):
        c.get(reverse(f"deliberation:{name}"))
    topic(world, "一")
    meeting(world, "一", timezone.now() + dt.timedelta(days=1))
    counts = {}
    for name in ("topics_csv", "meetings_csv"):
        with django_assert_max_num_queries(40) as small:
            csv_rows(c.get(reverse(f"deliberation:{name}")))
        counts[name] = len(small.captured_queries)
    for i in range(8):
        topic(world, f"议题{i}")
        meeting(world, f"会议{i}", timezone.now() + dt.timedelta(days=1, hours=i))
    for name in ("topics_csv", "meetings_csv"):
        with django_assert_max_num_queries(counts[name]):
            assert len(csv_rows(c.get(reverse(f"deliberation:{name}")))) == 1 + 1 + 8
