"""/api/v1/ for the ledger's people: households, persons (masked; the clear value only through
the audited reveal) and tags, with the same scope and privacy rules as the screens."""

import django_filters
from django.utils.cache import add_never_cache_headers
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
from .models import Household, Person, Tag, visible_tags


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
