"""Django's sign-in signals into the audit log (every login path: the form, the admin, tests'
force_login, the API token endpoint's authenticate())."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from linli.core.models import AuditLog

from .actions import forget_session, record_sign_in, track_session
from .models import User


@receiver(user_logged_in, dispatch_uid="linli_audit_login")
def _logged_in(sender, request, user, **kwargs):
    note = _("password; second factor pending") if user.requires_two_factor else _("password")
    record_sign_in(AuditLog.Action.LOGIN, user=user, request=request, note=note)
    track_session(request, user)


@receiver(user_logged_out, dispatch_uid="linli_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_sign_in(AuditLog.Action.LOGOUT, user=user, request=request)
    forget_session(request)


@receiver(user_login_failed, dispatch_uid="linli_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked; only the username is read, and only to
    # find an existing user (a failed login never creates one)
    username = credentials.get("username") or ""
    user = User.objects.filter(username=username).first() if username else None
    locked = getattr(request, "axes_locked_out", False)
    note = _("locked out") if locked else _("wrong password")
    record_sign_in(AuditLog.Action.LOGIN_FAILED, user=user, request=request, note=note)
