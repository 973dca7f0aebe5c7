import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from linli.deliberation import actions


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.django_db
def test_vote_api_figures_ballots_and_scope(world):
    vote = actions.open_vote(
        actor=world.users.community,
        title="加装电梯",
        matter=7,
        compound=world.cp1,
        unit=world.unit_a,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    electors = list(vote.electors.all())
    for e in electors:
        r = api(world.users.community).post(
            f"/api/v1/votes/{vote.pk}/ballot/", {"elector": e.pk, "choice": "agree"}, format="json"
        )
        assert r.status_code == 200
    body = r.json()
    assert body["result"]["passed"] and [f["met"] for f in body["result"]["figures"]] == [True] * 4
    assert (
        api(world.users.grid_a)
        .post(f"/api/v1/votes/{vote.pk}/ballot/", {"elector": electors[0].pk, "choice": "disagree"}, format="json")
        .status_code
        == 403
    )
    assert api(world.users.other_community).get(f"/api/v1/votes/{vote.pk}/").status_code == 404
    r = api(world.users.community).post(
        f"/api/v1/votes/{vote.pk}/ballot/", {"elector": 999999, "choice": "agree"}, format="json"
    )
    assert r.status_code == 404
    r = api(world.users.community).post(
        f"/api/v1/votes/{vote.pk}/ballot/", {"elector": electors[0].pk, "choice": "maybe"}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "choice"
    assert api(world.users.resident).get("/api/v1/votes/").json()["count"] == 1  # an owner of this compound
    assert api(world.users.community).post("/api/v1/votes/", {}, format="json").status_code == 400  # fields missing


@pytest.mark.django_db
def test_a_vote_opens_over_the_api_its_electorate_frozen_and_scoped(world):
    from linli.core.models import AuditLog
    from linli.deliberation import procedures
    from linli.deliberation.models import OwnerVote, Procedure, StepRecord

    closes = (timezone.now() + dt.timedelta(days=20)).isoformat()
    body = {"title": "加装电梯", "matter": 7, "compound": world.cp1.pk, "unit": world.unit_a.pk, "closes_at": closes}
    r = api(world.users.community).post("/api/v1/votes/", body, format="json")
    assert r.status_code == 201 and r.json()["status"] == "open" and r.json()["unit"] == world.unit_a.pk
    vote = OwnerVote.objects.get(pk=r.json()["id"])
    assert vote.electors.count() == 2 and AuditLog.objects.filter(action="create", object_id=str(vote.pk)).exists()
    # outside one's scope, or without the permission: nothing opened
    assert api(world.users.other_community).post("/api/v1/votes/", body, format="json").status_code == 400
    assert api(world.users.grid_a).post("/api/v1/votes/", body, format="json").status_code == 403
    r = api(world.users.community).post("/api/v1/votes/", body | {"buildings": [world.bld_c.pk]}, format="json")
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["buildings"]
    # for a topic: refused before its notice + 15 days, on the field "topic", in Chinese
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="加装电梯",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="业主共同决定"),
        matter=body["matter"],
    )
    procedures.screen(topic, actor=world.users.community, accept=True)
    step = procedures.next_step(topic)
    procedures.complete_step(topic.pk, step.pk, actor=world.users.community, note="公告业主大会")
    # the step decides the topic's own matter: a vote on another one is refused on the field "matter"
    other = 6 if body["matter"] != 6 else 5
    r = api(world.users.community).post("/api/v1/votes/", body | {"topic": topic.pk, "matter": other}, format="json")
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["matter"]
    r = api(world.users.community).post("/api/v1/votes/", body | {"topic": topic.pk}, format="json")
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["topic"]
    assert "15" in r.json()["errors"][0]["message"] and OwnerVote.objects.count() == 1
    StepRecord.objects.filter(topic=topic).update(completed_at=timezone.now() - dt.timedelta(days=15))
    r = api(world.users.community).post("/api/v1/votes/", body | {"topic": topic.pk}, format="json")
    assert r.status_code == 201 and r.json()["topic"] == topic.pk


@pytest.mark.django_db
def test_topics_and_meetings_are_listed_in_scope(world):
    from linli.deliberation import meetings, procedures
    from linli.deliberation.models import Procedure

    t = procedures.raise_topic(
        actor=world.users.community,
        title="车棚改造",
        community=world.c1,
        procedure=Procedure.objects.get(name="四议两公开"),
    )
    meetings.create_meeting(
        actor=world.users.community,
        kind="consultation",
        title="车棚协商会",
        community=world.c1,
        starts_at=timezone.now() + dt.timedelta(days=2),
        location="会议室",
        topics=[],
    )
    assert [x["title"] for x in api(world.users.community).get("/api/v1/topics/").json()["results"]] == ["车棚改造"]
    assert api(world.users.other_community).get("/api/v1/topics/").json()["count"] == 0
    assert api(world.users.other_community).get(f"/api/v1/topics/{t.pk}/").status_code == 404
    assert api(world.users.community).get("/api/v1/meetings/").json()["count"] == 1


@pytest.mark.django_db
def test_topic_lifecycle_over_the_api(world):
    from linli.deliberation.models import Procedure, Topic

    from .moves import api_move

    proc = Procedure.objects.get(name="四议两公开")
    staff = api(world.users.community)
    r = staff.post(
        "/api/v1/topics/",
        {"title": "车棚改造", "community": world.c1.pk, "procedure": proc.pk, "scale": "major"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert (
        api(world.users.community)
        .post("/api/v1/topics/", {"title": "x", "community": world.c2.pk, "procedure": proc.pk}, format="json")
        .status_code
        == 400
    )
    assert (
        api(world.users.resident)
        .post("/api/v1/topics/", {"title": "x", "community": world.c1.pk, "procedure": proc.pk}, format="json")
        .status_code
        == 403
    )
    topic = Topic.objects.get(pk=pk)
    assert api_move(api(world.users.resident), topic, "accept").status_code == 403
    assert api_move(staff, topic, "accept").status_code == 200
    assert api_move(api(world.users.resident), topic, "cosign").status_code == 200
    assert api_move(staff, topic, "decline", {"reason": "x"}).status_code == 400  # accepted already
    assert (
        staff.post(f"/api/v1/topics/{pk}/step/", {"version": 0, "note": "党支部提议"}, format="json").status_code == 409
    )  # stale
    assert api_move(staff, topic, "step", {"note": "党支部提议"}).status_code == 200
    assert api_move(staff, topic, "step", {"note": "两委商议"}).status_code == 200
    r = api_move(staff, topic, "step", {"note": "党员大会", "eligible": 30, "present": 19, "approving": 15})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "present"
    r = api_move(staff, topic, "step", {"note": "党员大会", "eligible": 30, "present": 20, "approving": 15})
    assert (
        r.status_code == 200
        and len(r.json()["records"]) == 3
        and r.json()["version"] == Topic.objects.get(pk=pk).version
    )
    assert (
        staff.post(f"/api/v1/topics/{pk}/act/", {"action": "step", "note": "x"}, format="json").status_code == 404
    )  # no act switch
    assert Topic.objects.get(pk=pk).cosignatures.count() == 1


@pytest.mark.django_db
def test_meeting_over_the_api(world):
    staff = api(world.users.community)
    starts = (timezone.now() + dt.timedelta(days=2)).isoformat()
    r = staff.post(
        "/api/v1/meetings/",
        {
            "kind": "consultation",
            "title": "供暖协商会",
            "community": world.c1.pk,
            "compound": world.cp1.pk,
            "starts_at": starts,
            "location": "会议室",
        },
        format="json",
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    from linli.deliberation.models import Meeting

    from .moves import api_move

    meeting = Meeting.objects.get(pk=pk)
    assert api_move(staff, meeting, "invite", {"name": "王经理", "party": "物业公司"}).status_code == 200
    inv = meeting.invitations.get()
    r = api_move(staff, meeting, "opinion", {"speaker": inv.pk, "text": "x"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "speaker"  # not signed in
    assert api_move(staff, meeting, "sign_in", {"invitation": inv.pk}).status_code == 200
    assert api_move(staff, meeting, "opinion", {"speaker": inv.pk, "text": "增加换热站巡检"}).status_code == 200
    assert api_move(api(world.users.grid_a), meeting, "notice").status_code == 403
    assert api_move(api(world.users.other_community), meeting, "notice").status_code == 404
    assert staff.post(f"/api/v1/meetings/{pk}/close/", {"version": 5, "minutes": "x"}, format="json").status_code == 409
    r = api_move(staff, meeting, "close", {"minutes": "物业每周巡检换热站"})
    assert r.status_code == 200 and r.json()["closed_at"] and r.json()["status"] == "closed"
    assert api_move(staff, meeting, "opinion", {"speaker": inv.pk, "text": "会后"}).status_code == 400  # closed
    assert (
        staff.post(f"/api/v1/meetings/{pk}/act/", {"action": "notice"}, format="json").status_code == 404
    )  # no act switch
    assert api(world.users.other_community).get(f"/api/v1/meetings/{pk}/").status_code == 404


@pytest.mark.django_db
def test_topic_api_links_requests_in_the_users_scope_only(world):
    from linli.cases import actions as case_actions
    from linli.cases.models import Category
    from linli.deliberation.models import Procedure, Topic

    cat = Category.objects.get(name="停车与消防通道")
    mine = case_actions.report_case(
        actor=None, category=cat, grid=world.grid_a, description="消防通道", channel="hotline"
    )
    theirs = case_actions.report_case(
        actor=None, category=cat, grid=world.grid_c, description="西湖消防通道", channel="hotline"
    )
    r = api(world.users.community).post(
        "/api/v1/topics/",
        {
            "title": "消防通道治理",
            "community": world.c1.pk,
            "cases": [mine.pk, theirs.pk],
            "procedure": Procedure.objects.first().pk,
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["cases"] == [mine.pk]
    assert list(Topic.objects.get().cases.all()) == [mine]
