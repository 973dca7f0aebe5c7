"""/api/v1/ of the three lists, with the same scope as the screens: needs (read, create, the move
withdraw, and `…/{id}/suggestions/` — the resources that could meet it), resources (read, offer,
withdraw), projects (read with their budget rows, create, the moves start / deliver / cancel; a 民生实事's
approve / extend / works / pay / accept / evaluate, campaign / answer (问需: the consent campaign and
one house's answer and share paid), and its payments, photos and campaign figures read — a photo is
added on the screen).
Nothing here names a resident: a need carries a group description, and its source requests only
as the ids the reader may open."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from linli.cases.models import Category
from linli.core.api.filters import filterset
from linli.core.api.moves import MovesMixin
from linli.core.api.serializers import ScopedRelatedField
from linli.core.api.views import ScopedReadOnlyViewSet
from linli.deliberation.models import Meeting, Topic
from linli.orgs.models import Kind, Organisation
from linli.places.api import PLACES
from linli.places.models import Community, Compound, Grid

from . import actions, matching
from .models import Funding, Heading, Need, Payment, Photo, Project, Resource
from .workflow import NEED, PROJECT, RESOURCE

FILTERS = PLACES[:2]


def _created(request, body_class, act):
    """POST of a list: the body checked by `body_class`, the row made by the action `act`, 201."""
    body = body_class(data=request.data, context={"request": request})
    body.is_valid(raise_exception=True)
    try:
        return act(actor=request.user, **body.validated_data)
    except DjangoPermissionDenied:
        raise PermissionDenied from None


class ResourceSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)

    class Meta:
        model = Resource
        fields = [
            "id",
            "partner",
            "partner_name",
            "kind",
            "heading",
            "title",
            "description",
            "quantity",
            "unit",
            "amount_fen",
            "available_from",
            "available_until",
            "conditions",
            "community",
            "state",
            "version",
            "reason",
            "created_at",
        ]


class NeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = [
            "id",
            "title",
            "heading",
            "description",
            "beneficiaries",
            "people_count",
            "source",
            "community",
            "compound",
            "grid",
            "state",
            "version",
            "reason",
            "created_at",
        ]


class NeedCreateSerializer(serializers.Serializer):
    """A need of a community in the user's change scope; `case_numbers` (request numbers) and
    `topic` link its sources."""

    community = ScopedRelatedField(Community, domain="projects")
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False, allow_null=True)
    grid = serializers.PrimaryKeyRelatedField(queryset=Grid.objects.all(), required=False, allow_null=True)
    title = serializers.CharField(max_length=100)
    heading = serializers.ChoiceField(choices=Heading.choices)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    beneficiaries = serializers.CharField(max_length=100)
    people_count = serializers.IntegerField(min_value=1, max_value=1_000_000)
    source = serializers.ChoiceField(choices=Need.Source.choices, required=False)
    case_numbers = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=20)
    topic = ScopedRelatedField(Topic, action="view", domain="votes", required=False, allow_null=True)

    class Meta:
        model = Need


class NeedViewSet(MovesMixin, ScopedReadOnlyViewSet):
    """需求清单 in scope (a partner's staff: their paired community's); POST creates one
    (projects.change), POST …/withdraw/ withdraws it, GET …/suggestions/ the resources that
    could meet it."""

    model = Need
    serializer_class = NeedSerializer
    filterset_class = filterset(Need, ids=FILTERS, fields=["state", "heading", "source"])
    http_method_names = ["get", "post", "head", "options"]
    lifecycle = NEED
    move_response = NeedSerializer

    def moved(self, pk):
        return Response(NeedSerializer(Need.objects.get(pk=pk)).data)

    def get_scope_action(self):
        return "change" if self.action == "create" else super().get_scope_action()

    @extend_schema(request=NeedCreateSerializer, responses={201: NeedSerializer})
    def create(self, request, *args, **kwargs):
        row = _created(request, NeedCreateSerializer, actions.create_need)
        return Response(NeedSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Resources that could meet it"), responses={200: ResourceSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def suggestions(self, request, pk=None):
        need = self.get_object()
        rows = matching.suggestions(need, request.user)
        return Response(ResourceSerializer(rows, many=True).data)


class OfferSerializer(serializers.Serializer):
    """A partner's offer (to its paired community), or — staff only — the talent pool's
    (`partner` empty, `community` given)."""

    partner = ScopedRelatedField(
        Organisation, action="offer", domain="projects", filters={"kind": Kind.PARTNER}, required=False, allow_null=True
    )
    community = ScopedRelatedField(Community, domain="projects", required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    heading = serializers.ChoiceField(choices=Heading.choices)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True)
    amount_fen = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    available_from = serializers.DateField(required=False, allow_null=True)
    available_until = serializers.DateField(required=False, allow_null=True)
    conditions = serializers.CharField(max_length=300, required=False, allow_blank=True)

    class Meta:
        model = Resource


class ResourceViewSet(MovesMixin, ScopedReadOnlyViewSet):
    """资源清单 in scope (a partner's staff: their own); POST offers one (projects.offer), POST
    …/withdraw/ withdraws it."""

    model = Resource
    serializer_class = ResourceSerializer
    filterset_class = filterset(Resource, ids=FILTERS + ("partner",), fields=["state", "kind", "heading"])
    select = ("partner",)
    http_method_names = ["get", "post", "head", "options"]
    lifecycle = RESOURCE
    move_response = ResourceSerializer

    def moved(self, pk):
        return Response(ResourceSerializer(Resource.objects.select_related("partner").get(pk=pk)).data)

    def get_scope_action(self):
        return "offer" if self.action == "create" else super().get_scope_action()

    @extend_schema(request=OfferSerializer, responses={201: ResourceSerializer})
    def create(self, request, *args, **kwargs):
        row = _created(request, OfferSerializer, actions.offer_resource)
        return Response(ResourceSerializer(row).data, status=status.HTTP_201_CREATED)


class FundingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Funding
        fields = ["source", "amount_fen", "approved_fen", "note"]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["source", "amount_fen", "paid_on", "payee", "invoice", "fund_use"]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "caption", "taken_on", "url"]

    def get_url(self, obj) -> str:
        return reverse("projects:photo", args=[obj.pk])


class ProjectSerializer(serializers.ModelSerializer):
    """A project; a 民生实事 (`programme` livelihood) also with its approval, works, acceptance,
    evaluation, payments and progress photos (晒账)."""

    funding = FundingSerializer(many=True, read_only=True)
    budget_fen = serializers.SerializerMethodField()
    payments = PaymentSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    campaign = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "programme",
            "title",
            "heading",
            "description",
            "community",
            "compound",
            "grid",
            "needs",
            "resources",
            "partner",
            "owner_org",
            "owner_name",
            "starts_on",
            "ends_on",
            "meeting",
            "action_item",
            "funding",
            "budget_fen",
            "state",
            "version",
            "delivered_on",
            "result",
            "reason",
            "application",
            "approved_on",
            "consultation",
            "contractor",
            "works_started_on",
            "accepted_on",
            "representatives",
            "respondents",
            "satisfied",
            "payments",
            "photos",
            "campaign",
        ]

    def get_budget_fen(self, obj) -> int:
        return sum(f.amount_fen for f in obj.funding.all())

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "问需: the consent campaign, {id} in lists; on the project's own JSON also houses, "
            "agreed, refused, unanswered, paying, paid_fen, rate (per cent, rounded down to one decimal), "
            "threshold, needed, reached, share_fen. Counts only: no house is named.",
        }
    )
    def get_campaign(self, obj):
        if obj.campaign_id is None:
            return None
        view = self.context.get("view")
        if view is not None and getattr(view, "action", None) == "list":
            return {"id": obj.campaign_id}  # the figures cost two queries a project: on its own JSON only
        return {"id": obj.campaign_id} | obj.campaign.figures()


class FundingRowSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Funding.Source.choices)
    amount_fen = serializers.IntegerField(min_value=1)


class ProjectCreateSerializer(serializers.Serializer):
    """A project of a community in the user's change scope; with `meeting` (a 党建联席会议),
    `topic` (of its agenda) and `category` it is also a row of the meeting's resolution."""

    community = ScopedRelatedField(Community, domain="projects")
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False, allow_null=True)
    grid = serializers.PrimaryKeyRelatedField(queryset=Grid.objects.all(), required=False, allow_null=True)
    title = serializers.CharField(max_length=100)
    heading = serializers.ChoiceField(choices=Heading.choices)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    needs = serializers.PrimaryKeyRelatedField(queryset=Need.objects.all(), many=True, required=False)
    resources = serializers.PrimaryKeyRelatedField(queryset=Resource.objects.all(), many=True, required=False)
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=Kind.PARTNER), required=False, allow_null=True
    )
    owner_org = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    owner_name = serializers.CharField(max_length=50)
    programme = serializers.ChoiceField(choices=Project.Programme.choices, default=Project.Programme.COBUILDING)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    funding = FundingRowSerializer(many=True, required=False)
    meeting = ScopedRelatedField(
        Meeting,
        action="view",
        domain="votes",
        filters={"kind": Meeting.Kind.PARTY_JOINT},
        required=False,
        allow_null=True,
    )
    topic = ScopedRelatedField(Topic, action="view", domain="votes", required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(active=True, children=None), required=False, allow_null=True
    )

    class Meta:
        model = Project

    def validate_funding(self, rows):
        return [(r["source"], r["amount_fen"]) for r in rows]


class ProjectViewSet(MovesMixin, ScopedReadOnlyViewSet):
    """项目清单 in scope (a partner's staff: those crediting it or using its resources); POST
    creates one (projects.change); POST …/start/, …/deliver/, …/cancel/ move it."""

    model = Project
    serializer_class = ProjectSerializer
    filterset_class = filterset(Project, ids=FILTERS + ("partner", "meeting"), fields=["state", "heading", "programme"])
    prefetch = ("funding", "needs", "resources", "payments", "photos")
    http_method_names = ["get", "post", "head", "options"]
    lifecycle = PROJECT
    move_response = ProjectSerializer

    def moved(self, pk):
        return Response(ProjectSerializer(Project.objects.prefetch_related(*self.prefetch).get(pk=pk)).data)

    def get_scope_action(self):
        return "change" if self.action == "create" else super().get_scope_action()

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectSerializer})
    def create(self, request, *args, **kwargs):
        row = _created(request, ProjectCreateSerializer, actions.create_project)
        return Response(self.moved(row.pk).data, status=status.HTTP_201_CREATED)
