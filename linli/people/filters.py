"""Filters for the ledger lists. The same FilterSet drives the list page and its xlsx export."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core import crypto
from linli.core.validators import normalise_id, normalise_phone

from .models import Gender, Person, Relation, Tag, Tenure


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    community = django_filters.NumberFilter(field_name="community_id", widget=django_filters.widgets.forms.HiddenInput)
    grid = django_filters.NumberFilter(field_name="grid_id", widget=django_filters.widgets.forms.HiddenInput)
    compound = django_filters.NumberFilter(field_name="compound_id", widget=django_filters.widgets.forms.HiddenInput)
    building = django_filters.NumberFilter(field_name="building_id", widget=django_filters.widgets.forms.HiddenInput)
    tag = django_filters.ModelChoiceFilter(label=_("Tag"), field_name="tags", queryset=Tag.objects.all())
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    relation = django_filters.ChoiceFilter(label=_("Relation to head"), choices=Relation.choices)
    tenure = django_filters.ChoiceFilter(label=_("Owner or tenant"), field_name="household__tenure", choices=Tenure.choices)

    class Meta:
        model = Person
        fields = []

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        from .models import visible_tags

        # filtering by a tag one may not see would reveal it
        self.filters["tag"].queryset = visible_tags(user)

    @property
    def qs(self):
        # An invalid filter (a tag one may not see, a bad id) answers nothing, not everything.
        return super().qs if not self.is_bound or self.is_valid() else self.queryset.none()

    def search(self, queryset, name, value):
        """Name contains, or an exact ID number / phone (matched through their keyed hashes)."""
        value = value.strip()
        if not value:
            return queryset
        q = Q(name__icontains=value)
        if len(value) >= 15:
            q |= Q(id_number_hash=crypto.keyed_hash(normalise_id(value)))
        if normalise_phone(value).isdigit():
            q |= Q(phone_hash=crypto.keyed_hash(normalise_phone(value)))
        return queryset.filter(q)
