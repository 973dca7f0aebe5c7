"""Browser tests: Playwright (Python) driving the system's Chromium (Debian package `chromium`).
No browser is ever downloaded. A failing test leaves a screenshot in test-artifacts/."""

import base64
import os
import shutil
import time
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("LINLI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield b
        b.close()


def _page(browser, request, **context_args):
    context = browser.new_context(locale="zh-CN", **context_args)
    page = context.new_page()
    page.set_default_timeout(10_000)
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(("http://localhost", "data:", "blob:")) else None,
    )
    # Chromium reports what the Content-Security-Policy refused on the console; any such report,
    # or an uncaught script error, fails the test (the page would be broken for a real user)
    page.violations = []
    page.on(
        "console",
        lambda m: page.violations.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: page.violations.append(f"script error: {e}"))
    return context, page, external


@pytest.fixture
def page(browser, request, live_server):
    context, page, external = _page(browser, request, viewport={"width": 1280, "height": 800})
    page.base = live_server.url
    yield page
    _finish(request, context, page, external)


@pytest.fixture
def phone(browser, request, live_server):
    """A 375 px wide phone screen."""
    context, page, external = _page(
        browser, request, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page.base = live_server.url
    yield page
    _finish(request, context, page, external)


def _finish(request, context, page, external):
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    violations = page.violations
    context.close()
    if not failed:
        assert external == [], f"the page requested something outside the app: {external}"
        assert violations == [], f"Content-Security-Policy violations or script errors: {violations}"


def follow(locator):
    """Click a link or a submit button and wait until the page it leads to has loaded. A bare
    click() returns once the click is dispatched: reading the page right after it may read the
    old page, or an empty document mid-navigation (CI failed that way)."""
    with locator.page.expect_navigation():
        locator.click()


def log_in(page, username, password):
    """Log in through the real form, and pass the second factor for real where the role needs
    it: enrol an authenticator (read the key off the page, compute the code) the first time,
    give the current code afterwards."""
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/two-factor/setup/" in page.url:
        secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
        page.get_by_label("动态验证码").fill(authenticator_code(base64.b32decode(secret + "=" * (-len(secret) % 8))))
        page.get_by_role("button", name="确认").click()
        page.get_by_test_id("backup-codes").wait_for()
        page.get_by_role("link", name="继续").click()
    elif "/accounts/two-factor/verify/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from linli.accounts.two_factor import current_code

        page.get_by_label("动态验证码").fill(
            current_code(TOTPDevice.objects.get(user__username=username, confirmed=True))
        )
        page.get_by_role("button", name="验证").click()
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


def authenticator_code(key: bytes) -> str:
    """What a phone's authenticator app shows now for this key (RFC 6238, 30 s, 6 digits)."""
    from django_otp.oath import TOTP

    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"
