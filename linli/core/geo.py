"""Plane geometry on the GeoJSON boundaries of places (longitude, latitude), with no GIS library:
the rings of a boundary, whether a point lies inside it, and the projection that draws boundaries
as offline SVG (core.templatetags.linli) and turns a click on that SVG back into a point
(static linli/location.js does the inverse with the numbers `Projection.data` gives it)."""

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def rings(boundary) -> list[list]:
    """The rings of a GeoJSON Polygon or MultiPolygon (or a Feature wrapping one); [] otherwise."""
    geom = boundary.get("geometry", boundary) if isinstance(boundary, dict) else None
    if not geom:
        return []
    if geom.get("type") == "Polygon":
        return geom["coordinates"]
    if geom.get("type") == "MultiPolygon":
        return [ring for poly in geom["coordinates"] for ring in poly]
    return []


def _crossings(x, y, ring) -> int:
    inside = 0
    points = [p[:2] for p in ring]
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside ^= 1
    return inside


def contains(boundary, x, y) -> bool:
    """Is the point (longitude x, latitude y) inside the boundary? Even-odd over all its rings, so a
    hole (an inner ring) is outside, as the SVG's fill-rule="evenodd" draws it."""
    return bool(sum(_crossings(x, y, ring) for ring in rings(boundary)) % 2)


def first_containing(places, x, y):
    """The first of `places` (anything with a `boundary`) whose boundary holds the point, or None."""
    return next((p for p in places if p.boundary and contains(p.boundary, x, y)), None)


class Projection:
    """Equirectangular, scaled to a square box of `size` px with a 10 px margin; longitude shrunk
    by the cosine of the mean latitude so a square grid stays square."""

    def __init__(self, points, size):
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self.x0, self.y1 = min(xs), max(ys)
        self.kx = math.cos(math.radians(sum(ys) / len(ys)))
        w, h = max((max(xs) - self.x0) * self.kx, 1e-9), max(self.y1 - min(ys), 1e-9)
        self.scale = (size - 20) / max(w, h)
        self.width, self.height = size, h * self.scale + 20

    def __call__(self, x, y):
        return 10 + (x - self.x0) * self.kx * self.scale, 10 + (self.y1 - y) * self.scale

    @property
    def data(self):
        """What the browser needs to turn an SVG position back into (longitude, latitude)."""
        return {"x0": repr(self.x0), "y1": repr(self.y1), "kx": repr(self.kx), "scale": repr(self.scale)}


def point(x, y) -> dict:
    """A GeoJSON Point, rounded to 6 decimals (about 0.1 m): finer adds nothing a click can give."""
    return {"type": "Point", "coordinates": [round(float(x), 6), round(float(y), 6)]}


def parse_point(text: str):
    """ "longitude,latitude" (what the map's hidden input carries) as (x, y), or None if not two
    finite numbers within the range of longitudes and latitudes."""
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        return None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        return None
    return x, y


def validate_point(value):
    """A GeoJSON Point with a longitude and a latitude in range."""
    if value in (None, ""):
        return
    coords = value.get("coordinates") if isinstance(value, dict) and value.get("type") == "Point" else None
    ok = (
        isinstance(coords, list)
        and len(coords) == 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
        and parse_point(f"{coords[0]},{coords[1]}") is not None
    )
    if not ok:
        raise ValidationError(_("The point must be a GeoJSON Point: [longitude, latitude]."))
