"""Money kept in fen (integers), shown in yuan."""

from django import template

register = template.Library()


@register.filter
def yuan(fen):
    """12345 fen → "123.45"; empty stays empty."""
    if fen is None or fen == "":
        return ""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"
