"""/api/v1/cases/: the request lifecycle over REST, with the same scope as the screens."""

from typing import cast

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from linli.core.api.moves import MovesMixin
from linli.core.api.pagination import CursorPagination
from linli.core.api.serializers import ActionSerializer, ScopedRelatedField, meta
from linli.core.api.views import ScopedViewSet, ScopePermission, scoped
from linli.facilities.models import Facility
from linli.orgs.api import SettingsViewSet
from linli.orgs.models import DepartmentGrid, Kind, Organisation
from linli.places.models import Building, Community, Compound, Grid, House, Unit

from . import actions, location, reporter, routing
from .filters import CaseFilter
from .models import Case, CaseEvent, Category, CoHandler, Rating, Route, Where
from .workflow import LIFECYCLE


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "parent", "name", "handler_kind", "respond_hours", "resolve_workdays"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["action", "from_state", "to_state", "actor", "note", "created_at"]

    def get_actor(self, event) -> str | None:
        """None where the timeline hides the actor (the reporter of an anonymous request, their
        household): cases.reporter."""
        case = event.case
        hidden = cast(dict, self.context).setdefault("hidden_actors", {})
        if case.pk not in hidden:
            hidden[case.pk] = reporter.hidden_actors(case)
        if reporter.is_hidden(event, case, hidden[case.pk]):
            return None
        return str(event.actor) if event.actor_id else None


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A place the user may report in; anything else is "not found" on that field."""

    def __init__(self, model, **kw):
        self.model = model
        super().__init__(**kw)

    def get_queryset(self):
        return self.model.objects.restrict(self.context["request"].user, "report", domain="cases")


class BlankAsNullField(serializers.ChoiceField):
    """A read-only choice the model keeps as "" for none (the rating until there is one, `where`
    of a request from before issue 12): null, since "" is not one of the choices the OpenAPI
    document lists."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices=choices, read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    rating = BlankAsNullField(Rating.choices)
    where = BlankAsNullField(Where.choices)
    reporter_name = serializers.SerializerMethodField()
    grid = ScopedPK(Grid)
    compound = ScopedPK(Compound, required=False, allow_null=True)
    building = ScopedPK(Building, required=False, allow_null=True)
    house = ScopedPK(House, required=False, allow_null=True)
    unit = ScopedPK(Unit, required=False, allow_null=True)
    facility = ScopedPK(
        Facility,
        required=False,
        allow_null=True,
        help_text="The facility the request is about (docs/facilities.md), in the request's compound.",
    )
    location = serializers.SerializerMethodField(
        help_text="The point on the map (GeoJSON Point, longitude/latitude of the grid boundaries), for staff; "
        "an anonymous request's only for those who may reveal its reporter (cases.location.point_shown)."
    )
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(active=True, children=None))

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "channel",
            "category",
            "description",
            "grid",
            "compound",
            "building",
            "unit",
            "house",
            "where",
            "location",
            "facility",
            "community",
            "state",
            "assignee_org",
            "respond_by",
            "resolve_by",
            "responded_at",
            "handled_at",
            "closed_at",
            "result",
            "rating",
            "anonymous",
            "reporter_name",
            "version",
            "created_at",
        ]
        read_only_fields = [
            "where",
            "community",
            "state",
            "assignee_org",
            "respond_by",
            "resolve_by",
            "responded_at",
            "handled_at",
            "closed_at",
            "result",
            "rating",
            "version",
            "created_at",
        ]

    def get_location(self, case) -> dict | None:
        return case.location if location.point_shown(case, self.context["request"].user) else None

    def get_reporter_name(self, case) -> str | None:
        return None if case.anonymous else case.reporter_name or None

    def create(self, data):
        try:
            return actions.report_case(actor=self.context["request"].user, **data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None


class CoHandlerSerializer(serializers.ModelSerializer):
    """联合处置: a co-handling organisation and its latest feedback (null until it answers)."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = CoHandler
        fields = ["organisation", "organisation_name", "feedback", "feedback_at"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    events = EventSerializer(many=True, read_only=True)
    co_handlers = CoHandlerSerializer(many=True, read_only=True)
    suggested_orgs = serializers.SerializerMethodField(
        help_text="What the routing table suggests for dispatch (cases.routing), for those who dispatch it."
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "co_handlers", "events", "suggested_orgs"]

    def get_suggested_orgs(self, case) -> list[int]:
        user = self.context["request"].user
        if case.state not in LIFECYCLE["dispatch"].sources or not case.allows(user, "dispatch"):
            return []
        return [org.pk for org in routing.suggest(case)]


class CommentSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class RevealedReporterSerializer(serializers.Serializer):
    reporter_name = serializers.CharField()
    reporter_phone = serializers.CharField()


DETAIL_PREFETCH = ["events__actor", "events__case", "co_handlers__organisation"]


class CaseViewSet(MovesMixin, ScopedViewSet):
    """Requests (诉求) and their work-order lifecycle. POST reports one; POST …/{id}/<move>/
    moves it, one endpoint per move of cases.workflow (409 when another user moved it first)."""

    model = Case
    filterset_class = CaseFilter
    select = ["category", "grid"]
    pagination_class = CursorPagination  # newest first by (created_at, id): page 200 costs page 1
    http_method_names = ["get", "post", "head", "options"]
    lifecycle = LIFECYCLE
    move_response = CaseDetailSerializer

    def get_scope_action(self):
        if self.scope_action:
            return self.scope_action
        return "report" if self.action == "create" else "view"

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.prefetch_related(*DETAIL_PREFETCH) if self.action == "retrieve" else qs

    def moved(self, pk):
        case = Case.objects.prefetch_related(*DETAIL_PREFETCH).get(pk=pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=CommentSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], scope_action="view")
    def comment(self, request, pk=None):
        """A comment on the timeline, for anyone who sees the request."""
        case = self.get_object()
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.comment(case, actor=request.user, note=body.validated_data["note"])
        return self.moved(case.pk)

    @extend_schema(request=None, responses=RevealedReporterSerializer)
    @action(detail=True, methods=["post"], scope_action="reveal_reporter")
    def reveal_reporter(self, request, pk=None):
        """Who reported the request, for a call-back (community and sub-district staff); audited."""
        case = self.get_object()
        response = Response(RevealedReporterSerializer(actions.reveal_reporter(case, actor=request.user)).data)
        response["Cache-Control"] = "no-store"
        return response


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The category tree with time limits."""

    queryset = Category.objects.filter(active=True)
    serializer_class = CategorySerializer
    permission_classes = [ScopePermission]

    def required_perm(self):
        return "cases.view"


class RouteSerializer(ActionSerializer):
    """派单路由: a category at a place (the sub-district when none is given) to an organisation,
    every reference in the user's config scope; the sub-district is the organisation's."""

    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(active=True))
    organisation = ScopedRelatedField(
        Organisation, filters={"kind__in": [Kind.PROPERTY, Kind.DEPARTMENT, Kind.UTILITY, Kind.PARTY]}
    )
    community = ScopedRelatedField(Community, required=False, allow_null=True)
    grid = ScopedRelatedField(Grid, required=False, allow_null=True)
    department_grid = ScopedRelatedField(DepartmentGrid, required=False, allow_null=True)
    Meta = meta(Route, ["category", "subdistrict", "community", "grid", "department_grid", "organisation"])

    def validate(self, attrs):
        attrs = super().validate(attrs)
        org = attrs.get("organisation") or self.instance.organisation
        return attrs | {"subdistrict": org.subdistrict}


RouteViewSet = scoped(
    Route,
    RouteSerializer,
    select=("category__parent", "organisation", "subdistrict", "community", "grid", "department_grid__organisation"),
    base=SettingsViewSet,
)
