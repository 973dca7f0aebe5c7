import json

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.forms import ScopedModelForm

from .models import Building, Community, Compound, Grid, House, Subdistrict, Unit


class BoundaryField(forms.JSONField):
    widget = forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace"})

    def to_python(self, value):
        try:
            return super().to_python(value)
        # ValueError: a number of more than 4,300 digits (Python's limit); RecursionError: arrays
        # nested thousands deep. Django's field catches only malformed JSON.
        except (forms.ValidationError, ValueError, RecursionError):
            raise forms.ValidationError(_('Paste GeoJSON text, e.g. {"type": "Polygon", …}.')) from None

    def bound_data(self, data, initial):
        try:  # the form shown again with the text as it was typed
            return super().bound_data(data, initial)
        except (ValueError, RecursionError):
            return forms.fields.InvalidJSONInput(data)

    def prepare_value(self, value):
        return "" if value is None else json.dumps(value, ensure_ascii=False)


class SubdistrictForm(ScopedModelForm):
    class Meta:
        model = Subdistrict
        fields = ["name", "code"]


class CommunityForm(ScopedModelForm):
    class Meta:
        model = Community
        fields = ["name"]


class GridForm(ScopedModelForm):
    boundary = BoundaryField(label=_("boundary (GeoJSON)"), required=False)

    class Meta:
        model = Grid
        fields = ["name", "boundary"]


class CompoundForm(ScopedModelForm):
    boundary = BoundaryField(label=_("boundary (GeoJSON)"), required=False)

    class Meta:
        model = Compound
        fields = ["name", "address", "property_company", "boundary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # property companies (the field's limit_choices_to) the user may see; orgs sits above
        # places, so the form reaches the model through the field rather than an import
        field = self.fields["property_company"]
        field.queryset = field.queryset.restrict(self.user)


class BuildingForm(ScopedModelForm):
    class Meta:
        model = Building
        fields = ["name", "grid"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        community_id = self.instance.compound.community_id
        self.fields["grid"].queryset = Grid.objects.restrict(self.user, "change").filter(community_id=community_id)


class UnitForm(ScopedModelForm):
    class Meta:
        model = Unit
        fields = ["name"]


class HouseForm(ScopedModelForm):
    class Meta:
        model = House
        fields = ["number", "area", "developer_owned"]


FORMS = {
    Subdistrict: SubdistrictForm,
    Community: CommunityForm,
    Grid: GridForm,
    Compound: CompoundForm,
    Building: BuildingForm,
    Unit: UnitForm,
    House: HouseForm,
}
