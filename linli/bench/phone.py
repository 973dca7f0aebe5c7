"""12 · A resident's phone on a slow network (issue 16 §7).

The resident pages (home, the report form, my requests, a request, a vote, the board) as a
resident of the benchmark community opens them in Debian's Chromium, through Playwright and the
DevTools protocol: DevTools' "Slow 4G" network preset and 4× CPU throttling, a 375 px phone
screen. Linli runs under gunicorn with DEBUG off and its static files collected as production
collects them (hashed names, gzip and brotli copies, served by WhiteNoise).

Per page: the bytes transferred on a first visit (a fresh browser context: empty cache) and on a
second visit in the same context (cache warm), summed from Network.loadingFinished's
encodedDataLength (headers and body as they came over the wire); the Largest Contentful Paint
(a PerformanceObserver installed before the page's own scripts), with the time to the page's
first byte (the server's share: request, view, queries, template, over the throttled link); and
time to interactive, taken as the end of the last long task (> 50 ms) after DOMContentLoaded, or
DOMContentLoaded when none follows it, once the page has been quiet (no long task) for a second. Every request to a host
other than the app is recorded: there must be none.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

# DevTools' "Slow 4G" preset (Chromium's front end, SDK NetworkManager: 1.6 Mbit/s down,
# 750 kbit/s up, each × 0.9; 150 ms RTT × 3.75), in the units of Network.emulateNetworkConditions
SLOW_4G = {
    "offline": False,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
    "uploadThroughput": 750 * 1000 / 8 * 0.9,
    "latency": 150 * 3.75,
}
CPU_SLOWDOWN = 4
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
QUIET_MS = 1000  # no long task for this long after DOMContentLoaded: the page is interactive
CHROMIUM = os.environ.get("LINLI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# what the resident pages never use; left out of the collection so it takes seconds, not minutes
NOT_COLLECTED = ("admin", "rest_framework", "drf_spectacular_sidecar", "django_htmx", "axe-core", "*.map")

# Installed before any script of the page: the LCP candidates and the long tasks, kept on window.
OBSERVE = """
window.__phone = {lcp: 0, longtasks: []};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__phone.lcp = e.renderTime || e.loadTime || e.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__phone.longtasks.push(e.startTime + e.duration);
}).observe({type: "longtask", buffered: true});
"""
READ = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {lcp: window.__phone.lcp, longtasks: window.__phone.longtasks, now: performance.now(),
          ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};
}"""


def resident_pages(users):
    """(name, path) of the pages a resident of the benchmark community opens, with the resident:
    the newest of their own requests and of the votes of their compound."""
    from linli.cases.models import Case
    from linli.deliberation.models import OwnerVote

    from .runner import cobuilding_users

    resident = cobuilding_users(users)["resident"]
    case = Case.objects.restrict(resident).order_by("-id").first()
    vote = OwnerVote.objects.restrict(resident).order_by("-id").first()
    if case is None or vote is None:
        raise RuntimeError(f"{resident.username} has no request or no vote to open: run `linli bench-data` again")
    pages = [
        ("home", "/"),
        ("report form", "/cases/new/mine/"),
        ("my requests", "/cases/"),
        ("a request", f"/cases/{case.pk}/"),
        ("a vote", f"/deliberation/votes/{vote.pk}/"),
        ("the board", f"/board/{users['community_obj'].pk}/"),
    ]
    return resident, pages


def session_cookie(user):
    """A signed-in session of `user` in the database the served app reads, as a browser cookie."""
    from django.conf import settings
    from django.test import Client

    from linli.testing import log_in

    client = log_in(Client(), user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


@contextmanager
def served(workers=2):
    """Linli under gunicorn with its static files collected into a temporary folder by the
    production storage (linli.bench.settings reads LINLI_BENCH_STATIC_ROOT)."""
    from .runner import gunicorn

    with tempfile.TemporaryDirectory(prefix="linli-phone-") as root:
        env = {"LINLI_BENCH_STATIC_ROOT": root}
        ignore = [arg for pattern in NOT_COLLECTED for arg in ("-i", pattern)]
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "-m", "linli.cli", "collectstatic", "--noinput", "-v0", *ignore],
            env=os.environ | env | {"DJANGO_SETTINGS_MODULE": "linli.bench.settings"},
            check=True,
        )
        with gunicorn(workers, env=env) as (port, _server):
            yield port, Path(root)


class Visit:
    """What one page load sent over the wire, seen through the DevTools protocol."""

    def __init__(self, cdp, origin):
        self.origin, self.bytes, self.requests, self.external, self.statuses = origin, 0, 0, [], {}
        self.cached = set()  # request ids answered from the browser's cache (both events may tell)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, e):
        url = e["request"]["url"]
        if url.startswith(("data:", "blob:")):
            return
        self.requests += 1
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.external.append(url)

    def _received(self, e):
        if e["type"] == "Document":
            self.statuses[e["response"]["url"]] = e["response"]["status"]
        if e["response"].get("fromDiskCache") or e["response"].get("fromMemoryCache"):
            self.cached.add(e["requestId"])

    def _from_cache(self, e):
        self.cached.add(e["requestId"])

    def _finished(self, e):
        self.bytes += int(e["encodedDataLength"])


def _measure(page, cdp, origin, url, quiet):
    visit = Visit(cdp, origin)
    page.goto(origin + url, wait_until="load", timeout=120_000)
    deadline = 15_000  # ms of page time at most, in case long tasks never stop
    while True:
        seen = page.evaluate(READ)
        last = max([t for t in seen["longtasks"] if t > seen["dcl"]], default=seen["dcl"])
        if seen["now"] - last >= quiet or seen["now"] > deadline:
            break
        page.wait_for_timeout(250)
    status = next(iter(visit.statuses.values()), None)
    return {
        "status": status,
        "kb": round(visit.bytes / 1024, 1),
        "requests": visit.requests,
        "from_cache": len(visit.cached),
        "external": visit.external,
        "ttfb_ms": round(seen["ttfb"]),
        "lcp_ms": round(seen["lcp"]),
        "tti_ms": round(last),
        "dcl_ms": round(seen["dcl"]),
        "load_ms": round(seen["load"]),
    }


def _fresh(browser, cookie, origin):
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.add_cookies([{**cookie, "url": origin}])
    context.add_init_script(OBSERVE)
    return context


def _tab(context, throttle):
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if throttle:
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return page, cdp


def warm_up(origin, pages, cookie, workers=2):
    """Every page fetched as many times as there are workers first (unthrottled): a worker's first
    request imports the URL configuration and the templates, which is not what a phone waits for."""
    from urllib.request import Request, urlopen

    for _round in range(workers):
        for _name, url in pages:
            request = Request(origin + url, headers={"Cookie": f"{cookie['name']}={cookie['value']}"})  # noqa: S310
            with urlopen(request, timeout=120) as response:  # noqa: S310 - our own server on loopback
                response.read()


def measure(origin, pages, cookie, runs=3, throttle=True):
    """For each page, `runs` times: a first visit in a fresh context and a second in the same
    one. Returns {name: {"first": [figures…], "repeat": [figures…]}}."""
    from playwright.sync_api import sync_playwright

    figures = {name: {"first": [], "repeat": []} for name, _url in pages}
    warm_up(origin, pages, cookie)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            for _run in range(runs):
                for name, url in pages:
                    context = _fresh(browser, cookie, origin)
                    try:
                        for visit in ("first", "repeat"):
                            page, cdp = _tab(context, throttle)  # a new tab each time: the cache is the context's
                            figures[name][visit].append(_measure(page, cdp, origin, url, QUIET_MS if throttle else 0))
                            page.close()
                    finally:
                        context.close()
        finally:
            browser.close()
    return figures
