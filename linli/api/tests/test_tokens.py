"""API tokens: issued for a password (and the second factor where the role needs it), stored as a
hash, expiring, listed and revoked by their owner; a refused token says why."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from linli.accounts.models import ApiToken, RoleAssignment
from linli.accounts.roles import Role
from linli.accounts.tests.test_two_factor import code
from linli.core.models import AuditLog
from linli.testing import PASSWORD

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def issue(username, **extra):
    return APIClient().post(URL, {"username": username, "password": PASSWORD, **extra}, format="json")


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.django_db
def test_a_role_that_reveals_needs_the_code_in_the_request(api_world):
    device = TOTPDevice.objects.create(user=api_world.users.grid_a, name="phone", confirmed=True)
    missing = issue("grid_a")
    assert missing.status_code == 400
    assert missing.json()["errors"] == [
        {
            "field": "otp_token",
            "message": "该账号须填写动态验证码（手机验证器 App 上的 6 位数字）。",
            "code": "two_factor_required",
        }
    ]
    wrong = issue("grid_a", otp_token="12345")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "otp_token"
    assert AuditLog.objects.filter(action="login_failed", object_id=str(api_world.users.grid_a.pk)).exists()
    assert not ApiToken.objects.exists()
    ok = issue("grid_a", otp_token=code(device), name="巡查手机")
    assert ok.status_code == 200
    body = ok.json()
    assert set(body) == {"token", "id", "name", "expires_at"} and body["name"] == "巡查手机"
    assert bearer(body["token"]).get("/api/v1/persons/").status_code == 200
    assert AuditLog.objects.filter(action="login", actor=api_world.users.grid_a, note__contains="API").exists()


@pytest.mark.django_db
def test_a_role_that_must_enrol_first_is_told_so(api_world):
    r = issue("community")
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "two_factor_setup_required"
    assert "网页" in r.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_a_resident_gets_a_token_with_the_password_alone(api_world):
    r = issue("resident")
    assert r.status_code == 200
    assert bearer(r.json()["token"]).get("/api/v1/cases/").status_code == 200


@pytest.mark.django_db
def test_the_token_is_stored_only_as_a_hash(api_world):
    secret = issue("resident").json()["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert len(rows) == 1 and secret not in str(rows) and secret[12:] not in str(rows)


@pytest.mark.django_db
def test_a_token_works_until_its_expiry_and_then_says_it_expired(api_world, settings):
    settings.LINLI_API_TOKEN_DAYS = 7
    issued = timezone.now().replace(microsecond=0)
    with time_machine.travel(issued, tick=False):
        secret = issue("resident").json()["token"]
    expiry = issued + dt.timedelta(days=7)
    assert ApiToken.objects.get().expires_at == expiry
    with time_machine.travel(expiry - dt.timedelta(seconds=1), tick=False):
        assert bearer(secret).get("/api/v1/cases/").status_code == 200
    with time_machine.travel(expiry, tick=False):
        r = bearer(secret).get("/api/v1/cases/")
    assert r.status_code == 401
    error = r.json()["errors"][0]
    assert (
        error["code"] == "token_expired" and "已过期" in error["message"] and "/api/v1/auth/token/" in error["message"]
    )


@pytest.mark.django_db
def test_an_unknown_token_is_refused(api_world):
    r = bearer("lt_not-a-token").get("/api/v1/cases/")
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "token_invalid"


@pytest.mark.django_db
def test_owners_list_and_revoke_their_tokens_and_only_theirs(api_world):
    mine = issue("resident", name="旧手机").json()
    other = issue("building_head").json()
    client = bearer(mine["token"])
    listed = client.get("/api/v1/auth/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [mine["id"]] and listed[0]["name"] == "旧手机" and listed[0]["current"] is True
    assert "token" not in listed[0] and "key_hash" not in listed[0]
    assert client.post(f"/api/v1/auth/tokens/{other['id']}/revoke/").status_code == 404
    assert bearer(other["token"]).get("/api/v1/cases/").status_code == 200
    assert client.post(f"/api/v1/auth/tokens/{mine['id']}/revoke/").status_code == 200
    r = bearer(mine["token"]).get("/api/v1/cases/")
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "token_revoked"
    assert AuditLog.objects.filter(action="update", content_type__model="apitoken", object_id=str(mine["id"])).exists()


@pytest.mark.django_db
def test_a_token_issued_without_the_second_factor_stops_when_the_role_needs_it(api_world):
    secret = issue("resident").json()["token"]
    RoleAssignment.objects.create(user=api_world.users.resident, role=Role.GRID_WORKER, grid=api_world.grid_a)
    r = bearer(secret).get("/api/v1/persons/")
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "two_factor_required"


@pytest.mark.django_db
def test_the_tokens_page_lists_and_revokes(api_world, login):
    issue("building_head", name="楼栋长手机")
    c = login(api_world.users.building_head)
    page = c.get("/accounts/tokens/").content.decode()
    assert "楼栋长手机" in page
    token = ApiToken.objects.get()
    assert c.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    other = login(api_world.users.resident)
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404


@pytest.mark.django_db
def test_the_last_use_is_written_at_most_once_a_minute_and_only_then_a_statement(api_world):
    """A token's last use is written when it is first used and then when the row says more than a
    minute has passed — exactly a minute is not more — with no statement at all in between (the
    row was just read: issue 16 §5)."""
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        secret = issue("resident").json()["token"]
    token = ApiToken.objects.get()

    def use(at):
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as ran:
            assert bearer(secret).get("/api/v1/categories/").status_code == 200
        return [q["sql"] for q in ran.captured_queries if q["sql"].startswith("UPDATE")]

    assert len(use(start)) == 1
    token.refresh_from_db()
    assert token.last_used_at == start
    assert use(start + dt.timedelta(minutes=1)) == []  # exactly a minute: not written, not even tried
    token.refresh_from_db()
    assert token.last_used_at == start
    assert len(use(start + dt.timedelta(minutes=1, microseconds=1))) == 1
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(minutes=1, microseconds=1)
