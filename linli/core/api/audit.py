"""/api/v1/audit/: the audit log in the user's scope, read-only."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linli.core.models import AuditLog

from .filters import filterset
from .views import ScopedReadOnlyViewSet, scoped


class AuditLogSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor", read_only=True, allow_null=True)
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditLog
        fields = [
            "id", "created_at", "actor", "actor_name", "action", "object_type", "object_id",
            "object_repr", "changes", "note", "subdistrict_id", "community_id", "grid_id",
        ]  # fmt: skip
        read_only_fields = fields

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
