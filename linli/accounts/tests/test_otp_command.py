"""`linli otp`: the demo's staff stay usable (the current code, DEBUG only), and an administrator
resets a lost phone."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import User
from linli.core.models import AuditLog
from linli.demo.builder import PASSWORD as DEMO_PASSWORD


def run(*args):
    out = io.StringIO()
    call_command("otp", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_demo_staff_sign_in_with_the_printed_code(client, settings):
    logins = io.StringIO()
    call_command("demo", households=30, stdout=logins)
    assert "linli otp" in logins.getvalue() and "jiedao" in logins.getvalue()
    assert TOTPDevice.objects.filter(user__username="jiedao", confirmed=True).exists()
    assert not TOTPDevice.objects.filter(user__username="jumin").exists()  # residents are not forced
    settings.DEBUG = True
    code = run("jiedao")
    settings.DEBUG = False
    assert len(code) == 6 and code.isdigit()
    r = client.post("/accounts/login/", {"username": "jiedao", "password": DEMO_PASSWORD})
    assert r.url.startswith("/accounts/two-factor/verify/")
    assert client.post("/accounts/two-factor/verify/", {"otp_token": code}).status_code == 302
    assert client.get("/people/").status_code == 200


@pytest.mark.django_db
def test_the_code_is_printed_only_in_development(world, settings):
    TOTPDevice.objects.create(user=world.users.admin, name="phone", confirmed=True)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        run("admin")


@pytest.mark.django_db
def test_reset_removes_the_second_factor_and_is_audited(world, client):
    TOTPDevice.objects.create(user=world.users.grid_a, name="phone", confirmed=True)
    run("grid_a", "--reset")
    assert not TOTPDevice.objects.filter(user=world.users.grid_a).exists()
    assert AuditLog.objects.filter(
        action="update", object_id=str(world.users.grid_a.pk), changes__two_factor=[True, False]
    ).exists()
    r = client.post("/accounts/login/", {"username": "grid_a", "password": "Linli-test-2026"})
    assert r.url.startswith("/accounts/two-factor/setup/")
    with pytest.raises(CommandError):
        run("no-such-user")
    assert not User.objects.filter(username="no-such-user").exists()
