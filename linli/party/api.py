"""/api/v1/ of the party domain, with the same scope as the screens: party members (read; the
person's name only, nothing of the ledger's personal data), 双报到 check-ins (read, report, and
the moves confirm / refuse), commitments (read and the year-end check), co-building agreements
(create, edit a draft, and the moves sign / renew / expire)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from linli.core.api.filters import filterset
from linli.core.api.moves import MovesMixin
from linli.core.api.serializers import ActionSerializer, ScopedRelatedField, meta
from linli.core.api.views import ScopedReadOnlyViewSet, ScopedViewSet
from linli.orgs.models import Kind, Organisation
from linli.places.api import PLACES
from linli.places.models import Community

from . import actions
from .models import Agreement, CheckIn, Commitment, PartyMember
from .workflow import AGREEMENT, CHECK_IN, COMMITMENT


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = PartyMember
        fields = ["id", "name", "kind", "home_org", "workplace_org", "in_roster", "community", "grid"]


class MemberViewSet(ScopedReadOnlyViewSet):
    """党员: members in scope (no ID number or phone: those stay with the ledger's persons)."""

    model = PartyMember
    serializer_class = MemberSerializer
    filterset_class = filterset(PartyMember, ids=PLACES[:3], fields=["kind", "in_roster"])
    select = ("person",)


class CheckInSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True, default=None)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "organisation",
            "member",
            "member_name",
            "community",
            "state",
            "version",
            "note",
            "reason",
            "reported_at",
            "decided_at",
        ]


class ReportSerializer(serializers.Serializer):
    """双报到: a member named by ID number (`id_number`), or the organisation itself (`community`)."""

    organisation = ScopedRelatedField(Organisation, action="report", domain="party", filters={"kind": Kind.PARTY})
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = CheckIn


class CheckInViewSet(MovesMixin, ScopedReadOnlyViewSet):
    """双报到 in scope; POST /check-ins/ reports (party.report), POST …/confirm/ or …/refuse/ decides."""

    model = CheckIn
    serializer_class = CheckInSerializer
    filterset_class = filterset(CheckIn, ids=PLACES[:2], fields=["state"])
    select = ("member__person",)
    http_method_names = ["get", "post", "head", "options"]
    lifecycle = CHECK_IN
    move_response = CheckInSerializer

    def moved(self, pk):
        return Response(CheckInSerializer(CheckIn.objects.select_related("member__person").get(pk=pk)).data)

    @extend_schema(request=ReportSerializer, responses={201: CheckInSerializer})
    def create(self, request, *args, **kwargs):
        body = ReportSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        d = body.validated_data
        try:
            if d.get("id_number"):
                row = actions.report_member(
                    actor=request.user, organisation=d["organisation"], id_number=d["id_number"], note=d.get("note", "")
                )
            elif d.get("community"):
                row = actions.report_organisation(
                    actor=request.user, organisation=d["organisation"], community=d["community"], note=d.get("note", "")
                )
            else:
                raise DjangoValidationError(
                    {"id_number": _("Give the member's ID number, or the community the organisation reports to.")}
                )
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        return Response(CheckInSerializer(row).data, status=status.HTTP_201_CREATED)

    def get_scope_action(self):
        if self.action == "create":
            return "report"
        return super().get_scope_action()


class CommitmentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name", read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "member",
            "member_name",
            "post",
            "year",
            "duties",
            "promise",
            "state",
            "version",
            "check_note",
            "checked_at",
        ]


class CommitmentViewSet(MovesMixin, ScopedReadOnlyViewSet):
    """承诺 · 践诺 in scope; POST …/kept/, …/partly/, …/not_kept/ checks one at year end."""

    model = Commitment
    serializer_class = CommitmentSerializer
    filterset_class = filterset(Commitment, ids=PLACES[:3], fields=["year", "state"])
    select = ("member__person",)
    http_method_names = ["get", "post", "head", "options"]
    lifecycle = COMMITMENT
    move_response = CommitmentSerializer

    def moved(self, pk):
        return Response(CommitmentSerializer(Commitment.objects.select_related("member__person").get(pk=pk)).data)


class AgreementSerializer(ActionSerializer):
    """共驻共建协议书: created as a draft in a community of the user's change scope; its state moves
    only through …/sign/, …/renew/, …/expire/."""

    partner = ScopedRelatedField(Organisation, action="view", domain="orgs", filters={"kind": Kind.PARTNER})
    community = ScopedRelatedField(Community)
    Meta = meta(
        Agreement,
        [
            "partner",
            "community",
            "title",
            "starts_on",
            "ends_on",
            "community_commits",
            "partner_commits",
            "signed_on",
            "state",
            "version",
            "subdistrict",
        ],
        create_only=("partner", "community"),
    )

    def get_fields(self):
        fields = super().get_fields()
        for name in ("signed_on", "state", "version"):
            fields[name].read_only = True
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and self.instance.state != Agreement.State.DRAFT:
            raise serializers.ValidationError({"state": _("Only a draft agreement can be edited.")}, code="not_draft")
        return attrs


class AgreementViewSet(MovesMixin, ScopedViewSet):
    """共驻共建协议书 in scope (a partner's staff: their own organisation's)."""

    model = Agreement
    serializer_class = AgreementSerializer
    filterset_class = filterset(Agreement, ids=PLACES[:2] + ("partner",), fields=["state"])
    select = ("partner",)
    http_method_names = ["get", "post", "patch", "head", "options"]
    lifecycle = AGREEMENT
    move_response = AgreementSerializer

    def moved(self, pk):
        return Response(AgreementSerializer(Agreement.objects.get(pk=pk), context={"request": self.request}).data)
