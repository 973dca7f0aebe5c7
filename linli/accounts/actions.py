import datetime as dt
from importlib import import_module

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.core import audit, crypto, notify
from linli.core.actions import create_object, update_object
from linli.core.models import AuditLog
from linli.core.validators import normalise_phone

from . import two_factor
from .lockout import client_ip
from .models import ApiToken, OneTimeLink, Open311Key, Registration, RoleAssignment, SignInSession, User
from .roles import Role


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
    old_key = request.session.session_key
    request.session.cycle_key()  # a new session id for the session that now holds more power
    SignInSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)


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


# ---- sessions: where one is signed in, and signing out everywhere ---------------------------
def track_session(request, user):
    """On sign-in (signals.py): note the session with its address and browser."""
    if request is None or not hasattr(request, "session"):
        return
    if not request.session.session_key:
        request.session.save()
    SignInSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip": client_ip(request) or None,
            "device": request.META.get("HTTP_USER_AGENT", "")[:200],
            "last_seen_at": timezone.now(),
        },
    )
    request.session[SEEN] = int(timezone.now().timestamp())


SEEN = "linli_seen_at"  # in the session: when its SignInSession.last_seen_at was last written (epoch s)


def note_activity(request, now=None):
    """A signed-in request: move the session's last_seen_at to now, but at most once per
    LINLI_SESSION_SEEN_MINUTES — the session itself remembers when it last did, so the requests in
    between cost no query at all; the write is one UPDATE of one column."""
    now = now or timezone.now()
    seen = request.session.get(SEEN)
    if seen is not None and now.timestamp() - seen < settings.LINLI_SESSION_SEEN_MINUTES * 60:
        return False
    key = request.session.session_key
    if key:
        SignInSession.objects.filter(session_key=key).update(last_seen_at=now)
    request.session[SEEN] = int(now.timestamp())
    return True


def forget_session(request):
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        SignInSession.objects.filter(session_key=request.session.session_key).delete()


def _end_sessions(rows):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.delete()
    return len(keys)


def _revoke_api_tokens(user):
    """Every live API token of `user` revoked (kept, marked: a client is told it was revoked)."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


@transaction.atomic
def sign_out_everywhere(user, *, actor, keep_session_key=None):
    """End every browser session of `user` except `keep_session_key` (the one asking, if any) and
    revoke every API token of theirs (a phone app signed in is a session too). Returns (sessions
    ended, tokens revoked)."""
    ended = _end_sessions(SignInSession.objects.filter(user=user).exclude(session_key=keep_session_key or ""))
    revoked = _revoke_api_tokens(user)
    audit.record(
        actor, AuditLog.Action.UPDATE, user, {"sessions_ended": [None, ended], "api_tokens_revoked": [None, revoked]}
    )
    return ended, revoked


@transaction.atomic
def change_password(request, form):
    """A SetPasswordForm/PasswordChangeForm that is valid: the new password, this session kept,
    every other session ended (Django's session hash would refuse them anyway; this deletes them)."""
    user = form.save()
    update_session_auth_hash(request, user)
    track_session(request, user)
    _end_sessions(SignInSession.objects.filter(user=user).exclude(session_key=request.session.session_key))
    audit.record(user, AuditLog.Action.UPDATE, user, {"password": ["***", "***"]}, note=_("password changed"))
    return user


# ---- one-time links: a password reset by an administrator, an invitation of a resident ------
def resettable_users(actor):
    """Users whose every role lies in `actor`'s accounts.change scope (so a community worker
    cannot take over a sub-district worker who also holds a role in the community);
    administrators' logins only for those who manage everything."""
    in_scope = RoleAssignment.objects.restrict(actor, "change")
    users = User.objects.filter(role_assignments__in=in_scope).exclude(
        role_assignments__in=RoleAssignment.objects.exclude(pk__in=in_scope)
    )
    if not actor.scope_for("accounts.change").everything:
        users = users.exclude(is_superuser=True).exclude(is_staff=True)
    return users.exclude(pk=actor.pk).distinct()


def _issue_link(*, actor, kind, hours, **target):
    secret, fields = _secret_fields(OneTimeLink)
    # a new link replaces the earlier ones of the same kind for the same person: one valid at a time
    earlier = OneTimeLink.objects.filter(kind=kind, used_at=None, revoked_at=None, **target)
    earlier.update(revoked_at=timezone.now())
    link = create_object(
        OneTimeLink,
        actor=actor,
        kind=kind,
        name=OneTimeLink.Kind(kind).label,
        created_by=actor,
        expires_at=timezone.now() + dt.timedelta(hours=hours),
        **target,
        **fields,
    )
    return link, secret


@transaction.atomic
def issue_password_reset_link(*, actor, user):
    return _issue_link(
        actor=actor, kind=OneTimeLink.Kind.PASSWORD_RESET, hours=settings.LINLI_RESET_LINK_HOURS, user=user
    )


@transaction.atomic
def issue_invitation(*, actor, person):
    return _issue_link(
        actor=actor, kind=OneTimeLink.Kind.INVITATION, hours=settings.LINLI_INVITATION_HOURS, person=person
    )


def _claim(link):
    """The link locked for this use, or ValidationError with the reason (used, withdrawn, expired)."""
    link = OneTimeLink.objects.select_for_update().get(pk=link.pk)
    reason = link.refusal()
    if reason:
        raise ValidationError(reason)
    return link


@transaction.atomic
def use_password_reset_link(link, *, form):
    """`form`: a valid SetPasswordForm for link.user. Sets the password, ends every session."""
    link = _claim(link)
    user = form.save()
    _end_sessions(SignInSession.objects.filter(user=user))
    revoked = _revoke_api_tokens(user)
    update_object(link, actor=user, used_at=timezone.now())
    audit.record(
        user,
        AuditLog.Action.UPDATE,
        user,
        {"password": ["***", "***"], "api_tokens_revoked": [None, revoked]},
        note=_("password reset by link"),
    )
    return user


@transaction.atomic
def accept_invitation(link, *, username, password):
    """A new login for the invited person, with the resident role on their own household."""
    link = _claim(link)
    person = link.person
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is taken. Choose another.")})
    user = User.objects.create_user(username, password=password, display_name=person.name)
    create_object(RoleAssignment, actor=link.created_by, user=user, role=Role.RESIDENT, household=person.household)
    update_object(link, actor=user, used_at=timezone.now(), user=user)
    return user


# ---- a resident's own registration ---------------------------------------------------------
def registration_allowed(ip: str) -> bool:
    """At most LINLI_REGISTRATIONS_PER_HOUR registrations from one address an hour (counted here,
    before the form is even checked, so that trying phones or houses costs attempts too)."""
    key = f"linli:registrations:{ip or '-'}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= settings.LINLI_REGISTRATIONS_PER_HOUR


@transaction.atomic
def register_resident(*, username, password, name, phone, house):
    """A pending registration, no login yet (it is made on confirmation, workflow.py); the grid's
    workers are told. Neither whether the username is taken nor whether the phone is in the ledger
    is looked at here, and the answer is the same either way."""
    phone = normalise_phone(phone)
    reg = create_object(
        Registration,
        actor=None,
        username=username,
        password=make_password(password),
        name=name,
        phone=phone,
        phone_hash=crypto.keyed_hash(phone),
        house=house,
        subdistrict_id=house.subdistrict_id,
        community_id=house.community_id,
        grid_id=house.grid_id,
    )
    workers = User.objects.filter(
        is_active=True,
        role_assignments__role__in=(Role.GRID_WORKER, Role.GRID_CHIEF),
        role_assignments__grid_id=house.grid_id,
    ).distinct()
    notify.send(
        workers,
        _("New registration to confirm: %(house)s") % {"house": house},
        reg.get_absolute_url(),
        key=f"accounts.registration:{reg.pk}:new",
    )
    return reg


def registration_status(username, password):
    """At sign-in, for a username and password that open no login: the state of the registration
    they were chosen for, if any (only its author knows the password), so the resident hears that
    it waits or why it was not confirmed. None otherwise."""
    rows = Registration.objects.filter(username__iexact=username, user=None).order_by("-created_at", "-id")
    for reg in rows[:5]:
        if check_password(password, reg.password):
            if reg.state == Registration.State.PENDING:
                return _("Your registration is waiting for the grid worker to check it against the household register.")
            return _("Your registration was not confirmed: %(reason)s") % {"reason": reg.reason}
    return None
