"""Content-Security-Policy: on every response, without 'unsafe-inline', and no template relies on
inline styles, inline event handlers or inline scripts (the browser would refuse them)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def directives(response):
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: " ".join(d.split()[1:]) for d in header.split(";") if d.strip()}


def assert_policy(response, url):
    found = directives(response)
    assert found, f"no Content-Security-Policy on {url}"
    for name, value in POLICY.items():
        assert found.get(name) == value, (url, name, found.get(name))
    # the nonce appears when the page has used it (every page built on base.html does)
    assert re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9+/=_-]{16,}')?", found["script-src"]), (url, found["script-src"])
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def assert_no_inline(html, url):
    assert not re.search(r"<[^>]+\sstyle\s*=", html), f"style attribute on {url}"
    assert not re.search(r"<style[\s>]", html), f"<style> on {url}"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"inline event handler on {url}"
    assert "javascript:" not in html, url
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script {tag} on {url}"


def staff_pages(world):
    return [
        reverse("home:home"),
        reverse("core:audit"),
        reverse("core:notifications"),
        reverse("places:tree"),
        world.c1.get_absolute_url(),
        world.grid_a.get_absolute_url(),
        world.house_a1.get_absolute_url(),
        reverse("people:list"),
        world.hh_a1.get_absolute_url(),
        world.p_a1h.get_absolute_url(),
        reverse("people:tags"),
        reverse("orgs:list"),
        reverse("accounts:roles"),
        reverse("accounts:grant"),
        reverse("cases:list"),
        reverse("cases:dashboard"),
        reverse("ledger:import"),
        reverse("deliberation:topics"),
        reverse("deliberation:votes"),
        "/no-such-page/",
    ]


@pytest.mark.django_db
def test_every_page_of_community_staff_carries_the_policy_and_nothing_inline(world, login):
    c = login(world.users.community)
    for url in staff_pages(world):
        r = c.get(url)
        assert r.status_code in (200, 403, 404), url
        assert_policy(r, url)
        assert "'nonce-" in r.headers["Content-Security-Policy"], url
        assert_no_inline(r.content.decode(), url)


@pytest.mark.django_db
def test_anonymous_pages_and_the_api_carry_the_policy(world, client):
    for url in (
        reverse("accounts:login"),
        reverse("board:index"),
        "/api/v1/persons/",
        "/open311/v2/services.json",
        "/no-such-page/",
    ):
        r = client.get(url)
        assert_policy(r, url)
        if r["Content-Type"].startswith("text/html"):
            assert_no_inline(r.content.decode(), url)


@pytest.mark.django_db
def test_the_nonce_changes_per_response_and_matches_the_scripts(world, client):
    first, second = client.get(reverse("accounts:login")), client.get(reverse("accounts:login"))
    nonces = [re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0]}"' in first.content.decode()


def test_no_template_needs_unsafe_inline():
    templates = list(ROOT.glob("linli/**/templates/**/*.html"))
    assert len(templates) > 30
    for path in templates:
        text = path.read_text()
        assert_no_inline(text, str(path.relative_to(ROOT)))


def test_no_template_comment_spans_lines():
    """Django's {# … #} comment is one line only: spread over two, it is printed into the page."""
    for path in ROOT.glob("linli/**/templates/**/*.html"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            assert line.count("{#") == line.count("#}"), (
                f"{path.relative_to(ROOT)}:{number}: use {{% comment %}} across lines"
            )
