"""Text bound for the public board (公示栏) is checked against the community's ledger names and the
patterns of houses, phones and ID numbers before it is published; the screen marks what it found."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from linli.core.actions import create_object
from linli.deliberation import meetings, procedures
from linli.deliberation.models import Meeting, Procedure, Topic
from linli.people.models import Person, Relation
from linli.testing import make_id

from .moves import api_move, post_move

LEAK = "顾建（1号楼101）已签字同意，加装电梯费用按楼层分摊"


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def gujian(world):
    return create_object(
        Person, actor=None, household=world.hh_a1, name="顾建", relation=Relation.CHILD, id_number=make_id(901)
    )


@pytest.fixture
def done(world, gujian):
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="1号楼加装电梯",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="业主共同决定"),
        matter=4,
    )
    Topic.objects.filter(pk=topic.pk).update(status=Topic.Status.DONE)
    topic.refresh_from_db()
    return topic


def board(client, world):
    return client.get(reverse("board:community", args=[world.c1.pk])).content.decode()


@pytest.mark.django_db
def test_outcome_with_a_name_and_a_house_is_refused_with_the_matches_marked(world, done, login, client):
    r = post_move(login(world.users.community), done, "publish", {"outcome": LEAK})
    assert r.status_code == 400
    body = r.content.decode()
    error = body.split('data-testid="outcome-error"')[1].split("</div>")[0]
    assert "个人信息" in error and "顾建" in error and "1号楼101" in error
    marked = body.split('data-testid="outcome-marked"')[1].split("</div>")[0]
    assert "<mark" in marked and ">顾建</mark>" in marked and ">1号楼101</mark>" in marked
    assert LEAK in body  # the text comes back to be edited
    done.refresh_from_db()
    assert done.published_at is None and done.outcome == ""
    assert "顾建" not in board(client, world)


@pytest.mark.django_db
def test_a_clean_outcome_is_published(world, done, login, client):
    r = post_move(login(world.users.community), done, "publish", {"outcome": "1号楼加装电梯已完工，费用按楼层分摊"})
    assert r.status_code == 302
    done.refresh_from_db()
    assert done.published_at and "1号楼加装电梯已完工" in board(client, world)
    assert post_move(login(world.users.grid_a), done, "publish", {"outcome": "x"}).status_code == 403  # no votes.manage
    assert post_move(login(world.users.other_community), done, "publish", {"outcome": "x"}).status_code == 404
    assert post_move(login(world.users.resident), done, "publish", {"outcome": "x"}).status_code == 403


@pytest.mark.django_db
def test_the_api_answers_400_with_the_field_path(world, done):
    r = api_move(api(world.users.community), done, "publish", {"outcome": LEAK})
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("outcome", "personal_data")]
    assert "顾建" in errors[0]["message"] and "1号楼101" in errors[0]["message"]
    done.refresh_from_db()
    assert done.published_at is None


@pytest.mark.django_db
def test_phones_and_id_numbers_are_refused(world, done):
    for leak in ("联系人电话13800001234", f"身份证号{make_id(77)}", "联系0951-5012345"):
        with pytest.raises(ValidationError) as err:
            procedures.publish_outcome(done, actor=world.users.community, outcome=f"电梯已完工。{leak}")
        assert err.value.message_dict.keys() == {"outcome"}
    done.refresh_from_db()
    assert done.published_at is None


@pytest.mark.django_db
def test_only_the_names_of_that_communitys_ledger_count(world, done):
    create_object(
        Person, actor=None, household=world.hh_c1, name="柳梅", relation=Relation.CHILD, id_number=make_id(902)
    )
    procedures.publish_outcome(
        done, actor=world.users.community, outcome="柳梅路口的路灯已修复"
    )  # 柳梅 lives in the other community
    done.refresh_from_db()
    assert done.published_at


@pytest.mark.django_db
def test_a_topic_title_with_personal_data_is_refused_when_raised(world, gujian, login):
    r = login(world.users.community).post(
        reverse("deliberation:topic_create"),
        {
            "title": "顾建家漏水",
            "description": "",
            "community": world.c1.pk,
            "scale": "minor",
            "procedure": Procedure.objects.get(name="城乡社区协商").pk,
        },
    )
    assert r.status_code == 200 and "title" in r.context["form"].errors and not Topic.objects.exists()
    assert ">顾建</mark>" in r.content.decode()
    r = login(world.users.resident).post(
        reverse("deliberation:topic_create"), {"title": "电动车充电", "description": "我家3单元502室门口堆满电动车"}
    )
    assert r.status_code == 200 and "description" in r.context["form"].errors and not Topic.objects.exists()


@pytest.mark.django_db
def test_meeting_notice_is_checked_before_it_reaches_the_board(world, gujian, login, client):
    starts = timezone.now() + timezone.timedelta(days=3)
    # a meeting recorded before the check existed
    legacy = Meeting.objects.create(
        kind="consultation",
        title="顾建家门口停车协调会",
        community=world.c1,
        subdistrict=world.sub,
        starts_at=starts,
        location="社区活动室",
    )
    r = post_move(login(world.users.community), legacy, "notice")
    assert r.status_code == 400 and ">顾建</mark>" in r.content.decode()
    legacy.refresh_from_db()
    assert legacy.notice_published_at is None and "顾建" not in board(client, world)
    # new meetings: the form refuses the title and the location
    r = login(world.users.community).post(
        reverse("deliberation:meeting_create"),
        {
            "kind": "consultation",
            "title": "停车协调会",
            "community": world.c1.pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "location": "1号楼101顾建家",
        },
    )
    assert r.status_code == 200 and "location" in r.context["form"].errors and Meeting.objects.count() == 1
    with pytest.raises(ValidationError):
        meetings.publish_notice(legacy, actor=world.users.community)
    r = api_move(api(world.users.community), legacy, "notice")
    assert (
        r.status_code == 400
        and r.json()["errors"][0]["field"] == "title"
        and r.json()["errors"][0]["code"] == "personal_data"
    )
    r = api(world.users.community).post(
        "/api/v1/meetings/",
        {
            "kind": "consultation",
            "title": "协调会",
            "community": world.c1.pk,
            "starts_at": starts.isoformat(),
            "location": "联系13800001234",
        },
        format="json",
    )
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["location"]


@pytest.mark.django_db
def test_migration_withdraws_what_was_published_before_the_check(world, done, gujian):
    import importlib

    from django.apps import apps

    Topic.objects.filter(pk=done.pk).update(outcome=LEAK, published_at=timezone.now())
    clean = procedures.raise_topic(
        actor=world.users.community,
        title="楼道照明",
        community=world.c1,
        procedure=Procedure.objects.get(name="业主共同决定"),
        matter=4,
    )
    Topic.objects.filter(pk=clean.pk).update(outcome="楼道灯已全部更换", published_at=timezone.now())
    meeting = Meeting.objects.create(
        kind="consultation",
        title="顾建家门口停车协调会",
        community=world.c1,
        subdistrict=world.sub,
        starts_at=timezone.now() + timezone.timedelta(days=3),
        location="社区活动室",
        notice_published_at=timezone.now(),
    )
    importlib.import_module("linli.deliberation.migrations.0011_withdraw_personal_data").withdraw(apps, None)
    done.refresh_from_db()
    clean.refresh_from_db()
    meeting.refresh_from_db()
    assert done.published_at is None and done.outcome == LEAK  # kept for staff to rewrite
    assert clean.published_at is not None
    assert meeting.notice_published_at is None
