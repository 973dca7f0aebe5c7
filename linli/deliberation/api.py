"""/api/v1/ for deliberation: topics (with their steps), meetings, owners' votes with the four
figures, and ballots (cast or corrected until the close). Same scope as the screens."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from linli.cases.models import Case
from linli.core.api.fields import DateTimeField, IdField
from linli.core.api.moves import MovesMixin
from linli.core.api.views import ScopedReadOnlyViewSet
from linli.core.scope import has_perm
from linli.places.models import Building, Community, Compound, Unit

from . import actions, meetings, procedures
from .filters import MeetingFilter, TopicFilter
from .models import (
    Ballot,
    Matter,
    Meeting,
    OwnerVote,
    Procedure,
    StepRecord,
    Topic,
    reads_as_resident,
    sees_decline_reason,
)
from .workflow import MEETING, OWNER_VOTE, TOPIC


class StepRecordSerializer(serializers.ModelSerializer):
    step = serializers.CharField(source="step.name")

    class Meta:
        model = StepRecord
        fields = ["step", "note", "eligible", "present", "approving", "owner_vote", "completed_at"]


class TopicSerializer(serializers.ModelSerializer):
    """`cases`: the source requests the reader may see (a resident: their own household's);
    `source_count`: how many there are in all."""

    procedure = serializers.CharField(source="procedure.name")
    records = StepRecordSerializer(many=True, read_only=True)
    cases = serializers.SerializerMethodField()
    source_count = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id",
            "title",
            "description",
            "community",
            "compound",
            "scale",
            "matter",
            "status",
            "decline_reason",
            "procedure",
            "cases",
            "source_count",
            "records",
            "created_at",
            "version",
        ]

    def get_cases(self, topic) -> list[int]:
        if not hasattr(topic, "visible_cases"):  # not listed through TopicViewSet: one query
            topic.visible_cases = list(topic.cases.restrict(self.context["request"].user, "view").only("pk"))
        return [c.pk for c in topic.visible_cases]

    def get_source_count(self, topic) -> int:
        return topic.source_count if hasattr(topic, "source_count") else topic.cases.count()

    def to_representation(self, topic):
        data = super().to_representation(topic)
        if reads_as_resident(self.context["request"].user):  # the public summary: no staff step records
            for record in data["records"]:
                record["note"] = ""
        if not sees_decline_reason(topic, self.context["request"].user):
            data["decline_reason"] = ""
        return data


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "community",
            "compound",
            "starts_at",
            "location",
            "topics",
            "notice_published_at",
            "minutes",
            "chair",
            "recorder",
            "closed_at",
            "status",
            "version",
        ]


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the figure's label, not the field's (Field.label in the stubs)
    part = serializers.IntegerField()
    whole = serializers.IntegerField()
    threshold = serializers.CharField()
    strict = serializers.BooleanField()
    met = serializers.BooleanField()


class VoteSerializer(serializers.ModelSerializer):
    result = serializers.SerializerMethodField()

    class Meta:
        model = OwnerVote
        fields = [
            "id",
            "title",
            "matter",
            "compound",
            "unit",
            "topic",
            "status",
            "closes_at",
            "closed_at",
            "version",
            "result",
        ]

    @extend_schema(exclude=True)
    def get_result(self, vote) -> dict:
        r = actions.result(vote)
        figures = [
            {
                "label": f.label,
                "part": f.part,
                "whole": f.whole,
                "threshold": str(f.threshold),
                "strict": f.strict,
                "met": f.met,
            }
            for f in r.quorum + r.approval
        ]
        return {"quorate": r.quorate, "passed": r.passed, "figures": figures, "area_unit": "0.01 m²"}


class BallotSerializer(serializers.Serializer):
    elector = IdField()
    choice = serializers.ChoiceField(choices=Ballot.Choice.choices)
    paper_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class TopicViewSet(ScopedReadOnlyViewSet):
    """议题 with the steps completed so far. `?q=`: full-text search of what every reader of the
    topic is shown (deliberation.search), best match first; `?status=`."""

    model = Topic
    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    select = ["procedure"]
    prefetch = ["records__step"]

    def get_queryset(self):

        qs = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return qs
        visible = Case.objects.restrict(self.request.user, "view").only("pk")
        # counted in a subquery, not grouped: a search's rank (core.search) cannot be grouped by on SQLite
        sources = Topic.cases.through.objects.filter(topic_id=OuterRef("pk")).values("topic_id")
        return (
            qs.annotate(source_count=Coalesce(Subquery(sources.annotate(n=Count("*")).values("n")), 0))
            .order_by("-created_at", "-id")
            .prefetch_related(Prefetch("cases", visible, to_attr="visible_cases"))
        )


class MeetingViewSet(ScopedReadOnlyViewSet):
    """议事会. `?q=`: full-text search (deliberation.search), best match first; `?when=today`."""

    model = Meeting
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    prefetch = ["topics"]


class VoteWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    matter = serializers.ChoiceField(choices=Matter.choices)
    compound = IdField()
    buildings = serializers.ListField(child=IdField(), required=False, default=list)
    unit = IdField(required=False, allow_null=True, default=None)
    closes_at = DateTimeField()
    topic = IdField(required=False, allow_null=True, default=None)


class VoteViewSet(MovesMixin, ScopedReadOnlyViewSet):
    """业主表决 with its four figures. POST /votes/ opens one (actions.open_vote: its electorate
    frozen; for a topic, only after its notice + 15 days, R1.6); POST …/ballot/ casts or corrects a
    ballot until the close, POST …/close/ closes it (workflow.OWNER_VOTE; 409 on a stale version)."""

    model = OwnerVote
    serializer_class = VoteSerializer
    http_method_names = ["get", "post", "head", "options"]  # POST only on the ballot and move routes
    lifecycle = OWNER_VOTE
    move_response = VoteSerializer

    def moved(self, pk):
        return Response(VoteSerializer(OwnerVote.objects.get(pk=pk)).data)

    @extend_schema(request=VoteWriteSerializer, responses={201: VoteSerializer})
    def create(self, request, *args, **kwargs):
        if not has_perm(request.user, "votes.manage"):
            raise PermissionDenied
        form = VoteWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        buildings = list(
            Building.objects.restrict(request.user, "manage", domain="votes").filter(pk__in=d["buildings"])
        )
        if len(buildings) != len(set(d["buildings"])):
            raise serializers.ValidationError({"buildings": [_("This place is outside your scope.")]})
        vote = _run(
            actions.open_vote,
            actor=request.user,
            title=d["title"],
            matter=d["matter"],
            compound=_scoped(Compound, request.user, d["compound"]),
            buildings=buildings,
            unit=_scoped(Unit, request.user, d["unit"]),
            closes_at=d["closes_at"],
            topic=_scoped(Topic, request.user, d["topic"], domain=None),
        )
        return Response(VoteSerializer(vote).data, status=201)

    @extend_schema(request=BallotSerializer, responses=VoteSerializer)
    @action(detail=True, methods=["post"], scope_action="view")
    def ballot(self, request, pk=None):
        vote = self.get_object()
        if not vote.allows(request.user, "manage"):
            raise PermissionDenied
        form = BallotSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        if not vote.electors.filter(pk=d["elector"]).exists():
            raise NotFound
        try:
            actions.cast(vote.pk, d["elector"], d["choice"], actor=request.user, paper_reference=d["paper_reference"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"choice": exc.messages}) from None
        return Response(VoteSerializer(OwnerVote.objects.get(pk=vote.pk)).data)


# ---- writes: thin wrappers over procedures.py and meetings.py (the same rules as the screens) ----


def _run(fn, *args, fields=None, **kwargs):
    """Run one action; its ValidationErrors reach api.errors with their codes (e.g. personal_data),
    under the request's field names (`fields`: the action's name -> the request's)."""
    try:
        return fn(*args, **kwargs)
    except DjangoPermissionDenied:
        raise PermissionDenied from None
    except DjangoValidationError as exc:
        if fields and hasattr(exc, "error_dict"):
            raise DjangoValidationError({fields.get(k, k): v for k, v in exc.error_dict.items()}) from None
        raise


class TopicWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    community = IdField()
    compound = IdField(required=False, allow_null=True, default=None)
    procedure = IdField()
    scale = serializers.ChoiceField(choices=Topic.Scale.choices, default=Topic.Scale.MINOR)
    matter = serializers.ChoiceField(choices=Matter.choices, required=False, allow_null=True, default=None)
    cases = serializers.ListField(child=IdField(), required=False, default=list)


class MeetingWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(max_length=120)
    community = IdField()
    compound = IdField(required=False, allow_null=True, default=None)
    starts_at = DateTimeField()
    location = serializers.CharField(max_length=120)
    topics = serializers.ListField(child=IdField(), required=False, default=list)


def _scoped(model, user, pk, action="manage", domain="votes"):
    obj = model.objects.restrict(user, action, domain=domain).filter(pk=pk).first() if pk else None
    if pk and obj is None:
        raise serializers.ValidationError({model._meta.model_name: [_("This place is outside your scope.")]})
    return obj


class TopicWriteViewSet(MovesMixin, TopicViewSet):
    """POST /topics/ raises a topic (staff); POST /topics/<id>/<move>/ takes one move of its
    lifecycle (workflow.TOPIC: accept, decline, step, finish, action_item, publish for staff;
    cosign, evaluate for residents), each with its own request body; 409 on a stale version."""

    http_method_names = ["get", "post", "head", "options"]
    lifecycle = TOPIC
    move_response = TopicSerializer

    def moved(self, pk):
        return Response(TopicSerializer(Topic.objects.get(pk=pk), context=self.get_serializer_context()).data)

    @extend_schema(request=TopicWriteSerializer, responses=TopicSerializer)
    def create(self, request, *args, **kwargs):

        if not has_perm(request.user, "votes.manage"):
            raise PermissionDenied
        form = TopicWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        procedure = Procedure.objects.filter(pk=d["procedure"]).first()
        if procedure is None:
            raise serializers.ValidationError({"procedure": [_("Unknown procedure.")]})
        topic = _run(
            procedures.raise_topic,
            actor=request.user,
            title=d["title"],
            description=d["description"],
            scale=d["scale"],
            matter=d["matter"],
            community=_scoped(Community, request.user, d["community"]),
            compound=_scoped(Compound, request.user, d["compound"]),
            procedure=procedure,
            cases=list(Case.objects.restrict(request.user, "dispatch").filter(pk__in=d["cases"])),
        )
        return Response(TopicSerializer(topic, context=self.get_serializer_context()).data, status=201)


class MeetingWriteViewSet(MovesMixin, MeetingViewSet):
    """POST /meetings/ convenes a meeting; POST /meetings/<id>/<move>/ takes one move of its
    lifecycle (workflow.MEETING: notice, invite, sign_in, opinion, hands, close; staff), each
    with its own request body; 409 on a stale version of a versioned move."""

    http_method_names = ["get", "post", "head", "options"]
    lifecycle = MEETING
    move_response = MeetingSerializer

    def moved(self, pk):
        return Response(MeetingSerializer(Meeting.objects.get(pk=pk)).data)

    @extend_schema(request=MeetingWriteSerializer, responses=MeetingSerializer)
    def create(self, request, *args, **kwargs):

        if not has_perm(request.user, "votes.manage"):
            raise PermissionDenied
        form = MeetingWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        meeting = _run(
            meetings.create_meeting,
            actor=request.user,
            kind=d["kind"],
            title=d["title"],
            starts_at=d["starts_at"],
            location=d["location"],
            community=_scoped(Community, request.user, d["community"]),
            compound=_scoped(Compound, request.user, d["compound"]),
            topics=list(Topic.objects.restrict(request.user, "manage").filter(pk__in=d["topics"])),
        )
        return Response(MeetingSerializer(meeting).data, status=201)
