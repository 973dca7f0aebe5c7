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


class PartyLevel(models.TextChoices):
    """Where a party organisation stands in the tree the seeds describe: 社区党委 → 小区党支部 /
    网格党支部 → 楼栋党小组 → 党员中心户, plus 联合党委, the 非公党支部 of a partner and the party
    organisation of a workplace (where a 在职党员 works)."""

    SUBDISTRICT_COMMITTEE = "subdistrict_committee", _("Sub-district party working committee")
    COMMUNITY_COMMITTEE = "community_committee", _("Community party committee")
    COMPOUND_BRANCH = "compound_branch", _("Compound party branch")
    GRID_BRANCH = "grid_branch", _("Grid party branch")
    BUILDING_GROUP = "building_group", _("Building party group")
    MEMBER_HOUSEHOLD = "member_household", _("Party member centre household")
    JOINT_COMMITTEE = "joint_committee", _("Joint party committee")
    NONPUBLIC_BRANCH = "nonpublic_branch", _("Non-public enterprise party branch")
    WORKPLACE = "workplace", _("Workplace party organisation")


# The levels a party organisation may sit under (None: a root).
PARTY_PARENTS = {
    PartyLevel.SUBDISTRICT_COMMITTEE: {None},
    PartyLevel.COMMUNITY_COMMITTEE: {None, PartyLevel.SUBDISTRICT_COMMITTEE},
    PartyLevel.JOINT_COMMITTEE: {None, PartyLevel.COMMUNITY_COMMITTEE},
    PartyLevel.COMPOUND_BRANCH: {PartyLevel.COMMUNITY_COMMITTEE, PartyLevel.JOINT_COMMITTEE},
    PartyLevel.GRID_BRANCH: {PartyLevel.COMMUNITY_COMMITTEE, PartyLevel.JOINT_COMMITTEE},
    PartyLevel.BUILDING_GROUP: {PartyLevel.COMPOUND_BRANCH, PartyLevel.GRID_BRANCH},
    PartyLevel.MEMBER_HOUSEHOLD: {PartyLevel.BUILDING_GROUP},
    PartyLevel.NONPUBLIC_BRANCH: {None, PartyLevel.JOINT_COMMITTEE, PartyLevel.COMMUNITY_COMMITTEE},
    PartyLevel.WORKPLACE: {None},
}
# The place each level is attached to (the field that must be set).
PARTY_PLACE = {
    PartyLevel.COMMUNITY_COMMITTEE: "community",
    PartyLevel.JOINT_COMMITTEE: "community",
    PartyLevel.COMPOUND_BRANCH: "compound",
    PartyLevel.GRID_BRANCH: "grid",
    PartyLevel.BUILDING_GROUP: "building",
    PartyLevel.MEMBER_HOUSEHOLD: "building",
}


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


def _serving_or_in_grids(ids):
    """A grid reaches the property companies serving it and the party organisations attached to
    it or to one of its buildings (网格党支部, 楼栋党小组, 党员中心户)."""
    return _serving_grids(ids) | Q(grid_id__in=sorted(ids)) | Q(building__grid_id__in=sorted(ids))


def _in_subdistrict_or_serving(ids):
    return Q(subdistrict_id__in=sorted(ids)) | _serving_compounds_in("subdistrict_id")(ids)


def _in_community_or_serving(ids):
    return Q(community_id__in=sorted(ids)) | _serving_compounds_in("community_id")(ids)


def _self_or_its_party(ids):
    """An organisation's staff reach it and its own party organisations (a partner's 非公党支部)."""
    return Q(id__in=sorted(ids)) | Q(host_id__in=sorted(ids))


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
    # the party tree (党组织 only): its level, the organisation above it, the place it is attached to
    party_level = models.CharField(_("party level"), max_length=24, choices=PartyLevel.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("higher party organisation"),
    )
    host = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="party_organisations",
        verbose_name=_("organisation it belongs to"),
        help_text=_("The partner or workplace whose party organisation this is."),
    )
    grid = models.ForeignKey(
        "places.Grid", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grid")
    )
    building = models.ForeignKey(
        "places.Building", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )

    scope_domain = "orgs"
    scope_paths = {
        "subdistrict": _in_subdistrict_or_serving,
        "community": _in_community_or_serving,
        "grid": _serving_or_in_grids,
        "organisation": _self_or_its_party,
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
        errors |= self._party_errors()
        if errors:
            raise ValidationError(errors)

    def _party_errors(self):
        """The party tree's rules: only a party organisation has a level (and then must), sits
        under a level allowed above it in the same community, and is attached to its place."""
        errors = {}
        if self.kind != Kind.PARTY:
            for name in ("party_level", "parent", "host"):
                if getattr(self, f"{name}_id" if name != "party_level" else name):
                    errors[name] = _("Only a party organisation has this.")
            return errors
        if not self.party_level:  # a party organisation not (yet) placed in the tree
            return errors
        parent = self.parent if self.parent_id else None
        if parent is not None and (parent.kind != Kind.PARTY or parent.pk == self.pk):
            errors["parent"] = _("The higher organisation must be another party organisation.")
        elif (parent.party_level if parent else None) not in PARTY_PARENTS[self.party_level]:
            errors["parent"] = _("This level cannot sit under the organisation chosen.")
        elif parent is not None and parent.community_id and parent.community_id != self.community_id:
            errors["parent"] = _("The higher organisation is in another community.")
        place = PARTY_PLACE.get(self.party_level)
        if place and not self.community_id:
            errors["community"] = _("This level belongs to a community.")
        if place and not getattr(self, f"{place}_id"):
            errors[place] = _("This level is attached to a %(place)s.") % {
                "place": self._meta.get_field(place).verbose_name
            }
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            errors["grid"] = _("The grid is not in this community.")
        if self.building_id and self.community_id and self.building.compound.community_id != self.community_id:
            errors["building"] = _("The building is not in this community.")
        if self.host_id and self.host.kind == Kind.PARTY:
            errors["host"] = _("A party organisation belongs to a partner or a workplace, not to another party one.")
        return errors

    def scope_keys(self):
        return {"subdistrict": self.subdistrict_id, "community": self.community_id, "grid": self.grid_id}


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
