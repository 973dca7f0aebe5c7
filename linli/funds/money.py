"""Money is stored in fen (integers); shown and entered in yuan with two decimals."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _


def yuan(fen: int | None) -> str:
    """12345678 → "123,456.78" (negative with a minus sign); None → "—"."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def to_fen(amount) -> int:
    """Yuan (a Decimal, a string or an int) to fen, half up at the third decimal."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class YuanField(forms.DecimalField):
    """An amount entered in yuan (two decimals), cleaned to fen."""

    def __init__(self, *, min_fen=1, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(min_fen) / 100)
        kwargs.setdefault("help_text", _("In yuan, two decimals."))
        super().__init__(**kwargs)

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        try:
            return to_fen(amount)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter an amount in yuan.")) from None
