"""Login lockout behind the documented nginx: the client's address comes from X-Forwarded-For only
when the connection is from a trusted proxy, and the lock holds for one (account, client) pair."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from linli.testing import PASSWORD

URL = "/accounts/login/"
PROXY = "127.0.0.1"  # nginx on the same machine (docs/deploy.md)
ALICE, BOB, MALLORY = "203.0.113.5", "198.51.100.7", "192.0.2.66"


@pytest.fixture(autouse=True)
def _behind_nginx(settings):
    settings.LINLI_TRUSTED_PROXIES = [PROXY]
    settings.AXES_FAILURE_LIMIT = 5


def via_proxy(client, addr, password, username="grid_a", forwarded=None):
    """A request as nginx passes it on: from the proxy, the client's address appended."""
    header = f"{forwarded}, {addr}" if forwarded else addr
    return client.post(
        URL, {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header
    )


def direct(client, addr, password, username="grid_a", forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(URL, {"username": username, "password": password}, REMOTE_ADDR=addr, **extra)


@pytest.mark.django_db
def test_one_clients_failures_behind_the_proxy_do_not_lock_another(world, client):
    for _ in range(5):
        via_proxy(client, ALICE, "wrong")
    assert via_proxy(client, ALICE, PASSWORD).status_code == 429
    assert via_proxy(client, BOB, PASSWORD).status_code == 302  # same account, another client


@pytest.mark.django_db
def test_a_header_the_client_wrote_itself_is_not_believed_through_the_proxy(world, client):
    # nginx appends the real address; whatever the client put before it is the client's own text
    for i in range(5):
        via_proxy(client, ALICE, "wrong", forwarded=f"10.9.8.{i}")
    assert via_proxy(client, ALICE, PASSWORD).status_code == 429
    # …and Alice cannot lock Bob by writing Bob's address into her header
    for _ in range(5):
        via_proxy(client, ALICE, "wrong", forwarded=BOB)
    assert via_proxy(client, BOB, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_spoofed_header_from_an_untrusted_address_is_ignored(world, client):
    # Mallory talks to the app directly (not through nginx) and varies X-Forwarded-For each time:
    # the lock stays on her own address…
    for i in range(5):
        direct(client, MALLORY, "wrong", forwarded=f"10.0.0.{i}")
    assert direct(client, MALLORY, PASSWORD, forwarded="10.0.0.99").status_code == 429
    # …and naming Bob's address in the header does not lock Bob
    for _ in range(5):
        direct(client, MALLORY, "wrong", username="grid_b", forwarded=BOB)
    assert via_proxy(client, BOB, PASSWORD, username="grid_b").status_code == 302


@pytest.mark.django_db
def test_the_fifth_failure_locks_and_the_fourth_does_not(world, client):
    for n in range(1, 5):
        r = via_proxy(client, ALICE, "wrong")
        assert r.status_code == 200
        assert f"还可尝试 {5 - n} 次" in r.content.decode()
    r = via_proxy(client, ALICE, "wrong")  # the fifth
    assert r.status_code == 429


@pytest.mark.django_db
def test_four_failures_then_the_right_password_logs_in(world, client):
    for _ in range(4):
        via_proxy(client, ALICE, "wrong")
    assert via_proxy(client, ALICE, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_locked_page_says_what_happened_and_until_when(world, client):
    locked_at = dt.datetime(2026, 12, 1, 9, 40, tzinfo=dt.UTC)  # 17:40 in Shanghai
    with time_machine.travel(locked_at, tick=False):
        for _ in range(5):
            via_proxy(client, ALICE, "wrong")
        r = via_proxy(client, ALICE, PASSWORD)
    page = r.content.decode()
    assert r.status_code == 429
    assert "连续 5 次" in page and "18:10" in page  # 30 minutes later, local time
    # trying again while locked does not push the time further (the page would lie)
    with time_machine.travel(locked_at + dt.timedelta(minutes=20), tick=False):
        assert "18:10" in via_proxy(client, ALICE, "wrong").content.decode()
    with time_machine.travel(locked_at + dt.timedelta(minutes=30, seconds=1), tick=False):
        assert via_proxy(client, ALICE, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_token_endpoint_answers_a_lockout_in_json(world):
    api = APIClient()
    for _ in range(5):
        r = api.post(
            "/api/v1/auth/token/",
            {"username": "resident", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ALICE,
        )
    r = api.post(
        "/api/v1/auth/token/",
        {"username": "resident", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=ALICE,
    )
    assert r.status_code == 429
    error = r.json()["errors"][0]
    assert error["code"] == "locked" and "锁定" in error["message"] and "token" not in r.json()
    ok = api.post(
        "/api/v1/auth/token/",
        {"username": "resident", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=BOB,
    )
    assert ok.status_code == 200 and ok.json()["token"]


def test_login_url_is_the_one_tested():
    assert reverse("accounts:login") == URL
