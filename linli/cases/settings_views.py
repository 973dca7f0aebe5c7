"""Shared settings of the request workflow, kept by sub-district staff: the category tree with
its time limits, and the holiday calendar (holidays on weekdays, make-up working days)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from linli.core import actions
from linli.core.views import detached, get_by_id_or_404, require_perm

from .models import Category, WorkdayOverride


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
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
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
