"""Filters for the ledger lists. The same FilterSet drives the list page and its xlsx export."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.ids import IdFilter

from . import privacy
from . import search as exact
from .models import Gender, Person, Relation, Tag, Tenure, visible_tags


class PersonFilterForm(forms.Form):
    user = None  # set by PersonFilter.form

    def clean_q(self):
        value = self.cleaned_data.get("q") or ""
        if exact.identifier(value):
            exact.allow(self.user)  # refused: the field's error, and the list answers nothing
        return value


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    community = IdFilter(
        label=_("Community"), field_name="community_id", widget=django_filters.widgets.forms.HiddenInput
    )
    grid = IdFilter(label=_("Grid"), field_name="grid_id", widget=django_filters.widgets.forms.HiddenInput)
    compound = IdFilter(label=_("Compound"), field_name="compound_id", widget=django_filters.widgets.forms.HiddenInput)
    building = IdFilter(label=_("Building"), field_name="building_id", widget=django_filters.widgets.forms.HiddenInput)
    tag = django_filters.ModelChoiceFilter(label=_("Tag"), queryset=Tag.objects.all(), method="with_tag")
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    relation = django_filters.ChoiceFilter(label=_("Relation to head"), choices=Relation.choices)
    tenure = django_filters.ChoiceFilter(
        label=_("Owner or tenant"), field_name="household__tenure", choices=Tenure.choices
    )

    class Meta:
        model = Person
        fields = []
        form = PersonFilterForm

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)

        self.user = user
        # filtering by a tag one may not see would reveal it
        self.filters["tag"].queryset = visible_tags(user)

    @property
    def form(self):
        form = super().form
        form.user = self.user
        return form

    @property
    def qs(self):
        # An invalid filter (a tag one may not see, a bad id, a refused search) answers nothing, not everything.
        return super().qs if not self.is_bound or self.is_valid() else self.queryset.none()

    def search(self, queryset, name, value):
        """Name contains; or, for a whole ID number or phone, the exact match (people/search.py)."""
        found = exact.identifier(value)
        if found:
            return exact.find(queryset, self.user, *found)
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset

    def with_tag(self, queryset, name, tag):
        return privacy.with_tag(queryset, self.user, tag)
