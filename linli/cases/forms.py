import datetime

from django import forms
from django.db.models import Count, Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.forms import style
from linli.core.lifecycle import MoveForm
from linli.core.validators import normalise_phone, validate_phone
from linli.orgs.models import Kind, Organisation
from linli.places.models import Building, Compound, Grid, House

from . import routing
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
        fields = [
            "channel",
            "category",
            "grid",
            "compound",
            "building",
            "house",
            "description",
            "reporter_name",
            "reporter_phone",
            "anonymous",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "house": forms.NumberInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = Category.objects.filter(active=True, children=None).select_related("parent")
        self.fields["grid"].queryset = Grid.objects.restrict(user, "report", domain="cases").select_related("community")
        self.fields["compound"].queryset = Compound.objects.restrict(user, "report", domain="cases")
        self.fields["building"].queryset = Building.objects.restrict(user, "report", domain="cases").select_related(
            "compound"
        )
        self.fields["house"].queryset = House.objects.restrict(user, "report", domain="cases")
        self.fields["house"].help_text = _("Optional: the house number shown on the house's page.")
        style(self)

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

    row = (
        Building.objects.filter(compound=compound)
        .values("grid_id")
        .annotate(n=Count("id"))
        .order_by("-n", "grid_id")
        .first()
    )
    return Grid.objects.get(pk=row["grid_id"])


class ResidentReportForm(forms.Form):
    """A resident reports from a phone: category, text, and where the problem is — a building of
    their compound, its common area, or their own home (never for a whisper: the house would name
    the reporter)."""

    HOME, COMMON = "home", "common"

    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.none())
    description = forms.CharField(
        label=_("What is the matter?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
    )
    anonymous = forms.BooleanField(
        label=_("Grid whisper: hide my name"),
        required=False,
        help_text=_("Your name appears on no page and your home is not recorded; only you follow the request."),
    )
    place = forms.ChoiceField(label=_("Where is the problem?"))
    photo = PhotoField()

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        house = household.house
        self.buildings = {
            str(b.pk): b
            for b in Building.objects.filter(compound_id=house.compound_id).select_related("compound", "grid")
        }
        self.fields["place"].choices = [
            ("", _("Choose…")),
            (self.HOME, _("My home (%(house)s)") % {"house": house}),
            (self.COMMON, _("Common area of %(compound)s") % {"compound": house.compound.name}),
            *[(pk, b.name) for pk, b in self.buildings.items()],
        ]
        self.fields["category"].queryset = Category.objects.filter(active=True, children=None).select_related("parent")
        style(self)

    def clean(self):
        data = super().clean()
        if data.get("anonymous") and data.get("place") == self.HOME:
            self.add_error(
                "place",
                _(
                    "A grid whisper never records your home: choose the building or the compound's common area "
                    "where the problem is."
                ),
            )
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


class OfferedChoiceIterator(ModelChoiceIterator):
    """The choices a screen lists: the field's queryset narrowed by its `offer` (Q)."""

    def __init__(self, field):
        super().__init__(field)
        self.queryset = field.queryset.filter(field.offer)


class OfferedModelChoiceField(forms.ModelChoiceField):
    """Accepts any row of `queryset`, but the screen lists only those matching `offer`."""

    iterator = OfferedChoiceIterator

    def __init__(self, *args, offer, **kwargs):
        self.offer = offer
        super().__init__(*args, **kwargs)


def future(deadline):
    if deadline <= timezone.now():
        raise forms.ValidationError(_("Give a deadline in the future."))
    return deadline


NEED_NOTE = {"required": _("Please give a reason or a result.")}
NEED_DEADLINE = {"required": _("Give a deadline in the future.")}
NEED_ORG = {"required": _("Choose who handles it.")}


def deadline_field():
    return forms.DateTimeField(
        label=_("Deadline"),
        error_messages=NEED_DEADLINE,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
    )


class CaseMoveForm(MoveForm):
    """A work-order move (cases.workflow): a note for the timeline and a photo, both optional."""

    note = forms.CharField(
        label=_("Note, reason or result"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    photo = PhotoField()


class NoteForm(CaseMoveForm):
    """A move that needs a reason or a result (decline, return, handle, send back, …)."""

    note = forms.CharField(
        label=_("Note, reason or result"),
        max_length=2000,
        error_messages=NEED_NOTE,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class HandleForm(NoteForm):
    photo = PhotoField(label=_("Photo of the result"))


class DispatchForm(CaseMoveForm):
    """派单: to an organisation of the request's sub-district; the screen lists the property
    companies, departments, utilities and party bodies (an action item of a topic may go to any of
    them) and pre-selects what the routing table suggests (cases.routing), else the compound's
    property company when the category is the property's to handle."""

    assignee_org = OfferedModelChoiceField(
        label=_("Handled by"),
        queryset=Organisation.objects.none(),
        error_messages=NEED_ORG,
        offer=Q(kind__in=[Kind.PROPERTY, Kind.DEPARTMENT, Kind.UTILITY, Kind.PARTY]),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.obj
        field = self.fields["assignee_org"]
        field.queryset = Organisation.objects.filter(subdistrict_id=case.subdistrict_id).order_by("kind", "name")
        if self.is_bound or case is None:
            return
        suggested = routing.suggest(case)
        if suggested:
            field.initial = suggested[0].pk
            field.help_text = _("Suggested by the routing table: %(orgs)s") % {
                "orgs": ", ".join(o.name for o in suggested)
            }
        elif case.compound_id and case.category.handler_kind == "property":
            field.initial = case.compound.property_company_id


class AssignForm(DispatchForm):
    """交办: to a government department, with a deadline that becomes the request's."""

    deadline = deadline_field()

    def clean_assignee_org(self):
        org = self.cleaned_data["assignee_org"]
        if org.kind != Kind.DEPARTMENT:
            raise forms.ValidationError(_("Assign to a government department."))
        return org

    def clean_deadline(self):
        return future(self.cleaned_data["deadline"])


class ExtendForm(NoteForm):
    """延期: a reason and a new deadline, later than the current one."""

    deadline = deadline_field()

    def clean_deadline(self):
        deadline = future(self.cleaned_data["deadline"])
        if deadline <= self.obj.resolve_by:
            raise forms.ValidationError(_("An extension must be later than the current deadline."))
        return deadline


class RateForm(CaseMoveForm):
    """评价: one of three ratings; the note is the comment (200 characters kept)."""

    rating = forms.ChoiceField(
        label=_("Rating"),
        choices=[("", "—"), *Rating.choices],
        error_messages={"required": _("Choose a rating."), "invalid_choice": _("Choose a rating.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class MergeForm(MoveForm):
    """合并: the open request, in the user's dispatch scope, that this one is merged into."""

    into = forms.IntegerField(label=_("Merge into"), min_value=1)


class CommentForm(forms.Form):
    note = forms.CharField(
        label=_("Add a comment"), max_length=2000, error_messages={"required": _("Write something.")}
    )


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
