"""One endpoint per move of a lifecycle: `POST /api/v1/<things>/{id}/<move>/`.

Each move gets a request serializer generated from its form (core.lifecycle.Move.form) plus, for a
versioned move, the `version` the client saw, so the OpenAPI document shows one schema per move. The serializer checks
the shape of the JSON; the move's form, inside `Lifecycle.perform`, checks the input against the
row as the screen's post is checked. Answers: 200 with the row, 400 with field paths, 403 without
the permission, 404 outside its scope, 409 on a stale version.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied

from linli.core.lifecycle import Conflict, Lifecycle

from .fields import IdField


class ConflictError(APIException):
    """409: someone else moved the row first; the message says so and the client reloads it."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _field(f: forms.Field) -> serializers.Field:
    """The serializer field that accepts what the form field does (its own messages for a missing
    value, so both answer alike)."""
    missing = f.error_messages["required"]
    messages = {"required": missing, "null": missing, "blank": missing}
    kw: dict[str, Any] = {
        "required": f.required,
        "label": f.label,
        "help_text": f.help_text or None,
        "error_messages": messages,
    }
    if isinstance(f, forms.ModelMultipleChoiceField):  # ids; the form checks each against its queryset
        return serializers.ListField(child=IdField(), required=f.required, label=f.label, help_text=kw["help_text"])
    if isinstance(f, forms.ModelChoiceField):
        model = cast(QuerySet, f.queryset).model
        return serializers.PrimaryKeyRelatedField(
            queryset=model._default_manager.all(), allow_null=not f.required, **kw
        )
    if isinstance(f, forms.ChoiceField):
        messages["invalid_choice"] = f.error_messages["invalid_choice"]
        return serializers.ChoiceField(
            choices=[c for c in cast(Iterable[tuple[Any, Any]], f.choices) if c[0] != ""], **kw
        )
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(required=False, label=f.label, help_text=f.help_text or None)
    if isinstance(f, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not f.required, **kw)
    if isinstance(f, forms.DateField):
        return serializers.DateField(allow_null=not f.required, **kw)
    if isinstance(f, forms.DecimalField):  # before IntegerField, its base class
        return serializers.DecimalField(
            max_digits=f.max_digits,
            decimal_places=f.decimal_places,
            min_value=cast(Decimal | None, f.min_value),
            coerce_to_string=False,
            **kw,
        )
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(
            min_value=cast(int | None, f.min_value), max_value=cast(int | None, f.max_value), **kw
        )
    if isinstance(f, forms.CharField):
        return serializers.CharField(max_length=f.max_length, allow_blank=not f.required, **kw)
    raise TypeError(f"no serializer field for {type(f).__name__}: add it to api.moves._field")


def move_serializer(lifecycle, move) -> type[serializers.Serializer]:
    """`version` and the move's inputs (files excepted: photos do not come through the API yet)."""
    fields: dict[str, serializers.Field] = {}
    if move.versioned:
        fields["version"] = serializers.IntegerField(min_value=0, help_text="The version of the row the client saw.")
    for name, f in move.form.base_fields.items():
        if not isinstance(f, forms.FileField):
            fields[name] = _field(f)
    model = lifecycle.model.__name__
    camel = "".join(part.title() for part in move.name.split("_"))
    return type(f"{model}{camel}Serializer", (serializers.Serializer,), fields)


def move_endpoint(lifecycle, move, response):
    serializer_class = move_serializer(lifecycle, move)
    target = f"to `{move.target}`" if move.target else "keeping the state"
    stale = "; 409 when `version` is stale" if move.versioned else " (no version: it only adds a related row)"
    description = (
        f"From {', '.join(f'`{s}`' for s in move.sources)}, {target}. Needs `{move.permission}` over the row{stale}."
    )

    def endpoint(self, request, pk=None):
        return self.perform_move(request, move, serializer_class)

    endpoint.__name__ = f"move_{move.name}"
    endpoint = action(detail=True, methods=["post"], url_path=move.name, url_name=move.name, scope_action="view")(
        endpoint
    )
    return extend_schema(request=serializer_class, responses=response, summary=move.label, description=description)(
        endpoint
    )


class MovesMixin:
    """For a ScopedViewSet: `lifecycle` and `move_response` (the serializer of the answer) set
    on the class give it one route per move."""

    lifecycle: Lifecycle | None = None
    move_response: type[serializers.Serializer] | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.lifecycle is not None:
            for move in cls.lifecycle:
                setattr(cls, f"move_{move.name}", move_endpoint(cls.lifecycle, move, cls.move_response))

    def perform_move(self, request, move, serializer_class):
        obj = self.get_object()  # 404 outside the view scope
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        try:
            self.lifecycle.perform(
                obj.pk, move.name, actor=request.user, version=version, data=data, files=request.FILES
            )
        except Conflict as exc:
            raise ConflictError(str(exc)) from None
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        except self.lifecycle.model.DoesNotExist:
            raise NotFound from None
        return self.moved(obj.pk)

    def moved(self, pk):
        """The answer to a move: the row as it is now (override to prefetch what it shows)."""
        raise NotImplementedError
