"""Serializer fields shared by the API's request bodies."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from linli.core.ids import INVALID, MAX_ID, parse_id


class IdField(serializers.IntegerField):
    """An id in a JSON body (`community`, `topics[]`, `elector` …): 1 … 2⁶³−1, else a 400 on the
    field (0, negative and huge numbers included; core.ids)."""

    default_error_messages = {
        "invalid": INVALID,
        "min_value": INVALID,
        "max_value": INVALID,
        "max_string_length": INVALID,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or parse_id(data) is None:
            self.fail("invalid")
        return super().to_internal_value(data)


class DateTimeField(serializers.DateTimeField):
    """A time in a JSON body (a deadline, a meeting's start), from 2000 up to 2099. Year 3 is a
    valid ISO time, but in Asia/Shanghai it has the local mean time offset +08:05:43, which is no
    RFC 3339 time when the answer gives it back (found by the API fuzz, docs/testing.md)."""

    FIRST, LAST = 2000, 2099
    default_error_messages = {"out_of_range": _("Give a time in the years %(first)s to %(last)s.")}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not self.FIRST <= parsed.year <= self.LAST:
            message = self.error_messages["out_of_range"] % {"first": self.FIRST, "last": self.LAST}
            raise serializers.ValidationError(message, code="out_of_range")
        return parsed
