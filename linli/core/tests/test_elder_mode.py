"""长辈版 (elder mode, core.elder): the switch every page carries, its cookie, and where it leads
back to. The browser side (type size, targets, CSP, no JavaScript) is in
browser_tests/test_elder_mode.py."""

import pytest
from django.test import Client
from django.urls import reverse

from linli.core import elder

pytestmark = pytest.mark.django_db
URL = reverse("core:elder_mode")


def switch(client, on, next_url="/board/"):
    return client.post(URL, {"on": on, "next": next_url})


def test_switching_on_sets_a_lasting_cookie_and_goes_back(client):
    r = switch(client, "1")
    assert r.status_code == 302 and r.url == "/board/"
    cookie = r.cookies[elder.COOKIE]
    assert cookie.value == "1" and cookie["max-age"] == 365 * 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_switching_off_clears_the_cookie(client):
    switch(client, "1")
    r = switch(client, "0")
    assert r.cookies[elder.COOKIE].value == "" and r.cookies[elder.COOKIE]["max-age"] == 0
    assert elder.COOKIE not in client.cookies or client.cookies[elder.COOKIE].value == ""


@pytest.mark.parametrize("value", ["", "0", "true", "on", "11", "1 "])
def test_only_1_switches_on(client, value):
    assert switch(client, value).cookies[elder.COOKIE].value == ""


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/board/", "http://evil.example", "javascript:alert(1)", "", "abc", "0"],
)
def test_it_leads_back_only_to_this_site(client, target):
    r = switch(client, "1", target)
    assert r.status_code == 302 and r.url == reverse("home:home")


def test_it_keeps_the_query_of_the_page_it_came_from(client):
    assert switch(client, "1", "/board/1/?category=3&page=2").url == "/board/1/?category=3&page=2"


def test_it_takes_only_a_post_with_the_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(URL).status_code == 405
    assert strict.post(URL, {"on": "1", "next": "/"}).status_code == 403


def test_every_page_carries_the_switch_in_its_state(client, world, login):
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-Hans">' in body and 'aria-pressed="false"' in body and f'action="{URL}"' in body
    assert f'name="next" value="{reverse("accounts:login")}"' in body
    client.cookies[elder.COOKIE] = "1"
    body = client.get(reverse("board:index")).content.decode()
    assert '<html lang="zh-Hans" class="elder">' in body and 'aria-pressed="true"' in body
    assert 'name="on" value="0"' in body  # pressing it again turns it off

    resident = login(world.users.resident)
    resident.cookies[elder.COOKIE] = "1"
    body = resident.get("/").content.decode()
    assert 'class="elder"' in body and f'action="{URL}"' in body


def test_a_cookie_of_another_value_is_standard(client):
    client.cookies[elder.COOKIE] = "yes"
    assert 'class="elder"' not in client.get(reverse("accounts:login")).content.decode()


def test_the_workbench_names_a_property_company_once(world, login):
    # issue 13: the role badge read "物业人员 · 宁和物业 · 宁和物业"
    body = login(world.users.property).get("/").content.decode()
    badge = body.split('data-testid="role">', 1)[1].split("</span>", 1)[0]
    assert badge.count(world.pm.name) == 1, badge
