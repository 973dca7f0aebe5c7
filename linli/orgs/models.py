"""Organisations that work with the community: property companies, owners' committees,
departments, party organisations and co-building partners (共建单位)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.scope import ScopedModel
from linli.places.models import Building, Compound


class Kind(models.TextChoices):
    PROPERTY = "property", _("Property company")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    DEPARTMENT = "department", _("Government department")
    PARTY = "party", _("Party organisation")
    PARTNER = "partner", _("Co-building partner")
    # 热力, 水务, 供电: utility companies handle their own networks' requests (cases.routing)
    UTILITY = "utility", _("Public utility")


class PartnerCategory(models.TextChoices):
    FINANCE = "finance", _("Financial enterprise")
    PROPERTY = "property", _("Property enterprise")
    GOVERNMENT = "government", _("Government agency or public institution")
    MEDICAL = "medical", _("Medical institution")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    SOCIAL = "social", _("Social organisation")


def _serving_compounds_in(level):
    def q(ids):

        return Q(id__in=Compound.objects.filter(**{f"{level}__in": sorted(ids)}).values("property_company_id"))

    return q


def _serving_grids(ids):

    return Q(id__in=Building.objects.filter(grid_id__in=sorted(ids)).values("compound__property_company_id"))


def _in_subdistrict_or_serving(ids):
    return Q(subdistrict_id__in=sorted(ids)) | _serving_compounds_in("subdistrict_id")(ids)


def _in_community_or_serving(ids):
    return Q(community_id__in=sorted(ids)) | _serving_compounds_in("community_id")(ids)


class Organisation(ScopedModel):
    """单位/组织: an organisation the community works with, registered at a sub-district
    (departments, city-wide partners) or a community (owners' committees, party branches)."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    subdistrict = models.ForeignKey(
        "places.Subdistrict", models.PROTECT, related_name="organisations", verbose_name=_("sub-district")
    )
    community = models.ForeignKey(
        "places.Community",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("community"),
    )
    compound = models.ForeignKey(
        "places.Compound",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="committees",
        verbose_name=_("compound"),
        help_text=_("Owners' committees belong to one compound."),
    )
    partner_category = models.CharField(
        _("partner category"), max_length=20, choices=PartnerCategory.choices, blank=True
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    scope_domain = "orgs"
    scope_paths = {
        "subdistrict": _in_subdistrict_or_serving,
        "community": _in_community_or_serving,
        "grid": _serving_grids,
        "organisation": "id",
    }

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "kind", "name"], name="uniq_org_name"),
        ]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("orgs:detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.kind == Kind.PARTNER and not self.partner_category:
            errors["partner_category"] = _("A co-building partner needs a category.")
        if self.kind != Kind.PARTNER and self.partner_category:
            errors["partner_category"] = _("Only co-building partners have a category.")
        if self.kind == Kind.OWNERS_COMMITTEE and not self.compound_id:
            errors["compound"] = _("An owners' committee belongs to a compound.")
        if self.community_id and self.subdistrict_id and self.community.subdistrict_id != self.subdistrict_id:
            errors["community"] = _("The community is not in this sub-district.")
        if self.compound_id and self.community_id and self.compound.community_id != self.community_id:
            errors["compound"] = _("The compound is not in this community.")
        if errors:
            raise ValidationError(errors)

    def scope_keys(self):
        return {"subdistrict": self.subdistrict_id, "community": self.community_id, "grid": None}


class DepartmentGrid(ScopedModel):
    """部门网格: a department's or a utility's own working grid (a police beat, a power supply area),
    mapped one-to-one or one-to-many onto the community grids it covers, so that the routing table
    (cases.Route) can send a request on any of those grids to the organisation that works there.
    Kept, like the routing table, by those who keep the shared settings (config.change)."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="department_grids", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=60)
    grids = models.ManyToManyField("places.Grid", related_name="department_grids", verbose_name=_("community grids"))
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "config"
    scope_paths = {"subdistrict": "subdistrict_id"}

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="uniq_department_grid")]
        verbose_name = _("department grid")
        verbose_name_plural = _("department grids")

    def __str__(self):
        return f"{self.organisation.name} · {self.name}"

    def clean(self):
        if self.organisation_id and self.organisation.kind not in (Kind.DEPARTMENT, Kind.UTILITY):
            raise ValidationError({"organisation": _("Only a government department or a public utility has grids.")})


def grids_outside(organisation, grids) -> list:
    """The community grids of `grids` outside `organisation`'s sub-district: a department grid maps
    only onto grids of its own sub-district."""
    return [g for g in grids if g.community.subdistrict_id != organisation.subdistrict_id]
