"""/api/v1/audit/: the audit log in the user's scope, read-only."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linli.core import audit_display
from linli.core.models import AuditLog

from .filters import filterset
from .views import ScopedReadOnlyViewSet, scoped


class ReadableList(serializers.ListSerializer):
    """A page of records made readable together: one query per kind of linked row, not per record."""

    def to_representation(self, data):
        return super().to_representation(audit_display.describe(data.all() if hasattr(data, "all") else data))


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name as the screens show it (Chinese).")
    before = serializers.CharField(
        help_text="Choice labels and linked rows' names, never ids; masked values stay masked."
    )
    after = serializers.CharField()


class AuditLogSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor", read_only=True, allow_null=True)
    object_type = serializers.SerializerMethodField()
    object_kind = serializers.SerializerMethodField(help_text="What the object is, e.g. 居民.")
    note_display = serializers.SerializerMethodField()
    changes_display = serializers.SerializerMethodField()

    class Meta:
        model = AuditLog
        fields = [
            "id", "created_at", "actor", "actor_name", "action", "object_type", "object_id",
            "object_repr", "object_kind", "changes", "changes_display", "note", "note_display",
            "subdistrict_id", "community_id", "grid_id",
        ]  # fmt: skip
        read_only_fields = fields
        list_serializer_class = ReadableList

    @staticmethod
    def _described(obj):
        if not hasattr(obj, "readable_changes"):  # a single record (the detail)
            audit_display.describe([obj])
        return obj

    @extend_schema_field(OpenApiTypes.STR)
    def get_object_kind(self, obj) -> str:
        return self._described(obj).kind

    @extend_schema_field(OpenApiTypes.STR)
    def get_note_display(self, obj) -> str:
        return self._described(obj).readable_note

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes_display(self, obj) -> list:
        return [{"field": c.label, "before": c.before, "after": c.after} for c in self._described(obj).readable_changes]

    @extend_schema_field(OpenApiTypes.STR)
    def get_object_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


AuditLogFilter = filterset(
    AuditLog,
    ids=("subdistrict", "community", "grid", "actor"),
    fields=["action", "object_id"],
    model=django_filters.CharFilter(field_name="content_type__model"),
)
AuditLogViewSet = scoped(
    AuditLog,
    AuditLogSerializer,
    AuditLogFilter,
    select=["actor", "content_type"],
    base=ScopedReadOnlyViewSet,
)
