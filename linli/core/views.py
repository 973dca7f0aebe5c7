"""Shared view plumbing: every ledger view fetches through restrict() — permission missing → 403,
row outside scope → 404 — and writes through the audited actions."""

import copy
import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError, Q
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from . import actions, audit, audit_display, elder, exports, notify
from .forms import NotificationPreferenceForm, style
from .ids import parse_id
from .keyset import BadCursor, Keyset
from .lifecycle import Conflict, VersionForm
from .models import AuditLog, Notification, NotificationPreference
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


class ExportMixin:
    """The export of a list, mixed in before the list view itself (`class CaseExportView(ExportMixin,
    CaseListView)`, one URL per format: `as_view(fmt="csv")`): the rows are the list's own
    `get_queryset()` — its scope, filter and order — written with the columns of `export`
    (core.exports). CSV streams as it reads; xlsx is written to a temporary file first, so it is
    refused above LINLI_EXPORT_XLSX_MAX_ROWS rows. A filter the list refuses, or too many rows for
    xlsx, send the user back to the list with the reason."""

    export: exports.Export
    fmt = "csv"
    list_url = ""  # the list's URL name

    def get(self, request, *args, **kwargs):
        require_perm(request.user, self.export.perm)
        queryset = self.get_queryset()
        filterset = getattr(self, "filterset", None)
        if filterset is not None and filterset.is_bound and not filterset.is_valid():
            return self.back(_("The filter is not valid; correct it on the list, then export."))
        filters = exports.described(request.GET)
        done = exports.Exported()
        values = exports.rows(self.export, queryset, request.user, done)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{self.export.name}-{stamp}.{self.fmt}"
        if self.fmt == "xlsx":
            limit = settings.LINLI_EXPORT_XLSX_MAX_ROWS
            if queryset.count() > limit:
                return self.back(
                    _("More than %(limit)s rows: export them as CSV, or narrow the filter for Excel.")
                    % {"limit": limit}
                )
            out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
            exports.write_xlsx(self.export, values, out)
            exports.record(request.user, self.export, self.model, self.fmt, done, filters)
            out.seek(0)
            response = FileResponse(out, as_attachment=True, filename=filename, content_type=exports.XLSX_TYPE)
        else:
            response = StreamingHttpResponse(
                self.audited(exports.csv_stream(self.export, values), done, filters), content_type=exports.CSV_TYPE
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        add_never_cache_headers(response)  # never kept by a browser or a proxy (as the ledger's export)
        return response

    def audited(self, stream, done, filters):
        """The stream, with its audit record written when it ends: the rows sent, and whether the
        client took them all (a download broken off still names who took how many)."""
        complete = False
        try:
            yield from stream
            complete = True
        finally:
            exports.record(self.request.user, self.export, self.model, self.fmt, done, filters, complete=complete)

    def back(self, message):
        messages.error(self.request, message)
        query = self.request.GET.urlencode()
        return redirect(reverse(self.list_url) + (f"?{query}" if query else ""))


def export_context(user, export: exports.Export, name: str) -> dict:
    """What a list page needs for its buttons (templates/includes/export_buttons.html)."""
    if not has_perm(user, export.perm):
        return {}
    return {"export_csv": reverse(f"{name}_csv"), "export_xlsx": reverse(f"{name}_xlsx")}


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
        return (
            super().get_context_data(**kwargs)
            | {"actions": AuditLog.Action.choices}
            | export_context(self.request.user, audit_display.EXPORT, "core:audit")
        )


class AuditExportView(ExportMixin, AuditListView):
    export = audit_display.EXPORT
    list_url = "core:audit"


class NotificationListView(LoginRequiredMixin, View):
    """站内通知: one's own notifications; opening the list marks them read."""

    def get(self, request, form=None, status=200):
        page = paginate(request, Notification.objects.filter(user=request.user))
        unread = notify.mark_read(request.user, page)
        form = form or preference_form(request.user)
        return render(
            request, "core/notifications.html", {"page_obj": page, "unread": unread, "form": form}, status=status
        )


def preference_form(user, data=None):
    pref = NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
    initial = {"email": pref.email, "sms": pref.sms, "digest": pref.digest}
    return NotificationPreferenceForm(data, initial=initial, saved_phone=pref.phone)


class NotificationPreferenceView(NotificationListView):
    """One's own channels (e-mail, SMS, the daily digest), posted from the notifications page."""

    def post(self, request):
        form = preference_form(request.user, request.POST)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        actions.set_notification_preference(request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("core:notifications")


def paginate(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def keyset_page(request, keyset, queryset, per_page=30):
    """A long list's page by its cursor (core.keyset): "newer" and "older" links, no page numbers
    and no count. A cursor altered or taken from another list shows the first page, with a message."""
    try:
        return keyset.page(queryset, request.GET.get("cursor"), per_page)
    except BadCursor:
        messages.warning(request, _("That page link is not valid (it may have been altered): the newest are shown."))
        return keyset.page(queryset, None, per_page)


class KeysetListMixin:
    """A ListView paged by cursor instead of page number (`keyset`: core.keyset.Keyset)."""

    keyset: Keyset

    def paginate_queryset(self, queryset, page_size):
        page = keyset_page(self.request, self.keyset, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()


class ElderModeView(View):
    """POST /elder-mode/ from the switch in every page's header (core.elder): `on` is "1" to turn
    长辈版 on, anything else to turn it off; then back to the page it came from (`next`, if it is
    a path of this site). Open to anonymous visitors (the board, the login page); CSRF-checked."""

    def post(self, request):
        target = request.POST.get("next", "")
        # a path of this site only ("abc" or "0" would be taken by redirect() for a view's name)
        if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("home:home")
        response = HttpResponseRedirect(target)
        return elder.remember(response, on=request.POST.get("on") == "1", secure=request.is_secure())


# --- an action's form, and the page of a row with a lifecycle (core.lifecycle) -------------------


class ActionFormView(ScopedMixin, FormView):
    """A form whose valid values go to one action; its ValidationErrors come back on the fields."""

    template_name = "core/form.html"
    title = ""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": self.title}

    def form_valid(self, form):
        try:
            obj = self.act(form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("Saved."))
        return redirect(obj.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MatterView(ScopedMixin, View):
    """The page of one row with states and the moves the viewer may take; POST performs one."""

    lifecycle: Any = None  # the Lifecycle of `model`
    template_name = ""
    select: tuple = ()

    def row(self, pk):
        return get_object_or_404(self.get_queryset().select_related(*self.select), pk=pk)

    def more_context(self, obj):
        return {}

    def get(self, request, pk, move=None, failed=None, status=200):
        obj = self.row(pk)
        move_forms = []
        for move in self.lifecycle.available(obj, request.user):
            if not move.offered:  # the page offers it elsewhere (its own rows' forms)
                continue
            form = failed if failed is not None and failed.move == move.name else None
            # several moves' forms on one page: each its own element ids (a label finds its field)
            form = form or move.form(obj=obj, actor=request.user, auto_id=f"{move.name}_%s")
            form.move = move
            style(form)
            move_forms.append(form)
        ctx = {"object": obj, "forms": move_forms, "history": recent_history(request.user, obj)} | self.more_context(
            obj
        )
        return render(request, self.template_name, ctx, status=status)

    def post(self, request, pk, move):
        obj = self.row(pk)
        if move not in self.lifecycle.moves:
            raise Http404
        seen = VersionForm(request.POST)
        try:
            if not seen.is_valid():
                raise ValidationError(_("The action could not be carried out; check the form."))
            self.lifecycle.perform(
                obj.pk,
                move,
                actor=request.user,
                data=request.POST,
                files=request.FILES,
                version=seen.cleaned_data["version"],
            )
        except Conflict as exc:
            messages.warning(request, str(exc))
            return redirect(obj)
        except self.lifecycle.model.DoesNotExist:
            raise Http404 from None
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, _("The action could not be carried out; check the form."))
            form = form_with_errors(
                self.lifecycle[move].form(
                    obj=obj, actor=request.user, initial=request.POST.dict(), auto_id=f"{move}_%s"
                ),
                exc,
            )
            form.move = move
            return self.get(request, pk, failed=form, status=400)
        messages.success(request, _("Done: %(action)s.") % {"action": self.lifecycle[move].label})
        return redirect(obj)


def _history(user, obj):
    return audit.history(obj)[:20] if has_perm(user, "audit.view") else []


def recent_history(user, obj):
    """The last audit records of `obj`, for those who read the audit log."""
    return audit.history(obj)[:20] if has_perm(user, "audit.view") else []
