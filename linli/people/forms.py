from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.forms import ScopedModelForm
from linli.core.ids import ModelMultipleChoiceField
from linli.core.masking import mask_id_number, mask_phone
from linli.core.validators import normalise_id, normalise_phone, validate_id_number, validate_phone
from linli.places.models import Building, Unit

from .models import Household, Ownership, Person, ResidentPost, Tag, ledger_person, visible_tags


class HouseholdForm(ScopedModelForm):
    class Meta:
        model = Household
        fields = ["tenure", "note"]


class PersonForm(ScopedModelForm):
    """ID number and phone are never pre-filled: editing must not reveal them. Left blank on
    edit, they keep their current value. The birth date is not a field: it is the ID number's
    birth digits, and pre-filled it would complete the masked number."""

    id_number = forms.CharField(label=_("ID number"), required=False, max_length=18)
    phone = forms.CharField(label=_("phone"), required=False, max_length=20)
    tags = ModelMultipleChoiceField(
        label=_("tags"), queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Person
        fields = ["name", "relation", "gender", "id_number", "phone", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = visible_tags(self.user)
        self.creating = self.instance.pk is None
        if self.creating:
            self.fields["id_number"].required = True
        else:
            self.initial.pop("id_number", None)
            self.initial.pop("phone", None)
            keep = _("Leave blank to keep %(value)s.")
            self.fields["id_number"].help_text = keep % {"value": mask_id_number(self.instance.id_number)}
            self.fields["phone"].help_text = keep % {"value": mask_phone(self.instance.phone) or "—"}

    def clean_id_number(self):
        value = normalise_id(self.cleaned_data["id_number"])
        if value:
            validate_id_number(value)
        return value

    def clean_phone(self):
        value = normalise_phone(self.cleaned_data["phone"])
        if value:
            validate_phone(value)
        return value

    def changed_values(self, all_fields=False):
        values = super().changed_values(all_fields)
        if not self.creating:
            for name in ("id_number", "phone"):
                if not self.cleaned_data.get(name):
                    values.pop(name, None)
        return values


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "sensitive", "order"]


class ResidentPostForm(ScopedModelForm):
    """A grid post for a resident of this grid (网格长, 楼栋长, 单元长 …)."""

    class Meta:
        model = ResidentPost
        fields = ["person", "post", "building", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        grid = self.instance.grid
        self.fields["person"].queryset = (
            Person.objects.restrict(self.user, "change").filter(grid=grid).order_by("sort_key", "id")
        )
        self.fields["building"].queryset = Building.objects.filter(grid=grid)
        self.fields["unit"].queryset = Unit.objects.filter(grid=grid).select_related("building__compound")


class OwnershipForm(ScopedModelForm):
    """An owner of the house: a person of the ledger, found by their ID number (they need not live
    here, nor in the user's scope: a landlord, a buyer of several houses), or an organisation. The
    owner is fixed once registered: a change of owner is a removal and an addition."""

    person = forms.CharField(
        label=_("owner's ID number"),
        required=False,
        max_length=18,
        help_text=_("A person already in the ledger; leave blank for an organisation."),
    )

    class Meta:
        model = Ownership
        fields = ["person", "organisation", "organisation_code", "share"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["person"]
            if self.instance.person_id:
                del self.fields["organisation"], self.fields["organisation_code"]

    def clean_person(self):
        return ledger_person(self.cleaned_data["person"])

    def clean_organisation_code(self):
        return self.cleaned_data["organisation_code"].strip().upper()
