"""Template helpers: query strings for pagination, GeoJSON boundaries drawn as inline SVG."""

import math

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (keeps list filters on paging)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


@register.filter
def m2(hundredths):
    """An area kept in integer hundredths of a square metre, shown as 123.45."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _rings(geojson):
    geom = geojson.get("geometry", geojson) if isinstance(geojson, dict) else None
    if not geom:
        return []
    if geom.get("type") == "Polygon":
        return geom["coordinates"]
    if geom.get("type") == "MultiPolygon":
        return [ring for poly in geom["coordinates"] for ring in poly]
    return []


def _svg(shapes, size):
    """shapes: [(rings, label, url)] drawn in one equirectangular projection scaled to the box."""
    points = [(float(x), float(y)) for rings, *_ in shapes for ring in rings for x, y, *_r in ring]
    if not points:
        return ""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    kx = math.cos(math.radians(sum(ys) / len(ys)))  # shrink longitude away from the equator
    w, h = max((max(xs) - min(xs)) * kx, 1e-9), max(max(ys) - min(ys), 1e-9)
    scale = (size - 20) / max(w, h)

    def project(x, y):
        return 10 + (x - min(xs)) * kx * scale, 10 + (max(ys) - y) * scale

    parts = []
    for rings, label, url in shapes:
        d = " ".join(
            "M" + " L".join("{:.1f},{:.1f}".format(*project(x, y)) for x, y, *_r in ring) + " Z" for ring in rings
        )
        cx, cy = project(
            sum(x for x, *_r in rings[0]) / len(rings[0]), sum(y for _x, y, *_r in rings[0]) / len(rings[0])
        )
        shape = format_html(
            '<path d="{}" fill="#dc354522" stroke="#dc3545" stroke-width="1.5" '
            'fill-rule="evenodd"><title>{}</title></path>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#842029">{}</text>',
            d,
            label,
            f"{cx:.1f}",
            f"{cy:.1f}",
            label,
        )
        parts.append(format_html('<a href="{}">{}</a>', url, shape) if url else shape)
    return format_html(
        '<svg class="boundary-map" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        size,
        f"{h * scale + 20:.0f}",
        _("Boundary"),
        mark_safe("".join(conditional_escape(p) for p in parts)),  # noqa: S308 - each part is escaped
    )


@register.simple_tag
def boundary_svg(geojson, label="", size=320):
    """Draw one boundary offline: no map tiles, just the polygon."""
    rings = _rings(geojson)
    return _svg([(rings, label, "")], size) if rings else ""


@register.simple_tag
def boundaries_svg(places, size=360):
    """Draw several places' boundaries on one map (网格进图), each linking to its page."""
    shapes = [(_rings(p.boundary), getattr(p, "name", str(p)), p.get_absolute_url()) for p in places if p.boundary]
    return _svg([s for s in shapes if s[0]], size)
