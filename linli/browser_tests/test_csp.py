"""Every role's main pages under the real Content-Security-Policy in Chromium: a refused inline
style, script or handler, or a script error, fails the test (the page fixture collects them)."""

import pytest

from linli.cases import actions
from linli.cases.models import Category
from linli.testing import PASSWORD, build_world

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    w = build_world()
    cat = Category.objects.get(name="设施维修")
    w.case = actions.report_case(
        actor=w.users.grid_a, category=cat, grid=w.grid_a, compound=w.cp1, description="楼道灯不亮", channel="patrol"
    )
    return w


def visit(page, paths):
    for path in paths:
        page.goto(page.base + path)
        page.wait_for_load_state("load")
        assert page.locator("main, body").first.is_visible(), path


def test_the_reporting_detects_a_violation(world, page):
    # the collector itself works: an inline style set as an attribute is refused and reported
    page.goto(page.base + "/accounts/login/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    assert any("Content Security Policy" in v for v in page.violations)
    page.violations.clear()


def test_community_staff_pages(world, page):
    log_in(page, "community", PASSWORD)
    visit(
        page,
        [
            "/",
            "/cases/",
            "/cases/new/",
            world.case.get_absolute_url(),
            "/cases/dashboard/",
            "/places/",
            world.grid_a.get_absolute_url(),
            "/people/",
            world.p_a1h.get_absolute_url(),
            "/orgs/",
            "/accounts/roles/",
            "/audit/",
            "/ledger/import/",
            "/deliberation/topics/",
            "/deliberation/votes/",
            f"/board/{world.c1.pk}/",
            "/accounts/two-factor/",
        ],
    )
    # the dashboard's chart is drawn by the static script, not an inline one
    page.goto(page.base + "/cases/dashboard/")
    assert page.evaluate("Chart.getChart(document.getElementById('months')) !== undefined")


def test_subdistrict_admin_and_grid_pages(world, page):
    log_in(page, "subdistrict", PASSWORD)
    visit(page, ["/", "/cases/settings/categories/", "/cases/settings/calendar/", "/people/tags/", "/cases/dashboard/"])


def test_resident_on_a_phone(world, phone):
    log_in(phone, "resident", PASSWORD)
    visit(phone, ["/", "/cases/new/mine/", "/cases/", "/board/"])


def test_property_and_department_staff(world, page):
    log_in(page, "property", PASSWORD)
    visit(page, ["/", "/cases/", "/places/"])


def test_administrator_security_pages(world, page):
    log_in(page, "admin", PASSWORD)  # enrols the authenticator through the page, QR code included
    visit(page, ["/audit/?action=login", "/accounts/two-factor/", "/accounts/tokens/", "/accounts/open311-keys/"])
    page.get_by_label("名称").fill("12345热线")
    page.get_by_label("代表的用户（用户名）").fill("grid_a")
    page.get_by_role("button", name="签发", exact=True).click()
    assert page.get_by_test_id("new-key").inner_text().count("o311_") == 1


def test_api_documentation(world, page):
    # Swagger UI from the app's own static files, its start-up script a file too (no inline script)
    log_in(page, "grid_a", PASSWORD)
    visit(page, ["/api/v1/docs/"])
    page.locator(".opblock").first.wait_for()
    assert "/api/v1/audit/" in page.locator("#swagger-ui").inner_text()
    assert not page.violations
