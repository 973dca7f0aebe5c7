"""Counts shown at every level of the place tree: one grouped query per kind of count,
whatever the number of nodes (no query per node)."""

from django.db.models import Count

from linli.people.models import Household, Person

from .models import Building, Grid


def _grouped(queryset, key, ids):
    rows = queryset.filter(**{f"{key}__in": ids}).values(key).annotate(n=Count("id")).order_by()
    return {row[key]: row["n"] for row in rows}


def counts_for(user, level: str, ids) -> dict[int, dict[str, int]]:
    """{place id: {"households", "people", "grids", "buildings"}} for places of one level,
    counting only what `user` may see."""
    ids = list(ids)
    if not ids:
        return {}
    hh_key, person_key = (("house_id", "household__house_id") if level == "house" else (f"{level}_id",) * 2)
    result = {i: {} for i in ids}
    kinds = [
        ("households", Household.objects.restrict(user), hh_key),
        ("people", Person.objects.restrict(user), person_key),
    ]
    if level in ("subdistrict", "community"):
        kinds.append(("grids", Grid.objects.restrict(user), f"{level}_id"))
    if level in ("subdistrict", "community", "grid", "compound"):
        kinds.append(("buildings", Building.objects.restrict(user), f"{level}_id"))
    for name, qs, key in kinds:
        found = _grouped(qs, key, ids)
        for i in ids:
            result[i][name] = found.get(i, 0)
    return result
