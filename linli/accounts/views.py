from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView

from linli.core.forms import style
from linli.core.lifecycle import Conflict, VersionForm
from linli.core.masking import mask_name
from linli.core.scope import has_perm
from linli.core.views import ScopedDeleteView, ScopedMixin, apply_form_errors, require_perm
from linli.people.models import Person

from . import actions, two_factor
from .actions import grant_role
from .forms import AcceptInvitationForm, ChangePasswordForm, GrantRoleForm, NewPasswordForm, RegistrationForm
from .lockout import client_ip, lock_minutes, remaining_attempts
from .models import OneTimeLink, Registration, RoleAssignment, SignInSession
from .workflow import REGISTRATION


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style(form)
        return form

    def get_success_url(self):
        url = super().get_success_url()
        user = self.request.user
        if not two_factor.needs_second_factor(user):
            return url
        name = "accounts:two_factor_verify" if two_factor.confirmed_totp(user) else "accounts:two_factor_setup"
        return f"{reverse(name)}?{urlencode({'next': url})}"

    def form_invalid(self, form):
        # axes counted this failure on the request: say how many tries are left before the lock;
        # a resident whose registration is not confirmed yet is told where it stands instead
        status = actions.registration_status(form.data.get("username", ""), form.data.get("password", ""))
        return self.render_to_response(
            self.get_context_data(
                form=form,
                remaining=remaining_attempts(self.request),
                lock_minutes=lock_minutes(),
                registration_status=status,
            )
        )


class RoleListView(ScopedMixin, ListView):
    model = RoleAssignment
    paginate_by = 50
    template_name = "accounts/role_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "user",
                "subdistrict",
                "community",
                "grid__community",
                "building__compound",
                "unit__building__compound",
                "household__house__unit__building__compound",
                "organisation",
            )
            .order_by("role", "user__username")
        )

    def get_context_data(self, **kwargs):

        return super().get_context_data(**kwargs) | {"can_change": has_perm(self.request.user, "accounts.change")}


class GrantRoleView(ScopedMixin, FormView):
    model = RoleAssignment
    action = "change"
    form_class = GrantRoleForm
    template_name = "core/form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_initial(self):
        return {k: v for k, v in self.request.GET.items() if k in ("household", "role")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": _("Grant a role")}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            grant_role(
                actor=self.request.user,
                username=d["username"],
                role=d["role"],
                place=d["place"],
                display_name=d["display_name"],
                password=d["password"],
                existing=d["existing"],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Role granted."))
        return redirect("accounts:roles")


class RevokeRoleView(ScopedDeleteView):
    model = RoleAssignment
    action = "change"  # revoking is part of managing roles, not a separate permission

    def success_url(self, obj):
        return reverse("accounts:roles")


# ---- one's own password and sessions ------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(LoginRequiredMixin, FormView):
    form_class = ChangePasswordForm
    template_name = "core/form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": _("Change password")}

    def form_valid(self, form):
        actions.change_password(self.request, form)
        messages.success(self.request, _("Password changed. You stay signed in here; other devices are signed out."))
        return redirect("accounts:sessions")


class SessionListView(LoginRequiredMixin, View):
    """Where one is signed in (登录设备), and signing out everywhere else."""

    def get(self, request):
        rows = SignInSession.objects.filter(user=request.user)
        return render(request, "accounts/sessions.html", {"rows": rows, "current": request.session.session_key})

    def post(self, request):
        ended, revoked = actions.sign_out_everywhere(
            request.user, actor=request.user, keep_session_key=request.session.session_key
        )
        messages.success(
            request,
            _("Signed out on %(n)d other devices; %(tokens)d API tokens revoked.") % {"n": ended, "tokens": revoked},
        )
        return redirect("accounts:sessions")


# ---- one-time links ----------------------------------------------------------------------
def _link_page(request, *, link, secret, title, who):
    url = request.build_absolute_uri(reverse("accounts:use_link", args=[secret]))
    page = render(
        request,
        "accounts/one_time_link.html",
        {
            "link": link,
            "url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
            "title": title,
            "who": who,
        },
    )
    page["Cache-Control"] = "no-store, private"  # the secret is shown on this answer only
    return page


class PasswordResetLinkView(ScopedMixin, View):
    """An administrator's reset of another user's password: a one-time link to hand over."""

    model = RoleAssignment
    action = "change"

    def post(self, request, pk):
        user = get_object_or_404(actions.resettable_users(request.user), pk=pk)
        link, secret = actions.issue_password_reset_link(actor=request.user, user=user)
        return _link_page(request, link=link, secret=secret, title=_("Password reset link"), who=user)


class InvitationView(LoginRequiredMixin, View):
    """Staff invite a registered household member to an account (people.change over the person)."""

    def post(self, request, pk):
        require_perm(request.user, "people.change")
        person = get_object_or_404(Person.objects.restrict(request.user, "change"), pk=pk)
        if OneTimeLink.objects.filter(person=person, kind=OneTimeLink.Kind.INVITATION, used_at__isnull=False).exists():
            messages.error(request, _("This person already has an account."))
            return redirect(person.get_absolute_url())
        link, secret = actions.issue_invitation(actor=request.user, person=person)
        return _link_page(request, link=link, secret=secret, title=_("Invitation link"), who=person.name)


@method_decorator(never_cache, name="dispatch")
class UseLinkView(View):
    """/accounts/link/<secret>/: a reset link sets a new password; an invitation makes an account.
    Anyone holding the link may use it once, before it expires; a used, withdrawn, expired or
    unknown link says so and nothing else (no name is shown for an unknown one)."""

    def dispatch(self, request, *args, **kwargs):
        self.link = OneTimeLink.find(kwargs["secret"])
        if self.link is None:
            return self.refused(request, _("This link is not valid. Check it or ask for a new one."))
        reason = self.link.refusal()
        if reason:
            return self.refused(request, reason)
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def refused(request, reason):
        return render(request, "accounts/link_refused.html", {"reason": reason}, status=410)

    def form(self, data=None):
        if self.link.kind == OneTimeLink.Kind.PASSWORD_RESET:
            return NewPasswordForm(self.link.user, data)
        return AcceptInvitationForm(data)

    def page(self, request, form):
        invitation = self.link.kind == OneTimeLink.Kind.INVITATION
        title = _("Create your account") if invitation else _("Set a new password")
        # whoever holds the link reads the page: the invited person's family name only (张*), so a
        # link passed on or photographed does not name a resident
        who = mask_name(self.link.person.name) if invitation and self.link.person_id else ""
        context = {"form": form, "title": title, "link": self.link, "invitation": invitation, "who": who}
        return render(request, "accounts/use_link.html", context)

    def get(self, request, secret):
        return self.page(request, self.form())

    def post(self, request, secret):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(request, form)
        try:
            if self.link.kind == OneTimeLink.Kind.PASSWORD_RESET:
                actions.use_password_reset_link(self.link, form=form)
                messages.success(request, _("Your password is set. Sign in with it."))
            else:
                d = form.cleaned_data
                actions.accept_invitation(self.link, username=d["username"], password=d["password1"])
                messages.success(request, _("Your account is ready. Sign in with your username and password."))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_form_errors(form, exc)
                return self.page(request, form)
            return self.refused(request, exc.messages[0])
        return redirect("accounts:login")


# ---- a resident's own registration, confirmed by the grid worker -------------------------
class RegisterView(View):
    """/accounts/register/: anyone may ask; the same answer whether the phone is in the ledger."""

    def page(self, request, form, status=200, refused=""):
        return render(request, "accounts/register.html", {"form": form, "refused": refused}, status=status)

    def get(self, request):
        return self.page(request, RegistrationForm())

    def post(self, request):
        if not actions.registration_allowed(client_ip(request)):
            refused = _("Too many registrations from this network. Try again in an hour.")
            return self.page(request, RegistrationForm(), status=429, refused=refused)
        form = RegistrationForm(request.POST)
        if not form.is_valid():
            return self.page(request, form)
        d = form.cleaned_data
        actions.register_resident(
            username=d["username"], password=d["password1"], name=d["name"], phone=d["phone"], house=d["house"]
        )
        messages.success(
            request,
            _(
                "Registration received. The grid worker checks it against the household register; once it is "
                "confirmed you can sign in with the username and password you chose."
            ),
        )
        return redirect("accounts:login")


class RegistrationListView(ScopedMixin, ListView):
    model = Registration
    action = "change"
    paginate_by = 50
    template_name = "accounts/registration_list.html"

    def get_queryset(self):
        rows = super().get_queryset().select_related("house__unit__building__compound", "grid")
        state = self.request.GET.get("state", Registration.State.PENDING)
        return rows.filter(state=state) if state in Registration.State.values else rows


class RegistrationDetailView(ScopedMixin, View):
    """The registration beside the ledger's members of that house (a phone that matches is
    marked; phones stay masked); the moves the viewer may take, each with its form."""

    model = Registration
    action = "change"

    def get(self, request, pk, failed=None, status=200):
        reg = get_object_or_404(self.get_queryset().select_related("house", "user"), pk=pk)
        members = Person.objects.filter(household__house_id=reg.house_id).order_by("id")
        forms = []
        for move in REGISTRATION.available(reg, request.user):
            form = failed if failed is not None and failed.move == move.name else move.form(obj=reg, actor=request.user)
            form.move = move
            style(form)
            forms.append(form)
        context = {"reg": reg, "members": members, "forms": forms}
        return render(request, "accounts/registration_detail.html", context, status=status)


class RegistrationMoveView(RegistrationDetailView):
    def post(self, request, pk, move):
        reg = get_object_or_404(self.get_queryset(), pk=pk)
        if move not in REGISTRATION.moves:
            raise Http404
        seen = VersionForm(request.POST)
        version = seen.cleaned_data["version"] if seen.is_valid() else reg.version
        try:
            REGISTRATION.perform(reg.pk, move, actor=request.user, data=request.POST, version=version)
        except Conflict as exc:
            messages.warning(request, str(exc))
            return redirect(reg)
        except Registration.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            form = REGISTRATION[move].form(request.POST, obj=reg, actor=request.user)
            apply_form_errors(form, exc)
            form.move = move
            return self.get(request, pk, failed=form, status=400)
        messages.success(request, _("Done: %(action)s.") % {"action": REGISTRATION[move].label})
        return redirect("accounts:registrations")
