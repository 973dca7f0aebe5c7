"""Viewsets of /api/v1/: the same scope rule as the UI (core.views).

The permission `<domain>.<action>` is checked first — a user whose roles lack it gets 403 — and
every queryset comes from `restrict(user, action)`, so a row outside the scope is a 404. The
action is "view" for reads, "change" for create and update, "delete" for delete, or what an
extra route declares (`scope_action="reveal"`). Writes go through core.actions.
"""

from collections.abc import Sequence
from typing import Any

from django.db.models import ProtectedError
from rest_framework import permissions, viewsets

from linli.core import actions
from linli.core.scope import has_perm

from .errors import Protected


class ScopePermission(permissions.IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and has_perm(request.user, view.required_perm())


class ScopedViewSet(viewsets.ModelViewSet):
    model: Any = None  # a model with scope_domain and ScopedQuerySet objects
    select: Sequence[str] = ()
    prefetch: Sequence[str] = ()
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
