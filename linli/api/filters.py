"""List filters of /api/v1/. Places are filtered by plain ids on the denormalised ancestor keys:
no lookup of the given id (one indexed filter, and no hint whether an id outside the scope
exists — it simply matches nothing in the already restricted queryset)."""

import django_filters

from linli.core.ids import IdFilter
from linli.core.models import AuditLog
from linli.orgs.models import Organisation
from linli.people import privacy
from linli.people.models import Household, Person, visible_tags
from linli.places.models import Building, Community, Compound, Grid, House, Unit


def filterset(model_, ids=(), fields=(), **extra):
    """A FilterSet with an id filter per ancestor in `ids`, exact filters on `fields`."""
    attrs = {name: IdFilter(field_name=f"{name}_id") for name in ids}
    attrs["Meta"] = type("Meta", (), {"model": model_, "fields": list(fields)})
    return type(f"{model_.__name__}Filter", (django_filters.FilterSet,), attrs | extra)


def _filter_visible_tag(self, queryset, name, value):
    # filtering by a sensitive tag one may not see would reveal it: such a tag matches nothing,
    # and a sensitive one only the persons the user may reveal
    tag = visible_tags(self.request.user).filter(name=value).first()
    return privacy.with_tag(queryset, self.request.user, tag) if tag else queryset.none()


PLACES = ("subdistrict", "community", "grid", "compound", "building", "unit")

CommunityFilter = filterset(Community, ids=PLACES[:1])
GridFilter = filterset(Grid, ids=PLACES[:2])
CompoundFilter = filterset(Compound, ids=(*PLACES[:2], "property_company"))
BuildingFilter = filterset(Building, ids=PLACES[:4])
UnitFilter = filterset(Unit, ids=PLACES[:5])
HouseFilter = filterset(House, ids=PLACES)
HouseholdFilter = filterset(Household, ids=(*PLACES, "house"), fields=["tenure"])
PersonFilter = filterset(
    Person,
    ids=(*PLACES, "household"),
    fields=["relation", "gender"],
    tag=django_filters.CharFilter(method="filter_tag"),
    filter_tag=_filter_visible_tag,
)
OrganisationFilter = filterset(
    Organisation, ids=PLACES[:2] + ("compound",), fields=["kind", "partner_category"]
)
AuditLogFilter = filterset(
    AuditLog,
    ids=("subdistrict", "community", "grid", "actor"),
    fields=["action", "object_id"],
    model=django_filters.CharFilter(field_name="content_type__model"),
)
