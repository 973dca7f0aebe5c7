"""A topic page shows residents its public summary and how many requests it came from — never
another resident's words — and staff only the source requests in their own scope."""

import re

import pytest
from rest_framework.test import APIClient

from linli.accounts.models import RoleAssignment, User
from linli.cases import actions
from linli.cases.models import Category
from linli.deliberation import procedures
from linli.deliberation.models import Procedure, Topic

SECRET = "楼上天天半夜装修，怕被报复，不想让人知道是我说的"
LAMP = "2号楼门口路灯坏了一个月"


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def topic(world):
    cat = Category.objects.get(name="设施维修")
    whisper = actions.report_case(
        actor=world.users.resident,
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        building=world.bld_a,
        description=SECRET,
        channel="whisper",
        reporter=world.users.resident,
        reporter_household=world.hh_a1,
    )
    lamp = actions.report_case(
        actor=world.users.grid_b,
        category=cat,
        grid=world.grid_b,
        compound=world.cp1,
        building=world.bld_b,
        description=LAMP,
        channel="patrol",
        reporter_name="居民b1h",
    )
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="馨和苑夜间安宁与照明",
        description="居民反映的噪音与照明问题",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="城乡社区协商"),
        cases=[whisper, lamp],
    )
    topic.whisper, topic.lamp = whisper, lamp
    return topic


@pytest.fixture
def neighbour(world):
    user = User.objects.create_user("neighbour", display_name="邻居")
    RoleAssignment.objects.create(user=user, role="resident", household=world.hh_a2)
    return user


@pytest.mark.django_db
def test_residents_see_the_count_not_other_residents_words(world, topic, neighbour, login):
    r = login(neighbour).get(topic.get_absolute_url())
    assert r.status_code == 200
    body = r.content.decode()
    assert "馨和苑夜间安宁与照明" in body and "居民反映的噪音与照明问题" in body  # the public summary
    for private in (SECRET[:8], LAMP[:8], topic.whisper.number, topic.lamp.number, topic.whisper.get_absolute_url()):
        assert private not in body, private
    assert re.findall(r"\d+", body.split('data-testid="source-count"')[1].split("</")[0]) == ["2"]


@pytest.mark.django_db
def test_the_topics_api_gives_residents_a_count_not_the_requests(world, topic, neighbour):
    data = api(neighbour).get(f"/api/v1/topics/{topic.pk}/").json()
    assert data["cases"] == [] and data["source_count"] == 2
    listed = api(neighbour).get("/api/v1/topics/").json()["results"][0]
    assert listed["cases"] == [] and listed["source_count"] == 2


@pytest.mark.django_db
def test_the_reporter_sees_their_own_request_among_the_sources(world, topic, login):
    body = login(world.users.resident).get(topic.get_absolute_url()).content.decode()
    assert topic.whisper.number in body and topic.lamp.number not in body and LAMP[:8] not in body
    assert api(world.users.resident).get(f"/api/v1/topics/{topic.pk}/").json()["cases"] == [topic.whisper.pk]


@pytest.mark.django_db
def test_staff_see_only_the_source_requests_in_their_scope(world, topic, login):
    body = (
        login(world.users.grid_b).get(topic.get_absolute_url()).content.decode()
    )  # grid B has building 2 of the compound
    assert LAMP[:8] in body and SECRET[:8] not in body and topic.whisper.number not in body
    assert api(world.users.grid_b).get(f"/api/v1/topics/{topic.pk}/").json()["cases"] == [topic.lamp.pk]
    body = login(world.users.community).get(topic.get_absolute_url()).content.decode()
    assert LAMP[:8] in body and SECRET[:8] in body
    data = api(world.users.community).get(f"/api/v1/topics/{topic.pk}/").json()
    assert sorted(data["cases"]) == sorted([topic.whisper.pk, topic.lamp.pk]) and data["source_count"] == 2


@pytest.mark.django_db
def test_residents_do_not_read_each_others_evaluations(world, topic, neighbour, login):
    Topic.objects.filter(pk=topic.pk).update(status=Topic.Status.DONE)
    topic.refresh_from_db()
    procedures.evaluate(topic, actor=world.users.resident, score=2, comment="顾师傅半夜还在敲，没解决")
    procedures.evaluate(topic, actor=neighbour, score=4, comment="路灯修好了")
    body = login(neighbour).get(topic.get_absolute_url()).content.decode()
    assert "顾师傅半夜还在敲" not in body and "路灯修好了" in body  # their own words only
    assert "3.0" in body.split('data-testid="evaluations"')[1][:200]  # the average of both
    body = login(world.users.community).get(topic.get_absolute_url()).content.decode()
    assert "顾师傅半夜还在敲" in body and "路灯修好了" in body


@pytest.mark.django_db
def test_residents_read_no_step_records(world, topic, neighbour, login):
    procedures.screen(topic, actor=world.users.community, accept=True)
    step = procedures.next_step(topic)
    procedures.complete_step(
        topic.pk, step.pk, actor=world.users.community, note="两委商议：1号楼的反映人情绪激动，需单独回访"
    )
    assert "情绪激动" not in login(neighbour).get(topic.get_absolute_url()).content.decode()
    data = api(neighbour).get(f"/api/v1/topics/{topic.pk}/").json()
    assert [r["note"] for r in data["records"]] == [""] and data["records"][0]["step"] == step.name
    assert "情绪激动" in login(world.users.community).get(topic.get_absolute_url()).content.decode()
    assert (
        "情绪激动" in api(world.users.grid_b).get(f"/api/v1/topics/{topic.pk}/").content.decode()
    )  # staff read the record


@pytest.mark.django_db
def test_the_reason_a_topic_was_declined_is_its_proposers_and_staffs(world, neighbour, login):
    """A declined proposal's reason is written for whoever proposed it: it may name a neighbour
    ("与王某家的纠纷"), so another resident reads only that it was declined — on the page and in the API."""
    reason = "属于与502王某家的邻里纠纷，已转调解"
    t = procedures.raise_topic(
        actor=world.users.resident, title="楼上漏水谁来管", community=world.c1, procedure=Procedure.objects.first()
    )
    procedures.screen(t, actor=world.users.community, accept=False, reason=reason)
    for user, shown in ((world.users.resident, True), (world.users.community, True), (neighbour, False)):
        page = login(user).get(t.get_absolute_url())
        assert page.status_code == 200 and "楼上漏水谁来管" in page.content.decode()
        assert (reason in page.content.decode()) is shown, user
        data = api(user).get(f"/api/v1/topics/{t.pk}/").json()
        assert (data["decline_reason"] == reason) is shown and (
            reason in str(api(user).get("/api/v1/topics/").json())
        ) is shown, user
