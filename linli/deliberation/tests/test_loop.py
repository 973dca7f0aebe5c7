"""The loop between requests and topics (issue 12): a request taken into a topic waits in
deliberation (议事中) with its clock stopped and receives the published outcome; publication steps
publish on the board through the personal-data check; a resolution is a table of action items, each
a work order in the grid of its place, printed in the minutes; the topic completes only once every
item is verified; the owners' vote decides the topic's own matter."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from linli.cases import actions as case_actions
from linli.cases import metrics
from linli.cases.filters import overdue_q
from linli.cases.models import Case, Category
from linli.cases.overdue import mark_overdue
from linli.cases.workflow import LIFECYCLE
from linli.core.models import Notification
from linli.deliberation import actions, meetings, procedures
from linli.deliberation.models import ActionItem, Procedure, StepRecord, Topic

from .moves import post_move


def report(world, text="车棚顶棚漏雨", **kw):
    return case_actions.report_case(
        actor=world.users.resident,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        compound=world.cp1,
        description=text,
        channel="self_service",
        reporter=world.users.resident,
        reporter_household=world.hh_a1,
        **kw,
    )


def two_step_procedure(world, last="publication"):
    proc = procedures.add_procedure(actor=world.users.admin, name=f"提议与公开（{last}）")
    procedures.add_step(proc, actor=world.users.admin, name="提议", rule="record")
    procedures.add_step(proc, actor=world.users.admin, name="实施结果公开", rule=last)
    return proc


def raise_from(world, cases, procedure):
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="车棚改造",
        community=world.c1,
        compound=world.cp1,
        procedure=procedure,
        cases=cases,
    )
    procedures.screen(topic, actor=world.users.community, accept=True)
    topic.refresh_from_db()
    return topic


def complete(topic, note="已完成", **kw):
    step = procedures.next_step(topic)
    return procedures.complete_step(topic.pk, step.pk, actor=topic._actor, note=note, **kw)


def told(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True))


@pytest.mark.django_db(transaction=False)
def test_accepting_a_topic_takes_its_open_requests_into_deliberation_and_stops_their_clocks(
    world, django_capture_on_commit_callbacks
):
    waiting = report(world)
    declined = report(world, text="另一件")
    case_actions.transition(declined.pk, "decline", actor=world.users.community, version=0, note="重复")
    with django_capture_on_commit_callbacks(execute=True):
        topic = raise_from(world, [waiting, declined], two_step_procedure(world))
    waiting.refresh_from_db()
    declined.refresh_from_db()
    assert (waiting.state, declined.state) == ("deliberating", "declined")  # a closed one stays as it was
    assert waiting.paused_at is not None and waiting.events.last().action == "deliberate"
    assert waiting.events.last().note == topic.title
    assert any("车棚改造" in t and "议事中" in t for t in told(world.users.resident))
    # the deadline passes while the topic is decided: never overdue, in no list, count or job
    later = waiting.resolve_by + dt.timedelta(days=1)
    assert not waiting.is_overdue(later)
    assert not Case.objects.filter(overdue_q(later), pk=waiting.pk).exists()
    assert Case.objects.filter(pk=waiting.pk).aggregate(**metrics.counts(later))["overdue"] == 0
    assert mark_overdue(now=later) == 0
    # without the pause it would have been overdue at that moment: the figures above could fail
    Case.objects.filter(pk=waiting.pk).update(paused_at=None)
    assert Case.objects.filter(overdue_q(later), pk=waiting.pk).exists()


@pytest.mark.django_db
def test_a_deferred_request_is_not_counted_overdue_either(world):
    """缓办: the clock stopped, as the overdue job already knew; the list and the dashboard agree."""
    case = report(world)
    case_actions.transition(case.pk, "dispatch", actor=world.users.community, version=0, assignee_org=world.pm)
    case_actions.transition(case.pk, "defer", actor=world.users.community, version=1, note="等待配件")
    later = Case.objects.get(pk=case.pk).resolve_by + dt.timedelta(seconds=1)
    assert not Case.objects.filter(overdue_q(later), pk=case.pk).exists()
    assert Case.objects.filter(pk=case.pk).aggregate(**metrics.counts(later))["overdue"] == 0


@pytest.mark.django_db
def test_the_published_outcome_reaches_the_source_requests_and_asks_their_reporters_to_rate(
    world, django_capture_on_commit_callbacks, client
):
    case = report(world)
    topic = raise_from(world, [case], two_step_procedure(world))
    topic._actor = world.users.community
    stopped = timezone.now() - dt.timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(paused_at=stopped)
    before = Case.objects.get(pk=case.pk).resolve_by
    complete(topic, note="社区党委提议")
    # a publication with a resident's name is refused on its field; nothing is recorded or delivered
    name = world.hh_a1.members.first().name
    with pytest.raises(ValidationError) as err:
        complete(topic, note=f"{name}家门口的车棚已修好")
    assert set(err.value.message_dict) == {"note"}
    assert topic.records.count() == 1 and Case.objects.get(pk=case.pk).state == "deliberating"
    with django_capture_on_commit_callbacks(execute=True):
        record = complete(topic, note="车棚顶棚已更换，照明已修复")
    topic.refresh_from_db()
    case.refresh_from_db()
    assert (topic.status, topic.outcome, record.public) == ("done", "车棚顶棚已更换，照明已修复", True)
    assert topic.published_at == record.completed_at
    assert (case.state, case.result, case.paused_at) == ("verified", topic.outcome, None)
    assert case.resolve_by == before + (case.handled_at - stopped)  # later by exactly the time in deliberation
    rate_it = Notification.objects.get(user=world.users.resident, text__contains="请评价")
    assert rate_it.url == f"{case.get_absolute_url()}#moves"  # the request's page, at the rating form
    # the board carries the publication (and no personal data: it was checked)
    board = client.get(f"/board/{world.c1.pk}/").content.decode()
    assert "车棚顶棚已更换，照明已修复" in board and "实施结果公开" in board
    # a dissatisfied rating reopens it as any request's
    case_actions.transition(case.pk, "rate", actor=world.users.resident, version=case.version, rating="dissatisfied")
    assert "reopen" in {m.name for m in LIFECYCLE.available(Case.objects.get(pk=case.pk), world.users.community)}
    # the outcome is published once: the publish move is refused now
    with pytest.raises(ValidationError, match="结果已公开"):
        procedures.publish_outcome(topic, actor=world.users.community, outcome="再发一次")


@pytest.mark.django_db
def test_a_procedure_not_ending_in_a_publication_delivers_the_outcome_when_it_is_published(world):
    case = report(world)
    topic = raise_from(world, [case], two_step_procedure(world, last="record"))
    topic._actor = world.users.community
    complete(topic)
    complete(topic)
    topic.refresh_from_db()
    assert topic.status == "done" and not topic.published_at
    assert Case.objects.get(pk=case.pk).state == "deliberating"  # done, but nothing public yet
    procedures.publish_outcome(topic, actor=world.users.community, outcome="车棚已改造")
    case.refresh_from_db()
    assert (case.state, case.result) == ("verified", "车棚已改造")


def item(world, topic, **kw):
    fields = {
        "actor": world.users.community,
        "organisation": world.pm,
        "measure": "更换车棚顶棚",
        "deadline": timezone.now() + dt.timedelta(days=10),
        "category": Category.objects.get(name="设施维修"),
        "matter": "车棚顶棚",
        "responsible": "王经理（物业项目经理）",
        "building": world.bld_b,
    } | kw
    return procedures.add_action_item(topic, **fields)


def move(case, name, user, **kw):
    case.refresh_from_db()
    return case_actions.transition(case.pk, name, actor=user, version=case.version, **kw)


@pytest.mark.django_db
def test_a_topic_completes_only_once_every_action_item_is_verified(world):
    topic = raise_from(world, [], two_step_procedure(world))
    topic._actor = world.users.community
    complete(topic, note="提议")
    work = item(world, topic)
    assert (work.grid, work.building, work.state) == (world.grid_b, world.bld_b, "dispatched")  # its place's grid
    move(work, "start", world.users.property)
    move(work, "handle", world.users.property, note="已更换")
    # handled is not verified: refused, naming the item, nothing recorded
    with pytest.raises(ValidationError, match=work.number):
        complete(topic, note="已完成")
    assert topic.records.count() == 1
    move(work, "verify", world.users.community)
    complete(topic, note="车棚顶棚已更换")
    topic.refresh_from_db()
    assert topic.status == "done"
    # a completed topic takes no new item: it would stand unverified on a topic already done
    with pytest.raises(ValidationError):
        item(world, topic, matter="又一项")
    assert ActionItem.objects.filter(topic=topic).count() == 1


@pytest.mark.django_db
def test_the_minutes_print_the_resolution_table_of_the_meeting(world, login):
    topic = raise_from(world, [], two_step_procedure(world))
    meeting = meetings.create_meeting(
        actor=world.users.community,
        kind="consultation",
        title="车棚改造协商会",
        community=world.c1,
        starts_at=timezone.now() + dt.timedelta(hours=1),
        location="社区会议室",
        topics=[topic],
    )
    c = login(world.users.community)
    body = {
        "matter": "车棚照明",
        "organisation": world.pm.pk,
        "responsible": "王经理（物业项目经理）",
        "category": Category.objects.get(name="设施维修").pk,
        "measure": "加装感应灯",
        "deadline": "2030-01-10T17:00",
        "building": world.bld_a.pk,
        "meeting": meeting.pk,
    }
    assert post_move(c, topic, "action_item", body).status_code == 302
    saved = ActionItem.objects.get()
    assert (saved.meeting, saved.case.grid, saved.case.description) == (meeting, world.grid_a, "加装感应灯")
    minutes = c.get(f"/deliberation/meetings/{meeting.pk}/minutes/").content.decode()
    for cell in ("车棚照明", str(world.pm), "王经理（物业项目经理）", "加装感应灯", "2030-01-10"):
        assert cell in minutes
    page = c.get(topic.get_absolute_url()).content.decode()
    assert "车棚照明" in page and saved.case.number in page
    # a missing item name is a field error in Chinese, and nothing is written
    r = post_move(c, topic, "action_item", body | {"matter": ""})
    assert r.status_code == 400 and "请填写事项" in r.content.decode() and ActionItem.objects.count() == 1
    # another community's staff read neither the minutes nor the topic
    other = login(world.users.other_community)
    assert other.get(f"/deliberation/meetings/{meeting.pk}/minutes/").status_code == 404


@pytest.mark.django_db
def test_the_request_page_shows_the_topic_and_its_timeline_as_the_reader_may_see_it(world, login):
    mine = report(world)
    neighbour = case_actions.report_case(
        actor=None,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        compound=world.cp1,
        description="邻居反映的车棚问题",
        channel="hotline",
    )
    topic = raise_from(world, [mine, neighbour], two_step_procedure(world))
    resident_page = login(world.users.resident).get(mine.get_absolute_url()).content.decode()
    assert 'data-testid="case-topic"' in resident_page and topic.title in resident_page
    assert "议事中" in resident_page
    assert neighbour.number not in resident_page  # another household's request: not in the timeline
    staff_page = login(world.users.community).get(mine.get_absolute_url()).content.decode()
    assert neighbour.number in staff_page  # staff read both source requests
    # a request in no topic has no such panel
    alone = report(world, text="路灯不亮")
    assert 'data-testid="case-topic"' not in login(world.users.resident).get(alone.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_an_owners_topic_names_its_matter_and_its_vote_step_takes_only_a_vote_on_it(world):
    with pytest.raises(ValidationError) as err:
        procedures.raise_topic(
            actor=world.users.community,
            title="续聘物业",
            community=world.c1,
            compound=world.cp1,
            procedure=Procedure.objects.get(name="业主共同决定"),
        )
    assert set(err.value.message_dict) == {"matter"} and not Topic.objects.exists()
    topic = procedures.raise_topic(
        actor=world.users.community,
        title="续聘物业",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="业主共同决定"),
        matter=4,
    )
    procedures.screen(topic, actor=world.users.community, accept=True)
    topic._actor = world.users.community
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        complete(topic, note="公告业主大会")
    StepRecord.objects.filter(topic=topic).update(completed_at=start - dt.timedelta(days=16))
    closes = timezone.now() + dt.timedelta(days=5)
    with pytest.raises(ValidationError) as err:  # a vote on another matter is not this topic's
        actions.open_vote(
            actor=world.users.community, title="x", matter=5, compound=world.cp1, closes_at=closes, topic=topic
        )
    assert set(err.value.message_dict) == {"matter"}
    vote = actions.open_vote(
        actor=world.users.community, title="续聘物业", matter=4, compound=world.cp1, closes_at=closes, topic=topic
    )
    for e in vote.electors.all():
        actions.cast(vote.pk, e.pk, "agree", actor=world.users.community)
    actions.close_vote(vote, actor=world.users.community)
    Topic.objects.filter(pk=topic.pk).update(matter=5)  # the topic's matter changed since
    topic.refresh_from_db()
    topic._actor = world.users.community
    with pytest.raises(ValidationError) as err:
        complete(topic, note="表决", owner_vote=vote)
    assert set(err.value.message_dict) == {"owner_vote"}
    Topic.objects.filter(pk=topic.pk).update(matter=4)
    topic.refresh_from_db()
    topic._actor = world.users.community
    assert complete(topic, note="表决", owner_vote=vote).owner_vote == vote


@pytest.mark.django_db
def test_a_handler_who_may_not_open_the_topic_reads_no_residents_evaluation_on_the_request_page(world, login):
    """The property company handles the request and sees its panel, but the topic is not theirs to
    open: its evaluations' comments (residents' words) stay off their page."""
    case = report(world)
    topic = raise_from(world, [case], two_step_procedure(world, last="record"))
    Topic.objects.filter(pk=topic.pk).update(status="done")
    topic.refresh_from_db()
    procedures.evaluate(topic, actor=world.users.resident, score=2, comment="车棚还是漏雨很失望")
    assert not Topic.objects.restrict(world.users.property).filter(pk=topic.pk).exists()
    Case.objects.filter(pk=case.pk).update(assignee_org=world.pm)
    page = login(world.users.property).get(case.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="case-topic"' in page.content.decode()
    assert "很失望" not in page.content.decode() and "2/5" in page.content.decode()
    assert "很失望" in login(world.users.community).get(case.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_an_action_items_work_order_page_shows_its_row_of_the_resolution(world, login):
    topic = raise_from(world, [], two_step_procedure(world))
    work = item(world, topic)
    page = login(world.users.property).get(work.get_absolute_url()).content.decode()
    assert 'data-testid="item-matter"' in page and "车棚顶棚" in page and "王经理（物业项目经理）" in page
    assert topic.title in page
    plain = report(world)
    assert (
        'data-testid="item-matter"' not in login(world.users.community).get(plain.get_absolute_url()).content.decode()
    )
