"""Lifecycle moves of the three lists: a project takes needs and resources up; delivering it meets
the needs, frees the resources and publishes it (through the personal-data check); cancelling
reopens the needs; the delivery date at its boundaries; money in fen."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from linli.core.models import AuditLog
from linli.core.public_text import PersonalDataError
from linli.projects import actions, matching
from linli.projects.models import Heading, Need, Project, Resource
from linli.projects.workflow import NEED, PROJECT, RESOURCE

from .conftest import TODAY, new_project

pytestmark = pytest.mark.django_db


def move(lifecycle, row, name, user, **data):
    row.refresh_from_db()
    return lifecycle.perform(row.pk, name, actor=user, version=row.version, data=data)


def states(*rows):
    for r in rows:
        r.refresh_from_db()
    return [r.state for r in rows]


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_a_project_takes_up_needs_and_resources_and_delivery_meets_and_frees_them(world, lists):
    project = new_project(world, lists)
    assert states(lists.need, lists.doctor) == [Need.State.PLANNED, Resource.State.IN_USE]
    assert project.partner == lists.party.bank  # the one partner of its resources is credited
    assert project.budget_fen() == 250_000
    move(PROJECT, project, "start", world.users.community)
    move(PROJECT, project, "deliver", world.users.community, delivered_on="2026-04-15", result="为36位老人体检")
    project.refresh_from_db()
    assert project.state == Project.State.DELIVERED and project.public_checked
    assert states(lists.need, lists.doctor) == [Need.State.MET, Resource.State.OFFERED]
    assert AuditLog.objects.filter(object_id=str(project.pk), note="deliver").exists()


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_cancelling_reopens_needs_unless_another_project_serves_them(world, lists):
    first = new_project(world, lists)
    second = new_project(world, lists, needs=[], resources=[lists.talent], title="书法班")
    move(PROJECT, first, "cancel", world.users.community, reason="场地冲突")
    assert states(lists.need, lists.doctor, lists.talent) == [
        Need.State.OPEN,
        Resource.State.OFFERED,
        Resource.State.IN_USE,
    ]
    assert second.state == Project.State.PLANNED


@pytest.mark.parametrize(
    ("day", "ok"),
    [("2026-03-31", False), ("2026-04-01", True), ("2026-04-15", True), ("2026-04-16", False)],
)
@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_delivery_day_between_the_start_and_today(world, lists, day, ok):
    project = new_project(world, lists)
    move(PROJECT, project, "start", world.users.community)
    if ok:
        move(PROJECT, project, "deliver", world.users.community, delivered_on=day, result="已完成")
    else:
        with pytest.raises(ValidationError):
            move(PROJECT, project, "deliver", world.users.community, delivered_on=day, result="已完成")
        assert states(project) == [Project.State.IN_PROGRESS]


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_a_result_naming_a_resident_is_refused_and_nothing_is_published(world, lists):
    project = new_project(world, lists)
    move(PROJECT, project, "start", world.users.community)
    with pytest.raises(PersonalDataError):
        move(PROJECT, project, "deliver", world.users.community, delivered_on="2026-04-15", result="居民a1h家已体检")
    project.refresh_from_db()
    assert project.state == Project.State.IN_PROGRESS and not project.public_checked
    assert states(lists.need) == [Need.State.PLANNED]


def test_a_need_naming_a_resident_is_refused(world, lists):
    with pytest.raises(PersonalDataError):
        actions.create_need(
            actor=world.users.community, community=world.c1, title="帮扶", heading=Heading.POVERTY,
            beneficiaries="居民b1h一家", people_count=1,
        )  # fmt: skip


def test_only_open_needs_and_offered_resources_of_the_community_are_taken_up(world, lists):
    with pytest.raises(ValidationError) as e:
        new_project(world, lists, needs=[lists.need_c2], resources=[lists.school_room])
    assert set(e.value.message_dict) == {"needs", "resources"}
    move(NEED, lists.need, "withdraw", world.users.community, reason="已由其他渠道解决")
    with pytest.raises(ValidationError):
        new_project(world, lists)


def test_resource_rules(world, lists):
    u, p = world.users, lists.party
    with pytest.raises(ValidationError) as e:
        actions.offer_resource(actor=u.community, partner=p.bank, kind=Resource.Kind.MONEY, heading=Heading.POVERTY,
                               title="帮困资金")  # fmt: skip
    assert "amount_fen" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        actions.offer_resource(actor=u.community, community=world.c1, kind=Resource.Kind.ROOM,
                               heading=Heading.CULTURE, title="活动室")  # fmt: skip
    assert "partner" in e.value.message_dict  # only the talent pool offers without a partner
    with pytest.raises(ValidationError) as e:
        actions.offer_resource(actor=p.bank_staff, partner=p.school, kind=Resource.Kind.ROOM,
                               heading=Heading.CULTURE, title="别人的教室")  # fmt: skip
    assert "partner" in e.value.message_dict
    money = actions.offer_resource(actor=p.bank_staff, partner=p.bank, kind=Resource.Kind.MONEY,
                                   heading=Heading.POVERTY, title="帮困资金", amount_fen=1_000_000)  # fmt: skip
    assert money.community == world.c1 and money.amount_fen == 1_000_000
    move(RESOURCE, money, "withdraw", p.bank_staff, reason="预算调整")
    assert states(money) == [Resource.State.WITHDRAWN]
    with pytest.raises(Resource.DoesNotExist):  # the school's staff cannot touch the bank's
        move(RESOURCE, lists.room, "withdraw", p.school_staff, reason="x")


@pytest.mark.parametrize(
    ("until", "starts", "suggested"),
    [
        (None, None, True),
        (TODAY, None, True),  # its last day is today
        (TODAY - dt.timedelta(days=1), None, False),  # ended yesterday
        (None, TODAY + dt.timedelta(days=matching.SOON_DAYS), True),  # starts on the last day of the window
        (None, TODAY + dt.timedelta(days=matching.SOON_DAYS + 1), False),
    ],
)
def test_suggestions_only_of_resources_available_now_or_soon(world, lists, until, starts, suggested):
    Resource.objects.filter(pk=lists.doctor.pk).update(available_until=until, available_from=starts)
    got = matching.suggestions(lists.need, world.users.community, today=TODAY)
    assert (lists.doctor in got) is suggested
    assert got[0] != lists.talent  # the same heading first within the community
    assert lists.school_room not in got  # another community, another heading


def test_suggestions_put_the_same_community_first(world, lists):
    far = actions.offer_resource(
        actor=world.users.other_community, partner=lists.party.school, kind=Resource.Kind.PEOPLE,
        heading=Heading.HEALTH, title="校医",
    )  # fmt: skip
    got = matching.suggestions(lists.need, world.users.admin)
    assert got.index(lists.doctor) < got.index(far)
    assert far not in matching.suggestions(lists.need, world.users.community)  # out of c1's scope


@pytest.mark.parametrize(("year", "ok"), [(1999, False), (2000, True), (2099, True), (2100, False)])
def test_dates_of_the_lists_are_in_the_years_2000_to_2099(world, lists, year, ok):
    day = dt.date(year, 6, 1)
    if ok:
        assert new_project(world, lists, starts_on=day, ends_on=day).starts_on == day
    else:
        with pytest.raises(ValidationError) as e:
            new_project(world, lists, starts_on=day, ends_on=day)
        assert "starts_on" in e.value.message_dict
