"""Viewsets of /api/v1/: the same scope rule as the UI (core.views).

The permission `<domain>.<action>` is checked first — a user whose roles lack it gets 403 — and
every queryset comes from `restrict(user, action)`, so a row outside the scope is a 404. The
action is "view" for reads, "change" for create and update, "delete" for delete, or what an
extra route declares (`scope_action="reveal"`). Writes go through core.actions.
"""

from django.db.models import ProtectedError
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from linli.core import actions
from linli.core.models import AuditLog
from linli.core.scope import has_perm, scope_for
from linli.orgs.models import Organisation
from linli.people.models import Household, Person, Tag, visible_tags
from linli.places.models import Building, Community, Compound, Grid, House, Subdistrict, Unit

from . import filters, serializers, services
from .errors import Protected


class ScopePermission(permissions.IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and has_perm(
            request.user, view.required_perm()
        )


class ScopedViewSet(viewsets.ModelViewSet):
    model = None
    select = ()
    prefetch = ()
    scope_action = None  # set per route by @action(scope_action=...)
    permission_classes = [ScopePermission]

    def get_scope_action(self):
        if self.scope_action:
            return self.scope_action
        if self.request.method in permissions.SAFE_METHODS:
            return "view"
        return "delete" if self.request.method == "DELETE" else "change"

    def required_perm(self):
        return f"{self.model.scope_domain}.{self.get_scope_action()}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return self.model.objects.none()
        qs = self.model.objects.restrict(self.request.user, self.get_scope_action())
        if self.select:  # select_related() without names would follow every foreign key
            qs = qs.select_related(*self.select)
        return qs.prefetch_related(*self.prefetch)

    def perform_destroy(self, instance):
        try:
            actions.delete_object(instance, actor=self.request.user)
        except ProtectedError:
            raise Protected(instance) from None


class ScopedReadOnlyViewSet(ScopedViewSet, viewsets.ReadOnlyModelViewSet):
    http_method_names = ["get", "head", "options"]

    def get_scope_action(self):
        return "view"


def scoped(model, serializer, filterset=None, select=(), prefetch=(), base=ScopedViewSet, **attrs):
    attrs |= {
        "model": model,
        "serializer_class": serializer,
        "filterset_class": filterset,
        "select": select,
        "prefetch": prefetch,
        "__doc__": model.__doc__,
    }
    return type(f"{model.__name__}ViewSet", (base,), attrs)


class SubdistrictViewSet(ScopedViewSet):
    """Sub-districts. Only a user whose change scope is everything creates one."""

    model = Subdistrict
    serializer_class = serializers.SubdistrictSerializer

    def create(self, request, *args, **kwargs):
        if not scope_for(request.user, "places.change").everything:
            raise PermissionDenied
        return super().create(request, *args, **kwargs)


CommunityViewSet = scoped(Community, serializers.CommunitySerializer, filters.CommunityFilter)
GridViewSet = scoped(Grid, serializers.GridSerializer, filters.GridFilter, select=["community"])
CompoundViewSet = scoped(Compound, serializers.CompoundSerializer, filters.CompoundFilter)
BuildingViewSet = scoped(
    Building, serializers.BuildingSerializer, filters.BuildingFilter, select=["compound"]
)
UnitViewSet = scoped(
    Unit, serializers.UnitSerializer, filters.UnitFilter, select=["building__compound"]
)
HouseViewSet = scoped(
    House, serializers.HouseSerializer, filters.HouseFilter, select=["unit__building__compound"]
)
HouseholdViewSet = scoped(
    Household,
    serializers.HouseholdSerializer,
    filters.HouseholdFilter,
    select=["house__unit__building__compound"],
)
OrganisationViewSet = scoped(
    Organisation, serializers.OrganisationSerializer, filters.OrganisationFilter
)
AuditLogViewSet = scoped(
    AuditLog,
    serializers.AuditLogSerializer,
    filters.AuditLogFilter,
    select=["actor", "content_type"],
    base=ScopedReadOnlyViewSet,
)


class PersonViewSet(ScopedViewSet):
    """Residents. ID number and phone are shown masked; `reveal` returns one clear value and
    audits it (people.reveal)."""

    model = Person
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilter
    prefetch = ["tags"]

    @extend_schema(request=serializers.RevealSerializer, responses=serializers.RevealedSerializer)
    @action(detail=True, methods=["post"], scope_action="reveal")
    def reveal(self, request, pk=None):
        person = self.get_object()
        form = serializers.RevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        value = services.reveal_person_field(person, field, request.user)
        response = Response({"field": field, "value": value})
        add_never_cache_headers(response)  # no-store, private: never kept by a browser or proxy
        return response


class TagViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The tag list (党员, 低保 …), for writing persons' tags by name."""

    queryset = Tag.objects.all()
    serializer_class = serializers.TagSerializer

    def get_queryset(self):
        return visible_tags(self.request.user)
    permission_classes = [ScopePermission]

    def required_perm(self):
        return "people.view"
