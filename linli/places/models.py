"""The places of a sub-district: two hierarchies over one set of buildings.

Administrative: Subdistrict 街道 → Community 社区 → Grid 网格.
Physical: Community → Compound 小区 → Building 楼栋 → Unit 单元 → House 房屋.
A building belongs to one compound and one grid. Lower rows carry their ancestors' ids
(denormalised, set in save()) so "everything under grid X" is one indexed filter.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.fields import SortKeyField
from linli.core.scope import ScopedModel

from .signals import building_moved


def _compounds_in_grids(ids):
    return Q(id__in=Building.objects.filter(grid_id__in=sorted(ids)).values("compound_id"))


def validate_boundary(value):
    """A GeoJSON Polygon or MultiPolygon geometry (or a Feature wrapping one)."""
    if value in (None, ""):
        return
    geom = value.get("geometry", value) if isinstance(value, dict) else None
    if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    try:
        rings = geom["coordinates"] if geom["type"] == "Polygon" else [r for poly in geom["coordinates"] for r in poly]
        for ring in rings:
            if len(ring) < 4 or any(len(pt) < 2 or not all(isinstance(c, int | float) for c in pt[:2]) for pt in ring):
                raise ValueError
    except (KeyError, TypeError, ValueError):
        raise ValidationError(_("The boundary's coordinates are not a valid polygon.")) from None


class Place(ScopedModel):
    scope_domain = "places"

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(f"places:{self._meta.model_name}", args=[self.pk])


class Subdistrict(Place):
    """街道: the sub-district office's area, the top of the tree."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    sort_key = SortKeyField()  # Chinese order: numbers by value, the rest by pinyin (core.collation)
    code = models.CharField(_("code"), max_length=30, blank=True)

    scope_paths = {"subdistrict": "id"}

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("sub-district")
        verbose_name_plural = _("sub-districts")

    def __str__(self):
        return self.name

    def scope_keys(self):
        return {"subdistrict": self.pk, "community": None, "grid": None}


class Community(Place):
    """社区: a residents' committee area."""

    subdistrict = models.ForeignKey(
        Subdistrict, models.PROTECT, related_name="communities", verbose_name=_("sub-district")
    )
    name = models.CharField(_("name"), max_length=100)
    sort_key = SortKeyField()

    scope_paths = {"subdistrict": "subdistrict_id", "community": "id"}

    class Meta:
        ordering = ["sort_key", "id"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="uniq_community_name")]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self):
        return self.name

    def scope_keys(self):
        return {"subdistrict": self.subdistrict_id, "community": self.pk, "grid": None}


class Grid(Place):
    """网格: the management unit a grid worker looks after."""

    community = models.ForeignKey(Community, models.PROTECT, related_name="grids", verbose_name=_("community"))
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", editable=False)
    name = models.CharField(_("name"), max_length=100)
    sort_key = SortKeyField()
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True, validators=[validate_boundary])

    scope_paths = {"subdistrict": "subdistrict_id", "community": "community_id", "grid": "id"}

    class Meta:
        ordering = ["community_id", "sort_key", "id"]  # 第二网格 before 第十网格 (core.collation)
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="uniq_grid_name")]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self):
        return f"{self.community.name} {self.name}" if self.community_id else self.name

    def save(self, *args, **kwargs):
        self.subdistrict_id = self.community.subdistrict_id
        super().save(*args, **kwargs)

    def scope_keys(self):
        return {"subdistrict": self.subdistrict_id, "community": self.community_id, "grid": self.pk}


class Compound(Place):
    """小区: a residential compound, served by one property company."""

    community = models.ForeignKey(Community, models.PROTECT, related_name="compounds", verbose_name=_("community"))
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", editable=False)
    name = models.CharField(_("name"), max_length=100)
    sort_key = SortKeyField()
    address = models.CharField(_("address"), max_length=200, blank=True)
    property_company = models.ForeignKey(
        "orgs.Organisation",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="compounds_served",
        limit_choices_to={"kind": "property"},
        verbose_name=_("property company"),
    )
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True, validators=[validate_boundary])

    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": _compounds_in_grids,
        "compound": "id",
    }

    class Meta:
        ordering = ["sort_key", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="uniq_compound_name")]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.subdistrict_id = self.community.subdistrict_id
        super().save(*args, **kwargs)

    def scope_keys(self):
        return {"subdistrict": self.subdistrict_id, "community": self.community_id, "grid": None}


class Building(Place):
    """楼栋: belongs to one compound (physical) and one grid (administrative)."""

    compound = models.ForeignKey(Compound, models.PROTECT, related_name="buildings", verbose_name=_("compound"))
    grid = models.ForeignKey(Grid, models.PROTECT, related_name="buildings", verbose_name=_("grid"))
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", editable=False)
    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 3号楼"))
    sort_key = SortKeyField()

    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "id",
    }

    class Meta:
        ordering = ["compound__sort_key", "sort_key", "id"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="uniq_building_name")]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self):
        return f"{self.compound.name} {self.name}"

    def clean(self):
        if self.compound_id and self.grid_id and self.compound.community_id != self.grid.community_id:
            raise ValidationError({"grid": _("The grid must be in the same community as the compound.")})

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._saved_grid_id = obj.__dict__.get("grid_id")
        return obj

    def save(self, *args, **kwargs):
        self.community_id = self.compound.community_id
        self.subdistrict_id = self.compound.subdistrict_id
        moved = self.pk and getattr(self, "_saved_grid_id", self.grid_id) != self.grid_id
        super().save(*args, **kwargs)
        if moved:
            self._move_rows_below(self.grid_id)
        self._saved_grid_id = self.grid_id

    def _move_rows_below(self, grid_id):
        """A building redrawn into another grid takes its units and houses along (their
        denormalised grid ids are what scope filters on); the apps above places move their own
        rows on the building_moved signal, in the same transaction."""
        for model in (Unit, House):
            model.objects.filter(building_id=self.pk).update(grid_id=grid_id)
        building_moved.send(sender=Building, building=self, grid_id=grid_id)


class _BelowBuilding(Place):
    """Shared ancestor keys of units and houses."""

    building = models.ForeignKey(Building, models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey(Compound, models.PROTECT, related_name="+", editable=False)
    grid = models.ForeignKey(Grid, models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", editable=False)

    class Meta:
        abstract = True

    def copy_ancestors(self, parent):
        for level in ("compound", "grid", "community", "subdistrict"):
            setattr(self, f"{level}_id", getattr(parent, f"{level}_id"))


class Unit(_BelowBuilding):
    """单元: a stairway unit of a building."""

    building = models.ForeignKey(Building, models.PROTECT, related_name="units", verbose_name=_("building"))
    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 1单元"))
    sort_key = SortKeyField()

    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "unit": "id",
    }

    class Meta:
        ordering = ["building_id", "sort_key", "id"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="uniq_unit_name")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return f"{self.building} {self.name}"

    def save(self, *args, **kwargs):
        self.copy_ancestors(self.building)
        super().save(*args, **kwargs)


class House(_BelowBuilding):
    """房屋: one dwelling, with its exclusive floor area (专有部分面积) used in owners' votes."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="houses", verbose_name=_("unit"))
    number = models.CharField(_("house number"), max_length=20, help_text=_("e.g. 301"))
    sort_key = SortKeyField(source="number")
    # unsold or undelivered: the developer's houses count together as one owner in owners' votes
    developer_owned = models.BooleanField(_("still owned by the developer"), default=False)
    area = models.DecimalField(
        _("exclusive area (m²)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    scope_paths = Unit.scope_paths | {"unit": "unit_id"}

    class Meta:
        ordering = ["unit_id", "sort_key", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="uniq_house_number")]
        verbose_name = _("house")
        verbose_name_plural = _("houses")

    def __str__(self):
        return f"{self.unit} {self.number}"

    def save(self, *args, **kwargs):
        self.building_id = self.unit.building_id
        self.copy_ancestors(self.unit)
        super().save(*args, **kwargs)
