"""JSON errors with field paths: {"errors": [{"field": "members.0.id_number", "message": "…"}]}."""

from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, prefix=""):
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            for v in detail:
                yield {"field": prefix or None, "message": str(v), "code": getattr(v, "code", None)}
        else:
            for i, v in enumerate(detail):
                yield from _flatten(v, f"{prefix}.{i}" if prefix else str(i))
    else:
        yield {"field": prefix or None, "message": str(detail), "code": getattr(detail, "code", None)}


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": list(_flatten(response.data if isinstance(response.data, dict | list) else str(response.data)))}
        for err in response.data["errors"]:
            if err["field"] in ("detail", "non_field_errors"):
                err["field"] = None
    return response
