import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.ids import IdFilter

from .models import OPEN_STATES, Case, Category, Channel, State


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.select_related("parent"), method="in_category"
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    # a choice, not a BooleanFilter: the list page draws every visible filter as a <select> of its choices
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"), method="only_overdue", choices=[("true", _("Overdue")), ("false", _("Not overdue"))]
    )
    grid = IdFilter(label=_("Grid"), field_name="grid_id", widget=django_filters.widgets.forms.HiddenInput)
    compound = IdFilter(label=_("Compound"), field_name="compound_id", widget=django_filters.widgets.forms.HiddenInput)
    handler = IdFilter(
        label=_("Handled by"), field_name="assignee_org_id", widget=django_filters.widgets.forms.HiddenInput
    )

    class Meta:
        model = Case
        fields: list[str] = []

    @property
    def qs(self):
        return super().qs if not self.is_bound or self.is_valid() else self.queryset.none()

    def search(self, queryset, name, value):
        return queryset.filter(Q(description__icontains=value.strip()) | Q(result__icontains=value.strip()))

    def in_category(self, queryset, name, value):
        # ids, not a join on the parent: the list's indexes then serve the filter
        return queryset.filter(
            category__in=[value.pk, *Category.objects.filter(parent=value).values_list("pk", flat=True)]
        )

    def only_overdue(self, queryset, name, value):
        overdue = Q(state__in=OPEN_STATES, resolve_by__lt=timezone.now())
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)
