"""Each move of the topic's lifecycle (workflow.TOPIC) through its own endpoint: who may take it,
who may not (403 without the permission, 404 outside the scope), the states it starts from, and
what it writes. The screen posts the same forms to topics/<id>/<move>/."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.cases.models import Case, Category
from linli.core.audit import history
from linli.deliberation import procedures
from linli.deliberation.models import ActionItem, CoSignature, Evaluation, StepRecord, Topic
from linli.deliberation.workflow import TOPIC
from linli.testing import log_in

from .moves import api_move, post_move

S = Topic.Status
# a valid body per move, and a state it starts from
BODIES = {
    "accept": (S.PROPOSED, {}),
    "decline": (S.PROPOSED, {"reason": "场地不足"}),
    "cosign": (S.ACCEPTED, {}),
    "step": (S.ACCEPTED, {"note": "社区党委提议"}),
    "finish": (S.ACCEPTED, {"note": "结果公开"}),
    "action_item": (
        S.ACCEPTED,
        {"matter": "车棚清理", "responsible": "王经理", "measure": "清理车棚", "deadline": "2030-01-10T17:00:00+08:00"},
    ),
    "evaluate": (S.DONE, {"score": 4, "comment": "不错"}),
    "publish": (S.DONE, {"outcome": "车棚已改造完成"}),
}
# who lacks the move's permission (but sees the topic, or not even that)
REFUSED = {"cosign": "community", "evaluate": "property"}


@pytest.fixture
def topic(world):
    proc = procedures.add_procedure(actor=world.users.admin, name="两步程序")
    for name in ("提议", "公开"):
        procedures.add_step(proc, actor=world.users.admin, name=name, rule="record")
    return procedures.raise_topic(
        actor=world.users.community, title="车棚改造", community=world.c1, compound=world.cp1, procedure=proc
    )


def at(topic, state, *, last_step=False):
    """The topic in `state` (and, for `finish`, with every step but the last done)."""
    Topic.objects.filter(pk=topic.pk).update(status=state)
    if last_step:
        StepRecord.objects.create(topic=topic, step=topic.procedure.steps.first(), note="提议")
    topic.refresh_from_db()
    return topic


def body(world, name):
    state, data = BODIES[name]
    if name == "action_item":
        data = data | {
            "organisation": world.pm.pk,
            "category": Category.objects.get(name="设施维修").pk,
            "building": world.bld_a.pk,
        }
    return state, data


def actor_for(world, name):
    return world.users.resident if name in ("cosign", "evaluate") else world.users.community


@pytest.mark.django_db
def test_every_move_has_a_body_here():
    assert set(BODIES) == {m.name for m in TOPIC}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BODIES))
def test_a_move_is_taken_by_its_role_in_its_state(world, topic, name):
    state, data = body(world, name)
    at(topic, state, last_step=name == "finish")
    r = api_move(api_client(actor_for(world, name)), topic, name, data)
    assert r.status_code == 200, r.content
    assert r.json()["version"] == topic.version + TOPIC[name].versioned  # a related row only: the version stays
    assert history(topic).filter(action="update", note=name).count() == 1  # audited, once


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BODIES))
def test_a_move_is_refused_to_a_role_without_its_permission(world, topic, name):
    state, data = body(world, name)
    at(topic, state, last_step=name == "finish")
    refused = getattr(world.users, REFUSED.get(name, "resident"))
    assert api_move(api_client(refused), topic, name, data).status_code == 403
    assert post_move(_login(refused), topic, name, data).status_code == 403
    assert Topic.objects.get(pk=topic.pk).version == topic.version  # nothing moved


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BODIES))
def test_a_move_outside_the_scope_is_a_404(world, topic, name):
    state, data = body(world, name)
    at(topic, state, last_step=name == "finish")
    if name in ("cosign", "evaluate"):  # a resident of another community
        outsider = User.objects.create_user("outsider")
        RoleAssignment.objects.create(user=outsider, role="resident", household=world.hh_c1)
    else:
        outsider = world.users.other_community
    assert api_move(api_client(outsider), topic, name, data).status_code == 404
    assert post_move(_login(outsider), topic, name, data).status_code == 404
    assert Topic.objects.get(pk=topic.pk).version == topic.version


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BODIES))
def test_a_move_is_refused_in_a_state_it_does_not_start_from(world, topic, name):
    _state, data = body(world, name)
    at(topic, S.DECLINED)
    r = api_move(api_client(actor_for(world, name)), topic, name, data)
    assert r.status_code == 400 and "不予受理" in r.json()["errors"][0]["message"]
    assert Topic.objects.get(pk=topic.pk).version == topic.version


@pytest.mark.django_db
@pytest.mark.parametrize("name", [m.name for m in TOPIC if m.versioned])
def test_a_stale_version_is_a_409(world, topic, name):
    state, data = body(world, name)
    at(topic, state, last_step=name == "finish")
    Topic.objects.filter(pk=topic.pk).update(version=3)
    client = api_client(actor_for(world, name))
    r = client.post(f"/api/v1/topics/{topic.pk}/{name}/", {"version": 2, **data}, format="json")
    assert r.status_code == 409 and "其他人刚刚修改了此议题" in r.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_a_co_signature_leaves_the_staffs_page_current(world, topic):
    """Residents co-signing (a row of their own) while staff have the topic open: the staff's
    accept, with the version their page showed, still goes through."""
    shown = topic.version
    assert {m.name for m in TOPIC if not m.versioned} == {"cosign", "action_item", "evaluate"}
    assert api_move(api_client(world.users.resident), topic, "cosign").status_code == 200
    assert Topic.objects.get(pk=topic.pk).version == shown
    r = post_move(_login(world.users.community), topic, "accept", {"version": shown})
    assert r.status_code == 302 and Topic.objects.get(pk=topic.pk).status == S.ACCEPTED


@pytest.mark.django_db
def test_screening_accepts_or_declines_with_a_reason(world, topic):
    staff = api_client(world.users.community)
    r = api_move(staff, topic, "decline", {"reason": " "})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reason"
    assert api_move(staff, topic, "decline", {"reason": "场地不足"}).status_code == 200
    topic.refresh_from_db()
    assert (topic.status, topic.decline_reason) == (S.DECLINED, "场地不足")
    assert history(topic).get(note="decline").changes == {
        "status": ["proposed", "declined"],
        "decline_reason": ["", "场地不足"],
    }


@pytest.mark.django_db
def test_cosigning_once_and_never_ones_own_topic(world, topic):
    at(topic, S.PROPOSED)
    resident = api_client(world.users.resident)
    assert api_move(resident, topic, "cosign").status_code == 200
    r = api_move(resident, topic, "cosign")
    assert r.status_code == 400 and "已经附议" in r.json()["errors"][0]["message"]
    assert list(CoSignature.objects.values_list("user", flat=True)) == [world.users.resident.pk]
    proposer = User.objects.create_user("proposer")
    RoleAssignment.objects.create(user=proposer, role="resident", household=world.hh_a2)
    Topic.objects.filter(pk=topic.pk).update(proposer=proposer)
    r = api_move(api_client(proposer), topic, "cosign")
    assert r.status_code == 400 and "您提出的议题" in r.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_steps_in_order_and_the_last_completes_the_topic(world, topic):
    at(topic, S.ACCEPTED)
    staff = api_client(world.users.community)
    first, last = topic.procedure.steps.all()
    assert [m.name for m in TOPIC.available(topic, world.users.community) if m.name in ("step", "finish")] == ["step"]
    r = api_move(staff, topic, "finish", {"note": "公开"})  # not the last step yet
    assert r.status_code == 400 and "提议" in r.json()["errors"][0]["message"]
    r = api_move(staff, topic, "step", {"step": last.pk, "note": "公开"})  # skipping one
    assert r.status_code == 400 and not topic.records.exists()
    assert api_move(staff, topic, "step", {"step": first.pk, "note": "党委提议"}).status_code == 200
    assert history(topic).get(note="step").changes == {"step": [None, str(first)]}
    topic.refresh_from_db()
    assert topic.status == S.ACCEPTED and [
        m.name for m in TOPIC.available(topic, world.users.community) if m.name in ("step", "finish")
    ] == ["finish"]
    r = api_move(staff, topic, "step", {"note": "公开"})  # the last one is `finish`
    assert r.status_code == 400 and "最后一步" in r.json()["errors"][0]["message"]
    assert api_move(staff, topic, "finish", {"note": "公开"}).status_code == 200
    topic.refresh_from_db()
    assert topic.status == S.DONE and topic.records.count() == 2
    assert history(topic).get(note="finish").changes == {"status": ["accepted", "done"], "step": [None, str(last)]}


@pytest.mark.django_db
def test_an_action_item_is_a_dispatched_work_order_with_a_future_deadline(world, topic):
    at(topic, S.ACCEPTED)
    staff = api_client(world.users.community)
    _state, data = body(world, "action_item")
    past = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    r = api_move(staff, topic, "action_item", data | {"deadline": past})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "deadline"
    r = api_move(staff, topic, "action_item", data | {"organisation": 999999})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "organisation"
    assert api_move(staff, topic, "action_item", data).status_code == 200
    case = Case.objects.get(resolution_of=topic)
    assert (case.state, case.assignee_org, case.description, case.channel) == (
        "dispatched",
        world.pm,
        "清理车棚",
        "resolution",
    )


@pytest.mark.django_db
def test_an_evaluation_once_per_resident_and_call_backs_only_by_staff(world, topic):
    at(topic, S.DONE)
    resident = api_client(world.users.resident)
    r = api_move(resident, topic, "evaluate", {"score": 6})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "score"
    assert api_move(resident, topic, "evaluate", {"score": 5, "by_callback": True}).status_code == 200
    assert api_move(resident, topic, "evaluate", {"score": 4}).status_code == 400  # once
    staff = api_client(world.users.community)
    for _ in range(2):  # call-backs as often as staff call
        assert (
            api_move(staff, topic, "evaluate", {"score": 3, "by_callback": True, "comment": "电话回访"}).status_code
            == 200
        )
    assert list(Evaluation.objects.order_by("id").values_list("by_callback", flat=True)) == [False, True, True]


@pytest.mark.django_db
def test_the_topic_page_offers_the_moves_of_its_state_to_its_roles(world, topic):
    staff, resident = _login(world.users.community), _login(world.users.resident)
    page = staff.get(topic.get_absolute_url()).content.decode()
    assert f"/topics/{topic.pk}/accept/" in page and f"/topics/{topic.pk}/decline/" in page and "/cosign/" not in page
    page = resident.get(topic.get_absolute_url()).content.decode()
    assert "/accept/" not in page and f"/topics/{topic.pk}/cosign/" in page
    at(topic, S.ACCEPTED)
    page = staff.get(topic.get_absolute_url()).content.decode()
    assert f"/topics/{topic.pk}/step/" in page and "/finish/" not in page and "/accept/" not in page


def _login(user):
    from django.test import Client

    return log_in(Client(), user)


def api_client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_staff_evaluate_once_in_their_own_name_and_record_call_backs_after_it(world, topic):
    at(topic, S.DONE)
    staff = api_client(world.users.community)
    assert api_move(staff, topic, "evaluate", {"score": 4}).status_code == 200
    r = api_move(staff, topic, "evaluate", {"score": 5})  # their own opinion: once, as a resident's
    assert r.status_code == 400
    assert api_move(staff, topic, "evaluate", {"score": 3, "by_callback": True}).status_code == 200
    assert list(Evaluation.objects.order_by("id").values_list("by_callback", flat=True)) == [False, True]


@pytest.mark.django_db
def test_an_action_item_of_a_topic_without_a_compound_lies_in_the_grid_chosen_never_a_default(world, topic):
    """Not the community's first grid: a community of two grids has the grid (or a building) chosen."""
    Topic.objects.filter(pk=topic.pk).update(compound=None)
    at(topic, S.ACCEPTED)
    assert world.c1.grids.count() == 2
    _state, data = body(world, "action_item")
    del data["building"]
    staff = api_client(world.users.community)
    r = api_move(staff, topic, "action_item", data)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "grid"
    assert "楼栋或网格" in r.json()["errors"][0]["message"]
    assert not Case.objects.filter(resolution_of=topic).exists()  # nothing half-written
    assert api_move(staff, topic, "action_item", data | {"grid": world.grid_b.pk}).status_code == 200
    case = Case.objects.get(resolution_of=topic)
    assert (case.grid, case.compound) == (world.grid_b, None)


@pytest.mark.django_db
def test_an_action_item_lies_in_the_grid_of_the_building_it_concerns(world, topic):
    """A building given: its grid and compound, whatever the topic's compound's other grids; a grid
    that is not the building's is refused on the field."""
    at(topic, S.ACCEPTED)
    building = world.bld_b  # of the topic's compound 馨和苑, whose buildings lie on two grids
    _state, data = body(world, "action_item")
    staff = api_client(world.users.community)
    r = api_move(staff, topic, "action_item", data | {"building": building.pk, "grid": world.grid_a.pk})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "grid"
    assert api_move(staff, topic, "action_item", data | {"building": building.pk}).status_code == 200
    case = Case.objects.get(resolution_of=topic)
    assert (case.grid, case.building, case.compound) == (building.grid, building, building.compound)
    item = ActionItem.objects.get(case=case)
    assert (item.topic, item.matter, item.responsible, item.meeting) == (topic, "车棚清理", "王经理", None)


@pytest.mark.django_db
def test_an_action_item_lies_in_the_grid_of_its_topics_compound(world, topic):
    """Not the community's first grid: a compound whose buildings are all on the second grid."""
    from linli.core.actions import create_object
    from linli.places.models import Building, Compound

    compound = create_object(Compound, actor=None, community=world.c1, name="枫林湾")
    create_object(Building, actor=None, compound=compound, grid=world.grid_b, name="3号楼")
    assert world.c1.grids.first() != world.grid_b
    Topic.objects.filter(pk=topic.pk).update(compound=compound)
    at(topic, S.ACCEPTED)
    _state, data = body(world, "action_item")
    del data["building"]
    assert api_move(api_client(world.users.community), topic, "action_item", data).status_code == 200
    case = Case.objects.get(resolution_of=topic)
    assert (case.grid, case.compound) == (world.grid_b, compound)


@pytest.mark.django_db
def test_the_audit_record_of_an_action_item_keeps_the_first_60_characters_of_the_measure(world, topic):
    at(topic, S.ACCEPTED)
    _state, data = body(world, "action_item")
    measure = "清" * 60 + "理"  # 61 characters: the 61st is cut
    staff = api_client(world.users.community)
    assert api_move(staff, topic, "action_item", data | {"measure": measure}).status_code == 200
    changes = history(topic).get(note="action_item").changes["action_item"]
    assert changes == [None, f"车棚清理 · {world.pm}: {'清' * 60}"]
