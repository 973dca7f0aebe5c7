"""Printable documents (文书): one layout (templates/print/base.html, static/linli/print.css), a
document number, a QR code drawn here, and the same page as an A4 PDF typeset by WeasyPrint
with the system's CJK fonts (Debian: fonts-noto-cjk, libpango)."""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _


def doc_number(prefix, when, pk):
    """A paper's number in the form of the seeds' documents: 交办〔2026〕00012号."""
    return f"{prefix}〔{timezone.localtime(when):%Y}〕{pk or 0:05d}号"


def qr_data_uri(link):
    """A QR code of `link` as an SVG data URI (segno, no outside service)."""
    return segno.make(link, error="m").svg_data_uri(scale=4, border=2)


def static_only(url, **kwargs):
    """WeasyPrint reads the print stylesheet from the app's own static files and the QR codes
    from their data URIs, and fetches nothing else (no request back to the server, nothing a
    text could point at)."""
    if url.startswith("data:image/svg+xml"):
        from weasyprint.urls import default_url_fetcher  # noqa: PLC0415 - Pango may be missing

        return default_url_fetcher(url)
    path = urlsplit(url).path
    if not path.startswith(settings.STATIC_URL):
        raise ValueError(f"not fetched: {url}")
    name = path[len(settings.STATIC_URL) :]
    found = finders.find(name) or (staticfiles_storage.exists(name) and staticfiles_storage.path(name))
    if not found:
        raise ValueError(f"no static file {name}")
    return {"string": Path(found).read_bytes(), "mime_type": mimetypes.guess_type(found)[0] or "text/css"}


def wants_pdf(request):
    return request.GET.get("format") == "pdf"


def render_pdf(html: str, base_url: str) -> bytes:
    """A print page's HTML typeset as an A4 PDF (also outside a request: a background report).
    Raises OSError when this machine has no Pango."""
    from weasyprint import HTML  # noqa: PLC0415 - Pango may be missing: the caller says so

    return HTML(string=html, base_url=base_url, url_fetcher=static_only).write_pdf()


def as_pdf(request, response, filename):
    """The rendered print page `response` as a PDF, or back to the page with a message when
    this machine has no Pango."""
    try:
        pdf = render_pdf(response.content.decode(), request.build_absolute_uri("/"))
    except OSError:  # pango missing on this machine
        messages.error(request, _("PDF output needs the system's Pango library; print the page instead."))
        return redirect(request.path)
    out = HttpResponse(pdf, content_type="application/pdf")
    out["Content-Disposition"] = f"inline; filename={filename}.pdf"
    return out
