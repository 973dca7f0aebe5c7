"""Every list — screens and API, the matching page and the joint meeting's agenda — runs the same
number of queries whatever the number of rows (measured at one size, asserted at a larger one)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.deliberation import meetings
from linli.deliberation.models import Meeting
from linli.projects import actions
from linli.projects.models import Heading, Resource

from .conftest import api, new_project, page

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_lists_run_a_constant_number_of_queries(world, lists, django_assert_max_num_queries):
    u, p = world.users, lists.party
    meeting = meetings.create_meeting(
        actor=u.community, kind=Meeting.Kind.PARTY_JOINT, title="联席会议", community=world.c1,
        starts_at=dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC), location="党群服务中心",
    )  # fmt: skip
    serial = [0]

    def grow(n):
        for _ in range(n):
            serial[0] += 1
            i = serial[0]
            need = actions.create_need(
                actor=u.community, community=world.c1, title=f"需求{i}", heading=Heading.CULTURE,
                beneficiaries="辖区居民", people_count=i,
            )  # fmt: skip
            res = actions.offer_resource(
                actor=p.bank_staff, partner=p.bank, kind=Resource.Kind.GOODS, heading=Heading.CULTURE,
                title=f"物资{i}", quantity=i,
            )  # fmt: skip
            new_project(world, lists, title=f"项目{i}", needs=[need], resources=[res])

    urls = [
        reverse("projects:needs"),
        reverse("projects:resources"),
        reverse("projects:projects"),
        reverse("projects:index") + f"?community={world.c1.pk}",
        reverse("projects:meeting", args=[meeting.pk]),
        "/api/v1/needs/",
        "/api/v1/resources/",
        "/api/v1/projects/",
    ]
    clients = {"community": (page(u.community), api(u.community)), "bank": (page(p.bank_staff), api(p.bank_staff))}
    grow(2)
    counts = {}
    for who, (c, a) in clients.items():
        for url in urls:
            client = a if url.startswith("/api/") else c
            client.get(url)
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200, url
            counts[who, url] = len(q)
    grow(6)
    for (who, url), n in counts.items():
        c, a = clients[who]
        client = a if url.startswith("/api/") else c
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200, url


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_the_matching_page_counts_the_lists_and_the_money_of_the_community(world, lists):
    new_project(world, lists)  # 2,000.00 from the partner, 500.00 from the service fund
    cancelled = new_project(world, lists, needs=[], resources=[], title="取消的项目", funding=[("residents", 99_900)])
    cancelled.refresh_from_db()
    from linli.projects.workflow import PROJECT

    PROJECT.perform(cancelled.pk, "cancel", actor=world.users.community, version=0, data={"reason": "x"})
    text = page(world.users.community).get(reverse("projects:index"), {"community": world.c1.pk}).content.decode()
    assert 'data-testid="money-total">2,500.00<' in text  # the cancelled project's money is not counted
    partner = page(lists.party.bank_staff).get(reverse("projects:index"), {"community": world.c1.pk}).content.decode()
    assert 'data-testid="money-total">2,500.00<' in partner  # the bank's project
    school = page(lists.party.school_staff).get(reverse("projects:index"), {"community": world.c1.pk}).content.decode()
    assert "2,500.00" not in school and "青少年课后托管" in school  # c1 is not theirs: their own community instead


@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False)
def test_the_matching_page_without_a_community_and_deep_pages_are_constant(world, lists, monkeypatch):
    """A sub-district's matching page summarises its communities in two grouped queries, however
    many communities and rows; page 3 of a list issues the queries of page 1 (`make bench`
    checks both on the district)."""
    from linli.places.models import Community
    from linli.projects.views import NeedListView, ResourceListView

    monkeypatch.setattr(NeedListView, "paginate_by", 2)
    monkeypatch.setattr(ResourceListView, "paginate_by", 2)
    u, p = world.users, lists.party
    client = page(u.subdistrict)

    def count(url, **params):
        client.get(url, params)  # warm-up
        with CaptureQueriesContext(connection) as q:
            response = client.get(url, params)
        assert response.status_code == 200, url
        return len(q)

    before = count(reverse("projects:index"))
    for i in range(4):
        community = Community.objects.create(subdistrict=world.sub, name=f"新建社区{i}")
        actions.create_need(
            actor=u.admin, community=community, title=f"需求{i}", heading=Heading.CULTURE,
            beneficiaries="辖区居民", people_count=3,
        )  # fmt: skip
        actions.offer_resource(
            actor=p.bank_staff, partner=p.bank, kind=Resource.Kind.GOODS, heading=Heading.CULTURE,
            title=f"物资{i}", quantity=1,
        )  # fmt: skip
    assert count(reverse("projects:index")) == before
    for name in ("projects:needs", "projects:resources"):
        assert count(reverse(name), page=1) == count(reverse(name), page=3), name
