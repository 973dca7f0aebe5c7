"""/api/v1/cases/: the request lifecycle over REST, with the same scope as the screens."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.response import Response

from linli.api.fields import DateTimeField, IdField
from linli.api.views import ScopedViewSet, ScopePermission
from linli.orgs.models import Organisation
from linli.places.models import Building, Compound, Grid, House

from . import actions, reporter
from .filters import CaseFilter
from .models import Case, CaseEvent, Category, Rating
from .workflow import TRANSITIONS


class ConflictError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


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
        hidden = self.context.setdefault("hidden_actors", {})
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


class RatingField(serializers.ChoiceField):
    """The resident's rating, null until there is one (the model keeps "" for none, which is not
    one of the choices the OpenAPI document lists)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Rating.choices, read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    rating = RatingField()
    reporter_name = serializers.SerializerMethodField()
    grid = ScopedPK(Grid)
    compound = ScopedPK(Compound, required=False, allow_null=True)
    building = ScopedPK(Building, required=False, allow_null=True)
    house = ScopedPK(House, required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(active=True, children=None))

    class Meta:
        model = Case
        fields = ["id", "number", "channel", "category", "description", "grid", "compound", "building", "house", "community",
                  "state", "assignee_org", "respond_by", "resolve_by", "responded_at", "handled_at", "closed_at", "result",
                  "rating", "anonymous", "reporter_name", "version", "created_at"]
        read_only_fields = ["community", "state", "assignee_org", "respond_by", "resolve_by", "responded_at", "handled_at",
                            "closed_at", "result", "rating", "version", "created_at"]

    def get_reporter_name(self, case) -> str | None:
        return None if case.anonymous else case.reporter_name or None

    def create(self, data):
        try:
            return actions.report_case(actor=self.context["request"].user, **data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None


class CaseDetailSerializer(CaseSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(TRANSITIONS))
    version = serializers.IntegerField(min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    assignee_org = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False, allow_null=True, default=None)
    rating = serializers.ChoiceField(choices=Rating.choices, required=False, default="")
    deadline = DateTimeField(required=False, allow_null=True, default=None)


class MergeSerializer(serializers.Serializer):
    into = IdField()
    version = serializers.IntegerField(min_value=0)


class CommentSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class RevealedReporterSerializer(serializers.Serializer):
    reporter_name = serializers.CharField()
    reporter_phone = serializers.CharField()


class CaseViewSet(ScopedViewSet):
    """Requests (诉求) and their work-order lifecycle. POST reports one; POST …/transition/
    moves it (409 when another user moved it first)."""

    model = Case
    filterset_class = CaseFilter
    select = ["category", "grid"]
    http_method_names = ["get", "post", "head", "options"]

    def get_scope_action(self):
        if self.scope_action:
            return self.scope_action
        return "report" if self.action == "create" else "view"

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.prefetch_related("events__actor", "events__case") if self.action == "retrieve" else qs

    def _act(self, request, form_class, do, field="action"):
        """Validate the body, run one action on the case, map its errors to API answers (409 on a
        conflict, 403, 404, 400 with field paths) and answer with the case and its timeline."""
        case = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            do(case, form.validated_data)
        except actions.Conflict as exc:
            raise ConflictError(str(exc)) from None
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        except Case.DoesNotExist:
            raise NotFound from None
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {field: exc.messages}) from None
        case = Case.objects.prefetch_related("events__actor", "events__case").get(pk=case.pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=TransitionSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], scope_action="view")
    def transition(self, request, pk=None):
        def do(case, d):
            actions.transition(case.pk, d["action"], actor=request.user, version=d["version"], note=d["note"],
                               assignee_org=d["assignee_org"], rating=d["rating"], deadline=d["deadline"])

        return self._act(request, TransitionSerializer, do)

    @extend_schema(request=MergeSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], scope_action="view")
    def merge(self, request, pk=None):
        def do(case, d):
            actions.merge(case.pk, d["into"], actor=request.user, version=d["version"])

        return self._act(request, MergeSerializer, do, field="into")

    @extend_schema(request=CommentSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], scope_action="view")
    def comment(self, request, pk=None):
        return self._act(request, CommentSerializer, lambda case, d: actions.comment(case, actor=request.user, note=d["note"]))

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
