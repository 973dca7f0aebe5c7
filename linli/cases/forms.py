import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import geo
from linli.core.forms import style
from linli.core.ids import parse_id
from linli.core.lifecycle import MoveForm
from linli.core.validators import normalise_phone, validate_phone
from linli.facilities.models import Facility
from linli.orgs.models import Kind, Organisation
from linli.places import search
from linli.places.models import Building, Compound, Grid, House, Unit

from . import location, routing
from .joint import answering_for
from .models import Case, Category, Channel, Rating, Where
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


class MapPlaceForm(forms.Form):
    """The map of grids and compounds on a report form (cases.location.on_map): a click sets the
    hidden point and selects the grid or compound under it in `map_place`, which is also the way
    for those who cannot use the map (static linli/location.js)."""

    map_place = forms.ChoiceField(label=_("Grid or compound on the map"), required=False)
    location = forms.CharField(required=False, widget=forms.HiddenInput)

    def offer_map(self, grids, compounds):
        self.map_grids, self.map_compounds = list(grids), list(compounds)
        self.map_places = {f"grid:{g.pk}": g for g in self.map_grids} | {
            f"compound:{c.pk}": c for c in self.map_compounds
        }
        self.fields["map_place"].choices = [
            ("", _("Choose…")),
            (_("Grids"), [(f"grid:{g.pk}", str(g)) for g in self.map_grids]),
            (_("Compounds"), [(f"compound:{c.pk}", c.name) for c in self.map_compounds]),
        ]

    def clean_location(self):
        text = self.cleaned_data["location"].strip()
        if not text:
            return None
        point = geo.parse_point(text)
        if point is None:
            raise forms.ValidationError(_("The point on the map is not valid: click the map again."))
        return point

    def on_map(self):
        data = self.cleaned_data
        return location.on_map(
            point=data.get("location"),
            chosen=self.map_places.get(data.get("map_place") or ""),
            grids=self.map_grids,
            compounds=self.map_compounds,
        )

    def located(self, build):
        """self.where_is (a location.Place) from `build`, or its errors on their fields."""
        try:
            self.where_is = build()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)


def facilities_offered(rows):
    """The facilities a report form offers: those in service or out of order, not retired."""
    return rows.exclude(state=Facility.State.RETIRED).order_by("compound__sort_key", "kind", "name", "id")


def check_facility(form, facility):
    """The facility named must be in the compound of the place chosen (a field error, not a 500)."""
    place = getattr(form, "where_is", None)
    compound = getattr(place, "compound", None)
    if facility is not None and compound is not None and facility.compound_id != compound.pk:
        form.add_error("facility", _("The facility is not in the compound of the place chosen."))


class FacilityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.compound.name} · {obj.name}"


class ReportForm(MapPlaceForm, forms.ModelForm):
    """Intake by staff or grid workers: where the problem is (a house found by its address, a
    building, a unit, a compound's common area, or the map), within the user's scope; the grid
    follows from it (cases.location)."""

    WHERE = [("", _("Choose…")), *Where.choices]

    where = forms.ChoiceField(label=_("Where is the problem?"), choices=WHERE)
    house_address = forms.CharField(
        label=_("House"),
        required=False,
        max_length=100,
        help_text=_("Type the address and pick the house, e.g. 枫林湾 3栋 2单元 501."),
    )
    house = forms.ModelChoiceField(queryset=House.objects.none(), required=False, widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False)
    photo = PhotoField()

    class Meta:
        model = Case
        fields = [
            "channel",
            "category",
            "where",
            "house_address",
            "house",
            "building",
            "unit",
            "compound",
            "map_place",
            "location",
            "facility",
            "description",
            "reporter_name",
            "reporter_phone",
            "anonymous",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "reporter_phone": forms.TextInput()}
        field_classes = {"facility": FacilityChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = Category.objects.filter(active=True, children=None).select_related("parent")
        places = report_places(user)
        for name in ("house", "building", "unit", "compound", "facility"):
            self.fields[name].queryset = places[name]
        self.fields["compound"].label = _("Compound")
        self.fields["compound"].help_text = _(
            "For a building, a unit or the common area: choose the compound first, its buildings, units "
            "and facilities are then offered."
        )
        self.fields["compound"].widget.attrs["data-compound-places"] = reverse("cases:report_places")
        self.offer_map(Grid.objects.restrict(**reporting(user)).select_related("community"), places["compound"])
        self.offer_compound(places)
        self.fields["facility"].help_text = _("The lift, camera, shed … the request is about, if any.")
        self.fields["where"].widget.attrs["data-where-choice"] = ""
        self.fields["house_address"].widget.attrs.update(
            {"data-house-search": reverse("places:house_search"), "data-house-field": "id_house", "autocomplete": "off"}
        )
        style(self)

    def offer_compound(self, places):
        """A sub-district has thousands of buildings and units: the screen lists those of the
        compound chosen (or of the house picked, for its facilities) and none before, while what
        is posted is still accepted from the whole scope and checked against the compound
        (cases.location). Static linli/location.js fills the lists when the compound changes."""
        compound = self.chosen_compound(places)
        for name in ("building", "unit", "facility"):
            field = self.fields[name]
            field.offer = Q(compound_id=compound) if compound else Q(pk__in=[])
            field.iterator = OfferedChoiceIterator
            field.widget.attrs["data-before-compound"] = _("Choose the compound first")
            field.empty_label = "---------" if compound else field.widget.attrs["data-before-compound"]
            field.widget.choices = field.choices

    def chosen_compound(self, places):
        if not self.is_bound:
            only = list(places["compound"].values_list("pk", flat=True)[:2])
            if len(only) == 1:  # a scope of one compound: chosen already
                self.initial["compound"] = only[0]
            return only[0] if len(only) == 1 else None
        posted = {name: self.data.get(self.add_prefix(name), "") for name in ("where", "compound", "house")}
        house = parse_id(posted["house"])
        if posted["where"] == Where.HOUSE and house:
            return places["house"].filter(pk=house).values_list("compound_id", flat=True).first()
        return parse_id(posted["compound"])

    def clean_reporter_phone(self):
        phone = normalise_phone(self.cleaned_data.get("reporter_phone", ""))
        if phone:
            validate_phone(phone)
        return phone

    def clean(self):
        data = super().clean()
        where = data.get("where")
        if where == Where.HOUSE and not data.get("house") and data.get("house_address") and "house" not in self.errors:
            data["house"] = self.house_at(data["house_address"])
        picked = {"house": "house", "unit": "unit", "building": "building", "common": "compound"}.get(where)
        if picked and not data.get(picked) and not {picked, "house_address"} & set(self.errors):
            self.add_error("house_address" if picked == "house" else picked, REQUIRED_PLACE[where])
            return data
        if where == Where.HOUSE and (data.get("anonymous") or data.get("channel") == Channel.WHISPER):
            self.add_error("house_address", _("An anonymous request records no house number: choose the building."))
        builders = {
            Where.HOUSE: lambda: location.of_house(data["house"]),
            Where.UNIT: lambda: location.of_unit(data["unit"], data.get("compound")),
            Where.BUILDING: lambda: location.of_building(data["building"], data.get("compound")),
            Where.COMMON: lambda: location.of_common_area(data["compound"]),
            Where.MAP: self.on_map,
        }
        if where in builders and not self.errors:
            self.located(builders[where])
        check_facility(self, data.get("facility"))
        return data

    def house_at(self, address):
        """The one house of the user's scope with this address (typed whole, without the picker's
        script), else None and the address field's error."""
        found = list(search.houses_matching(self.fields["house"].queryset, address)[:2])
        if len(found) == 1:
            return found[0]
        self.add_error(
            "house_address",
            _("Several houses match this address: type it whole, e.g. 枫林湾 3栋 2单元 501.")
            if found
            else _("No house of your area has this address."),
        )
        return None

    def _post_clean(self):
        pass  # the action validates the case it builds


HOUSE_PLACES = ["unit__building__compound", "building", "compound", "grid__community"]


def reporting(user):
    """The scope of a report, as `restrict` takes it."""
    return {"user": user, "action": "report", "domain": "cases"}


def report_places(user):
    """The places and facilities of `user`'s scope a staff report may name (ReportForm, and the
    lists of one compound its script asks for: cases.views.ReportPlacesView)."""
    scoped = reporting(user)
    return {
        "house": House.objects.restrict(**scoped).select_related(*HOUSE_PLACES),
        "building": Building.objects.restrict(**scoped).select_related("compound", "grid"),
        "unit": Unit.objects.restrict(**scoped).select_related("building__compound", "compound", "grid"),
        "compound": Compound.objects.restrict(**scoped),
        "facility": facilities_offered(Facility.objects.restrict(**scoped).select_related("compound")),
    }


REQUIRED_PLACE = {
    "house": _("Type the address and pick the house."),
    "unit": _("Choose the unit."),
    "building": _("Choose the building."),
    "common": _("Choose the compound."),
}


class ResidentReportForm(MapPlaceForm):
    """A resident reports from a phone: category, text, and where the problem is — their own home
    (never for a whisper: the house would name the reporter), a building or a unit of their
    compound, its common area, or a place on their community's map. A resident searches no house."""

    HOME, COMMON, MAP = "home", "common", "map"

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
    facility = FacilityChoiceField(
        label=_("facility"),
        queryset=Facility.objects.none(),
        required=False,
        help_text=_("The lift, camera, shed … of your compound the request is about, if any."),
    )
    photo = PhotoField()

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        house = household.house
        buildings = Building.objects.filter(compound_id=house.compound_id).select_related("compound", "grid")
        units = Unit.objects.filter(compound_id=house.compound_id).select_related("building", "compound", "grid")
        self.places = {f"building:{b.pk}": b for b in buildings} | {f"unit:{u.pk}": u for u in units}
        self.fields["place"].choices = [
            ("", _("Choose…")),
            (self.HOME, _("My home (%(house)s)") % {"house": house}),
            (self.COMMON, _("Common area of %(compound)s") % {"compound": house.compound.name}),
            *[
                (key, p.name if isinstance(p, Building) else f"{p.building.name} {p.name}")
                for key, p in self.places.items()
            ],
            (self.MAP, _("Elsewhere: a place on the map")),
        ]
        grids = Grid.objects.filter(community_id=house.community_id).select_related("community")
        self.offer_map(grids, Compound.objects.filter(community_id=house.community_id))
        self.fields["category"].queryset = Category.objects.filter(active=True, children=None).select_related("parent")
        self.fields["facility"].queryset = facilities_offered(
            Facility.objects.filter(compound_id=house.compound_id).select_related("compound")
        )
        self.fields["place"].widget.attrs["data-where-choice"] = ""
        style(self)

    def clean(self):
        data = super().clean()
        place = data.get("place")
        if data.get("anonymous") and place == self.HOME:
            self.add_error(
                "place",
                _(
                    "A grid whisper never records your home: choose the building or the compound's common area "
                    "where the problem is."
                ),
            )
        if place and not self.errors:
            self.located(lambda: self.build(place))
        check_facility(self, data.get("facility"))
        return data

    def build(self, place):
        house = self.household.house
        if place == self.HOME:
            return location.of_house(house)
        if place == self.COMMON:
            return location.of_common_area(house.compound)
        if place == self.MAP:
            return self.on_map()
        chosen = self.places[place]
        return location.of_building(chosen) if isinstance(chosen, Building) else location.of_unit(chosen)


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
    photo_public = forms.BooleanField(
        label=_("Show this photo on the public board"),
        required=False,
        help_text=_("Only if it shows no face, no licence plate and no house number."),
    )


class PublishForm(CaseMoveForm):
    """Verification and closing: what the public board (晒事) says was raised and what was done, in
    the staff's words, checked for personal data by the move (people.public_text). Left empty, the
    board shows the category only; an earlier summary is kept."""

    public_summary = forms.CharField(
        label=_("Public summary of the problem"),
        required=False,
        max_length=300,
        help_text=_("For the public board: no names, phone numbers or house numbers."),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    public_measures = forms.CharField(
        label=_("Public summary of what was done"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


HANDLER_KINDS = Q(kind__in=[Kind.PROPERTY, Kind.DEPARTMENT, Kind.UTILITY, Kind.PARTY])
BAD_CO_HANDLER = {
    "invalid_choice": _("Choose co-handling organisations of this sub-district."),
    "invalid_pk_value": _("Choose co-handling organisations of this sub-district."),
    "invalid_list": _("Choose co-handling organisations of this sub-district."),
}
LEAD_NOT_CO_HANDLER = _("The lead organisation cannot also be a co-handler.")


class OfferedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Accepts any rows of `queryset`, but the screen lists only those matching `offer`."""

    iterator = OfferedChoiceIterator

    def __init__(self, *args, offer, **kwargs):
        self.offer = offer
        super().__init__(*args, **kwargs)


def co_handlers_field():
    """联合处置: the organisations that work the order with its lead, from the same list."""
    return OfferedModelMultipleChoiceField(
        label=_("Co-handled by"),
        queryset=Organisation.objects.none(),
        required=False,
        offer=HANDLER_KINDS,
        error_messages=BAD_CO_HANDLER,
        help_text=_("Optional: organisations that work it with the lead and each give their feedback (联合处置)."),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 4}),
    )


def sub_district_orgs(case):
    return Organisation.objects.filter(subdistrict_id=case.subdistrict_id).order_by("kind", "name")


class DispatchForm(CaseMoveForm):
    """派单: to an organisation of the request's sub-district; the screen lists the property
    companies, departments, utilities and party bodies (an action item of a topic may go to any of
    them) and pre-selects what the routing table suggests (cases.routing), else the compound's
    property company when the category is the property's to handle. Co-handling organisations
    (联合处置) may be named with the lead, never the lead itself."""

    assignee_org = OfferedModelChoiceField(
        label=_("Handled by"),
        queryset=Organisation.objects.none(),
        error_messages=NEED_ORG,
        offer=HANDLER_KINDS,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    co_handlers = co_handlers_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.obj
        field = self.fields["assignee_org"]
        field.queryset = self.fields["co_handlers"].queryset = sub_district_orgs(case)
        if self.is_bound or case is None:
            return
        if case.pk:  # a re-dispatch keeps the co-handlers unless changed
            self.fields["co_handlers"].initial = [c.organisation_id for c in case.co_handlers.all()]
        suggested = routing.suggest(case)
        if suggested:
            field.initial = suggested[0].pk
            field.help_text = _("Suggested by the routing table: %(orgs)s") % {
                "orgs": ", ".join(o.name for o in suggested)
            }
        elif case.compound_id and case.category.handler_kind == "property":
            field.initial = case.compound.property_company_id

    def clean(self):
        data = super().clean()
        lead, co = data.get("assignee_org"), data.get("co_handlers") or []
        if lead is not None and lead in co:
            self.add_error("co_handlers", LEAD_NOT_CO_HANDLER)
        return data


class CoHandlersForm(CaseMoveForm):
    """联合处置: the co-handling organisations while the order is worked (an empty choice removes
    them all); never the lead."""

    co_handlers = co_handlers_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_handlers"].queryset = sub_district_orgs(self.obj)
        if not self.is_bound:
            self.fields["co_handlers"].initial = [c.organisation_id for c in self.obj.co_handlers.all()]

    def clean_co_handlers(self):
        co = self.cleaned_data["co_handlers"]
        if self.obj.assignee_org_id in {o.pk for o in co}:
            raise forms.ValidationError(LEAD_NOT_CO_HANDLER)
        return co


class CoFeedbackForm(NoteForm):
    """A co-handler's feedback (the note), for the co-handling organisation the user answers for:
    asked only when they answer for more than one (joint.answering_for)."""

    co_handler = forms.ModelChoiceField(
        label=_("Answering for"),
        queryset=Organisation.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a co-handling organisation you answer for.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = [c.organisation for c in answering_for(self.obj, self.actor)] if self.obj is not None else []
        field = self.fields["co_handler"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
        if len(orgs) <= 1:
            field.widget = forms.HiddenInput()

    def clean_co_handler(self):
        org = self.cleaned_data["co_handler"]
        if org is None:
            rows = answering_for(self.obj, self.actor)
            if len(rows) > 1:
                raise forms.ValidationError(_("Choose the co-handling organisation you answer for."))
            org = rows[0].organisation if rows else None
        return org


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


class OutcomeForm(CaseMoveForm):
    """The published outcome of the topic a request was taken into: it becomes the request's result."""

    note = forms.CharField(label=_("Outcome"), max_length=4000, error_messages=NEED_NOTE)
