from django import template

from linli.funds.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Fen shown in yuan: 12345678 → 123,456.78."""
    return _yuan(fen)
