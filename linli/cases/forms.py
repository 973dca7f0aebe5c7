import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.validators import normalise_phone, validate_phone
from linli.orgs.models import Kind, Organisation
from linli.places.models import Building, Compound, Grid, House

from .models import Case, Category, Channel, Rating
from .photos import clean_photo


class PhotoField(forms.FileField):
    """One optional photo, cleaned (EXIF removed) at validation."""

    def __init__(self, **kw):
        kw.setdefault("required", False)
        kw.setdefault("label", _("Photo"))
        kw.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/*", "class": "form-control"}))
        super().__init__(**kw)

    def clean(self, data, initial=None):
        f = super().clean(data, initial)
        return clean_photo(f) if f else None


class ReportForm(forms.ModelForm):
    """Intake by staff or grid workers: the place is chosen within the user's scope."""

    photo = PhotoField()

    class Meta:
        model = Case
        fields = ["channel", "category", "grid", "compound", "building", "house", "description", "reporter_name", "reporter_phone", "anonymous"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "house": forms.NumberInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = Category.objects.filter(active=True, children=None).select_related("parent")
        self.fields["grid"].queryset = Grid.objects.restrict(user, "report", domain="cases").select_related("community")
        self.fields["compound"].queryset = Compound.objects.restrict(user, "report", domain="cases")
        self.fields["building"].queryset = Building.objects.restrict(user, "report", domain="cases").select_related("compound")
        self.fields["house"].queryset = House.objects.restrict(user, "report", domain="cases")
        self.fields["house"].help_text = _("Optional: the house number shown on the house's page.")
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-check-input" if isinstance(f.widget, forms.CheckboxInput) else "form-select" if isinstance(f.widget, forms.Select) else "form-control")

    def clean_reporter_phone(self):
        phone = normalise_phone(self.cleaned_data.get("reporter_phone", ""))
        if phone:
            validate_phone(phone)
        return phone

    def clean(self):
        data = super().clean()
        grid, building, house, compound = (data.get(k) for k in ("grid", "building", "house", "compound"))
        if house and not building:
            data["building"] = building = house.building
        if building and not compound:
            data["compound"] = compound = building.compound
        if grid and building and building.grid_id != grid.pk:
            self.add_error("building", _("The building is not in this grid."))
        if grid and compound and compound.community_id != grid.community_id:
            self.add_error("compound", _("The compound is not in this grid's community."))
        return data

    def _post_clean(self):
        pass  # the action validates the case it builds


def common_area_grid(compound):
    """The grid a compound's common area (小区公共区域) is reported to: the one holding most of its
    buildings, the lowest id on a tie. The same grid whoever reports, so it never points at the
    reporter's home."""
    from django.db.models import Count

    row = Building.objects.filter(compound=compound).values("grid_id").annotate(n=Count("id")).order_by("-n", "grid_id").first()
    return Grid.objects.get(pk=row["grid_id"])


class ResidentReportForm(forms.Form):
    """A resident reports from a phone: category, text, and where the problem is — a building of
    their compound, its common area, or their own home (never for a whisper: the house would name
    the reporter)."""

    HOME, COMMON = "home", "common"

    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.none())
    description = forms.CharField(label=_("What is the matter?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}))
    anonymous = forms.BooleanField(label=_("Grid whisper: hide my name"), required=False,
                                   help_text=_("Your name appears on no page and your home is not recorded; only you follow the request."))
    place = forms.ChoiceField(label=_("Where is the problem?"))
    photo = PhotoField()

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        house = household.house
        self.buildings = {str(b.pk): b for b in Building.objects.filter(compound_id=house.compound_id).select_related("compound", "grid")}
        self.fields["place"].choices = [
            ("", _("Choose…")),
            (self.HOME, _("My home (%(house)s)") % {"house": house}),
            (self.COMMON, _("Common area of %(compound)s") % {"compound": house.compound.name}),
            *[(pk, b.name) for pk, b in self.buildings.items()],
        ]
        self.fields["category"].queryset = Category.objects.filter(active=True, children=None).select_related("parent")
        self.fields["category"].widget.attrs["class"] = "form-select"
        self.fields["place"].widget.attrs["class"] = "form-select"
        self.fields["anonymous"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("anonymous") and data.get("place") == self.HOME:
            self.add_error("place", _("A grid whisper never records your home: choose the building or the compound's common area "
                                      "where the problem is."))
        return data

    def location(self):
        """(grid, compound, building, house) of the place chosen."""
        place, house = self.cleaned_data["place"], self.household.house
        if place == self.HOME:
            return self.household.grid, house.compound, house.building, house
        if place == self.COMMON:
            return common_area_grid(house.compound), house.compound, None, None
        building = self.buildings[place]
        return building.grid, building.compound, building, None


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
    assignee_org = forms.ModelChoiceField(label=_("Handled by"), queryset=Organisation.objects.none(), required=False, widget=forms.Select(attrs={"class": "form-select"}))
    deadline = forms.DateTimeField(label=_("Deadline"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}))
    rating = forms.ChoiceField(label=_("Rating"), choices=[("", "—"), *Rating.choices], required=False, widget=forms.Select(attrs={"class": "form-select"}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    photo = PhotoField(label=_("Photo of the result"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # The compound's property company first, then departments and the community's own bodies.
        serving = [case.compound.property_company_id] if case.compound_id and case.compound.property_company_id else []
        self.fields["assignee_org"].queryset = Organisation.objects.filter(
            subdistrict_id=case.subdistrict_id, kind__in=[Kind.PROPERTY, Kind.DEPARTMENT, Kind.PARTY]
        ).order_by("kind", "name")
        # the category's usual handler comes first: the compound's property company
        if serving and case.category.handler_kind == "property":
            self.fields["assignee_org"].initial = serving[0]


CHANNEL_CHOICES = Channel.choices


class PeriodForm(forms.Form):
    """The dashboard's period: one calendar year (Asia/Shanghai), or everything when blank."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in range(this, this - 5, -1)]

    def start(self):
        return timezone.make_aware(datetime.datetime(self.cleaned_data["year"], 1, 1))

    def end(self):
        return timezone.make_aware(datetime.datetime(self.cleaned_data["year"] + 1, 1, 1))
