"""Template helpers: query strings for pagination, GeoJSON boundaries drawn as inline SVG."""

import math

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (keeps list filters on paging)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


def _rings(geojson):
    geom = geojson.get("geometry", geojson) if isinstance(geojson, dict) else None
    if not geom:
        return []
    if geom.get("type") == "Polygon":
        return geom["coordinates"]
    if geom.get("type") == "MultiPolygon":
        return [ring for poly in geom["coordinates"] for ring in poly]
    return []


@register.simple_tag
def boundary_svg(geojson, size=320):
    """Draw a boundary offline: an equirectangular projection scaled to the box, no map tiles."""
    rings = _rings(geojson)
    points = [(float(x), float(y)) for ring in rings for x, y, *_rest in ring]
    if not points:
        return ""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    kx = math.cos(math.radians(sum(ys) / len(ys)))  # shrink longitude away from the equator
    w, h = max((max(xs) - min(xs)) * kx, 1e-9), max(max(ys) - min(ys), 1e-9)
    scale = (size - 20) / max(w, h)

    def project(x, y):
        return 10 + (x - min(xs)) * kx * scale, 10 + (max(ys) - y) * scale

    paths = " ".join(
        "M" + " L".join("{:.1f},{:.1f}".format(*project(x, y)) for x, y, *_rest in ring) + " Z" for ring in rings
    )
    height = h * scale + 20
    return format_html(
        '<svg class="boundary-map" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<path d="{}" fill="#dc354533" stroke="#dc3545" stroke-width="2" fill-rule="evenodd"/></svg>',
        size,
        f"{height:.0f}",
        _("Boundary"),
        paths,
    )
