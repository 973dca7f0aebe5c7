"""Shared settings of the request workflow, kept by sub-district staff: the category tree with
its time limits, the holiday calendar (holidays on weekdays, make-up working days), and the
routing table with the departments' own grids (scoped: each sub-district keeps its own)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from linli.core import actions
from linli.core.forms import DatePicker, ScopedModelForm
from linli.core.ids import ModelMultipleChoiceField
from linli.core.views import detached, get_by_id_or_404, require_perm
from linli.orgs.models import DepartmentGrid, Kind, Organisation, grids_outside
from linli.places.models import Community, Grid

from .models import Category, Route, WorkdayOverride

CONFIG = "config.change"


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["parent", "name", "handler_kind", "respond_hours", "resolve_workdays", "order", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Category.objects.filter(parent=None)


class OverrideForm(forms.ModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["date", "is_workday", "note"]
        widgets = {"date": DatePicker()}
        labels = {"is_workday": gettext_lazy("working day (make-up day)")}


def _save(request, form_class, model, pk):
    instance = get_by_id_or_404(model.objects.all(), pk) if pk else None
    form = form_class(request.POST, instance=detached(instance) if instance else None)
    if not form.is_valid():
        return form
    data = {k: form.cleaned_data[k] for k in form.Meta.fields}
    try:
        if instance:
            actions.update_object(instance, actor=request.user, **data)
        else:
            actions.create_object(model, actor=request.user, **data)
    except ValidationError as exc:
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
        return form
    messages.success(request, _("Saved."))
    return None


class CategorySettingsView(LoginRequiredMixin, View):
    def get(self, request, form=None):
        require_perm(request.user, "config.change")
        tree = Category.objects.select_related("parent").order_by("parent__order", "parent_id", "order", "name")
        return render(request, "cases/settings_categories.html", {"categories": tree, "form": form or CategoryForm()})

    def post(self, request):
        require_perm(request.user, "config.change")
        form = _save(request, CategoryForm, Category, request.POST.get("pk"))
        return self.get(request, form=form) if form else redirect("cases:settings_categories")


YEARS = (2000, 2100)  # the calendar years a page may show


class CalendarSettingsView(LoginRequiredMixin, View):
    def get(self, request, form=None):
        require_perm(request.user, "config.change")
        year, status = dt.date.today().year, 200
        if request.GET.get("year"):
            try:
                year = forms.IntegerField(min_value=YEARS[0], max_value=YEARS[1]).clean(request.GET["year"])
            except ValidationError:
                messages.error(
                    request, _("Choose a year from %(first)s to %(last)s.") % {"first": YEARS[0], "last": YEARS[1]}
                )
                status = 400
        days = WorkdayOverride.objects.filter(date__year=year)
        return render(
            request,
            "cases/settings_calendar.html",
            {"days": days, "year": year, "form": form or OverrideForm()},
            status=status,
        )

    def post(self, request):
        require_perm(request.user, "config.change")
        if request.POST.get("delete"):
            day = get_by_id_or_404(WorkdayOverride.objects.all(), request.POST["delete"])
            actions.delete_object(day, actor=request.user)
            messages.success(request, _("Deleted."))
            return redirect(f"{request.path}?year={day.date.year}")
        form = _save(request, OverrideForm, WorkdayOverride, None)
        return (
            self.get(request, form=form)
            if form
            else redirect(f"{request.path}?year={request.POST.get('date', '')[:4]}")
        )


# --- the routing table (派单路由) and the departments' grids (部门网格) ----------------------------


def in_config_scope(model, user):
    """The rows of `model` in the places where `user` keeps the shared settings."""
    return model.objects.restrict(user, "change", domain="config")


class RouteForm(ScopedModelForm):
    """A route: a category at a place (the sub-district when no place is chosen) to an organisation;
    every choice lies in the user's config scope. The sub-district is the organisation's."""

    class Meta:
        model = Route
        fields = ["category", "community", "grid", "department_grid", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        f = self.fields
        f["category"].queryset = Category.objects.filter(active=True).select_related("parent")
        f["organisation"].queryset = in_config_scope(Organisation, self.user).filter(
            kind__in=[Kind.PROPERTY, Kind.DEPARTMENT, Kind.UTILITY, Kind.PARTY]
        )
        f["community"].queryset = in_config_scope(Community, self.user)
        f["grid"].queryset = in_config_scope(Grid, self.user).select_related("community")
        f["department_grid"].queryset = in_config_scope(DepartmentGrid, self.user).select_related("organisation")

    def values(self):
        data = {n: self.cleaned_data[n] for n in self.Meta.fields}
        return data | {"subdistrict": data["organisation"].subdistrict}


class DepartmentGridForm(ScopedModelForm):
    class Meta:
        model = DepartmentGrid
        fields = ["organisation", "name", "grids"]
        field_classes = {"grids": ModelMultipleChoiceField}  # ids checked before the pk__in query

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = in_config_scope(Organisation, self.user).filter(
            kind__in=[Kind.DEPARTMENT, Kind.UTILITY]
        )
        self.fields["grids"].queryset = in_config_scope(Grid, self.user).select_related("community")
        self.fields["grids"].widget.attrs["size"] = 6

    def clean(self):
        data = super().clean()
        org, grids = data.get("organisation"), data.get("grids")
        if org and grids and grids_outside(org, grids):
            self.add_error("grids", _("Choose grids of the organisation's own sub-district."))
        return data


def _create(request, form, model, **extra):
    """Create the form's row through the audited action; the model's errors land on the form."""
    try:
        with transaction.atomic():
            actions.create_object(model, actor=request.user, **extra)
    except ValidationError as exc:
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
        return False
    messages.success(request, _("Saved."))
    return True


class RoutingSettingsView(LoginRequiredMixin, View):
    """The routing table and the departments' grids of the user's sub-districts."""

    def get(self, request, route_form=None, grid_form=None, status=200):
        require_perm(request.user, CONFIG)
        user = request.user
        ctx = {
            "routes": in_config_scope(Route, user).select_related(
                "category__parent",
                "organisation",
                "subdistrict",
                "community",
                "grid__community",
                "department_grid__organisation",
            ),
            "department_grids": in_config_scope(DepartmentGrid, user)
            .select_related("organisation")
            .prefetch_related("grids__community"),
            "route_form": route_form or RouteForm(user=user),
            "grid_form": grid_form or DepartmentGridForm(user=user),
        }
        return render(request, "cases/settings_routing.html", ctx, status=status)


class RouteCreateView(RoutingSettingsView):
    def post(self, request):
        require_perm(request.user, CONFIG)
        form = RouteForm(request.POST, user=request.user)
        if form.is_valid() and _create(request, form, Route, **form.values()):
            return redirect("cases:settings_routing")
        return self.get(request, route_form=form, status=400)


class DepartmentGridCreateView(RoutingSettingsView):
    def post(self, request):
        require_perm(request.user, CONFIG)
        form = DepartmentGridForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            org = data["organisation"]
            extra = {"organisation": org, "name": data["name"], "subdistrict": org.subdistrict}
            if _create(request, form, DepartmentGrid, m2m={"grids": data["grids"]}, **extra):
                return redirect("cases:settings_routing")
        return self.get(request, grid_form=form, status=400)


class RoutingDeleteView(LoginRequiredMixin, View):
    """Deletes one route or department grid of the user's config scope (404 outside it)."""

    model: type = Route

    def post(self, request, pk):
        require_perm(request.user, CONFIG)
        row = get_by_id_or_404(in_config_scope(self.model, request.user), pk)
        try:
            actions.delete_object(row, actor=request.user)
        except ProtectedError:
            messages.error(request, _("Routes still use this department grid: delete them first."))
        else:
            messages.success(request, _("Deleted."))
        return redirect("cases:settings_routing")
