"""Sign-in security pages: the second factor (enrol, verify, backup codes), one's API tokens,
and the administrators' Open311 keys. A secret is shown once, on the answer to the POST that
made it (never stored in a message or the session), with Cache-Control: no-store."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from linli.core.views import ScopedMixin

from . import actions, two_factor
from .forms import Open311KeyForm, OtpForm
from .models import ApiToken, Open311Key


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok and target else reverse("home:home")


def _no_store(response):
    response["Cache-Control"] = "no-store, private"
    return response


@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(LoginRequiredMixin, View):
    """Enrolment: a QR code and the key, confirmed with the first code. With a device already
    enrolled, only a verified session gets here (the password alone must not add a device)."""

    template = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor.confirmed_totp(request.user):
            return redirect("accounts:two_factor" if request.user.is_verified() else "accounts:two_factor_verify")
        return super().dispatch(request, *args, **kwargs)

    def page(self, request, form):
        device = two_factor.pending_totp(request.user)
        return render(
            request,
            self.template,
            {
                "form": form,
                "qr": two_factor.qr_data_uri(device),
                "secret": two_factor.secret_b32(device),
                "next": _next(request),
                "required": request.user.requires_two_factor,
            },
        )

    def get(self, request):
        return self.page(request, OtpForm())

    def post(self, request):
        form = OtpForm(request.POST)
        if form.is_valid():
            codes, error = actions.confirm_two_factor(
                request, two_factor.pending_totp(request.user), form.cleaned_data["otp_token"]
            )
            if codes:
                return _no_store(
                    render(request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": _next(request)})
                )
            form.add_error("otp_token", error)
        return self.page(request, form)


@method_decorator(never_cache, name="dispatch")
class TwoFactorVerifyView(LoginRequiredMixin, View):
    template = "accounts/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if request.user.is_verified():
                return redirect(_next(request))
            if not two_factor.confirmed_totp(request.user):
                return redirect("accounts:two_factor_setup")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template, {"form": OtpForm(), "next": _next(request)})

    def post(self, request):
        form = OtpForm(request.POST)
        if form.is_valid():
            error = actions.verify_second_factor(request, form.cleaned_data["otp_token"])
            if error is None:
                return redirect(_next(request))
            form.add_error("otp_token", error)
        return render(request, self.template, {"form": form, "next": _next(request)})


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(LoginRequiredMixin, View):
    """One's own second factor: whether it is on, how many backup codes are left, new codes."""

    def get(self, request):
        device = two_factor.confirmed_totp(request.user)
        left = sum(d.token_set.count() for d in request.user.staticdevice_set.all()) if device else 0
        return render(
            request,
            "accounts/two_factor.html",
            {"device": device, "backup_left": left, "required": request.user.requires_two_factor},
        )

    def post(self, request):
        if not (request.user.is_verified() and two_factor.confirmed_totp(request.user)):
            return redirect("accounts:two_factor")
        codes = actions.new_backup_codes(user=request.user)
        return _no_store(
            render(
                request,
                "accounts/two_factor_backup_codes.html",
                {"codes": codes, "next": reverse("accounts:two_factor")},
            )
        )


class TokenListView(LoginRequiredMixin, View):
    """One's own API tokens (the API: GET /api/v1/auth/tokens/)."""

    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user)
        return render(request, "accounts/tokens.html", {"tokens": tokens, "now": timezone.now()})


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # one's own: others' are a 404
        actions.revoke(token, actor=request.user)
        messages.success(request, _("Token revoked: %(token)s") % {"token": token})
        return redirect("accounts:tokens")


@method_decorator(never_cache, name="dispatch")
class Open311KeyListView(ScopedMixin, View):
    """Administrators issue and revoke Open311 keys (open311.manage)."""

    model = Open311Key
    action = "manage"

    def page(self, request, form, secret=None, created=None):
        keys = self.get_queryset().select_related("user", "created_by")
        return render(
            request, "accounts/open311_keys.html", {"keys": keys, "form": form, "secret": secret, "created": created}
        )

    def get(self, request):
        return self.page(request, Open311KeyForm())

    def post(self, request):
        form = Open311KeyForm(request.POST)
        if not form.is_valid():
            return self.page(request, form)
        key, secret = actions.issue_open311_key(
            actor=request.user, user=form.cleaned_data["username"], name=form.cleaned_data["name"]
        )
        return _no_store(self.page(request, Open311KeyForm(), secret=secret, created=key))


class Open311KeyRevokeView(ScopedMixin, View):
    model = Open311Key
    action = "manage"

    def post(self, request, pk):
        key = get_object_or_404(self.get_queryset(), pk=pk)
        actions.revoke(key, actor=request.user)
        messages.success(request, _("Key revoked: %(key)s") % {"key": key})
        return redirect("accounts:open311_keys")
