"""Filter bases of /api/v1/. Places are filtered by plain ids on the denormalised ancestor keys:
no lookup of the given id (one indexed filter, and no hint whether an id outside the scope
exists — it simply matches nothing in the already restricted queryset)."""

import django_filters

from linli.core.ids import IdFilter


def filterset(model_, ids=(), fields=(), **extra):
    """A FilterSet with an id filter per ancestor in `ids`, exact filters on `fields`."""
    attrs = {name: IdFilter(field_name=f"{name}_id") for name in ids}
    attrs["Meta"] = type("Meta", (), {"model": model_, "fields": list(fields)})
    return type(f"{model_.__name__}Filter", (django_filters.FilterSet,), attrs | extra)
