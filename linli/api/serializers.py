"""Serializers of /api/v1/. They validate input and hand it to the audited actions
(core.actions); they never save a row themselves.

A reference to a place (the household of a new person, the unit of a new house) must lie in the
user's "change" scope of the model being written — the same rule as the UI's create views. An
unknown id and an id outside the scope get the same answer, so the API tells nobody which rows
exist beyond their scope.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linli.core import actions
from linli.core.models import AuditLog
from linli.orgs.models import Organisation
from linli.people import privacy
from linli.people.actions import REVEALABLE
from linli.people.models import Household, Person, Tag
from linli.places.models import Building, Community, Compound, Grid, House, Subdistrict, Unit

# Ancestor keys copied down the tree (read-only: the model's save() keeps them).
ANCESTORS = ("subdistrict", "community", "grid", "compound", "building", "unit")


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up only among the rows the user may `action` with the domain of the
    serializer's model (or `domain`). An unchanged value on update is accepted as it is."""

    default_error_messages = {"out_of_scope": _("This place is outside your scope.")}

    def __init__(self, model, *, action="change", domain=None, filters=None, **kwargs):
        self.scope_action, self.scope_domain, self.filters = action, domain, filters or {}
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        domain = self.scope_domain or self.parent.Meta.model.scope_domain
        user = self.context["request"].user
        return self.queryset.model.objects.restrict(user, self.scope_action, domain=domain).filter(
            **self.filters
        )

    def to_internal_value(self, data):
        instance = getattr(self.parent, "instance", None)
        if instance is not None and str(data) == str(getattr(instance, f"{self.source}_id")):
            return getattr(instance, self.source)
        if isinstance(data, bool) or not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        obj = self.get_queryset().filter(pk=data).first()
        if obj is None:
            self.fail("out_of_scope")
        return obj


class ActionSerializer(serializers.ModelSerializer):
    """Creates and updates through core.actions (full_clean, save and audit in one transaction).
    Model validation errors surface as 400s with field paths (see errors.py)."""

    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = None
        # Fields fixed at creation: moving a row would leave stale ancestor keys below it.
        create_only: tuple[str, ...] = ()

    def get_validators(self):
        # Uniqueness is the model's business (full_clean in the action), checked once.
        return []

    def validate(self, attrs):
        errors = {}
        for name in getattr(self.Meta, "create_only", ()):
            if (
                self.instance is not None
                and name in attrs
                and attrs[name] != getattr(self.instance, name)
            ):
                errors[name] = _("This cannot be changed after creation.")
        if errors:
            raise serializers.ValidationError(errors, code="create_only")
        return attrs

    def _split(self, data):
        """(plain fields, many-to-many fields): the action sets the latter once the row exists."""
        m2m = {f.name for f in self.Meta.model._meta.many_to_many}
        plain = {k: v for k, v in data.items() if k not in m2m}
        return plain, {k: v for k, v in data.items() if k in m2m}

    def create(self, validated_data):
        data, m2m = self._split(validated_data)
        return actions.create_object(
            self.Meta.model, actor=self.context["request"].user, m2m=m2m, **data
        )

    def update(self, instance, validated_data):
        data, m2m = self._split(validated_data)
        return actions.update_object(instance, actor=self.context["request"].user, m2m=m2m, **data)


def _meta(model, fields, create_only=()):
    # Ancestor keys are editable=False on the models, so ModelSerializer makes them read-only.
    return type(
        "Meta",
        (),
        {"model": model, "fields": ["id", "display", *fields], "create_only": create_only},
    )


class SubdistrictSerializer(ActionSerializer):
    Meta = _meta(Subdistrict, ["name", "code"])


class CommunitySerializer(ActionSerializer):
    subdistrict = ScopedRelatedField(Subdistrict)
    Meta = _meta(Community, ["subdistrict", "name"], create_only=("subdistrict",))


class GridSerializer(ActionSerializer):
    community = ScopedRelatedField(Community)
    Meta = _meta(Grid, ["subdistrict", "community", "name", "boundary"], create_only=("community",))


class CompoundSerializer(ActionSerializer):
    community = ScopedRelatedField(Community)
    property_company = ScopedRelatedField(
        Organisation,
        action="view",
        domain="orgs",
        filters={"kind": "property"},
        required=False,
        allow_null=True,
    )
    Meta = _meta(
        Compound,
        ["subdistrict", "community", "name", "address", "property_company", "boundary"],
        create_only=("community",),
    )


class BuildingSerializer(ActionSerializer):
    compound = ScopedRelatedField(Compound)
    grid = ScopedRelatedField(Grid)
    Meta = _meta(
        Building,
        ["subdistrict", "community", "compound", "grid", "name"],
        create_only=("compound", "grid"),
    )


class UnitSerializer(ActionSerializer):
    building = ScopedRelatedField(Building)
    Meta = _meta(
        Unit,
        ["subdistrict", "community", "grid", "compound", "building", "name"],
        create_only=("building",),
    )


class HouseSerializer(ActionSerializer):
    unit = ScopedRelatedField(Unit)
    Meta = _meta(
        House,
        ["subdistrict", "community", "grid", "compound", "building", "unit", "number", "area"],
        create_only=("unit",),
    )


class HouseholdSerializer(ActionSerializer):
    house = ScopedRelatedField(House)
    Meta = _meta(
        Household,
        [*ANCESTORS, "house", "tenure", "note", "created_at"],
        create_only=("house",),
    )


class PersonSerializer(ActionSerializer):
    """ID number and phone are write-only: reads show them masked; the clear value comes only
    from the audited reveal action. Omitted on update, they keep their current value. The birth
    date is the ID number's (read-only) and shown as `birth_year` to roles that may reveal the
    person, null to the others; so are sensitive tags (people/privacy.py)."""

    household = ScopedRelatedField(Household)
    id_number = serializers.CharField(write_only=True, required=False, max_length=18)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    birth_year = serializers.SerializerMethodField()
    tags = serializers.SlugRelatedField(
        many=True, slug_field="name", queryset=Tag.objects.all(), required=False
    )

    Meta = _meta(
        Person,
        [
            *ANCESTORS, "household", "name", "relation", "gender", "birth_year",
            "id_number", "id_number_masked", "phone", "phone_masked", "tags", "created_at",
        ],
        create_only=("household",),
    )  # fmt: skip

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_birth_year(self, obj) -> int | None:
        return privacy.birth_year(self.context["request"].user, obj)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["tags"] = [t.name for t in privacy.shown_tags(self.context["request"].user, instance)]
        return data

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            message = self.fields["id_number"].error_messages["required"]
            raise serializers.ValidationError({"id_number": message}, code="required")
        return super().validate(attrs)


class OrganisationSerializer(ActionSerializer):
    """An organisation is registered at its lowest place (compound, else community, else
    sub-district); that place must be in the user's change scope for organisations."""

    Meta = _meta(
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
        places = {
            n: attrs.get(n, getattr(self.instance, n, None))
            for n in ("compound", "community", "subdistrict")
        }
        moved = self.instance is None or any(
            n in attrs and attrs[n] != getattr(self.instance, n) for n in places
        )
        name, place = next(((n, p) for n, p in places.items() if p is not None), (None, None))
        if moved and place is not None:
            allowed = type(place).objects.restrict(
                self.context["request"].user, "change", domain="orgs"
            )
            if not allowed.filter(pk=place.pk).exists():
                raise serializers.ValidationError(
                    {name: ScopedRelatedField.default_error_messages["out_of_scope"]},
                    code="out_of_scope",
                )
        return attrs


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "sensitive", "order"]


class AuditLogSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor", read_only=True, allow_null=True)
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditLog
        fields = [
            "id", "created_at", "actor", "actor_name", "action", "object_type", "object_id",
            "object_repr", "changes", "note", "subdistrict_id", "community_id", "grid_id",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_object_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=REVEALABLE)


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()
