import io

import pytest
from django.core.management import call_command

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import ROLE_LEVEL, Role
from linli.core.validators import birth_date_from_id, gender_from_id, validate_id_number
from linli.people.models import Household, Person, ResidentPost
from linli.places.models import Community, Compound, Grid, House, Subdistrict


def counts():
    return [
        m.objects.count()
        for m in (Subdistrict, Community, Grid, Compound, House, Household, Person, ResidentPost, RoleAssignment)
    ]


@pytest.mark.django_db
def test_demo_builds_consistent_ledger_and_is_idempotent():
    call_command("demo", households=60, stdout=io.StringIO())
    first = counts()
    assert first[5] == 60 and first[6] >= 60
    assert set(Community.objects.values_list("name", flat=True)) >= {
        "馨和苑社区",
        "西湖社区",
        "双福社区",
        "芙蓉社区",
        "阅海湾社区",
    }
    for p in Person.objects.select_related("household__house__unit__building"):
        validate_id_number(p.id_number)
        assert p.birth_date == birth_date_from_id(p.id_number) and p.gender == gender_from_id(p.id_number)
        building = p.household.house.unit.building
        assert (p.grid_id, p.compound_id, p.community_id, p.building_id) == (
            building.grid_id,
            building.compound_id,
            building.community_id,
            building.pk,
        )
    assert all(h.area > 0 for h in House.objects.all())
    assert Household.objects.filter(members__relation="head").distinct().count() == 60
    call_command("demo", households=60, stdout=io.StringIO())
    assert counts() == first


@pytest.mark.django_db
def test_one_login_per_role_at_the_right_level():
    call_command("demo", households=30, stdout=io.StringIO())
    for role in Role:
        ras = RoleAssignment.objects.filter(role=role)
        assert ras.count() == 1, role
        level = ROLE_LEVEL[role]
        if level:
            assert getattr(ras.get(), f"{level}_id") is not None
    grid_worker = RoleAssignment.objects.get(role=Role.GRID_WORKER).user
    assert grid_worker.check_password("linli-demo-2026")
    resident = RoleAssignment.objects.get(role=Role.RESIDENT)
    assert resident.household.grid_id == RoleAssignment.objects.get(role=Role.GRID_WORKER).grid_id


@pytest.mark.django_db
def test_if_empty_leaves_existing_data_alone(world):
    call_command("demo", households=30, if_empty=True, stdout=io.StringIO())
    assert Subdistrict.objects.count() == 1 and not Subdistrict.objects.filter(name__contains="贺兰山").exists()


@pytest.mark.django_db
def test_demo_requests_cover_every_state():
    from linli.cases.models import Case, State

    call_command("demo", households=1400, stdout=io.StringIO())
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert Case.objects.filter(anonymous=True).exists()
    assert not Case.objects.filter(anonymous=True, house__isnull=False).exists()  # a whisper never records a house
    for case in Case.objects.filter(state=State.CLOSED)[:20]:
        assert list(case.events.values_list("action", flat=True))[-1] == "close"
        assert case.handled_at and case.closed_at and case.assignee_org_id


@pytest.mark.django_db
def test_demo_deliberation_stories():
    from linli.deliberation.models import OwnerVote, StepRecord, Topic

    call_command("demo", households=1400, stdout=io.StringIO())
    titles = set(Topic.objects.values_list("title", flat=True))
    assert "荣锦苑自行车棚改造（申请专项资金）" in titles and Topic.objects.filter(status="done").exists()
    vote = OwnerVote.objects.get(fund_uses__isnull=True)  # the lift vote; the funds demo has its own (docs/funds.md)
    assert vote.ballots.count() > 0 and vote.electors.count() > vote.ballots.count()
    assert not vote.electors.filter(key__startswith="house:").exists()  # every owner is known
    # the register's stories: a buyer of three houses is one elector with the three; the developer's unsold houses
    assert max(len(e.houses) for e in vote.electors.all()) >= 3
    assert len(vote.electors.get(key="developer").houses) == 2
    # 议事中: the 荣锦苑 topic's request waits with its clock stopped; 枫林湾's received the outcome
    waiting = Topic.objects.get(title__startswith="荣锦苑").cases.get()
    assert (waiting.state, waiting.paused_at is not None) == ("deliberating", True)
    done = Topic.objects.get(title__startswith="枫林湾")
    received = done.cases.get()
    assert (received.state, received.result, received.paused_at) == ("verified", done.outcome, None)
    assert done.outcome and list(received.events.values_list("action", flat=True))[-2:] == ["deliberate", "outcome"]
    assert received.events.get(action="deliberate").created_at == done.created_at  # taken in at acceptance
    # its meeting's resolution: a row of the table, its work order verified before the topic completed
    item = done.items.get()
    assert (item.meeting, item.case.state, item.case.resolution_of) == (done.meetings.get(), "verified", done)
    board = StepRecord.objects.filter(topic=done, public=True).values_list("note", flat=True)
    assert any("隔离桩" in note for note in board) and "已完成并记录在案" not in "".join(board)


@pytest.mark.django_db
def test_demo_committee_orders_are_workable_and_routes_suggest():
    """社区能解决的就地解决: the open orders of a community's party committee offer the community's
    staff their moves (and were moved by them); the routing table suggests on a demo request."""
    from linli.accounts.models import User
    from linli.cases import actions, routing
    from linli.cases.models import Case, Category, Route, State
    from linli.orgs.models import Kind

    call_command("demo", households=1400, stdout=io.StringIO())
    shequ = User.objects.get(username="shequ")
    committee = Case.objects.filter(assignee_org__kind=Kind.PARTY, assignee_org__community__isnull=False)
    open_orders = committee.filter(state__in=[State.DISPATCHED, State.IN_PROGRESS])
    mine = [c for c in open_orders if shequ.role_assignments.filter(community_id=c.community_id).exists()]
    assert mine
    for case in mine:
        offered = {m.name for m in actions.allowed(case, shequ)}
        assert {"return"} <= offered and offered & {"start", "handle"}
    handled = committee.filter(state=State.CLOSED).first()
    assert handled.events.get(action="handle").actor.role_assignments.get().role == Role.COMMUNITY_STAFF
    assert Route.objects.count() == 4
    heat = Case.objects.filter(category=Category.objects.get(name="供暖")).first() or Case(
        category=Category.objects.get(name="供暖"), grid=Grid.objects.first()
    )
    heat.subdistrict_id, heat.community_id = heat.grid.community.subdistrict_id, heat.grid.community_id
    assert [o.name for o in routing.suggest(heat)] == ["银川市热力公司"]


@pytest.mark.django_db
def test_demo_joint_order_has_a_lead_an_answered_and_a_pending_co_handler():
    """联合处置: 综合执法 leads 飞线充电, the police answered, the power company has not; the 部门
    login may work it and the 网格员 login sees who has not answered."""
    from linli.accounts.models import User
    from linli.cases import actions
    from linli.cases.models import Case, CoHandler, State

    call_command("demo", households=30, stdout=io.StringIO())
    case = Case.objects.filter(co_handlers__isnull=False).distinct().get()
    assert case.state == State.IN_PROGRESS and case.assignee_org.name == "金凤区综合执法局"
    rows = {r.organisation.name: r for r in CoHandler.objects.filter(case=case).select_related("organisation")}
    assert set(rows) == {"贺兰山中路派出所", "国网银川供电公司"}
    assert rows["贺兰山中路派出所"].feedback and rows["贺兰山中路派出所"].feedback_at
    assert not rows["国网银川供电公司"].feedback_at
    assert list(case.events.values_list("action", flat=True)) == ["report", "dispatch", "start", "co_feedback"]
    assert {"handle", "return"} <= {m.name for m in actions.allowed(case, User.objects.get(username="bumen"))}
    assert Case.objects.restrict(User.objects.get(username="wanggeyuan")).filter(pk=case.pk).exists()


@pytest.mark.django_db
def test_demo_party_building_in_xinheyuan():
    from linli.orgs.models import Kind, Organisation, PartyLevel
    from linli.party.models import Agreement, CheckIn, Commitment, MemberKind, PartyMember

    call_command("demo", households=120, stdout=io.StringIO())
    community = Community.objects.get(name="馨和苑社区")
    levels = set(
        Organisation.objects.filter(kind=Kind.PARTY, community=community).values_list("party_level", flat=True)
    )
    assert {PartyLevel.COMMUNITY_COMMITTEE, PartyLevel.COMPOUND_BRANCH, PartyLevel.BUILDING_GROUP,
            PartyLevel.MEMBER_HOUSEHOLD} <= levels  # fmt: skip
    in_service = PartyMember.objects.get(kind=MemberKind.IN_SERVICE)
    assert in_service.in_roster and in_service.community == community
    assert CheckIn.objects.filter(state=CheckIn.State.CONFIRMED, member=None).count() == 1
    signed = Agreement.objects.filter(community=community, state=Agreement.State.SIGNED)
    assert signed.values("partner").distinct().count() >= 4
    assert Agreement.objects.filter(state=Agreement.State.RENEWED).count() == 1
    assert Commitment.objects.filter(community=community).exists()


@pytest.mark.django_db
def test_demo_facility_register():
    """西湖花园's 81 lifts with one overdue inspection; 馨和苑's lift named by requests, three within
    the window: a topic candidate; the overdue inspections on the community login's workbench."""
    from django.test import Client
    from django.utils import timezone

    from linli.accounts.models import User
    from linli.facilities import rules
    from linli.facilities.models import Facility, FacilityKind
    from linli.testing import log_in

    call_command("demo", households=120, stdout=io.StringIO())
    today = timezone.localdate()
    lifts = Facility.objects.filter(compound__name="西湖花园", kind=FacilityKind.LIFT)
    assert lifts.count() == 81
    assert lifts.filter(rules.overdue_q(today)).count() == 1
    candidates = rules.topic_candidates(Facility.objects.filter(community__name="馨和苑社区"))
    assert [f.name for f in candidates] == [f.name for f in Facility.objects.filter(cases__isnull=False).distinct()]
    assert candidates.get().recent_failures == 3
    c = log_in(Client(), User.objects.get(username="admin"))
    html = c.get("/facilities/?inspection=overdue").content.decode()
    assert html.count('data-testid="facility-') == 2


@pytest.mark.django_db
def test_demo_three_lists_in_xinheyuan():
    from django.test import Client

    from linli.accounts.models import User
    from linli.projects.models import Need, Project, Resource
    from linli.testing import log_in

    call_command("demo", households=120, stdout=io.StringIO())
    community = Community.objects.get(name="馨和苑社区")
    assert Need.objects.filter(community=community, cases__isnull=False).exists()  # one from a request
    assert Resource.objects.filter(community=community).values("partner").distinct().count() >= 4
    resolved = Project.objects.filter(community=community, meeting__kind="party_joint")
    assert resolved.count() == 3 and all(p.action_item_id for p in resolved)
    done = Project.objects.get(state=Project.State.DELIVERED, programme=Project.Programme.COBUILDING)
    assert done.public_checked and done.partner.name == "金凤区人民医院"
    assert done.title in Client().get(f"/board/{community.pk}/").content.decode()
    liaison = log_in(Client(), User.objects.get(username="gongjian"))
    assert liaison.get(f"/projects/needs/{Need.objects.filter(community=community).first().pk}/").status_code == 200
