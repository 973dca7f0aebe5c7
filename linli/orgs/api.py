"""/api/v1/organisations/: property companies, owners' committees, departments, party
organisations and co-building partners, with the same scope as the screens."""

from rest_framework import serializers

from linli.core.api.filters import filterset
from linli.core.api.serializers import ActionSerializer, ScopedRelatedField, meta
from linli.core.api.views import scoped
from linli.places.api import PLACES

from .models import Organisation


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
        ],
    )

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


OrganisationFilter = filterset(Organisation, ids=PLACES[:2] + ("compound",), fields=["kind", "partner_category"])
OrganisationViewSet = scoped(Organisation, OrganisationSerializer, OrganisationFilter)
