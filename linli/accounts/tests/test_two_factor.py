"""Two-factor sign-in (TOTP) for every role that can reveal or export personal data and for
administrators: until enrolled and verified they reach only enrolment, verification and logout.
Logins, logouts and failures are in the audit log, without passwords."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import PERMISSIONS, TWO_FACTOR_ROLES, Role
from linli.core.models import AuditLog
from linli.testing import PASSWORD

LOGIN, SETUP, VERIFY = "/accounts/login/", "/accounts/two-factor/setup/", "/accounts/two-factor/verify/"


def code(device, later=0):
    """The code an authenticator app shows now (or `later` steps on)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = dt.datetime.now(dt.UTC).timestamp() + later * device.step
    return f"{totp.token():06d}"


def password_login(client, username):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def enrolled(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.mark.parametrize("role", list(Role))
def test_exactly_the_roles_that_reveal_or_export_and_administrators_need_it(role):
    expected = role == Role.ADMIN or bool({"people.reveal", "people.export"} & PERMISSIONS[role])
    assert (role in TWO_FACTOR_ROLES) is expected
    assert (role in TWO_FACTOR_ROLES) is (
        role in {Role.ADMIN, Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF, Role.GRID_CHIEF, Role.GRID_WORKER}
    )


@pytest.mark.django_db
def test_a_grid_worker_reaches_only_enrolment_until_enrolled(world, client):
    r = password_login(client, "grid_a")
    assert r.status_code == 302 and r.url.startswith(SETUP)
    for url in ("/", "/people/", world.p_a1h.get_absolute_url(), "/ledger/import/", "/audit/"):
        r = client.get(url)
        assert r.status_code == 302 and r.url.startswith(SETUP), url
    r = client.post(reverse("people:reveal", args=[world.p_a1h.pk, "id_number"]))
    assert r.status_code == 302 and r.url.startswith(SETUP)
    api = client.get("/api/v1/persons/")
    assert api.status_code == 403 and api.json()["errors"][0]["code"] == "two_factor_required"
    assert client.get(SETUP).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_made_here_and_confirms_with_a_code(world, client, no_throttle):
    password_login(client, "grid_a")
    page = client.get(SETUP).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code is drawn by the app, no outside service
    device = TOTPDevice.objects.get(user=world.users.grid_a, confirmed=False)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret) == device.bin_key
    wrong = client.post(SETUP, {"otp_token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert client.get("/people/").status_code == 302
    done = client.post(SETUP, {"otp_token": code(device)})
    assert done.status_code == 200 and done["Cache-Control"].startswith("no-store")
    backup = re.findall(r'data-testid="backup-code">([a-z0-9]+)<', done.content.decode())
    assert len(backup) == 10
    assert client.get("/people/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditLog.objects.filter(
        action="update", actor=world.users.grid_a, changes__two_factor=[False, True]
    ).exists()


@pytest.mark.django_db
def test_an_enrolled_user_gives_a_code_at_every_login(world, client, no_throttle):
    device = enrolled(world.users.community)
    r = password_login(client, "community")
    assert r.status_code == 302 and r.url.startswith(VERIFY)
    assert client.get("/people/").url.startswith(VERIFY)
    bad = client.post(VERIFY, {"otp_token": "12345"})
    assert bad.status_code == 200 and "验证码不正确" in bad.content.decode()
    assert AuditLog.objects.filter(
        action="login_failed", object_id=str(world.users.community.pk), note__contains="动态验证码"
    ).exists()
    ok = client.post(VERIFY + "?next=/people/", {"otp_token": code(device)})
    assert ok.status_code == 302 and ok.url == "/people/"
    assert client.get("/people/").status_code == 200
    # the same code cannot be used twice (someone who watched it typed gets nothing)
    client.post(reverse("accounts:logout"))
    password_login(client, "community")
    assert "验证码不正确" in client.post(VERIFY, {"otp_token": code(device)}).content.decode()


@pytest.mark.django_db
def test_a_backup_code_works_once(world, client, no_throttle):
    device = enrolled(world.users.grid_a)
    static = StaticDevice.objects.create(user=world.users.grid_a, name="backup", confirmed=True)
    static.token_set.create(token="abcd2345")
    password_login(client, "grid_a")
    assert client.post(VERIFY, {"otp_token": "abcd2345"}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_login(client, "grid_a")
    assert client.post(VERIFY, {"otp_token": "abcd2345"}).status_code == 200
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302


@pytest.mark.django_db
def test_with_only_the_password_nobody_can_enrol_a_second_device(world, client):
    enrolled(world.users.grid_a)
    password_login(client, "grid_a")
    r = client.get(SETUP)
    assert r.status_code == 302 and r.url.startswith(VERIFY)
    r = client.post(SETUP, {"otp_token": "123456"})
    assert r.status_code == 302 and TOTPDevice.objects.filter(user=world.users.grid_a).count() == 1


@pytest.mark.django_db
def test_wrong_codes_are_throttled(world, client):
    device = enrolled(world.users.grid_a)
    password_login(client, "grid_a")
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        client.post(VERIFY, {"otp_token": "000000" if code(device) != "000000" else "111111"})
        client.post(VERIFY, {"otp_token": "000000" if code(device) != "000000" else "111111"})
        r = client.post(VERIFY, {"otp_token": code(device)})  # right, but within the wait
    assert r.status_code == 200 and "秒后再试" in r.content.decode()
    with time_machine.travel(start + dt.timedelta(seconds=3), tick=False):
        assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["resident", "building_head", "property", "department", "nobody"])
def test_other_roles_are_not_forced(world, client, username):
    r = password_login(client, username)
    assert r.status_code == 302 and not r.url.startswith(("/accounts/two-factor/",))
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_resident_who_chose_two_factor_is_asked_too(world, client, no_throttle):
    device = enrolled(world.users.resident)
    assert password_login(client, "resident").url.startswith(VERIFY)
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302


@pytest.mark.django_db
def test_a_superuser_without_roles_needs_it_too(world, client):
    User.objects.create_superuser("root", password=PASSWORD)
    assert password_login(client, "root").url.startswith(SETUP)
    assert client.get("/django-admin/").url.startswith(SETUP)


@pytest.mark.django_db
def test_a_role_granted_during_a_session_takes_effect_at_the_next_request(world, client):
    password_login(client, "resident")
    assert client.get("/").status_code == 200
    RoleAssignment.objects.create(user=world.users.resident, role=Role.GRID_WORKER, grid=world.grid_a)
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith(SETUP)


@pytest.mark.django_db
def test_logins_logouts_and_failures_are_audited_without_passwords(world, client):
    password_login(client, "resident")
    client.post(reverse("accounts:logout"))
    client.post(LOGIN, {"username": "resident", "password": "Secret-typo-2026"})
    client.post(LOGIN, {"username": "Linli-typed-the-password-here", "password": "x"})
    records = AuditLog.objects.filter(action__in=["login", "logout", "login_failed"]).order_by("id")
    assert [r.action for r in records] == ["login", "logout", "login_failed", "login_failed"]
    login, logout, failed, unknown = records
    assert login.actor == world.users.resident and logout.actor == world.users.resident
    assert failed.actor is None and failed.object_id == str(world.users.resident.pk)
    assert unknown.object_id == "" and unknown.object_repr == "未知用户名"
    everything = str([(r.object_repr, r.note, r.changes) for r in records])
    assert "Secret-typo-2026" not in everything and "Linli-typed-the-password-here" not in everything
    assert "127.0.0.1" in login.note
    assert not User.objects.filter(username="Linli-typed-the-password-here").exists()


@pytest.mark.django_db
def test_the_login_fixture_passes_the_second_factor(world, login):
    # tests of staff pages log in with force_login; the fixture marks the session verified
    assert login(world.users.grid_a).get("/people/").status_code == 200


@pytest.mark.django_db
def test_sign_in_records_are_for_administrators_only(world, login):
    # they hold every user's addresses and failed attempts: no place-scoped role sees them
    from django.test import Client

    Client().post(LOGIN, {"username": "grid_b", "password": "wrong"})
    Client().post(LOGIN, {"username": "no-such-name", "password": "wrong"})
    for user in (world.users.community, world.users.subdistrict, world.users.grid_a):
        page = login(user).get("/audit/", {"action": "login_failed"}).content.decode()
        assert "grid_b" not in page and "未知用户名" not in page
    page = login(world.users.admin).get("/audit/", {"action": "login_failed"}).content.decode()
    assert "grid_b" in page and "未知用户名" in page
