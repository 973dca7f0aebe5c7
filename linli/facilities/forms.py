"""The forms of the facility screens: the register's form hands its values to the audited
actions; each move's form (core.lifecycle.MoveForm) is posted by the screen and generates the
API's request schema."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.forms import DatePicker, ScopedModelForm, preselect_only_choice
from linli.core.lifecycle import MoveForm
from linli.orgs.models import Organisation
from linli.places.models import Building, Compound, Unit

from .models import Facility, Inspection

DATE = DatePicker()
# what the register's form and its API edit: the place (fixed once registered), the dates, the rest
REGISTER_FIELDS = [
    "kind",
    "name",
    "code",
    "compound",
    "building",
    "unit",
    "location",
    "installed_on",
    "maintainer",
    "warranty_ends",
    "inspection_due",
    "condition",
    "note",
]


class FacilityForm(ScopedModelForm):
    """A facility of a compound the user keeps the register of (facilities.change)."""

    class Meta:
        model = Facility
        fields = REGISTER_FIELDS
        widgets = {"installed_on": DATE, "warranty_ends": DATE, "inspection_due": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scoped = {"user": self.user, "action": "change", "domain": "facilities"}
        self.fields["compound"].queryset = Compound.objects.restrict(**scoped)
        self.fields["building"].queryset = Building.objects.restrict(**scoped).select_related("compound")
        self.fields["unit"].queryset = Unit.objects.restrict(**scoped).select_related("building")
        self.fields["maintainer"].queryset = Organisation.objects.restrict(self.user, "view").order_by("name")
        if self.instance.pk:  # the place of a facility is fixed once registered
            for name in ("compound", "building", "unit"):
                self.fields[name].disabled = True
        else:
            preselect_only_choice(self, "compound")


class NoteForm(MoveForm):
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class FaultForm(MoveForm):
    note = forms.CharField(label=_("what is wrong"), max_length=300)


class RetireForm(MoveForm):
    note = forms.CharField(label=_("reason"), max_length=300)


class InspectForm(MoveForm):
    """检验: the date, the result, who inspected; the next due date defaults to a year on (for a
    lift or fire equipment it cannot be later: the statutory annual inspection)."""

    inspected_on = forms.DateField(label=_("inspected on"), widget=DATE)
    result = forms.ChoiceField(label=_("result"), choices=Inspection.Result.choices)
    inspector = forms.CharField(label=_("inspected by"), max_length=100, required=False)
    next_due = forms.DateField(
        label=_("next inspection due"),
        required=False,
        widget=DATE,
        help_text=_("Empty: one year after the inspection."),
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)
