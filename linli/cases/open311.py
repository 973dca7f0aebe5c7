"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): existing civic-tech clients and
city hotline systems exchange requests with Linli.

Services are the leaf categories. Reading services and requests needs no key, and then shows
only what the public board shows (no description, no reporter, nothing anonymous). With an
`api_key` (an Open311 key issued by an administrator, accounts.Open311Key; user API tokens
are not accepted, since keys travel in query strings) reads are the key's user's scope with descriptions, and POST files
a request as that user. Places: `address_id` is a grid id; or `lat`/`long` inside a grid's
boundary. Errors follow the spec's error list. JSON and XML everywhere.
"""

import datetime as dt
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from linli.accounts.models import Open311Key
from linli.core import geo
from linli.core.ids import parse_id, parse_ids
from linli.core.scope import has_perm
from linli.places.models import Grid

from . import actions
from .models import OPEN_STATES, Case, Category, Where

MAX_RANGE = dt.timedelta(days=90)
MAX_PAGE = 1_000_000  # of up to 200 requests: more than any district holds; near 2⁶³ the offset overflows


class Open311Error(Exception):
    def __init__(self, status, description):
        super().__init__(description)
        self.status, self.description = status, description


def render(data, fmt, root, item, status=200):
    if fmt == "json":
        return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    for row in data if isinstance(data, list) else [data]:
        el = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(el, key)
            if isinstance(value, list):
                for v in value:
                    ET.SubElement(child, "attribute").text = str(v)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def error(fmt, status, description):
    return render([{"code": status, "description": description}], fmt, "errors", "error", status=status)


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _centroid(boundary):
    geom = (boundary or {}).get("geometry", boundary or {})
    rings = geom.get("coordinates") or []
    ring = rings[0] if geom.get("type") == "Polygon" and rings else rings[0][0] if rings else []
    if not ring:
        return None, None
    return round(sum(p[1] for p in ring) / len(ring), 6), round(sum(p[0] for p in ring) / len(ring), 6)


def grid_at(lon, lat, grids):
    return geo.first_containing(grids.exclude(boundary=None), lon, lat)


class Open311View(View):
    def dispatch(self, request, *args, fmt="json", **kwargs):
        if fmt not in ("json", "xml"):
            return error("json", 404, "format must be json or xml")
        self.fmt = fmt
        try:
            return super().dispatch(request, *args, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)

    def key_user(self, required=False):
        key = self.request.POST.get("api_key") or self.request.GET.get("api_key")
        if not key:
            if required:
                raise Open311Error(403, _("api_key is required"))
            return None
        found = Open311Key.find(key)  # an Open311 key, never a user's API token
        if found is None or found.revoked_at or not found.user.is_active:
            raise Open311Error(403, _("api_key is not valid"))
        found.touch()
        return found.user


class DiscoveryView(Open311View):
    def get(self, request):
        base = request.build_absolute_uri("/open311/v2/")
        data = {
            "changeset": "2026-11-24T00:00:00+08:00",
            "contact": "社区服务中心",
            "key_service": "Open311 keys are issued by the system administrator.",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        }
        if self.fmt == "json":
            return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        top = ET.Element("discovery")
        for k in ("changeset", "contact", "key_service"):
            ET.SubElement(top, k).text = data[k]
        eps = ET.SubElement(ET.SubElement(top, "endpoints"), "endpoint")
        ET.SubElement(eps, "specification").text = data["endpoints"][0]["specification"]
        ET.SubElement(eps, "url").text = base
        ET.SubElement(eps, "type").text = "production"
        return HttpResponse(
            b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8"),
            content_type="text/xml; charset=utf-8",
        )


def _services():
    return Category.objects.filter(active=True, children=None).select_related("parent")


class ServiceListView(Open311View):
    def get(self, request):
        data = [
            {
                "service_code": str(c.pk),
                "service_name": c.name,
                "description": str(c),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": c.parent.name if c.parent_id else "",
            }
            for c in _services()
        ]
        return render(data, self.fmt, "services", "service")


class ServiceDefinitionView(Open311View):
    def get(self, request, code):
        if not _services().filter(pk=code).exists():
            raise Open311Error(404, _("service_code not found"))
        if self.fmt == "json":
            return JsonResponse({"service_code": str(code), "attributes": []})
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = str(code)
        ET.SubElement(top, "attributes")
        return HttpResponse(
            b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8"),
            content_type="text/xml; charset=utf-8",
        )


def _row(case, full):
    lat, lon = _centroid(case.compound.boundary if case.compound_id else case.grid.boundary)
    return {
        "service_request_id": str(case.pk),
        "status": "open" if case.state in OPEN_STATES else "closed",
        "status_notes": case.get_state_display(),
        "service_name": case.category.name,
        "service_code": str(case.category_id),
        "description": case.description if full else None,
        "agency_responsible": case.assignee_org.name if case.assignee_org_id else None,
        "service_notice": None,
        "requested_datetime": _iso(case.created_at),
        "updated_datetime": _iso(case.closed_at or case.handled_at or case.responded_at or case.created_at),
        "expected_datetime": _iso(case.resolve_by),
        "address": case.compound.name if case.compound_id else case.grid.name,
        "address_id": str(case.grid_id),
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }


@method_decorator(csrf_exempt, name="dispatch")  # machine clients authenticate with api_key
class RequestListView(Open311View):
    def queryset(self, user):
        qs = Case.objects.restrict(user, "view") if user else Case.objects.filter(anonymous=False)
        return qs.select_related("category", "compound", "grid", "assignee_org").order_by("-created_at", "-id")

    def get(self, request):
        user = self.key_user()
        qs = self.queryset(user)
        p = request.GET
        if p.get("service_request_id"):
            qs = qs.filter(pk__in=parse_ids(p["service_request_id"].split(",")))
        else:
            end = self._date(p.get("end_date")) or timezone.now()
            start = self._date(p.get("start_date")) or end - MAX_RANGE
            if end - start > MAX_RANGE or start > end:
                raise Open311Error(400, _("start_date and end_date must be at most 90 days apart"))
            qs = qs.filter(created_at__range=(start, end))
            if p.get("service_code"):
                qs = qs.filter(category_id__in=parse_ids(p["service_code"].split(",")))
            statuses = set(filter(None, p.get("status", "").split(",")))
            if statuses - {"open", "closed"}:
                raise Open311Error(400, _("status must be open or closed"))
            if statuses == {"open"}:
                qs = qs.filter(state__in=OPEN_STATES)
            elif statuses == {"closed"}:
                qs = qs.exclude(state__in=OPEN_STATES)
        page, size = parse_id(p.get("page", 1)), parse_id(p.get("page_size", 50))
        if page is None or size is None or page > MAX_PAGE:
            raise Open311Error(
                400, _("page (1 to %(pages)s) and page_size must be whole numbers from 1 up") % {"pages": MAX_PAGE}
            )
        size = min(size, 200)
        rows = [_row(c, full=bool(user)) for c in qs[(page - 1) * size : page * size]]
        return render(rows, self.fmt, "service_requests", "request")

    def post(self, request):
        user = self.key_user(required=True)
        if not has_perm(user, "cases.report"):
            raise Open311Error(403, _("this api_key may not file requests"))
        p = request.POST
        code = parse_id(p.get("service_code"))
        category = _services().filter(pk=code).first() if code else None
        if category is None:
            raise Open311Error(400, _("service_code not found"))
        grids = Grid.objects.restrict(user, "report", domain="cases")
        point = None
        if (p.get("address_id") or "").isdigit():
            address = parse_id(p["address_id"])  # 0 or beyond 2⁶³: no grid
            grid = grids.filter(pk=address).first() if address else None
        elif p.get("lat") and p.get("long"):
            try:
                point = (float(p["long"]), float(p["lat"]))
                grid = grid_at(*point, grids)
            except ValueError:
                raise Open311Error(400, _("lat and long must be numbers")) from None
        else:
            raise Open311Error(400, _("a location is required: lat and long, or address_id"))
        if grid is None:
            raise Open311Error(400, _("the location is outside the area served by this key"))
        name = " ".join(filter(None, [p.get("last_name", ""), p.get("first_name", "")]))
        try:
            case = actions.report_case(
                actor=user,
                category=category,
                grid=grid,
                description=p.get("description", "").strip(),
                channel="hotline",
                where=Where.MAP if point else "",
                location=geo.point(*point) if point else None,
                reporter_name=name[:50],
                reporter_phone="",
            )
        except ValidationError as exc:
            raise Open311Error(400, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        data = [{"service_request_id": str(case.pk), "service_notice": "", "account_id": None}]
        return render(data, self.fmt, "service_requests", "request", status=201)

    @staticmethod
    def _date(value):
        if not value:
            return None
        parsed = parse_datetime(value.replace("Z", "+00:00"))
        if parsed is None:
            raise Open311Error(400, _("not a W3C datetime: %(value)s") % {"value": value})
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class RequestDetailView(RequestListView):
    def get(self, request, pk):
        user = self.key_user()
        case = self.queryset(user).filter(pk=pk).first()
        if case is None:
            raise Open311Error(404, _("service_request_id not found"))
        return render([_row(case, full=bool(user))], self.fmt, "service_requests", "request")

    def post(self, request, pk):
        raise Open311Error(405, _("POST to requests.json"))
