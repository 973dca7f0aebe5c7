"""JSON errors with field paths: {"errors": [{"field": "members.0.id_number", "message": "…", "code": "…"}]}.

Model validation (`full_clean()` inside the audited actions) raises Django's ValidationError; it
is answered here as a 400 with the model's field names, the same shape as serializer errors.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

# Keys that name no field: the error belongs to the request or the object as a whole.
NO_FIELD = {"detail", "non_field_errors", NON_FIELD_ERRORS}


class Protected(exceptions.APIException):
    """409: the row cannot be deleted while other records still point at it (PROTECT)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "protected"

    def __init__(self, obj):
        message = _("%(name)s cannot be deleted while other records still belong to it.")
        super().__init__(message % {"name": obj})


def _flatten(detail, prefix=""):
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = "" if key in NO_FIELD else str(key)
            yield from _flatten(value, f"{prefix}.{key}" if prefix and key else prefix or key)
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            for v in detail:
                yield {"field": prefix or None, "message": str(v), "code": getattr(v, "code", None)}
        else:
            for i, v in enumerate(detail):
                yield from _flatten(v, f"{prefix}.{i}" if prefix else str(i))
    else:
        yield {
            "field": prefix or None,
            "message": str(detail),
            "code": getattr(detail, "code", None),
        }


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": list(_flatten(response.data))}
    return response
