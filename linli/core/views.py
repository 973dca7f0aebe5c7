"""Shared view plumbing: every ledger view fetches through restrict() — permission missing → 403,
row outside scope → 404 — and writes through the audited actions."""

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from . import actions, audit, notify
from .ids import parse_id
from .models import AuditLog, Notification
from .public_text import PersonalDataError
from .scope import has_perm


def detached(obj):
    """A copy for a ModelForm to validate on: the form writes its values into its instance, and
    the action must diff the untouched row against them."""
    instance = copy.copy(obj)
    instance._state = copy.copy(obj._state)
    return instance


def get_by_id_or_404(queryset, value):
    """The row of `queryset` whose id is `value` as a form or query string gives it; 404 when there
    is none, a value that is no id at all (text, 0, beyond 2⁶³) included (core.ids)."""
    pk = parse_id(value)
    if pk is None:
        raise Http404(_("No such record."))
    return get_object_or_404(queryset, pk=pk)


def require_perm(user, perm):
    if not has_perm(user, perm):
        raise PermissionDenied


class ScopedMixin(LoginRequiredMixin):
    """Restrict the queryset to the user's scope for `action` on the model's domain."""

    model: Any = None  # a model with scope_domain and ScopedQuerySet objects
    action = "view"

    def perm(self):
        return f"{self.model.scope_domain}.{self.action}"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_perm(request.user, self.perm())
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.action)


class ScopedDetailView(ScopedMixin, DetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_change"] = self.object.allows(user, "change")
        ctx["can_delete"] = self.object.allows(user, "delete")
        if has_perm(user, "audit.view"):
            ctx["history"] = audit.history(self.object)[:20]
        return ctx


def apply_form_errors(form, exc: ValidationError):
    """Model validation errors go back onto the form's fields, never a 500. Text refused for a
    public page comes back marked (form.marked: label, highlighted text) for the form to show."""

    if isinstance(exc, PersonalDataError):
        form.marked = [(form[f].label if f in form.fields else f, html) for f, html in exc.marked.items()]
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc)


def form_with_errors(form, exc: ValidationError):
    """`exc` shown on an unbound form — a refused action's, with the posted values as its
    initial data — without validating the input a second time."""
    form.cleaned_data = {}
    apply_form_errors(form, exc)
    return form


class ScopedEditView(ScopedMixin, FormView):
    """Edit one row in scope through actions.update_object (audited, atomic)."""

    action = "change"
    template_name = "core/form.html"
    form_class = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_perm(request.user, self.perm())
            self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": detached(self.object), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "object": self.object,
            "title": _("Edit %(name)s") % {"name": self.object},
        }

    def form_valid(self, form):
        try:
            obj = actions.update_object(
                self.object, actor=self.request.user, m2m=form.m2m_values(), **form.changed_values()
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(obj.get_absolute_url())


class ScopedCreateView(LoginRequiredMixin, FormView):
    """Create a row under a parent in scope (parent restricted with the model's change scope)."""

    template_name = "core/form.html"
    model: Any = None
    parent_model: Any = None
    parent_field: str | None = None
    form_class = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_perm(request.user, f"{self.model.scope_domain}.change")
            parents = self.parent_model.objects.restrict(request.user, "change", domain=self.model.scope_domain)
            self.parent = get_object_or_404(parents, pk=kwargs["parent"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "instance": self.model(**{self.parent_field: self.parent}),
            "user": self.request.user,
        }

    def get_context_data(self, **kwargs):
        title = _("New %(model)s in %(parent)s") % {"model": self.model._meta.verbose_name, "parent": self.parent}
        return super().get_context_data(**kwargs) | {"title": title, "object": self.parent}

    def form_valid(self, form):
        data = form.changed_values(all_fields=True) | {self.parent_field: self.parent}
        try:
            obj = actions.create_object(self.model, actor=self.request.user, m2m=form.m2m_values(), **data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Created."))
        return redirect(obj.get_absolute_url())


class ScopedDeleteView(ScopedMixin, View):
    """GET asks for confirmation; POST deletes through actions.delete_object."""

    action = "delete"

    def get_object(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def success_url(self, obj):
        return reverse("home:home")

    def get(self, request, pk):
        obj = self.get_object(pk)
        return render(request, "core/confirm_delete.html", {"object": obj})

    def post(self, request, pk):
        obj = self.get_object(pk)
        url = self.success_url(obj)
        try:
            actions.delete_object(obj, actor=request.user)
        except ProtectedError:  # something still points at this row
            messages.error(
                request, _("%(name)s cannot be deleted while other records still belong to it.") % {"name": obj}
            )
            return redirect(obj.get_absolute_url())
        messages.success(request, _("%(name)s was deleted.") % {"name": obj})
        return redirect(url)


class AuditListView(ScopedMixin, ListView):
    """Audit records in the user's scope, searchable by object, actor and action."""

    model = AuditLog
    paginate_by = 50
    template_name = "core/audit_list.html"

    def get_queryset(self):
        qs = super().get_queryset().select_related("actor", "content_type")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(
                Q(object_repr__icontains=q) | Q(actor__username__icontains=q) | Q(actor__display_name__icontains=q)
            )
        action = self.request.GET.get("action")
        if action in AuditLog.Action.values:
            qs = qs.filter(action=action)
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"actions": AuditLog.Action.choices}


class NotificationListView(LoginRequiredMixin, View):
    """站内通知: one's own notifications; opening the list marks them read."""

    def get(self, request):

        page = paginate(request, Notification.objects.filter(user=request.user))
        unread = notify.mark_read(request.user, page)
        return render(request, "core/notifications.html", {"page_obj": page, "unread": unread})


def paginate(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
