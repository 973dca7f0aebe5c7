"""Until the second factor is verified, a session that needs one reaches only enrolment,
verification and logout (after django_otp's OTPMiddleware, which sets user.is_verified())."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import two_factor
from .actions import note_activity

OPEN = ("accounts:two_factor_setup", "accounts:two_factor_verify", "accounts:logout")
HAS_DEVICE = "linli_has_otp_device"  # session cache: whether a user who need not has enrolled


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and self.needs(request, user) and not self.open(request):
            return self.stop(request, user)
        return self.get_response(request)

    @staticmethod
    def needs(request, user):
        if user.requires_two_factor:  # roles are read per request: a role granted now counts now
            return True
        if HAS_DEVICE not in request.session:
            request.session[HAS_DEVICE] = two_factor.needs_second_factor(user)
        return request.session[HAS_DEVICE]

    @staticmethod
    def open(request):
        return request.path_info in {reverse(name) for name in OPEN}

    @staticmethod
    def stop(request, user):
        if request.path_info.startswith("/api/"):
            message = _("Complete the two-factor sign-in on the web page first.")
            return JsonResponse(
                {"errors": [{"field": None, "message": message, "code": "two_factor_required"}]}, status=403
            )
        name = "accounts:two_factor_verify" if two_factor.confirmed_totp(user) else "accounts:two_factor_setup"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(f"{reverse(name)}?{query}" if query else reverse(name))


class LastSeenMiddleware:
    """The session list's "last seen": a signed-in request notes its time, written at most once
    per LINLI_SESSION_SEEN_MINUTES (accounts.actions.note_activity)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            note_activity(request)
        return self.get_response(request)
