import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from linli.cases import actions as case_actions
from linli.cases.models import Category
from linli.deliberation import procedures
from linli.deliberation.models import Procedure, Topic
from linli.testing import database_refuses_inserts_into

from .moves import post_move


@pytest.fixture
def topic(world):
    cat = Category.objects.get(name="设施维修")
    cases = [
        case_actions.report_case(
            actor=None,
            category=cat,
            grid=world.grid_a,
            compound=world.cp1,
            description=f"车棚漏雨{i}",
            channel="hotline",
        )
        for i in range(3)
    ]
    t = procedures.raise_topic(
        actor=world.users.community,
        title="荣锦苑自行车棚改造",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="四议两公开"),
        scale="major",
        cases=cases,
    )
    procedures.screen(t, actor=world.users.community, accept=True)
    return t


def complete(topic, user, **kw):
    step = procedures.next_step(topic)
    return procedures.complete_step(topic.pk, step.pk, actor=user, note=kw.pop("note", "已完成"), **kw)


@pytest.mark.django_db
def test_topic_from_three_requests_keeps_the_links(world, topic):
    assert topic.cases.count() == 3 and topic.status == Topic.Status.ACCEPTED


@pytest.mark.django_db
def test_a_step_is_not_recorded_when_its_audit_record_cannot_be_written(world, topic):
    """A step record and its audit record are one write (never half-written records)."""
    with database_refuses_inserts_into("core_auditlog"), pytest.raises(DatabaseError):
        complete(topic, world.users.community)
    assert not topic.records.exists()


@pytest.mark.django_db
def test_four_deliberations_two_publications_refuses_a_skipped_step(world, topic):
    steps = list(topic.procedure.steps.all())
    with pytest.raises(ValidationError, match="党组织提议"):
        procedures.complete_step(topic.pk, steps[1].pk, actor=world.users.community, note="跳过提议")
    complete(topic, world.users.community)  # 党组织提议
    complete(topic, world.users.community)  # 两委会商议
    assert procedures.next_step(topic) == steps[2]


def refused(topic, user, **kw):
    """The fields the step was refused on (and nothing was recorded)."""
    before = topic.records.count()
    with pytest.raises(ValidationError) as err:
        complete(topic, user, **kw)
    assert topic.records.count() == before
    return set(err.value.message_dict)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("eligible", "present", "approving", "refused_on"),
    [
        (30, 20, 15, None),  # exactly 2/3 present, exactly half of all members approve
        (30, 30, 30, None),  # everyone present and approving
        (30, 19, 15, {"present"}),  # one below 2/3 present
        (30, 20, 14, {"approving"}),  # one below half approving
        (31, 21, 16, None),  # 63 ≥ 62 present; 32 ≥ 31 approving
        (31, 20, 16, {"present"}),  # 60 < 62
        (31, 21, 15, {"approving"}),  # 15 is less than half of 31 (base: every member, not those present)
    ],
)
def test_party_members_meeting_quorum_and_approval_at_the_boundary(
    world, topic, eligible, present, approving, refused_on
):
    complete(topic, world.users.community)
    complete(topic, world.users.community)
    if refused_on is None:
        record = complete(topic, world.users.community, eligible=eligible, present=present, approving=approving)
        assert (record.eligible, record.present, record.approving) == (eligible, present, approving)
        assert procedures.next_step(topic).name == "居民（代表）会议决议"
    else:
        assert (
            refused(topic, world.users.community, eligible=eligible, present=present, approving=approving) == refused_on
        )
        assert procedures.next_step(topic).name == "党员大会审议"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("eligible", "present", "approving", "refused_on"),
    [
        (40, 21, 11, None),  # more than half present, more than half of those present approve
        (40, 20, 15, {"present"}),  # exactly half present is not more than half
        (40, 21, 10, {"approving"}),  # 10 of 21 is not more than half
        (40, 22, 11, {"approving"}),  # exactly half of those present is not more than half
        (40, 22, 12, None),  # one more: more than half
        (41, 21, 11, None),  # 42 > 41 present
        (41, 20, 20, {"present"}),  # 40 < 41
    ],
)
def test_residents_meeting_majorities(world, topic, eligible, present, approving, refused_on):
    for kw in ({}, {}, {"eligible": 30, "present": 20, "approving": 15}):
        complete(topic, world.users.community, **kw)
    if refused_on is None:
        complete(topic, world.users.community, eligible=eligible, present=present, approving=approving)
        assert procedures.next_step(topic).name == "决议公开"
    else:
        assert (
            refused(topic, world.users.community, eligible=eligible, present=present, approving=approving) == refused_on
        )
        assert procedures.next_step(topic).name == "居民（代表）会议决议"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("eligible", "present", "approving", "message"),
    [
        (30, 30, 30, None),  # all present, all approve: the upper limits are allowed
        (30, 31, 20, "不能超过"),  # more present than due to attend
        (30, 20, 21, "不能超过"),  # more approving than present
        (0, 0, 0, "请填写"),  # nobody due to attend
        (30, None, 15, "请填写"),  # figures missing
        (30, 20, None, "请填写"),
    ],
)
def test_meeting_figures_must_be_consistent(world, topic, eligible, present, approving, message):
    complete(topic, world.users.community)
    complete(topic, world.users.community)
    if message is None:
        complete(topic, world.users.community, eligible=eligible, present=present, approving=approving)
    else:
        with pytest.raises(ValidationError, match=message):
            complete(topic, world.users.community, eligible=eligible, present=present, approving=approving)
        assert topic.records.count() == 2


@pytest.mark.django_db
def test_topic_completes_after_both_publications(world, topic):
    for kw in (
        {},
        {},
        {"eligible": 30, "present": 20, "approving": 15},
        {"eligible": 40, "present": 21, "approving": 11},
        {},
        {},
    ):
        complete(topic, world.users.community, **kw)
    topic.refresh_from_db()
    assert topic.status == Topic.Status.DONE and topic.records.count() == 6


@pytest.mark.django_db
def test_declining_needs_a_reason(world):
    t = procedures.raise_topic(
        actor=world.users.resident, title="小区建篮球场", community=world.c1, procedure=Procedure.objects.first()
    )
    with pytest.raises(ValidationError):
        procedures.screen(t, actor=world.users.community, accept=False)
    procedures.screen(t, actor=world.users.community, accept=False, reason="场地不足，已转为微心愿")
    t.refresh_from_db()
    assert t.status == "declined" and "场地不足" in t.decline_reason


@pytest.mark.django_db
def test_screening_reads_the_status_under_the_lock(world):
    """Two staff opened the same proposed topic; the first accepts it, the second's decline,
    made from the page they read before, is refused instead of overwriting the acceptance."""
    from linli.core.audit import history
    from linli.core.lifecycle import Conflict

    t = procedures.raise_topic(
        actor=world.users.resident, title="小区建篮球场", community=world.c1, procedure=Procedure.objects.first()
    )
    first, second = Topic.objects.get(pk=t.pk), Topic.objects.get(pk=t.pk)
    procedures.screen(first, actor=world.users.community, accept=True)
    assert first.status == Topic.Status.ACCEPTED
    with pytest.raises(
        Conflict, match="Someone else changed this topic|其他人刚刚修改了此议题"
    ):  # the version it read is stale
        procedures.screen(second, actor=world.users.subdistrict, accept=False, reason="场地不足")
    second.refresh_from_db()  # read afresh: the state refuses it
    with pytest.raises(ValidationError, match="In the topic catalog|已列入议题目录"):
        procedures.screen(second, actor=world.users.subdistrict, accept=False, reason="场地不足")
    t.refresh_from_db()
    assert (t.status, t.decline_reason) == (Topic.Status.ACCEPTED, "")
    assert [e.changes for e in history(t).filter(action="update")] == [{"status": ["proposed", "accepted"]}]


@pytest.mark.django_db
def test_topic_pages_screen_and_refuse_skipped_step(world, login):
    from django.urls import reverse

    cat = Category.objects.get(name="停车与消防通道")
    ids = [
        case_actions.report_case(
            actor=None,
            category=cat,
            grid=world.grid_a,
            compound=world.cp1,
            description=f"消防通道{i}",
            channel="hotline",
        ).pk
        for i in range(3)
    ]
    c = login(world.users.community)
    page = c.get(reverse("deliberation:topic_create"), {"cases": ",".join(map(str, ids))}).content.decode()
    assert all(f'value="{i}"' in page for i in ids)
    proc = Procedure.objects.get(name="四议两公开")
    r = c.post(
        reverse("deliberation:topic_create"),
        {
            "title": "消防通道治理",
            "community": world.c1.pk,
            "compound": world.cp1.pk,
            "scale": "major",
            "procedure": proc.pk,
            "cases": ids,
        },
    )
    topic = Topic.objects.get()
    assert r.status_code == 302 and topic.cases.count() == 3
    assert post_move(c, topic, "accept").status_code == 302
    steps = list(proc.steps.all())
    r = post_move(c, topic, "step", {"step": steps[2].pk, "note": "直接开党员大会"})
    assert r.status_code == 400 and "按顺序" in r.content.decode() and topic.records.count() == 0
    r = post_move(c, topic, "step", {"step": steps[0].pk, "note": "党支部提议"})
    assert r.status_code == 302 and topic.records.count() == 1
    assert (
        post_move(c, topic, "step", {"step": steps[1].pk, "note": "两委商议", "version": 1}).status_code == 302
    )  # stale
    assert topic.records.count() == 1 and "其他人刚刚修改了此议题" in c.get(topic.get_absolute_url()).content.decode()
    assert login(world.users.other_community).get(topic.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_action_items_become_tracked_work_orders(world, topic, login):
    import datetime as dt

    from django.utils import timezone

    from linli.cases.models import Case
    from linli.cases.overdue import mark_overdue

    cat = Category.objects.get(name="设施维修")
    due = timezone.now() + dt.timedelta(days=10)
    case = procedures.add_action_item(
        topic,
        actor=world.users.community,
        organisation=world.pm,
        measure="改造车棚顶棚",
        deadline=due,
        category=cat,
        building=world.bld_a,
    )
    case.refresh_from_db()
    assert (case.state, case.assignee_org, case.resolve_by, case.resolution_of, case.channel) == (
        "dispatched",
        world.pm,
        due,
        topic,
        "resolution",
    )
    assert Case.objects.restrict(world.users.property).filter(pk=case.pk).exists()
    Case.objects.exclude(pk=case.pk).update(resolve_by=due + dt.timedelta(days=30))  # the topic's own requests: not due
    assert mark_overdue(now=due) == 0 and not case.events.filter(action="overdue").exists()  # at the deadline: on time
    assert mark_overdue(now=due + dt.timedelta(seconds=1)) == 1
    assert case.events.filter(action="overdue").count() == 1  # tracked like any work order
    with pytest.raises(ValidationError):
        procedures.add_action_item(
            topic,
            actor=world.users.community,
            organisation=world.pm,
            measure="x",
            deadline=timezone.now() - dt.timedelta(days=1),
            category=cat,
            building=world.bld_a,
        )
    c = login(world.users.community)
    r = post_move(
        c,
        topic,
        "action_item",
        {
            "matter": "占道车辆",
            "organisation": world.dept.pk,
            "responsible": "李队长",
            "category": cat.pk,
            "measure": "清理占道车辆",
            "deadline": "2030-01-10T17:00",
            "grid": world.grid_b.pk,
        },
    )
    assert r.status_code == 302 and topic.action_items.count() == 2
    assert "清理占道车辆" in c.get(topic.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_an_action_items_deadline_is_written_only_through_the_work_order(world, topic):
    """The work order is born with the item's deadline and topic; after that only its lifecycle
    wrote it (the dispatch: version 1), so the row returned, the row stored and the timeline agree."""
    import datetime as dt

    from django.utils import timezone

    from linli.cases.models import Case

    due = timezone.now() + dt.timedelta(days=2)  # earlier than the category's own deadline
    case = procedures.add_action_item(
        topic,
        actor=world.users.community,
        organisation=world.pm,
        measure="改造车棚顶棚",
        deadline=due,
        category=Category.objects.get(name="设施维修"),
        building=world.bld_a,
    )
    stored = Case.objects.get(pk=case.pk)
    assert (case.resolve_by, case.resolution_of_id, case.version) == (due, topic.pk, 1)
    assert (stored.resolve_by, stored.resolution_of_id, stored.version) == (due, topic.pk, 1)
    assert list(stored.events.values_list("action", flat=True)) == ["report", "dispatch"]
    assert stored.extended is False  # not an approved extension (延期): the dashboard counts those


@pytest.mark.django_db
def test_hot_issue_clusters_are_suggested(world, login):
    from django.urls import reverse

    cat = Category.objects.get(name="环境卫生")
    for text in ("小区门口垃圾堆积无人清运", "门口垃圾堆积好几天了", "垃圾堆积发臭无人清运"):
        case_actions.report_case(
            actor=None, category=cat, grid=world.grid_a, compound=world.cp1, description=text, channel="hotline"
        )
    case_actions.report_case(
        actor=None, category=cat, grid=world.grid_a, compound=world.cp1, description="路灯不亮", channel="hotline"
    )
    page = login(world.users.community).get(reverse("deliberation:topics"))
    clusters = page.context["clusters"]
    assert len(clusters) == 1 and len(clusters[0][0]) == 3
    assert "路灯" not in " ".join(c.description for c in clusters[0][0])
    assert "clusters" not in login(world.users.resident).get(reverse("deliberation:topics")).context
    assert login(world.users.other_community).get(reverse("deliberation:topics")).context["clusters"] == []


@pytest.mark.django_db
def test_administrators_define_a_procedure_from_building_blocks(world, login):
    from django.urls import reverse

    assert login(world.users.community).get(reverse("deliberation:procedures")).status_code == 403
    c = login(world.users.subdistrict)
    c.post(reverse("deliberation:procedures"), {"name": "民主听证", "description": "重大事项听证"})
    proc = Procedure.objects.get(name="民主听证")
    for name, rule, lead in (
        ("发布听证公告", "publication", 7),
        ("召开听证会", "record", 0),
        ("居民代表会议决议", "residents_meeting", 0),
    ):
        c.post(reverse("deliberation:procedure_step", args=[proc.pk]), {"name": name, "rule": rule, "lead_days": lead})
    assert proc.steps.get(order=1).lead_days == 7
    assert list(proc.steps.values_list("order", "name")) == [
        (1, "发布听证公告"),
        (2, "召开听证会"),
        (3, "居民代表会议决议"),
    ]
    t = procedures.raise_topic(
        actor=world.users.community, title="公共空间改造听证", community=world.c1, procedure=proc
    )
    r = c.post(
        reverse("deliberation:procedure_step", args=[proc.pk]), {"name": "再加一步", "rule": "record"}, follow=True
    )
    assert "步骤不能再修改" in r.content.decode()
    assert proc.steps.count() == 3  # fixed once a topic follows it
    procedures.screen(t, actor=world.users.community, accept=True)
    assert procedures.next_step(t).name == "发布听证公告"


def owners_topic(world, compound=None):
    t = procedures.raise_topic(
        actor=world.users.community,
        title="续聘物业",
        community=world.c1,
        compound=compound or world.cp1,
        procedure=Procedure.objects.get(name="业主共同决定"),
        matter=4,
    )
    procedures.screen(t, actor=world.users.community, accept=True)
    return t


def open_for(world, topic, closes_at, **kw):
    from linli.deliberation import actions

    fields = {"title": "续聘物业", "matter": 4, "compound": world.cp1, "closes_at": closes_at} | kw
    return actions.open_vote(actor=world.users.community, topic=topic, **fields)


@pytest.mark.django_db
def test_owners_assembly_notice_at_least_15_days_before_the_vote_opens(world):
    """R1.6 is checked when the vote OPENS: one second before notice + 15 days it is refused
    (nothing written), exactly at notice + 15 days it opens."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from linli.deliberation.models import OwnerVote

    t = owners_topic(world)
    start = timezone.now()
    closes = start + dt.timedelta(days=30)
    with time_machine.travel(start, tick=False):
        with pytest.raises(ValidationError) as err:  # no notice yet: the topic is not at its vote step
            open_for(world, t, closes)
        assert set(err.value.message_dict) == {"topic"}
        complete(t, world.users.community, note="公告业主大会")
    early = start + dt.timedelta(days=15) - dt.timedelta(seconds=1)
    with time_machine.travel(early, tick=False), pytest.raises(ValidationError, match="15") as err:
        open_for(world, t, closes)
    assert set(err.value.message_dict) == {"topic"} and not OwnerVote.objects.exists()
    with time_machine.travel(start + dt.timedelta(days=15), tick=False):
        vote = open_for(world, t, closes)
    assert vote.topic == t and vote.electors.count() == 4


@pytest.mark.django_db
def test_owner_vote_step_accepts_only_the_vote_opened_for_its_topic(world, login):
    """A vote of another compound, or one opened without the topic, is refused by the step;
    a topic's vote is of the topic's compound and of its buildings/unit only."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from linli.deliberation import actions

    t = owners_topic(world)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        complete(t, world.users.community, note="公告业主大会")
    closes = start + dt.timedelta(days=20)
    with time_machine.travel(start + dt.timedelta(days=16), tick=False):
        with pytest.raises(ValidationError) as err:
            open_for(world, t, closes, compound=world.cp2)
        assert set(err.value.message_dict) == {"topic"}
        with pytest.raises(ValidationError) as err:
            open_for(world, t, closes, buildings=[world.bld_c])
        assert set(err.value.message_dict) == {"buildings"}
        loose = actions.open_vote(
            actor=world.users.community, title="续聘物业", matter=4, compound=world.cp1, closes_at=closes
        )
        own = open_for(world, t, closes, buildings=[world.bld_a])
        assert own.electors.count() == 2
        for vote in (loose, own):
            for e in vote.electors.all():
                actions.cast(vote.pk, e.pk, "agree", actor=world.users.community)
            actions.close_vote(vote, actor=world.users.community)
        assert refused(t, world.users.community, note="表决", owner_vote=loose) == {"owner_vote"}
        page = login(world.users.community).get(t.get_absolute_url()).content.decode()
        offered = page.split('name="owner_vote"')[1].split("</select>")[0]  # the step's choice of votes
        assert f'<option value="{own.pk}">' in offered and f'<option value="{loose.pk}">' not in offered
        record = complete(t, world.users.community, note="表决", owner_vote=own)
    assert record.owner_vote == own


@pytest.mark.django_db
def test_major_matter_needs_a_hearing_before_consultation(world):
    import datetime as dt

    from django.utils import timezone

    from linli.deliberation import meetings
    from linli.deliberation.models import StepRecord

    t = procedures.raise_topic(
        actor=world.users.community,
        title="加装电梯",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="城乡社区协商"),
        scale="major",
    )
    procedures.screen(t, actor=world.users.community, accept=True)
    complete(t, world.users.community)
    complete(t, world.users.community, note="提前告知各方")
    StepRecord.objects.filter(topic=t).update(completed_at=timezone.now() - dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="听证|协商议事会|hearing"):
        complete(t, world.users.community, note="开展协商")
    m = meetings.create_meeting(
        actor=world.users.community,
        kind="hearing",
        title="加装电梯听证会",
        community=world.c1,
        starts_at=timezone.now() + dt.timedelta(hours=1),
        location="会议室",
        topics=[t],
    )
    inv = meetings.invite(m, actor=world.users.community, name="业主代表", party="业主")
    meetings.sign_in(inv, actor=world.users.community)
    meetings.close_meeting(m, actor=world.users.community, conclusions="多数业主支持")
    complete(t, world.users.community, note="开展协商")
    assert procedures.next_step(t).name == "组织实施"


@pytest.mark.django_db
def test_owner_vote_step_needs_a_closed_vote_that_passed(world):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from linli.deliberation import actions

    t = owners_topic(world)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        complete(t, world.users.community, note="公告业主大会")
    votes = {}
    with time_machine.travel(start + dt.timedelta(days=15), tick=False):
        for choice in ("agree", "disagree"):
            vote = open_for(world, t, start + dt.timedelta(days=20))
            for e in vote.electors.all():
                actions.cast(vote.pk, e.pk, choice, actor=world.users.community)
            votes[choice] = vote
    assert actions.result(votes["agree"]).passed and not actions.result(votes["disagree"]).passed
    with time_machine.travel(start + dt.timedelta(days=16), tick=False):
        for vote in (votes["agree"], None):  # still open: its figures may change until the close; or no vote at all
            assert refused(t, world.users.community, note="表决", owner_vote=vote) == {"owner_vote"}
        actions.close_vote(votes["disagree"], actor=world.users.community)
        assert refused(t, world.users.community, note="表决", owner_vote=votes["disagree"]) == {
            "owner_vote"
        }  # closed, failed
        actions.close_vote(votes["agree"], actor=world.users.community)
        record = complete(t, world.users.community, note="表决", owner_vote=votes["agree"])
    assert record.owner_vote == votes["agree"] and procedures.next_step(t).name == "公布表决结果"


@pytest.mark.django_db
def test_topic_form_offers_and_links_requests_in_the_users_scope_only(world, login):
    from django.urls import reverse

    cat = Category.objects.get(name="停车与消防通道")
    mine = case_actions.report_case(
        actor=None, category=cat, grid=world.grid_a, description="消防通道", channel="hotline"
    )
    theirs = case_actions.report_case(
        actor=None, category=cat, grid=world.grid_c, description="西湖消防通道", channel="hotline"
    )
    c = login(world.users.community)
    form = c.get(reverse("deliberation:topic_create"), {"cases": f"{mine.pk},{theirs.pk}"}).context["form"]
    assert list(form.fields["cases"].queryset) == [mine]
    data = {
        "title": "消防通道治理",
        "community": world.c1.pk,
        "scale": "minor",
        "procedure": Procedure.objects.first().pk,
    }
    r = c.post(reverse("deliberation:topic_create"), data | {"cases": [mine.pk, theirs.pk]})
    assert r.status_code == 200 and list(r.context["form"].errors) == ["cases"] and not Topic.objects.exists()
    r = c.post(reverse("deliberation:topic_create"), data | {"cases": [mine.pk]})
    assert r.status_code == 302 and list(Topic.objects.get().cases.all()) == [mine]


@pytest.mark.django_db
def test_consultation_notice_at_least_3_days_before_the_consultation(world):
    """R3.2: the step after 城乡社区协商's notice (提前告知, lead_days 3) is refused one second before
    notice + 3 days, and recorded exactly then (check_timing applies the notice to every step but
    the owners' vote, which is timed when its vote opens)."""
    import datetime as dt

    import time_machine

    t = procedures.raise_topic(
        actor=world.users.community,
        title="楼道堆物整治",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="城乡社区协商"),
        scale="minor",
    )
    procedures.screen(t, actor=world.users.community, accept=True)
    complete(t, world.users.community)
    notice = complete(t, world.users.community, note="提前告知各方")
    assert notice.step.lead_days == 3
    ready = notice.completed_at + dt.timedelta(days=3)
    with time_machine.travel(ready - dt.timedelta(seconds=1), tick=False), pytest.raises(ValidationError, match="3"):
        complete(t, world.users.community, note="开展协商")
    assert procedures.next_step(t).name == "开展协商，形成意见"
    with time_machine.travel(ready, tick=False):
        complete(t, world.users.community, note="开展协商")
    assert procedures.next_step(t).name != "开展协商，形成意见"
