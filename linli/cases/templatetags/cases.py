from collections import Counter

from django import template
from django.utils.translation import gettext_lazy as _

from linli.core import charts

register = template.Library()


@register.filter
def percent(value):
    """A Fraction as a percentage with one decimal; None (nothing due) as —."""
    return charts.percent(value)


@register.filter
def hours(value):
    return "—" if value is None else f"{value:.1f}"


PHOTO_LABELS = {"intake": _("Photo of the problem %(n)s"), "result": _("Photo of the result %(n)s")}


@register.filter
def labelled_photos(photos):
    """Each photo with its alternative text, numbered within its kind: 问题照片 1, 问题照片 2,
    处理结果照片 1 … (a screen reader tells them apart; the number is not a database id)."""
    seen: Counter[str] = Counter()
    labelled = []
    for photo in photos:
        seen[photo.kind] += 1
        labelled.append((photo, PHOTO_LABELS.get(photo.kind, PHOTO_LABELS["intake"]) % {"n": seen[photo.kind]}))
    return labelled
