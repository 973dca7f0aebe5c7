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
    from linli.deliberation.models import OwnerVote, Topic

    call_command("demo", households=1400, stdout=io.StringIO())
    titles = set(Topic.objects.values_list("title", flat=True))
    assert "荣锦苑自行车棚改造（申请专项资金）" in titles and Topic.objects.filter(status="done").exists()
    vote = OwnerVote.objects.get()
    assert vote.ballots.count() > 0 and vote.electors.count() > vote.ballots.count()
    assert not vote.electors.filter(key__startswith="house:").exists()  # every owner is known
    # the register's stories: a buyer of three houses is one elector with the three; the developer's unsold houses
    assert max(len(e.houses) for e in vote.electors.all()) >= 3
    assert len(vote.electors.get(key="developer").houses) == 2


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
