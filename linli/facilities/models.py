"""设施台账 (人、地、物、事、组织 — the 物): the facilities of a compound — lifts, cameras, bicycle
sheds, chargers, fire equipment, roads, unit doors, pipes, playgrounds … — with where they are,
who maintains them, their warranty and inspection dates, their condition and state, and the
inspections recorded (a lift's statutory annual inspection moves its due date a year on).

Requests and work orders (`cases.Case.facility`) name a facility; this app imports nothing of
cases: the history on a facility's page comes from what the apps above register in
`facilities.extensions` (docs/facilities.md, "History")."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.lifecycle import lifecycle_of
from linli.core.scope import ScopedModel
from linli.people.models import Household
from linli.places.models import Building


class FacilityKind(models.TextChoices):
    LIFT = "lift", _("Lift")  # 电梯
    CAMERA = "camera", _("Surveillance camera")  # 监控
    BICYCLE_SHED = "bicycle_shed", _("Bicycle shed")  # 车棚
    CHARGER = "charger", _("Charging station")  # 充电桩
    FIRE = "fire", _("Fire equipment")  # 消防设施
    ROAD = "road", _("Road")
    DOOR = "door", _("Unit door")  # 单元门
    PIPE = "pipe", _("Pipes")
    PLAYGROUND = "playground", _("Playground")
    OTHER = "other", _("Other")


# Kinds with a statutory periodic inspection of at most one year: lifts (特种设备安全法 art. 40,
# TSG T7001: 定期检验周期为 1 年) and fire equipment (消防法 art. 16: 每年至少进行一次全面检测).
ANNUAL_INSPECTION = (FacilityKind.LIFT, FacilityKind.FIRE)


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")
    DANGEROUS = "dangerous", _("Dangerous")


def one_year_after(day: dt.date) -> dt.date:
    """The same day a year later; 29 February gives 28 February (届满: a year ends on the day
    before the anniversary's next day, and a year from a leap day ends on 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _in_households(ids):
    """A resident (granted on their household) sees the facilities of their compound."""
    return Q(compound_id__in=Household.objects.filter(pk__in=sorted(ids)).values("house__compound_id"))


def _in_grids(ids):
    """A grid worker sees the facilities of their grid's buildings, and the compound-wide ones
    (roads, sheds …) of the compounds that have a building in their grid."""
    compounds = Building.objects.filter(grid_id__in=sorted(ids)).values("compound_id")
    return Q(grid_id__in=sorted(ids)) | Q(building__isnull=True, compound_id__in=compounds)


def _of_organisation(ids):
    """A property company's or a maintainer's staff: the facilities of the compounds it serves,
    and those it maintains."""
    return Q(maintainer_id__in=sorted(ids)) | Q(compound__property_company_id__in=sorted(ids))


class Facility(ScopedModel):
    """设施: one facility of a compound (optionally of one building and unit), in the register
    the community and the property company keep; its states: in service → out of order → under
    repair → in service, or retired."""

    class State(models.TextChoices):
        IN_SERVICE = "in_service", _("In service")
        OUT_OF_ORDER = "out_of_order", _("Out of order")
        UNDER_REPAIR = "under_repair", _("Under repair")
        RETIRED = "retired", _("Retired")

    kind = models.CharField(_("kind"), max_length=14, choices=FacilityKind.choices)
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 3号楼1单元 1号电梯"))
    code = models.CharField(
        _("register number"), max_length=40, blank=True, help_text=_("e.g. a lift's registration code")
    )
    compound = models.ForeignKey(
        "places.Compound", models.PROTECT, related_name="facilities", verbose_name=_("compound")
    )
    building = models.ForeignKey(
        "places.Building",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("building"),
    )
    unit = models.ForeignKey(
        "places.Unit", models.PROTECT, null=True, blank=True, related_name="facilities", verbose_name=_("unit")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    maintainer = models.ForeignKey(
        "orgs.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities_maintained",
        verbose_name=_("maintained by"),
    )
    warranty_ends = models.DateField(_("warranty ends"), null=True, blank=True)
    inspection_due = models.DateField(_("inspection due"), null=True, blank=True, db_index=True)
    last_inspected_on = models.DateField(_("last inspected on"), null=True, blank=True, editable=False)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD)
    note = models.CharField(_("note"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.IN_SERVICE)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    grid = models.ForeignKey("places.Grid", models.PROTECT, null=True, related_name="+", editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "facilities"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": _in_grids,
        "compound": "compound_id",
        "building": "building_id",
        "unit": "unit_id",
        "household": _in_households,
        "organisation": _of_organisation,
    }

    class Meta:
        ordering = ["compound_id", "kind", "name", "id"]
        indexes = [models.Index(fields=["community", "kind", "inspection_due"], name="facility_com_kind_due")]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("facilities:detail", args=[self.pk])

    @property
    def annual_inspection(self) -> bool:
        return self.kind in ANNUAL_INSPECTION

    def inspection_overdue(self, today: dt.date) -> bool:
        """Its due date has passed (the due day itself is not overdue)."""
        return self.state != self.State.RETIRED and self.inspection_due is not None and self.inspection_due < today

    def clean(self):
        errors = {}
        if self.building_id and self.compound_id and self.building.compound_id != self.compound_id:
            errors["building"] = _("The building is not in this compound.")
        if self.unit_id:
            if not self.building_id:
                errors["unit"] = _("Choose the building of the unit too.")
            elif self.unit.building_id != self.building_id:
                errors["unit"] = _("The unit is not in this building.")
        if self.installed_on and self.warranty_ends and self.warranty_ends < self.installed_on:
            errors["warranty_ends"] = _("The warranty cannot end before the facility was installed.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        compound = self.compound
        self.community_id, self.subdistrict_id = compound.community_id, compound.subdistrict_id
        self.grid_id = self.building.grid_id if self.building_id else None
        super().save(*args, **kwargs)


class Inspection(models.Model):
    """检验记录: one inspection of a facility (a lift's statutory annual inspection, a fire
    equipment test …): when, by whom, the result, and the next due date it set."""

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed inspection")
        FAILED = "failed", _("Failed inspection")

    facility = models.ForeignKey(Facility, models.CASCADE, related_name="inspections", verbose_name=_("facility"))
    inspected_on = models.DateField(_("inspected on"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    inspector = models.CharField(_("inspected by"), max_length=100, blank=True)
    next_due = models.DateField(_("next inspection due"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return f"{self.facility} {self.inspected_on}"


class FacilityEvent(models.Model):
    """设施履历: one move of a facility (out of order, under repair, back in service, retired,
    inspected), with who, when and the note: the repairs on its page."""

    facility = models.ForeignKey(Facility, models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14, blank=True)
    actor = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.facility_id} {self.action}"

    @property
    def action_label(self):
        if self.action == "register":
            return _("Registered")
        move = lifecycle_of(Facility).moves.get(self.action)
        return move.label if move else self.action
