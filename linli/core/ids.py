"""Ids from outside — query strings, form fields, JSON — checked before they reach the ORM.

Every primary key is a 64-bit integer from 1 up. A value beyond that range is no error to
Python, but SQLite refuses it (OverflowError) and a foreign-key or `__in` lookup passes it
through unchecked: a 500. `parse_id` (hand-read values), `IdField` (forms), `IdFilter` (list
filters), `ModelMultipleChoiceField` (several ids in one field) and `core.api.fields.IdField` (JSON)
refuse such values with one Chinese message, so a view never sees them.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1  # BigAutoField, on SQLite and PostgreSQL alike
INVALID = _("Enter a valid id (a whole number from 1 up).")


def parse_id(value) -> int | None:
    """`value` as an id (ASCII digits, 1 … MAX_ID), or None for anything else."""
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values) -> list[int]:
    """The valid ids among `values` (e.g. "3,4,x" split on commas); the rest dropped."""
    return [n for n in map(parse_id, values) if n is not None]


class IdField(forms.IntegerField):
    """A form field for one id: 1 … MAX_ID, else the field's error (never an overflow)."""

    default_error_messages = {"invalid": INVALID, "min_value": INVALID, "max_value": INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})  # the API's lists use it too
class IdFilter(django_filters.NumberFilter):
    """Filter a list on an id column (`grid_id`, `community_id` …) by a checked id."""

    field_class = IdField


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, but the values are checked as ids before the `pk__in` query, which does
    not catch an overflow the way a single `pk=` lookup does."""

    def _check_values(self, value):
        if self.to_field_name in (None, "pk", "id"):
            for pk in value:
                if parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(pk)[:30]}
                    )
        return super()._check_values(value)
