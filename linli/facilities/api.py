"""/api/v1/facilities/: the facility register with the same scope as the screens — list
(filtered by kind, state, community, compound, building, inspection overdue / due soon and
repeated failures), detail with inspections, create and edit (facilities.change), and one
endpoint per move (fault, repair, restore, inspect, retire). The requests counted for repeated
failures are shown only to those who watch the facilities (facilities.monitor), as on the page."""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from linli.core.api.moves import MovesMixin
from linli.core.api.serializers import ActionSerializer, ScopedRelatedField, meta
from linli.core.api.views import ScopedViewSet
from linli.core.ids import IdFilter
from linli.core.scope import has_perm
from linli.orgs.models import Organisation
from linli.places.models import Building, Compound, Unit

from . import actions, rules
from .forms import REGISTER_FIELDS
from .models import Facility, Inspection
from .workflow import LIFECYCLE

MONITOR_ONLY = ("note", "recent_failures", "topic_candidate")


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["inspected_on", "result", "inspector", "next_due"]


class FacilitySerializer(ActionSerializer):
    """A facility of a compound in the user's change scope; its place is fixed at creation, its
    state moves only through …/fault/, …/repair/, …/restore/, …/inspect/, …/retire/."""

    compound = ScopedRelatedField(Compound)
    building = ScopedRelatedField(Building, required=False, allow_null=True)
    unit = ScopedRelatedField(Unit, required=False, allow_null=True)
    maintainer = ScopedRelatedField(Organisation, action="view", domain="orgs", required=False, allow_null=True)
    inspection_overdue = serializers.SerializerMethodField()
    recent_failures = serializers.SerializerMethodField(
        help_text="Requests naming it within LINLI_FACILITY_FAILURE_DAYS days (facilities.monitor only; else null)."
    )
    topic_candidate = serializers.SerializerMethodField(
        help_text="Repeated failures: a candidate for a topic (facilities.monitor only; else null)."
    )
    Meta = meta(
        Facility,
        [
            *REGISTER_FIELDS,
            "last_inspected_on",
            "inspection_overdue",
            "state",
            "version",
            "community",
            "recent_failures",
            "topic_candidate",
        ],
        create_only=("compound", "building", "unit"),
    )

    def get_fields(self):
        fields = super().get_fields()
        for name in ("state", "version"):
            fields[name].read_only = True
        return fields

    def _monitor(self) -> bool:
        return has_perm(self.context["request"].user, "facilities.monitor")

    def get_inspection_overdue(self, facility) -> bool:
        return facility.inspection_overdue(timezone.localdate())

    def get_recent_failures(self, facility) -> int | None:
        return getattr(facility, "recent_failures", None) if self._monitor() else None

    def get_topic_candidate(self, facility) -> bool | None:
        n = self.get_recent_failures(facility)
        return None if n is None else rules.is_candidate(n)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._monitor():
            data["note"] = ""  # the staff's note may name who reported: not for residents
        return data

    def create(self, validated_data):
        try:
            return actions.add_facility(actor=self.context["request"].user, **validated_data)
        except DjangoPermissionDenied:
            raise PermissionDenied from None

    def update(self, instance, validated_data):
        data = {k: v for k, v in validated_data.items() if k not in actions.PLACE_FIELDS}
        return actions.edit_facility(instance, actor=self.context["request"].user, **data)


class FacilityDetailSerializer(FacilitySerializer):
    inspections = InspectionSerializer(many=True, read_only=True)

    class Meta(FacilitySerializer.Meta):
        fields = [*FacilitySerializer.Meta.fields, "inspections"]


class FacilityFilter(django_filters.FilterSet):
    community = IdFilter(field_name="community_id")
    compound = IdFilter(field_name="compound_id")
    building = IdFilter(field_name="building_id")
    inspection = django_filters.ChoiceFilter(
        label=_("inspection"),
        choices=[("overdue", _("Inspection overdue")), ("soon", _("Inspection due soon"))],
        method="by_inspection",
    )
    failing = django_filters.BooleanFilter(label=_("Repeated failures"), method="by_failing")

    class Meta:
        model = Facility
        fields = ["kind", "state"]

    def by_inspection(self, qs, name, value):
        return qs.filter(rules.INSPECTION[value](timezone.localdate())) if value else qs

    def by_failing(self, qs, name, value):
        if value and has_perm(self.request.user, "facilities.monitor"):
            return rules.topic_candidates(qs)
        return qs


class FacilityViewSet(MovesMixin, ScopedViewSet):
    """设施台账: facilities in scope (a resident: their compound's)."""

    model = Facility
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilter
    select = ("compound", "building", "unit", "maintainer")
    http_method_names = ["get", "post", "patch", "head", "options"]
    lifecycle = LIFECYCLE
    move_response = FacilityDetailSerializer

    def get_serializer_class(self):
        return FacilityDetailSerializer if self.action == "retrieve" else FacilitySerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("inspections")
        reading = self.request.method == "GET" and not getattr(self, "swagger_fake_view", False)
        if reading and has_perm(self.request.user, "facilities.monitor"):
            qs = rules.with_recent_failures(qs)
        return qs

    def moved(self, pk):
        row = rules.with_recent_failures(Facility.objects.prefetch_related("inspections")).get(pk=pk)
        return Response(FacilityDetailSerializer(row, context={"request": self.request}).data)
