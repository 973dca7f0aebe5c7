"""/api/v1/ for the ledger's people: households, persons (masked; the clear value only through
the audited reveal) and tags, with the same scope and privacy rules as the screens."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from linli.core.api.filters import filterset
from linli.core.api.serializers import ANCESTORS, ActionSerializer, ScopedRelatedField, meta
from linli.core.api.views import ScopedViewSet, ScopePermission, scoped
from linli.places.api import PLACES
from linli.places.models import House

from . import privacy
from .actions import REVEALABLE, reveal_field
from .models import Household, Ownership, Person, Tag, ledger_person, visible_tags


class HouseholdSerializer(ActionSerializer):
    house = ScopedRelatedField(House)
    Meta = meta(
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
    tags = serializers.SlugRelatedField(many=True, slug_field="name", queryset=Tag.objects.all(), required=False)

    Meta = meta(
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


class OwnershipSerializer(ActionSerializer):
    """产权人 of a house: a person of the ledger (written as `person_id_number`, found wherever they
    live; read as `person` and the masked `owner`) or an organisation; `share` for co-owners. The
    house and the person are fixed at creation."""

    house = ScopedRelatedField(House)
    person = serializers.PrimaryKeyRelatedField(read_only=True)
    person_id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=18)
    owner = serializers.CharField(source="owner_label", read_only=True)

    Meta = meta(
        Ownership,
        [
            *ANCESTORS, "house", "person", "person_id_number", "owner", "organisation", "organisation_code",
            "share", "created_at",
        ],
        create_only=("house",),
    )  # fmt: skip

    def validate_person_id_number(self, value):
        if self.instance is not None and value:
            raise serializers.ValidationError(_("This cannot be changed after creation."), code="create_only")
        try:
            return ledger_person(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_organisation_code(self, value):
        return value.strip().upper()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "person_id_number" in attrs:
            person = attrs.pop("person_id_number")
            if person is not None:
                attrs["person"] = person
        return attrs


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "sensitive", "order"]


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=REVEALABLE)


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


def _filter_visible_tag(self, queryset, name, value):
    # filtering by a sensitive tag one may not see would reveal it: such a tag matches nothing,
    # and a sensitive one only the persons the user may reveal
    tag = visible_tags(self.request.user).filter(name=value).first()
    return privacy.with_tag(queryset, self.request.user, tag) if tag else queryset.none()


HouseholdFilter = filterset(Household, ids=(*PLACES, "house"), fields=["tenure"])
PersonFilter = filterset(
    Person,
    ids=(*PLACES, "household"),
    fields=["relation", "gender"],
    tag=django_filters.CharFilter(method="filter_tag"),
    filter_tag=_filter_visible_tag,
)

OwnershipFilter = filterset(Ownership, ids=(*PLACES, "house"))
OwnershipViewSet = scoped(
    Ownership,
    OwnershipSerializer,
    OwnershipFilter,
    select=["house__unit__building__compound", "person"],
)

HouseholdViewSet = scoped(
    Household,
    HouseholdSerializer,
    HouseholdFilter,
    select=["house__unit__building__compound"],
)


class PersonViewSet(ScopedViewSet):
    """Residents. ID number and phone are shown masked; `reveal` returns one clear value and
    audits it (people.reveal)."""

    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    prefetch = ["tags"]

    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    @action(detail=True, methods=["post"], scope_action="reveal")
    def reveal(self, request, pk=None):
        person = self.get_object()  # restricted to the user's reveal scope
        form = RevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        value = reveal_field(person, field, actor=request.user)
        response = Response({"field": field, "value": value})
        add_never_cache_headers(response)  # no-store, private: never kept by a browser or proxy
        return response


class TagViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The tag list (党员, 低保 …), for writing persons' tags by name."""

    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    permission_classes = [ScopePermission]

    def get_queryset(self):
        return visible_tags(self.request.user)

    def required_perm(self):
        return "people.view"
