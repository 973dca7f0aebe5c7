"""Validators for Chinese resident identifiers: GB 11643-1999 ID numbers and mobile phones."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_RE = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise_id(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    value = normalise_id(value)
    if not ID_RE.match(value):
        raise ValidationError(_("An ID number has 17 digits followed by a digit or X."), "id_format")
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside the ID number is not a real date."), "id_date") from None
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("The ID number's check digit is wrong."), "id_check")


def birth_date_from_id(value: str) -> datetime.date:
    value = normalise_id(value)
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    return "male" if int(normalise_id(value)[16]) % 2 else "female"


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s]", "", value or "")


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(normalise_phone(value)):
        raise ValidationError(
            _("Enter an 11-digit mobile number starting with 1, or a landline like 0951-1234567."),
            "phone",
        )
