"""The workbench a signed-in user lands on."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_grid_worker_starts_from_their_grid_only(world, login):
    body = login(world.users.grid_a).get(reverse("home:home")).content.decode()
    assert world.grid_a.get_absolute_url() in body and world.grid_b.get_absolute_url() not in body
    assert reverse("cases:report_mine") not in body


def test_a_resident_starts_from_their_household_and_their_requests(world, login):
    body = login(world.users.resident).get("/").content.decode()
    assert world.hh_a1.get_absolute_url() in body and world.hh_a2.get_absolute_url() not in body
    assert reverse("cases:report_mine") in body and world.grid_a.get_absolute_url() not in body


def test_the_home_page_asks_for_a_login(client):
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))
