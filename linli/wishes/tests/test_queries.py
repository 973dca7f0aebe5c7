"""The wall and the lists run a fixed number of queries per page, whatever the number of wishes."""

import pytest
from django.test import Client
from django.urls import reverse

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
    with django_assert_max_num_queries(14):  # the board with its sections (funds, projects, wishes): 14 at both sizes
        assert Client().get(reverse("board:community", args=[world.c1.pk])).status_code == 200
