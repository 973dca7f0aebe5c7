"""Scope for every list, page and API route: another community sees nothing (404), a grid worker
their grid's sub-accounts, a resident their own house's sub-account and their compound's fund
and uses; lists in a constant number of queries; nothing of a house on the public board."""

import pytest
from django.urls import reverse

from linli.funds import actions
from linli.funds.models import Entry, EntryKind
from linli.funds.tests.conftest import DAY, api, page
from linli.funds.tests.helpers import paid_emergency

pytestmark = pytest.mark.django_db


@pytest.fixture
def use(world, funds):
    return paid_emergency(world, funds.fund, 40_000, buildings=[world.bld_a])


def _pages(funds, use):
    entry = Entry.objects.filter(account=funds.acc["a2"]).first()
    return {
        "fund": reverse("funds:fund", args=[funds.fund.pk]),
        "accounts": reverse("funds:accounts", args=[funds.fund.pk]),
        "account_a2": reverse("funds:account", args=[funds.acc["a2"].pk]),
        "use": reverse("funds:use", args=[use.pk]),
        "api_fund": f"/api/v1/funds/{funds.fund.pk}/",
        "api_account_a2": f"/api/v1/fund-accounts/{funds.acc['a2'].pk}/",
        "api_entry_a2": f"/api/v1/fund-entries/{entry.pk}/",
        "api_use": f"/api/v1/fund-uses/{use.pk}/",
    }


def test_another_community_gets_404_everywhere_and_empty_lists(world, funds, use):
    other = world.users.other_community
    client, rest = page(other), api(other)
    for name, url in _pages(funds, use).items():
        answer = (rest if name.startswith("api") else client).get(url)
        assert answer.status_code == 404, name
    mine = {
        "/api/v1/funds/": {funds.fund.pk},
        "/api/v1/fund-accounts/": {a.pk for a in funds.acc.values() if a.compound_id == world.cp1.pk},
        "/api/v1/fund-entries/": set(Entry.objects.filter(compound=world.cp1).values_list("pk", flat=True)),
        "/api/v1/fund-uses/": {use.pk},
    }
    for url, theirs in mine.items():
        ids = {r["id"] for r in rest.get(url).json()["results"]}
        assert not ids & theirs, url
    assert len(rest.get("/api/v1/fund-accounts/").json()["results"]) == 2  # their own compound's
    html = client.get(reverse("funds:index")).content.decode()
    assert "馨和苑" not in html and "西湖小区" in html
    assert "电梯维修" not in client.get(reverse("funds:uses")).content.decode()


def test_a_resident_sees_their_own_house_and_their_compound_only(world, funds, use):
    resident = world.users.resident  # household hh_a1, owner-occupier of house a1
    client, rest = page(resident), api(resident)
    urls = _pages(funds, use)
    for name in ("fund", "use", "api_fund", "api_use"):
        assert (rest if name.startswith("api") else client).get(urls[name]).status_code == 200, name
    for name in ("account_a2", "api_account_a2", "api_entry_a2"):
        assert (rest if name.startswith("api") else client).get(urls[name]).status_code == 404, name
    assert client.get(reverse("funds:account", args=[funds.acc["a1"].pk])).status_code == 200
    accounts = rest.get("/api/v1/fund-accounts/").json()["results"]
    assert [a["id"] for a in accounts] == [funds.acc["a1"].pk]
    assert {e["account"] for e in rest.get("/api/v1/fund-entries/").json()["results"]} == {funds.acc["a1"].pk}
    assert [f["id"] for f in rest.get("/api/v1/funds/").json()["results"]] == [funds.fund.pk]
    listing = client.get(reverse("funds:accounts", args=[funds.fund.pk])).content.decode()
    assert "101" in listing and "201" not in listing
    # a resident writes nothing
    assert rest.post(f"/api/v1/fund-accounts/{funds.acc['a1'].pk}/book/",
                     {"kind": "top_up", "amount": 100, "booked_on": "2026-03-01"}).status_code == 403  # fmt: skip
    assert client.get(reverse("funds:use_create")).status_code == 403


def test_a_tenant_household_does_not_see_the_owners_sub_account(world, funds):
    from linli.accounts.models import RoleAssignment, User
    from linli.accounts.roles import Role
    from linli.people.models import Tenure

    world.hh_b1.tenure = Tenure.TENANT
    world.hh_b1.save()
    tenant = User.objects.create_user("tenant_b1")
    RoleAssignment.objects.create(user=tenant, role=Role.RESIDENT, household=world.hh_b1)
    assert api(tenant).get(f"/api/v1/fund-accounts/{funds.acc['b1'].pk}/").status_code == 404
    assert api(tenant).get(f"/api/v1/funds/{funds.fund.pk}/").status_code == 200  # the compound's accounts


def test_a_grid_worker_sees_their_grid_houses_only(world, funds, use):
    rest = api(world.users.grid_b)
    ids = {a["id"] for a in rest.get("/api/v1/fund-accounts/").json()["results"]}
    assert ids == {funds.acc["b1"].pk, funds.acc["b2"].pk}
    assert rest.get(f"/api/v1/fund-accounts/{funds.acc['a1'].pk}/").status_code == 404


def test_nobody_without_the_permission_gets_403(world, funds):
    assert page(world.users.nobody).get(reverse("funds:index")).status_code == 403
    assert api(world.users.nobody).get("/api/v1/fund-uses/").status_code == 403
    assert page(world.users.department).get(reverse("funds:index")).status_code == 403


def test_the_board_shows_uses_and_compound_figures_but_no_house_or_person(client, world, funds, use):
    html = client.get(reverse("board:community", args=[world.c1.pk])).content.decode()
    assert "电梯维修" in html and "39,600.00" in html  # balance after: 4 × 10,000 − 400
    for private in ("101", "201", "居民", "FP-1", "宁夏电梯维保公司", "10,000.00"):
        assert private not in html, private
    other = client.get(reverse("board:community", args=[world.c2.pk])).content.decode()
    assert "电梯维修" not in other


@pytest.mark.parametrize("extra", [0, 8])
def test_lists_take_a_constant_number_of_queries(world, funds, use, extra, django_assert_max_num_queries):
    u = world.users
    for i in range(extra):
        actions.book_entry(actor=u.community, account=funds.acc["a1"], kind=EntryKind.INTEREST, amount=i + 1,
                           booked_on=DAY)  # fmt: skip
        actions.propose_use(actor=u.community, fund=funds.fund, title=f"维修{i}", budget=100)
    for _i in range(extra // 4):  # paid uses of two buildings each, on the board and in the lists
        paid_emergency(world, funds.fund, 1000, buildings=[world.bld_a, world.bld_b])
    client, rest = page(u.community), api(u.community)
    urls = [
        reverse("funds:index"),
        reverse("funds:uses"),
        reverse("funds:accounts", args=[funds.fund.pk]),
        reverse("funds:account", args=[funds.acc["a1"].pk]),
        reverse("funds:fund", args=[funds.fund.pk]),
    ]
    for url in urls:  # session, user, roles, the page's own: measured 7–10 at both sizes
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
    for url in ("/api/v1/funds/", "/api/v1/fund-accounts/", "/api/v1/fund-entries/", "/api/v1/fund-uses/"):
        with django_assert_max_num_queries(3):
            assert rest.get(url).status_code == 200
    with django_assert_max_num_queries(
        22
    ):  # the board with its sections (funds, projects, 民生实事, wishes): 22 at both sizes
        assert client.get(reverse("board:community", args=[world.c1.pk])).status_code == 200
