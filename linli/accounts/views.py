from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from linli.core.forms import style
from linli.core.scope import has_perm
from linli.core.views import ScopedDeleteView, ScopedMixin, apply_form_errors

from . import two_factor
from .actions import grant_role
from .forms import GrantRoleForm
from .lockout import lock_minutes, remaining_attempts
from .models import RoleAssignment


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
        # axes counted this failure on the request: say how many tries are left before the lock
        return self.render_to_response(
            self.get_context_data(form=form, remaining=remaining_attempts(self.request), lock_minutes=lock_minutes())
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
