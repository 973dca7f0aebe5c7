"""A resident registers with a phone number and their house; the grid worker of that house's grid
confirms them against the ledger, and only then is their login made (issue 13): the answer to a
registration tells nobody whether a username is taken or a phone is in the ledger."""

import pytest
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from linli.accounts.models import Registration, User
from linli.accounts.roles import Role
from linli.core.models import Notification
from linli.testing import PASSWORD, log_in

pytestmark = pytest.mark.django_db
NEW = "Qiang-Mima-2026!"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def form(world, **over):
    data = {
        "name": "新住户",
        "phone": "13900001111",
        "community": world.c1.pk,
        "building": "1号楼",
        "unit": "1单元",
        "number": "201",
        "username": "newcomer",
        "password1": NEW,
        "password2": NEW,
    }
    return data | over


def register(world, client=None, **over):
    return (client or Client()).post(reverse("accounts:register"), form(world, **over))


def confirm(actor, reg, person, username=None):
    data = {"person": person.pk, "username": username or reg.username, "version": reg.version}
    return log_in(Client(), actor).post(reverse("accounts:registration_move", args=[reg.pk, "confirm"]), data)


def sign_in(username="newcomer", password=NEW):
    c = Client()
    return c, c.post(reverse("accounts:login"), {"username": username, "password": password})


def test_registration_is_pending_with_no_login_until_confirmed(world, django_capture_on_commit_callbacks):
    r = register(world)
    assert r.status_code == 302 and r["Location"] == reverse("accounts:login")
    reg = Registration.objects.get()
    assert (reg.state, reg.house, reg.grid) == (Registration.State.PENDING, world.house_a2, world.grid_a)
    assert reg.user is None and not User.objects.filter(username="newcomer").exists()
    assert NEW not in reg.password and check_password(NEW, reg.password)  # kept as its hash
    # signing in with the chosen username and password says it waits; nothing else opens
    c, answer = sign_in()
    assert answer.status_code == 200 and "正在等待网格员" in answer.content.decode()
    assert c.get(world.hh_a2.get_absolute_url()).status_code in (302, 403, 404)
    _, wrong = sign_in(password="Wrong-Mima-2026!")
    assert "正在等待网格员" not in wrong.content.decode()
    # the grid worker of that grid confirms, naming the ledger's person: the login is made now
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(world.users.grid_a, reg, world.p_a2s).status_code == 302
    reg.refresh_from_db()
    user = User.objects.get(username="newcomer")
    assert reg.state == Registration.State.CONFIRMED and reg.person == world.p_a2s and reg.user == user
    assert reg.password == "" and user.display_name == "新住户"
    assert [(ra.role, ra.household_id) for ra in user.role_assignments.all()] == [(Role.RESIDENT, world.hh_a2.pk)]
    c, answer = sign_in()
    assert answer.status_code == 302
    assert c.get(world.hh_a2.get_absolute_url()).status_code == 200
    assert Notification.objects.filter(user=user, text__contains="已确认").exists()


def test_a_taken_username_gets_the_same_answer_and_the_grid_worker_picks_another(
    world, django_capture_on_commit_callbacks
):
    taken = register(world, username="resident", phone="13912340000")  # a persona's login
    free = register(world, username="brandnew", phone="13912340001", number="101")
    assert taken.status_code == free.status_code == 302 and taken["Location"] == free["Location"]
    said = [[str(m) for m in r.wsgi_request._messages] for r in (taken, free)]
    assert said[0] == said[1] and len(said[0]) == 1
    # the taken one opens nothing, and the persona's own login is untouched
    _, answer = sign_in("resident")
    assert "正在等待网格员" in answer.content.decode()
    assert Client().post(reverse("accounts:login"), {"username": "resident", "password": PASSWORD}).status_code == 302
    reg = Registration.objects.get(username="resident")
    grid = log_in(Client(), world.users.grid_a)
    page = grid.get(reg.get_absolute_url()).content.decode()
    assert "已被占用" in page
    refused = confirm(world.users.grid_a, reg, world.p_a2s)
    assert refused.status_code == 400 and "用户名已被使用" in refused.content.decode()
    assert Registration.objects.get(pk=reg.pk).state == Registration.State.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(world.users.grid_a, reg, world.p_a2s, username="resident2").status_code == 302
    user = User.objects.get(username="resident2")
    assert user.check_password(NEW) and user.role_assignments.get().household_id == world.hh_a2.pk


def test_the_grid_worker_of_that_grid_is_notified(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(world)
    assert Notification.objects.filter(user=world.users.grid_a, text__contains="1号楼").exists()
    assert not Notification.objects.filter(user=world.users.grid_b).exists()


@pytest.mark.parametrize("actor", ["grid_b", "other_community", "resident", "property", "building_head"])
def test_a_grid_worker_of_another_grid_cannot_see_or_confirm(world, actor):
    register(world)
    reg = Registration.objects.get()
    user = getattr(world.users, actor)
    c = log_in(Client(), user)
    assert c.get(reg.get_absolute_url()).status_code in (403, 404)
    list_page = c.get(reverse("accounts:registrations"))
    assert list_page.status_code in (403, 404) or "新住户" not in list_page.content.decode()
    assert confirm(user, reg, world.p_a2s).status_code in (403, 404)
    reg.refresh_from_db()
    assert reg.state == Registration.State.PENDING and reg.user is None
    assert not User.objects.filter(username="newcomer").exists()


def test_the_list_shows_the_grid_workers_own_registrations(world, django_assert_max_num_queries):
    register(world)
    register(world, username="other", number="101")
    c = log_in(Client(), world.users.grid_a)
    with django_assert_max_num_queries(20):
        page = c.get(reverse("accounts:registrations")).content.decode()
    assert page.count("新住户") == 2


def test_only_a_person_of_that_house_can_be_named(world):
    register(world)
    reg = Registration.objects.get()
    r = confirm(world.users.grid_a, reg, world.p_a1h)  # a person of another house
    assert r.status_code == 400 and "选择一个有效的选项" in r.content.decode()
    assert reg.user is None and not User.objects.filter(username="newcomer").exists()


def test_reject_needs_a_reason_and_tells_the_resident(world, django_capture_on_commit_callbacks):
    register(world)
    reg = Registration.objects.get()
    c = log_in(Client(), world.users.grid_a)
    url = reverse("accounts:registration_move", args=[reg.pk, "reject"])
    assert c.post(url, {"note": "", "version": 0}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(url, {"note": "户籍上无此人", "version": 0}).status_code == 302
    reg.refresh_from_db()
    assert reg.state == Registration.State.REJECTED and reg.user is None
    assert not User.objects.filter(username="newcomer").exists()
    # the resident reads the reason on signing in with what they chose
    _, answer = sign_in()
    assert "未获确认" in answer.content.decode() and "户籍上无此人" in answer.content.decode()
    # nor can it be confirmed afterwards
    assert confirm(world.users.grid_a, reg, world.p_a2s).status_code == 400


def test_the_answer_does_not_reveal_whether_the_phone_is_in_the_ledger(world):
    known = register(world, phone=world.p_a2s.phone, username="u1")
    unknown = register(world, phone="13912345678", username="u2")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    said = [[str(m) for m in r.wsgi_request._messages] for r in (known, unknown)]
    assert said[0] == said[1] and len(said[0]) == 1


def test_the_phone_is_masked_for_the_grid_worker(world):
    register(world)
    page = log_in(Client(), world.users.grid_a).get(Registration.objects.get().get_absolute_url()).content.decode()
    assert "13900001111" not in page and "139****1111" in page


def test_errors_are_chinese_field_by_field_and_nothing_is_saved(world):
    r = register(world, phone="12345", number="999", password2="different")
    text = r.content.decode()
    assert r.status_code == 200
    assert "没有这套房屋" in text and "两次输入的密码不一致" in text and "手机" in text
    assert not Registration.objects.exists() and not User.objects.filter(username="newcomer").exists()


def test_registration_is_rate_limited_per_address_at_the_exact_count(world, settings):
    settings.LINLI_REGISTRATIONS_PER_HOUR = 3
    for i in range(3):
        assert register(world, username=f"n{i}").status_code == 302
    r = register(world, username="n3")
    assert r.status_code == 429 and "注册过于频繁" in r.content.decode()
    assert Registration.objects.count() == 3
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert register(world, client=other, username="n4").status_code == 302


def test_confirming_is_audited_with_the_person(world):
    register(world)
    reg = Registration.objects.get()
    confirm(world.users.grid_a, reg, world.p_a2s)
    from linli.core.models import AuditLog

    entry = AuditLog.objects.filter(object_id=str(reg.pk), content_type__model="registration", note="confirm").get()
    assert entry.actor == world.users.grid_a and entry.changes["state"] == ["pending", "confirmed"]
    assert PASSWORD  # the personas keep theirs
