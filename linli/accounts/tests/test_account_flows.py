"""Accounts people can use (issue 13): one's password and sessions, an administrator's one-time
reset link, and the invitation of a registered household member to an account."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import OneTimeLink, RoleAssignment, SignInSession, User
from linli.accounts.roles import Role
from linli.core.masking import mask_name
from linli.core.models import AuditLog
from linli.testing import PASSWORD, log_in

pytestmark = pytest.mark.django_db
NEW = "Qiang-Mima-2026!"


def sign_in(username, password=PASSWORD, agent="Phone"):
    c = Client(HTTP_USER_AGENT=agent)
    r = c.post(reverse("accounts:login"), {"username": username, "password": password})
    assert r.status_code == 302, r.content.decode()[:500]
    return c


def signed_in(client):
    return client.get(reverse("accounts:sessions")).status_code == 200


# ---- password change, sessions, sign out everywhere ---------------------------------------
def test_sessions_are_listed_with_device_and_sign_out_everywhere_keeps_this_one(world):
    phone, laptop = sign_in("resident", agent="Phone Safari"), sign_in("resident", agent="Laptop Firefox")
    page = laptop.get(reverse("accounts:sessions")).content.decode()
    assert "Phone Safari" in page and "Laptop Firefox" in page and "127.0.0.1" in page
    assert SignInSession.objects.filter(user=world.users.resident).count() == 2
    laptop.post(reverse("accounts:sessions"))
    assert signed_in(laptop) and not signed_in(phone)
    assert SignInSession.objects.filter(user=world.users.resident).count() == 1
    assert AuditLog.objects.filter(object_repr=str(world.users.resident), changes__sessions_ended=[None, 1]).exists()


def test_one_sees_only_ones_own_sessions(world):
    sign_in("grid_a", agent="Grid worker's browser")
    page = sign_in("resident").get(reverse("accounts:sessions")).content.decode()
    assert "Grid worker" not in page


def test_logout_forgets_the_session(world):
    c = sign_in("resident")
    c.post(reverse("accounts:logout"))
    assert not SignInSession.objects.filter(user=world.users.resident).exists()


def test_password_change_keeps_this_session_and_ends_the_others(world):
    other, here = sign_in("resident"), sign_in("resident")
    r = here.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert r.status_code == 302
    assert signed_in(here) and not signed_in(other)
    assert User.objects.get(username="resident").check_password(NEW)
    assert AuditLog.objects.filter(note="密码已修改", changes__password=["***", "***"]).exists()


def test_password_change_errors_are_chinese_and_change_nothing(world):
    c = sign_in("resident")
    r = c.post(reverse("accounts:password"), {"old_password": "wrong", "new_password1": "1", "new_password2": "2"})
    assert r.status_code == 200 and "旧密码不正确" in r.content.decode()
    assert User.objects.get(username="resident").check_password(PASSWORD)


# ---- an administrator's reset link ---------------------------------------------------------
def issue_reset(actor, target):
    return log_in(Client(), actor).post(reverse("accounts:reset_link", args=[target.pk]))


def link_path(response):
    return re.search(r"http://testserver(/accounts/link/[^<\s]+/)", response.content.decode()).group(1)


def test_reset_link_works_once_and_ends_every_session(world):
    victim_session = sign_in("grid_a")
    r = issue_reset(world.users.community, world.users.grid_a)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store, private"
    assert 'data-testid="link-qr"' in r.content.decode()
    path = link_path(r)
    anon = Client()
    assert "新密码" in anon.get(path).content.decode()
    r = anon.post(path, {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:login")
    assert User.objects.get(username="grid_a").check_password(NEW)
    assert not signed_in(victim_session)
    again = anon.post(path, {"new_password1": "Another-Mima-99", "new_password2": "Another-Mima-99"})
    assert again.status_code == 410 and "已经用过" in again.content.decode()
    assert User.objects.get(username="grid_a").check_password(NEW)
    link = OneTimeLink.objects.get(user=world.users.grid_a)
    issued = AuditLog.objects.filter(
        action=AuditLog.Action.CREATE, object_id=str(link.pk), content_type__model="onetimelink"
    ).get()
    assert issued.actor == world.users.community and "key_hash" not in issued.changes


def test_reset_link_expires_at_the_exact_time(world, settings):
    settings.LINLI_RESET_LINK_HOURS = 24
    path = link_path(issue_reset(world.users.community, world.users.grid_a))
    link = OneTimeLink.objects.get(user=world.users.grid_a)
    OneTimeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + dt.timedelta(seconds=30))
    assert Client().get(path).status_code == 200  # still valid a moment before
    OneTimeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    r = Client().post(path, {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 410 and "已过期" in r.content.decode()
    assert User.objects.get(username="grid_a").check_password(PASSWORD)


def test_a_new_reset_link_withdraws_the_earlier_one(world):
    first = link_path(issue_reset(world.users.community, world.users.grid_a))
    second = link_path(issue_reset(world.users.community, world.users.grid_a))
    assert Client().get(first).status_code == 410 and Client().get(second).status_code == 200


def test_an_unknown_link_is_refused_without_a_name(world):
    r = Client().get(reverse("accounts:use_link", args=["ott_made-up"]))
    assert r.status_code == 410 and "无效" in r.content.decode()


def test_reset_link_weak_password_is_refused_in_chinese_and_link_stays_valid(world):
    path = link_path(issue_reset(world.users.community, world.users.grid_a))
    r = Client().post(path, {"new_password1": "123", "new_password2": "123"})
    assert r.status_code == 200 and "密码" in r.content.decode() and "密码太短，至少要有 8 个字符" in r.content.decode()
    assert OneTimeLink.objects.get(user=world.users.grid_a).used_at is None


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("other_community", "grid_a"),  # another community's staff
        ("grid_b", "grid_a"),  # no accounts.change at all
        ("community", "subdistrict"),  # above the actor
        ("community", "admin"),  # an administrator's login
        ("resident", "grid_a"),
    ],
)
def test_reset_link_only_within_ones_accounts_scope(world, actor, target):
    r = issue_reset(getattr(world.users, actor), getattr(world.users, target))
    assert r.status_code in (403, 404)
    assert not OneTimeLink.objects.exists()


def test_reset_link_refused_for_a_user_who_also_holds_a_role_outside_the_scope(world):
    RoleAssignment.objects.create(user=world.users.grid_a, role=Role.GRID_WORKER, grid=world.grid_c)
    assert issue_reset(world.users.community, world.users.grid_a).status_code == 404
    assert issue_reset(world.users.subdistrict, world.users.grid_a).status_code == 200


# ---- invitations ---------------------------------------------------------------------------
def invite(actor, person):
    return log_in(Client(), actor).post(reverse("accounts:invite", args=[person.pk]))


def test_invitation_accepted_once_makes_a_resident_of_that_household(world):
    r = invite(world.users.grid_a, world.p_a2s)
    assert r.status_code == 200 and 'data-testid="link-qr"' in r.content.decode()
    path = link_path(r)
    anon = Client()
    page = anon.get(path).content.decode()
    assert world.p_a2s.name not in page and mask_name(world.p_a2s.name) in page
    r = anon.post(path, {"username": "neighbour", "password1": NEW, "password2": NEW})
    assert r.status_code == 302
    user = User.objects.get(username="neighbour")
    assert user.display_name == world.p_a2s.name
    assert [(ra.role, ra.household_id) for ra in user.role_assignments.all()] == [(Role.RESIDENT, world.hh_a2.pk)]
    again = Client().post(path, {"username": "neighbour2", "password1": NEW, "password2": NEW})
    assert again.status_code == 410 and not User.objects.filter(username="neighbour2").exists()
    # once accepted, no second invitation for the same person
    assert invite(world.users.grid_a, world.p_a2s).status_code == 302
    assert OneTimeLink.objects.filter(person=world.p_a2s).count() == 1


def test_invitation_errors_are_chinese_and_nothing_is_half_made(world):
    path = link_path(invite(world.users.grid_a, world.p_a2s))
    r = Client().post(path, {"username": "resident", "password1": NEW, "password2": NEW + "x"})
    text = r.content.decode()
    assert r.status_code == 200 and "用户名已被使用" in text and "两次输入的密码不一致" in text
    assert not RoleAssignment.objects.filter(household=world.hh_a2).exists()
    assert OneTimeLink.objects.get(person=world.p_a2s).used_at is None


@pytest.mark.parametrize("actor", ["grid_b", "other_community", "resident", "property", "nobody"])
def test_invitation_only_for_a_person_in_ones_scope(world, actor):
    assert invite(getattr(world.users, actor), world.p_a2s).status_code in (403, 404)
    assert not OneTimeLink.objects.exists()


def test_invitation_expired_is_refused(world):
    path = link_path(invite(world.users.grid_a, world.p_a2s))
    OneTimeLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = Client().post(path, {"username": "neighbour", "password1": NEW, "password2": NEW})
    assert r.status_code == 410 and not User.objects.filter(username="neighbour").exists()


def test_the_secret_is_kept_only_as_its_digest(world):
    path = link_path(invite(world.users.grid_a, world.p_a2s))
    secret = path.rstrip("/").rsplit("/", 1)[1]
    link = OneTimeLink.objects.get()
    assert secret not in str(link.__dict__) and link.key_hash == OneTimeLink.digest(secret)
    assert not Session.objects.filter(session_data__contains=secret).exists()


# ---- last seen, and sign out everywhere reaching the API tokens too ------------------------
def test_last_seen_is_written_at_most_once_per_interval_and_shown(world, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LINLI_SESSION_SEEN_MINUTES = 5
    start = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Shanghai
    with time_machine.travel(start, tick=False):
        c = sign_in("resident")
    row = SignInSession.objects.get(user=world.users.resident)
    assert row.created_at == row.last_seen_at == start
    with (
        time_machine.travel(start + dt.timedelta(minutes=5, seconds=-1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert c.get(reverse("accounts:sessions")).status_code == 200
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "signinsession" in q["sql"]]
    row.refresh_from_db()
    assert row.last_seen_at == start
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        page = c.get(reverse("accounts:sessions")).content.decode()
    row.refresh_from_db()
    assert row.created_at == start and row.last_seen_at == start + dt.timedelta(minutes=5)
    assert "2026-03-02 09:00" in page and "2026-03-02 09:05" in page


def test_sign_out_everywhere_revokes_the_api_tokens_too(world):
    from rest_framework.test import APIClient

    from linli.accounts.actions import issue_api_token

    def api(secret):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client.get("/api/v1/cases/")

    _, mine = issue_api_token(world.users.resident)
    _, others = issue_api_token(world.users.building_head)
    assert api(mine).status_code == 200
    c = sign_in("resident")
    assert "API 令牌" in c.get(reverse("accounts:sessions")).content.decode()
    r = c.post(reverse("accounts:sessions"), follow=True)
    assert "已撤销 1 个 API 令牌" in r.content.decode()
    refused = api(mine)
    assert refused.status_code == 401 and refused.json()["errors"][0]["code"] == "token_revoked"
    assert api(others).status_code == 200
    assert AuditLog.objects.filter(
        object_repr=str(world.users.resident), changes__api_tokens_revoked=[None, 1], changes__sessions_ended=[None, 0]
    ).exists()
