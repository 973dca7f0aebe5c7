from django import template

register = template.Library()


@register.filter
def percent(value):
    """A Fraction as a percentage with one decimal; None (nothing due) as —."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def hours(value):
    return "—" if value is None else f"{value:.1f}"
