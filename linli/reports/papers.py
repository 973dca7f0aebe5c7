"""The reports as print pages and PDF (core.printing): Chinese headings, the unit's name, the
paper's number, the charts drawn as inline SVG on the server."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from linli.core import printing

from .content import Periodic

BASE_URL = "http://linli.invalid/"  # WeasyPrint fetches only static files, by path (printing.static_only)


def periodic_html(report: Periodic, request=None) -> str:
    tables = [
        (_("2. Requests by category"), _("Category"), report.tables["category"]),
        (_("3. Requests by grid"), _("Grid"), report.tables["grid"]),
        (_("4. Requests by handling organisation"), _("Handling organisation"), report.tables["org"]),
    ]
    return render_to_string("reports/periodic.html", {"r": report, "tables": tables}, request=request)


def periodic_pdf(report: Periodic) -> bytes:
    return printing.render_pdf(periodic_html(report), BASE_URL)
