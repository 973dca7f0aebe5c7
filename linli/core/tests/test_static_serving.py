"""What a phone downloads (docs/benchmarks.md, "A resident's phone"): with DEBUG off the static
files go out under hashed names, cached for a year and compressed (brotli, gzip); pages are
gzipped; Chart.js is loaded only where a chart is drawn; the icon font holds the icons used."""

import gzip
import re
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings
from fontTools.ttLib import TTFont

from linli.bench.phone import NOT_COLLECTED
from linli.testing import log_in

ROOT = Path(settings.BASE_DIR).parent
VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
YEAR = 365 * 24 * 3600
HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
PRODUCTION = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The static files as `linli collectstatic` leaves them in production (what the resident pages need)."""
    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": PRODUCTION}
    with override_settings(STATIC_ROOT=root, STORAGES=storages, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=list(NOT_COLLECTED))
    return root, storages


@pytest.fixture
def production(collected):
    root, storages = collected
    with override_settings(STATIC_ROOT=root, STORAGES=storages, DEBUG=False):
        yield root


def _static_urls(html):
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_a_hashed_static_file_is_cached_for_a_year_and_compressed(production):
    url = static("vendor/bootstrap/bootstrap.min.css")
    assert HASHED.match(url), url
    original = (VENDOR / "bootstrap" / "bootstrap.min.css").read_bytes()
    client = Client()  # WhiteNoise reads STATIC_ROOT when the handler is built
    for accepted, encoding, decode in (
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
    ):
        response = client.get(url, HTTP_ACCEPT_ENCODING=accepted)
        assert response.status_code == 200
        assert response["Content-Encoding"] == encoding
        cache = response["Cache-Control"]
        assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache)[1]) >= YEAR
        body = b"".join(response.streaming_content)
        assert decode(body) == original and len(body) < len(original) / 4
    plain = client.get(url)  # a client that accepts no encoding gets the file as it is
    assert "Content-Encoding" not in plain and b"".join(plain.streaming_content) == original


@pytest.mark.django_db
def test_every_static_file_of_a_resident_page_is_hashed_and_served(production, world):
    client = log_in(Client(), world.users.resident)
    html = client.get("/").content.decode()
    urls = _static_urls(html)
    assert len(urls) >= 6  # three stylesheets, three scripts, the icon
    for url in urls:
        assert HASHED.match(url), url
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        assert response.status_code == 200 and "immutable" in response["Cache-Control"], url
    css = client.get(static("vendor/bootstrap-icons/bootstrap-icons.min.css"), HTTP_ACCEPT_ENCODING="identity")
    font = re.search(r'url\("([^"]+\.woff2)"\)', b"".join(css.streaming_content).decode())[1]
    assert re.match(r"^fonts/bootstrap-icons\.[0-9a-f]{12}\.woff2$", font), font  # the font is hashed too


@pytest.mark.django_db
def test_pages_are_gzipped_for_a_browser_that_accepts_it(world):
    client = log_in(Client(), world.users.resident)
    zipped = client.get("/cases/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped.status_code == 200 and zipped["Content-Encoding"] == "gzip"
    page = gzip.decompress(zipped.content).decode()
    assert "<html" in page and len(zipped.content) < len(page.encode()) / 2
    plain = client.get("/cases/")
    assert "Content-Encoding" not in plain and "<html" in plain.content.decode()


@pytest.mark.django_db
def test_chart_js_is_loaded_only_where_a_chart_is_drawn(world, login):
    client = login(world.users.resident)
    community = world.c1.pk
    for url in ("/", "/cases/", "/cases/new/mine/", f"/board/{community}/", "/deliberation/votes/"):
        response = client.get(url)
        assert response.status_code == 200, url
        scripts = [u for u in _static_urls(response.content.decode()) if u.endswith(".js")]
        assert scripts and not any("chart" in u or "dashboard" in u for u in scripts), (url, scripts)
    staff = login(world.users.subdistrict)
    scripts = _static_urls(staff.get("/cases/dashboard/").content.decode())
    assert any("vendor/chartjs/chart.umd.min" in u for u in scripts)


def _icons_used():
    used = set()
    for path in (ROOT / "linli").rglob("*"):
        if path.suffix in (".html", ".py", ".js", ".css") and "vendor" not in path.parts and "tests" not in path.parts:
            used |= set(re.findall(r"\bbi-[a-z0-9-]+", path.read_text(errors="ignore")))
    return used


def test_the_icon_font_holds_every_icon_used_and_little_else():
    listed = {line.strip() for line in (ROOT / "scripts" / "icons.txt").read_text().splitlines() if line[:1] not in "#"}
    missing = _icons_used() - listed
    assert not missing, f"add {sorted(missing)} to scripts/icons.txt and run `make assets`"
    css = (VENDOR / "bootstrap-icons" / "bootstrap-icons.min.css").read_text()
    rules = dict(re.findall(r'\.(bi-[a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}', css))
    assert set(rules) == listed
    font = TTFont(VENDOR / "bootstrap-icons" / "fonts" / "bootstrap-icons.woff2")
    glyphs = font.getBestCmap()
    assert {int(code, 16) for code in rules.values()} == set(glyphs)  # a glyph for each icon, no other
    assert (VENDOR / "bootstrap-icons" / "fonts" / "bootstrap-icons.woff2").stat().st_size < 16 * 1024
    assert (
        'bootstrap-icons.woff"' not in css
        and not (VENDOR / "bootstrap-icons" / "fonts" / "bootstrap-icons.woff").exists()
    )
