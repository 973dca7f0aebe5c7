"""Counts shown at every level of the place tree: one grouped query per kind of count,
whatever the number of nodes (no query per node). Places counts its own grids and buildings;
the apps above it add theirs (households, people) through extensions.COUNTS."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .extensions import COUNTS
from .models import Building, Grid

OWN = {
    "grids": (_("Grids"), Grid, ("subdistrict", "community")),
    "buildings": (_("Buildings"), Building, ("subdistrict", "community", "grid", "compound")),
}


def _grouped(queryset, key, ids):
    rows = queryset.filter(**{f"{key}__in": ids}).values(key).annotate(n=Count("id")).order_by()
    return {row[key]: row["n"] for row in rows}


def columns(level: str) -> list[tuple[str, str]]:
    """(name, label) of the counts shown for places of `level`, in the order they are shown."""
    own = [(name, label) for name, (label, _model, levels) in OWN.items() if level in levels]
    return own + [(c.name, c.label) for c in COUNTS.values()]


def counts_for(user, level: str, ids) -> dict[int, dict[str, int]]:
    """{place id: {"grids", "buildings", "households", "people", …}} for places of one level,
    counting only what `user` may see (grids and buildings only where a level has them)."""
    ids = list(ids)
    if not ids:
        return {}
    result = {i: {} for i in ids}
    kinds = [
        (name, model.objects.restrict(user), f"{level}_id")
        for name, (_label, model, levels) in OWN.items()
        if level in levels
    ]
    kinds += [(c.name, c.rows(user), c.key(level)) for c in COUNTS.values()]
    for name, qs, key in kinds:
        found = _grouped(qs, key, ids)
        for i in ids:
            result[i][name] = found.get(i, 0)
    return result
