"""Scope in one place: which rows a user may see or change.

Roles are granted on a place (or an organisation) and cover everything below it. A model declares
`scope_domain` ("people") and `scope_paths`: for each level of grant, the lookup from the model to
that level's id (or a callable building a Q for models reached across the two hierarchies).
`Model.objects.restrict(user, "view")` is the only way views, exports, search and the API fetch.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q

LEVELS = (
    "subdistrict",
    "community",
    "grid",
    "compound",
    "building",
    "unit",
    "household",
    "organisation",
)


@dataclass
class Scope:
    """What one permission covers for one user: everything, or sets of place ids per level."""

    everything: bool = False
    ids: dict[str, set[int]] = field(default_factory=dict)

    def add(self, level: str, *ids: int) -> None:
        self.ids.setdefault(level, set()).update(i for i in ids if i is not None)

    @property
    def empty(self) -> bool:
        return not self.everything and not any(self.ids.values())

    def covers(self, obj) -> bool:
        """Whether `obj` (a ScopedModel row) is inside this scope. Plain column paths are read from
        the row itself, so a page of rows is checked without a query per row."""
        if self.everything:
            return True
        for level, ids in self.ids.items():
            path = obj.scope_paths.get(level)
            if path is None or not ids:
                continue
            if callable(path) or "__" in path:
                q = path(ids) if callable(path) else Q(**{f"{path}__in": sorted(ids)})
                if type(obj).objects.filter(q, pk=obj.pk).exists():
                    return True
            elif getattr(obj, path) in ids:
                return True
        return False


def scope_for(user, perm: str) -> Scope:
    if not getattr(user, "is_authenticated", False):
        return Scope()
    return user.scope_for(perm)


def has_perm(user, perm: str) -> bool:
    return not scope_for(user, perm).empty


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view", *, domain: str | None = None):
        """Rows `user` may `action`; `domain` borrows another permission's scope (granting a
        role on a grid needs accounts.change over that grid, not places.change)."""
        model: Any = self.model  # a model declaring scope_domain and scope_paths
        scope = scope_for(user, f"{domain or model.scope_domain}.{action}")
        if scope.everything:
            return self
        q = Q()
        matched = False
        for level, ids in scope.ids.items():
            path = model.scope_paths.get(level)
            if path is None or not ids:
                continue
            if callable(path):
                q |= path(ids, user) if getattr(path, "with_user", False) else path(ids)
            else:
                q |= Q(**{f"{path}__in": sorted(ids)})
            matched = True
        return self.filter(q) if matched else self.none()


def with_user(path):
    """Mark a scope path callable that also needs the user: path(ids, user) -> Q (a resident's
    household reaches an anonymous request only if they reported it themselves)."""
    path.with_user = True
    return path


class ScopedModel(models.Model):
    """Base for every model whose rows belong to a place."""

    scope_domain = ""
    scope_paths: dict = {}
    # field name -> masking function; audit records and screens show these masked
    sensitive_fields: dict = {}

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def scope_keys(self) -> dict[str, int | None]:
        """The sub-district / community / grid ids of this row, stored on its audit records."""
        keys = {}
        for level in ("subdistrict", "community", "grid"):
            path = self.scope_paths.get(level)
            keys[level] = getattr(self, path, None) if isinstance(path, str) and "__" not in path else None
        return keys

    def allows(self, user, action: str = "view", *, domain: str | None = None) -> bool:
        """Whether `user` may `action` this row: the permission, in a scope that covers it (one
        query; none when the user lacks the permission everywhere)."""
        return type(self).objects.restrict(user, action, domain=domain).filter(pk=self.pk).exists()
