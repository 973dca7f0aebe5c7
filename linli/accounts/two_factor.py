"""Two-factor sign-in (双因素认证) with django-otp: a TOTP device (an authenticator app on the
phone) and ten single-use backup codes.

Who must: `User.requires_two_factor` (administrators and the roles that reveal or export
personal data, roles.py). Anyone else who enrolled is asked too. The password logs the session
in; until the second factor is verified, TwoFactorMiddleware lets it reach only enrolment,
verification and logout.
"""

import base64
import math
import time

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10
# `make run`'s demo staff share this published key (linli demo, linli otp); never in production
DEMO_TOTP_KEY = b"linli-demo-totp-2026"  # 20 bytes


def needs_second_factor(user) -> bool:
    return user.requires_two_factor or user_has_device(user)


def confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user):
    """The device being enrolled: made once, shown until confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def secret_b32(device) -> str:
    """The key as authenticator apps take it by hand, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device) -> str:
    """The otpauth:// URL as a QR code, drawn here as SVG (no outside service sees the key)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def current_code(device) -> str:
    """The code an authenticator app shows now, or for the next step if this one was used
    (django-otp accepts each step once; its tolerance accepts the next)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def refusal(device) -> str | None:
    """Why this device takes no code right now (throttled after wrong ones), in words."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = (data or {}).get("locked_until")
    wait = math.ceil((until - timezone.now()).total_seconds()) if until else 1
    return _("Too many wrong codes: try again in %(seconds)s seconds.") % {"seconds": max(wait, 1)}


def match(user, token: str):
    """(device, refusal): the confirmed device that accepts `token` — six digits for the app, a
    backup code otherwise — or None and why not."""
    token = (token or "").strip().replace(" ", "")
    if token.isdigit() and len(token) == 6:
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        reason = refusal(device)
        if reason:
            return None, reason
        if device.verify_token(token):
            return device, None
    return None, _(
        "The code is not correct. Enter the 6 digits your authenticator app shows now, or one of your backup codes."
    )


def new_backup_codes(user) -> list[str]:
    """Ten fresh single-use codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes
