"""The wall and the lists run a fixed number of queries per page, whatever the number of wishes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.wishes import views

from .conftest import api, claim, page, published


@pytest.mark.parametrize("n", [3, 25])
def test_constant_queries(world, wishes, n, django_assert_max_num_queries):
    for i in range(n):
        wish = published(world, title=f"心愿{i}", story="")
        if i % 2:
            claim(wish, wishes.neighbour)
    with django_assert_max_num_queries(4):
        assert Client().get(reverse("wishes:wall", args=[world.c1.pk])).status_code == 200
    with django_assert_max_num_queries(4):
        assert Client().get(f"/api/v1/wall/{world.c1.pk}/").status_code == 200
    staff, resident = page(world.users.community), page(wishes.neighbour)
    with django_assert_max_num_queries(14):
        assert staff.get(reverse("wishes:list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert resident.get(reverse("wishes:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert resident.get(reverse("wishes:mine")).status_code == 200
    with django_assert_max_num_queries(10):
        assert api(world.users.community).get("/api/v1/wishes/").status_code == 200
    with django_assert_max_num_queries(15):  # the board with its sections (funds, projects, 民生实事, wishes): 15
        assert Client().get(reverse("board:community", args=[world.c1.pk])).status_code == 200


def test_a_deep_page_runs_the_queries_of_the_first(world, wishes, monkeypatch):
    """Page 3 of the wall and of the lists issues the queries of page 1 (`make bench` checks the
    same on the district: page 1 against page 200 or the last)."""
    monkeypatch.setattr(views, "WALL_PAGE", 4)
    monkeypatch.setattr(views.WishListView, "paginate_by", 4)
    for i in range(12):
        wish = published(world, title=f"心愿{i}", story="")
        if i % 3 == 0:
            claim(wish, wishes.neighbour)
    staff, resident = page(world.users.community), page(wishes.neighbour)
    for client, url in (
        (Client(), reverse("wishes:wall", args=[world.c1.pk])),
        (staff, reverse("wishes:list")),
        (resident, reverse("wishes:list")),
    ):
        client.get(url)  # warm-up: the session, the caches
        counts = []
        for n in (1, 3):
            with CaptureQueriesContext(connection) as q:
                response = client.get(url, {"page": n})
            assert response.status_code == 200 and response.context["page_obj"].number == n, url
            counts.append(len(q))
        assert counts[0] == counts[1], (url, counts)
