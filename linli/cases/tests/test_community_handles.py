"""社区能解决的就地解决: a work order dispatched to an organisation of the community itself (its party
committee) is started, handled or returned by the community's staff (cases.workflow.handler)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.cases import actions
from linli.cases.models import Case, Category, State
from linli.core.actions import create_object
from linli.orgs.models import Kind, Organisation


@pytest.fixture
def committee(world):
    return create_object(
        Organisation, actor=None, kind=Kind.PARTY, name="馨和苑社区党委", subdistrict=world.sub, community=world.c1
    )


@pytest.fixture
def order(world, committee):
    case = actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        compound=world.cp1,
        description="楼道堆放杂物",
        channel="patrol",
    )
    return step(case, "dispatch", world.users.grid_a, assignee_org=committee)


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


def names(case, user):
    case.refresh_from_db()
    return [m.name for m in actions.allowed(case, user)]


@pytest.mark.django_db
def test_the_communitys_staff_start_and_handle_an_order_of_their_own_committee(world, order):
    u = world.users
    assert names(order, u.community) == ["start", "return", "whistle", "co_handlers", "defer", "extend"]
    step(order, "start", u.community)
    assert "handle" in names(order, u.community)
    step(order, "handle", u.community, note="已组织清理")
    order.refresh_from_db()
    assert (order.state, order.result) == (State.HANDLED, "已组织清理")
    assert list(order.events.values_list("actor__username", flat=True))[-2:] == ["community", "community"]


@pytest.mark.django_db
def test_the_communitys_staff_return_an_order_of_their_own_committee(world, order):
    step(order, "return", world.users.community, note="需要物业处理")
    order.refresh_from_db()
    assert order.state == State.RETURNED


@pytest.mark.django_db
def test_another_communitys_staff_and_a_property_company_cannot_handle_it(world, order):
    u = world.users
    assert names(order, u.other_community) == names(order, u.property) == []
    with pytest.raises(Case.DoesNotExist):  # outside their community: 404
        step(order, "start", u.other_community)
    with pytest.raises(Case.DoesNotExist):  # not dispatched to their company
        step(order, "start", u.property)
    order.refresh_from_db()
    assert order.state == State.DISPATCHED


@pytest.mark.django_db
def test_the_committee_of_another_community_is_not_theirs_to_handle(world):
    """A request of community 1 dispatched to community 2's committee: community 1 sees it but
    does not handle it (403), and no button is offered."""
    other = create_object(
        Organisation, actor=None, kind=Kind.PARTY, name="西湖社区党委", subdistrict=world.sub, community=world.c2
    )
    case = actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        description="路灯不亮",
        channel="patrol",
    )
    step(case, "dispatch", world.users.grid_a, assignee_org=other)
    assert "start" not in names(case, world.users.community)
    with pytest.raises(PermissionDenied):
        step(case, "start", world.users.community)


@pytest.mark.django_db
def test_an_order_of_a_property_company_or_a_department_stays_theirs(world):
    """Community staff do not take over what a property company or a department handles."""
    case = actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        description="电梯异响",
        channel="patrol",
    )
    step(case, "dispatch", world.users.grid_a, assignee_org=world.pm)
    assert names(case, world.users.community) == ["whistle", "co_handlers", "defer", "extend"]
    with pytest.raises(PermissionDenied):
        step(case, "start", world.users.community)
    step(case, "start", world.users.property)
    with pytest.raises(PermissionDenied):
        step(case, "handle", world.users.community, note="x")


@pytest.mark.django_db
def test_wrong_state_is_refused_with_the_reason(world, order):
    with pytest.raises(ValidationError, match="不可|not possible|无法"):
        step(order, "handle", world.users.community, note="已处理")  # not started
    step(order, "start", world.users.community)
    with pytest.raises(ValidationError, match="不可|not possible|无法"):
        step(order, "start", world.users.community)


@pytest.mark.django_db
def test_grid_workers_do_not_handle_the_committees_orders(world, order):
    """The role matrix gives the handling to community staff, not to the grid's workers."""
    assert "start" not in names(order, world.users.grid_a)
    with pytest.raises(PermissionDenied):
        step(order, "start", world.users.grid_a)


@pytest.mark.django_db
def test_the_detail_page_offers_the_community_the_buttons(world, login, order):
    client = login(world.users.community)
    page = client.get(reverse("cases:detail", args=[order.pk])).content.decode()
    assert reverse("cases:move_start", args=[order.pk]) in page
    response = client.post(reverse("cases:move_start", args=[order.pk]), {"version": order.version})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == State.IN_PROGRESS


@pytest.mark.django_db
def test_a_community_staff_member_of_the_party_committee_handles_by_either_grant(world, committee, order):
    """Staff granted the committee itself as an organisation handle it too (a grant on the organisation)."""
    user = User.objects.create_user("committee_staff", display_name="committee_staff")
    RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT_STAFF, organisation=committee)
    assert names(order, user) == ["start", "return"]


@pytest.mark.django_db
def test_to_handle_lists_only_what_the_user_may_handle(world, order):
    """The workbench's 待处理 (?mine=handle) asks the same rule as the buttons: the community's staff
    count their committee's order, not a property company's order of their community; the property
    company counts its own and not the committee's."""
    from linli.cases.filters import awaiting

    theirs = actions.report_case(
        actor=world.users.grid_a, category=Category.objects.get(name="设施维修"), grid=world.grid_a,
        compound=world.cp1, description="电梯异响", channel="patrol",
    )  # fmt: skip
    step(theirs, "dispatch", world.users.grid_a, assignee_org=world.pm)
    u = world.users
    assert set(awaiting(u.community, "handle")) == {order}
    assert set(awaiting(u.property, "handle")) == {Case.objects.get(pk=theirs.pk)}
    assert not awaiting(u.other_community, "handle").exists()
    for user in (u.community, u.property):  # the count and the buttons agree
        assert {c.pk for c in awaiting(user, "handle")} == {
            c.pk for c in Case.objects.filter(pk__in=[order.pk, theirs.pk]) if "start" in names(c, user)
        }
