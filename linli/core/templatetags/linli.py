"""Template helpers: query strings for pagination, GeoJSON boundaries drawn as inline SVG."""

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from linli.core import audit_display, geo, search

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (keeps list filters on paging)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def query_without(context, *names):
    """The current query string without some parameters (a list's first page: no cursor)."""
    params = context["request"].GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@register.filter
def highlight(text, query):
    """The text escaped, the words of the search `query` in it marked (core.search.highlight)."""
    return search.highlight(text, query)


@register.filter
def matches(text, query) -> bool:
    """Whether a word of the search `query` is in the text."""
    return bool(query) and bool(search.match_spans(text, query))


@register.filter
def m2(hundredths):
    """An area kept in integer hundredths of a square metre, shown as 123.45."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _svg(shapes, size):
    """shapes: [(rings, label, url)] drawn in one equirectangular projection scaled to the box."""
    points = [(float(x), float(y)) for rings, *_ in shapes for ring in rings for x, y, *_r in ring]
    if not points:
        return ""
    project = geo.Projection(points, size)
    parts = []
    for rings, label, url in shapes:
        cx, cy = project(*_centre(rings))
        shape = format_html(
            '<path d="{}" fill="#dc354522" stroke="#dc3545" stroke-width="1.5" '
            'fill-rule="evenodd"><title>{}</title></path>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#842029">{}</text>',
            _path(rings, project),
            label,
            f"{cx:.1f}",
            f"{cy:.1f}",
            label,
        )
        parts.append(format_html('<a href="{}">{}</a>', url, shape) if url else shape)
    return format_html(
        '<svg class="boundary-map" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        size,
        f"{project.height:.0f}",
        _("Boundary"),
        _joined(parts),
    )


def _path(rings, project):
    return " ".join(
        "M" + " L".join("{:.1f},{:.1f}".format(*project(x, y)) for x, y, *_r in ring) + " Z" for ring in rings
    )


def _centre(rings):
    ring = rings[0]
    return sum(x for x, *_r in ring) / len(ring), sum(y for _x, y, *_r in ring) / len(ring)


def _joined(parts):
    return mark_safe("".join(conditional_escape(p) for p in parts))  # noqa: S308 - each part is escaped


@register.simple_tag
def boundary_svg(geojson, label="", size=320):
    """Draw one boundary offline: no map tiles, just the polygon."""
    rings = geo.rings(geojson)
    return _svg([(rings, label, "")], size) if rings else ""


@register.simple_tag
def boundaries_svg(places, size=360):
    """Draw several places' boundaries on one map (网格进图), each linking to its page."""
    shapes = [(geo.rings(p.boundary), getattr(p, "name", str(p)), p.get_absolute_url()) for p in places if p.boundary]
    return _svg([s for s in shapes if s[0]], size)


@register.simple_tag
def place_map(grids, compounds, point=None, select_field="", point_field="", size=360):
    """The map of grids and compounds (网格进图), offline: grids drawn under compounds, each shape
    carrying data-place="grid:<id>" / "compound:<id>"; `point` (a GeoJSON Point) marked. On a form
    (the ids of its select of places and of its point's input given), the projection's numbers
    ride on the <svg> so that static linli/location.js turns a click or a tap into (longitude,
    latitude) and selects the shape under it."""
    interactive = bool(select_field)
    layers = [("grid", g) for g in grids if g.boundary] + [("compound", c) for c in compounds if c.boundary]
    coords = [(float(x), float(y)) for _k, p in layers for ring in geo.rings(p.boundary) for x, y, *_r in ring]
    if not coords:
        return ""
    project = geo.Projection(coords, size)
    parts = [_map_shape(kind, place, project) for kind, place in layers]
    x, y = point["coordinates"] if point else (None, None)
    if point:
        cx, cy = project(x, y)
        parts.append(format_html('<circle class="map-point" cx="{}" cy="{}" r="6"></circle>', f"{cx:.1f}", f"{cy:.1f}"))
    elif interactive:
        parts.append(mark_safe('<circle class="map-point" cx="0" cy="0" r="6" visibility="hidden"></circle>'))
    fields = {"select-field": select_field, "point-field": point_field}
    data = format_html_join("", ' data-{}="{}"', (project.data | fields).items()) if interactive else ""
    return format_html(
        '<svg class="place-map{}" viewBox="0 0 {} {}" role="img" aria-label="{}"{}>{}</svg>',
        " place-map-interactive" if interactive else "",
        size,
        f"{project.height:.0f}",
        _("Map of grids and compounds"),
        data,
        _joined(parts),
    )


def _map_shape(kind, place, project):
    rings = geo.rings(place.boundary)
    cx, cy = project(*_centre(rings))
    return format_html(
        '<path class="map-{}" data-place="{}:{}" d="{}" fill-rule="evenodd"><title>{}</title></path>'
        '<text x="{}" y="{}" text-anchor="middle" pointer-events="none" class="map-label">{}</text>',
        kind,
        kind,
        place.pk,
        _path(rings, project),
        place.name,
        f"{cx:.1f}",
        f"{cy:.1f}",
        place.name,
    )


@register.simple_tag
def readable_audit(records):
    """Audit records with labels and names instead of field names and ids (core.audit_display)."""
    return audit_display.describe(records)
