import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.core import audit
from linli.core.actions import create_object, update_object
from linli.core.models import AuditLog

from . import two_factor
from .lockout import client_ip
from .models import ApiToken, Open311Key, RoleAssignment, User


@transaction.atomic
def grant_role(*, actor, username, role, place, display_name="", password=None, existing=None):
    """Create the login if needed and grant `role` on `place` (a {level: object} dict)."""
    user = existing
    if user is None:
        user = User.objects.create_user(username, password=password, display_name=display_name)
    return create_object(RoleAssignment, actor=actor, user=user, role=role, **place)


# ---- sign-in events ------------------------------------------------------------------
def record_sign_in(action, *, user=None, request=None, note=""):
    """登录日志: a login, logout or failed login, with the client's address — never a password,
    and for a username that does not exist no user row and not the typed text (people type
    their password into the username field)."""
    address = client_ip(request) if request is not None else ""
    note = " · ".join(filter(None, [note, f"IP {address}" if address else ""]))
    if user is None:
        return audit.record(None, action, User, note=note, label=_("unknown username"))
    actor = None if action == AuditLog.Action.LOGIN_FAILED else user
    return audit.record(actor, action, user, note=note)


# ---- the second factor -----------------------------------------------------------------
def _verified(request, device):
    otp_login(request, device)
    request.session.cycle_key()  # a new session id for the session that now holds more power


@transaction.atomic
def confirm_two_factor(request, device, token):
    """Enrolment: the first code from the app confirms the device. Returns (backup codes, None)
    or (None, why not)."""
    user = request.user
    reason = two_factor.refusal(device)
    if reason:
        return None, reason
    if not device.verify_token((token or "").strip().replace(" ", "")):
        return None, _(
            "The code is not correct. Enter the 6 digits the app shows now (the phone's clock must be right)."
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = two_factor.new_backup_codes(user)
    audit.record(user, AuditLog.Action.UPDATE, user, {"two_factor": [False, True]})
    _verified(request, device)
    record_sign_in(
        AuditLog.Action.LOGIN,
        user=user,
        request=request,
        note=_("second factor: %(kind)s") % {"kind": _("authenticator app")},
    )
    return codes, None


def verify_second_factor(request, token):
    """The code at sign-in: verifies the session, or says why not. Both are in the audit log."""
    device, reason = two_factor.match(request.user, token)
    if device is None:
        record_sign_in(
            AuditLog.Action.LOGIN_FAILED,
            user=request.user,
            request=request,
            note=_("second factor: wrong or refused code"),
        )
        return reason
    _verified(request, device)
    kind = _("backup code") if isinstance(device, StaticDevice) else _("authenticator app")
    record_sign_in(
        AuditLog.Action.LOGIN, user=request.user, request=request, note=_("second factor: %(kind)s") % {"kind": kind}
    )
    return None


@transaction.atomic
def new_backup_codes(*, user):
    codes = two_factor.new_backup_codes(user)
    audit.record(user, AuditLog.Action.UPDATE, user, {"backup_codes": [None, len(codes)]})
    return codes


@transaction.atomic
def reset_two_factor(user, *, actor):
    """A lost phone: the user enrols again at the next sign-in (`linli otp USER --reset`)."""
    had = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(actor, AuditLog.Action.UPDATE, user, {"two_factor": [had, False]})


# ---- API tokens and Open311 keys ---------------------------------------------------------
def _secret_fields(model):
    secret = model.new_secret()
    return secret, {"key_hash": model.digest(secret), "hint": secret[: len(model.PREFIX) + 4]}


@transaction.atomic
def issue_api_token(user, *, name="", two_factor=False, request=None):
    """A token for the REST API, valid LINLI_API_TOKEN_DAYS; the secret is returned once."""
    secret, fields = _secret_fields(ApiToken)
    expires = timezone.now() + dt.timedelta(days=settings.LINLI_API_TOKEN_DAYS)
    token = create_object(
        ApiToken,
        actor=user,
        user=user,
        name=name or _("API client"),
        expires_at=expires,
        two_factor=two_factor,
        **fields,
    )
    record_sign_in(AuditLog.Action.LOGIN, user=user, request=request, note=_("API token %(token)s") % {"token": token})
    return token, secret


@transaction.atomic
def issue_open311_key(*, actor, user, name):
    secret, fields = _secret_fields(Open311Key)
    key = create_object(Open311Key, actor=actor, user=user, name=name, created_by=actor, **fields)
    return key, secret


def revoke(credential, *, actor):
    """Revoke an API token or an Open311 key (kept, marked, so a client is told it was revoked)."""
    if credential.revoked_at is None:
        update_object(credential, actor=actor, revoked_at=timezone.now())
    return credential
