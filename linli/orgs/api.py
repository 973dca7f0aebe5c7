"""/api/v1/organisations/: property companies, owners' committees, departments, party
organisations and co-building partners, with the same scope as the screens."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from linli.core.api.filters import filterset
from linli.core.api.serializers import ActionSerializer, ScopedRelatedField, meta
from linli.core.api.views import ScopedViewSet, scoped
from linli.places.api import PLACES
from linli.places.models import Building, Grid

from .models import DepartmentGrid, Kind, Organisation, grids_outside


class OrganisationSerializer(ActionSerializer):
    """An organisation is registered at its lowest place (compound, else community, else
    sub-district); that place must be in the user's change scope for organisations."""

    Meta = meta(
        Organisation,
        [
            "kind",
            "name",
            "subdistrict",
            "community",
            "compound",
            "partner_category",
            "contact_name",
            "contact_phone",
            "party_level",
            "parent",
            "host",
            "grid",
            "building",
        ],
    )

    def get_fields(self):
        # the party tree's references, in the user's change scope ("parent" also names DRF's
        # Field.parent, so these are not declared as class attributes)
        fields = super().get_fields()
        optional = {"required": False, "allow_null": True}
        fields["parent"] = ScopedRelatedField(Organisation, filters={"kind": Kind.PARTY}, **optional)
        fields["host"] = ScopedRelatedField(Organisation, **optional)
        fields["grid"] = ScopedRelatedField(Grid, **optional)
        fields["building"] = ScopedRelatedField(Building, **optional)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        places = {n: attrs.get(n, getattr(self.instance, n, None)) for n in ("compound", "community", "subdistrict")}
        moved = self.instance is None or any(n in attrs and attrs[n] != getattr(self.instance, n) for n in places)
        name, place = next(((n, p) for n, p in places.items() if p is not None), (None, None))
        if moved and place is not None:
            allowed = type(place).objects.restrict(self.context["request"].user, "change", domain="orgs")
            if not allowed.filter(pk=place.pk).exists():
                raise serializers.ValidationError(
                    {name: ScopedRelatedField.default_error_messages["out_of_scope"]},
                    code="out_of_scope",
                )
        return attrs


OrganisationFilter = filterset(
    Organisation, ids=PLACES[:2] + ("compound",), fields=["kind", "partner_category", "party_level"]
)
OrganisationViewSet = scoped(Organisation, OrganisationSerializer, OrganisationFilter)


class DepartmentGridSerializer(ActionSerializer):
    """部门网格: a department's or a utility's own grid over community grids, all in the user's
    config scope (the sub-district is the organisation's)."""

    organisation = ScopedRelatedField(
        Organisation, domain="config", filters={"kind__in": [Kind.DEPARTMENT, Kind.UTILITY]}
    )
    grids = ScopedRelatedField(Grid, domain="config", many=True)
    Meta = meta(DepartmentGrid, ["organisation", "name", "grids", "subdistrict"], create_only=("organisation",))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        org = attrs.get("organisation") or self.instance.organisation
        if grids_outside(org, attrs.get("grids", ())):
            raise serializers.ValidationError({"grids": _("Choose grids of the organisation's own sub-district.")})
        return attrs | {"subdistrict": org.subdistrict}


class SettingsViewSet(ScopedViewSet):
    """Shared settings (scope domain "config"): read and written by those who keep them, in the
    sub-districts where they do (config.change; nobody holds a config.view)."""

    def get_scope_action(self):
        return "change"


DepartmentGridViewSet = scoped(
    DepartmentGrid,
    DepartmentGridSerializer,
    select=("organisation",),
    prefetch=("grids__community",),
    base=SettingsViewSet,
)
