"""/api/v1/ for the place tree: sub-districts, communities, grids, compounds, buildings, units and
houses, with the same scope as the screens. Parents are fixed at creation."""

import django_filters
from rest_framework.exceptions import PermissionDenied

from linli.core.api.filters import filterset
from linli.core.api.serializers import ActionSerializer, ScopedRelatedField, meta
from linli.core.api.views import ScopedViewSet, scoped
from linli.core.scope import scope_for

from . import search
from .models import Building, Community, Compound, Grid, House, Subdistrict, Unit

PLACES = ("subdistrict", "community", "grid", "compound", "building", "unit")


class SubdistrictSerializer(ActionSerializer):
    Meta = meta(Subdistrict, ["name", "code"])


class CommunitySerializer(ActionSerializer):
    subdistrict = ScopedRelatedField(Subdistrict)
    Meta = meta(Community, ["subdistrict", "name"], create_only=("subdistrict",))


class GridSerializer(ActionSerializer):
    community = ScopedRelatedField(Community)
    Meta = meta(Grid, ["subdistrict", "community", "name", "boundary"], create_only=("community",))


class CompoundSerializer(ActionSerializer):
    community = ScopedRelatedField(Community)
    property_company = ScopedRelatedField(
        # orgs sits above places: the model comes from the field, not from an import
        Compound._meta.get_field("property_company").related_model,
        action="view",
        domain="orgs",
        filters={"kind": "property"},
        required=False,
        allow_null=True,
    )
    Meta = meta(
        Compound,
        ["subdistrict", "community", "name", "address", "property_company", "boundary"],
        create_only=("community",),
    )


class BuildingSerializer(ActionSerializer):
    compound = ScopedRelatedField(Compound)
    grid = ScopedRelatedField(Grid)
    Meta = meta(
        Building,
        ["subdistrict", "community", "compound", "grid", "name"],
        create_only=("compound", "grid"),
    )


class UnitSerializer(ActionSerializer):
    building = ScopedRelatedField(Building)
    Meta = meta(
        Unit,
        ["subdistrict", "community", "grid", "compound", "building", "name"],
        create_only=("building",),
    )


class HouseSerializer(ActionSerializer):
    unit = ScopedRelatedField(Unit)
    Meta = meta(
        House,
        ["subdistrict", "community", "grid", "compound", "building", "unit", "number", "area", "developer_owned"],
        create_only=("unit",),
    )


CommunityFilter = filterset(Community, ids=PLACES[:1])
GridFilter = filterset(Grid, ids=PLACES[:2])
CompoundFilter = filterset(Compound, ids=(*PLACES[:2], "property_company"))
BuildingFilter = filterset(Building, ids=PLACES[:4])
UnitFilter = filterset(Unit, ids=PLACES[:5])
HouseFilter = filterset(
    House,
    ids=PLACES,
    q=django_filters.CharFilter(
        method=lambda qs, _name, value: search.houses_matching(qs, value[:100]),
        label="address, e.g. 枫林湾 3栋 2单元 501",
    ),
)


class SubdistrictViewSet(ScopedViewSet):
    """Sub-districts. Only a user whose change scope is everything creates one."""

    model = Subdistrict
    serializer_class = SubdistrictSerializer

    def create(self, request, *args, **kwargs):
        if not scope_for(request.user, "places.change").everything:
            raise PermissionDenied
        return super().create(request, *args, **kwargs)


CommunityViewSet = scoped(Community, CommunitySerializer, CommunityFilter)
GridViewSet = scoped(Grid, GridSerializer, GridFilter, select=["community"])
CompoundViewSet = scoped(Compound, CompoundSerializer, CompoundFilter)
BuildingViewSet = scoped(Building, BuildingSerializer, BuildingFilter, select=["compound"])
UnitViewSet = scoped(Unit, UnitSerializer, UnitFilter, select=["building__compound"])
HouseViewSet = scoped(House, HouseSerializer, HouseFilter, select=["unit__building__compound"])
