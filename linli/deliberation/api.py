"""/api/v1/ for deliberation: topics (with their steps), meetings, owners' votes with the four
figures, and ballots (cast or corrected until the close). Same scope as the screens."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound, PermissionDenied
from rest_framework.response import Response

from linli.api.views import ScopedReadOnlyViewSet

from . import actions
from .models import Ballot, Meeting, OwnerVote, StepRecord, Topic


class StepRecordSerializer(serializers.ModelSerializer):
    step = serializers.CharField(source="step.name")

    class Meta:
        model = StepRecord
        fields = ["step", "note", "eligible", "present", "approving", "owner_vote", "completed_at"]


class TopicSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.name")
    records = StepRecordSerializer(many=True, read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "title", "description", "community", "compound", "scale", "status", "decline_reason", "procedure",
                  "cases", "records", "created_at"]


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "kind", "title", "community", "compound", "starts_at", "location", "topics", "notice_published_at", "minutes", "closed_at"]


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    part = serializers.IntegerField()
    whole = serializers.IntegerField()
    threshold = serializers.CharField()
    strict = serializers.BooleanField()
    met = serializers.BooleanField()


class VoteSerializer(serializers.ModelSerializer):
    result = serializers.SerializerMethodField()

    class Meta:
        model = OwnerVote
        fields = ["id", "title", "matter", "compound", "unit", "status", "closes_at", "closed_at", "result"]

    @extend_schema(exclude=True)
    def get_result(self, vote) -> dict:
        r = actions.result(vote)
        figures = [{"label": f.label, "part": f.part, "whole": f.whole, "threshold": str(f.threshold), "strict": f.strict, "met": f.met}
                   for f in r.quorum + r.approval]
        return {"quorate": r.quorate, "passed": r.passed, "figures": figures, "area_unit": "0.01 m²"}


class BallotSerializer(serializers.Serializer):
    elector = serializers.IntegerField()
    choice = serializers.ChoiceField(choices=Ballot.Choice.choices)
    paper_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class TopicViewSet(ScopedReadOnlyViewSet):
    """议题 with the steps completed so far."""

    model = Topic
    serializer_class = TopicSerializer
    select = ["procedure"]
    prefetch = ["records__step", "cases"]


class MeetingViewSet(ScopedReadOnlyViewSet):
    """议事会."""

    model = Meeting
    serializer_class = MeetingSerializer
    prefetch = ["topics"]


class VoteViewSet(ScopedReadOnlyViewSet):
    """业主表决 with its four figures; POST …/ballot/ casts or corrects a ballot until the close."""

    model = OwnerVote
    serializer_class = VoteSerializer
    http_method_names = ["get", "post", "head", "options"]  # POST only on the ballot route

    def create(self, request, *args, **kwargs):
        # votes are opened on screen (the electorate is frozen by actions.open_vote)
        raise MethodNotAllowed("POST")

    @extend_schema(request=BallotSerializer, responses=VoteSerializer)
    @action(detail=True, methods=["post"], scope_action="view")
    def ballot(self, request, pk=None):
        vote = self.get_object()
        if not OwnerVote.objects.restrict(request.user, "manage").filter(pk=vote.pk).exists():
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
