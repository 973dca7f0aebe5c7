"""长辈版 (elder mode) in a browser, under the real Content-Security-Policy (the `phone` fixture
fails on any refused inline style or script): switched on from the header before logging in,
remembered across pages and the login, larger type and targets, nothing wider than a 375 px
phone; also without JavaScript. And the two 375 px defects of issue 13: the property company's
name in a badge on its home, the household page's columns."""

import os
import re

import pytest
from playwright.sync_api import expect

from linli.core.actions import update_object
from linli.testing import PASSWORD, build_world

from .conftest import ARTIFACTS, _finish, _page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# a real company's name is long; the test world's 宁和物业 fitted in the badge even twice
LONG_NAME = "银川市兴庆区馨和苑物业服务有限责任公司"


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def laptop(browser, request, live_server):
    context, page, external = _page(browser, request, viewport={"width": 1366, "height": 768})
    page.base = live_server.url
    yield page
    _finish(request, context, page, external)


def screenshot(page, name):
    """Kept for a person to look at when LINLI_SCREENSHOTS is set (docs/testing.md)."""
    if os.environ.get("LINLI_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def width(page):
    return page.evaluate("document.scrollingElement.scrollWidth")


def elder(page):
    return "elder" in (page.locator("html").get_attribute("class") or "").split()


def switch(page):
    return page.get_by_test_id("elder-switch").get_by_role("button", name="长辈版")


def test_elder_mode_is_switched_on_before_logging_in_and_kept(world, phone):
    phone.goto(phone.base + "/accounts/login/")
    assert not elder(phone) and phone.locator("html").get_attribute("lang") == "zh-Hans"
    standard = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert switch(phone).get_attribute("aria-pressed") == "false"
    switch(phone).click()
    phone.wait_for_url("**/accounts/login/")
    assert elder(phone) and switch(phone).get_attribute("aria-pressed") == "true"
    # a quarter larger type, targets of 48 px at least, muted text as dark as the rest
    assert phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == standard * 1.25 == 20
    assert phone.get_by_role("button", name="登录").bounding_box()["height"] >= 48
    assert phone.get_by_label("用户名").bounding_box()["height"] >= 48
    cookie = next(c for c in phone.context.cookies() if c["name"] == "linli_elder")
    assert cookie["value"] == "1" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert width(phone) <= 375
    screenshot(phone, "elder-login-375")

    phone.get_by_test_id("nav-board").click()
    phone.wait_for_url("**/board/")
    assert elder(phone) and width(phone) <= 375  # remembered on the next page

    log_in(phone, "resident", PASSWORD)
    phone.goto(phone.base + "/")
    assert elder(phone), "the login kept the choice"
    assert width(phone) <= 375, f"the workbench is {width(phone)}px wide in 长辈版"
    screenshot(phone, "elder-workbench-375")
    phone.goto(phone.base + world.hh_a1.get_absolute_url())
    assert width(phone) <= 375
    screenshot(phone, "elder-household-375")

    switch(phone).click()
    phone.wait_for_load_state("load")
    assert not elder(phone) and phone.url.endswith(world.hh_a1.get_absolute_url())


def test_elder_mode_on_a_laptop_for_community_staff(world, laptop):
    log_in(laptop, "community", PASSWORD)  # the longest menu
    laptop.goto(laptop.base + "/")
    switch(laptop).click()
    laptop.wait_for_load_state("load")
    assert elder(laptop) and width(laptop) <= 1366
    screenshot(laptop, "elder-workbench-community-1366")
    laptop.goto(laptop.base + "/cases/")
    assert elder(laptop) and width(laptop) <= 1366
    screenshot(laptop, "elder-cases-1366")


def test_elder_mode_switches_without_javascript(world, browser, request, live_server):
    context, page, external = _page(
        browser, request, viewport={"width": 375, "height": 740}, is_mobile=True, java_script_enabled=False
    )
    page.base = live_server.url
    try:
        page.goto(page.base + f"/board/{world.c1.pk}/")
        switch(page).click()
        page.wait_for_load_state("load")
        assert elder(page) and page.url.endswith(f"/board/{world.c1.pk}/")
    finally:
        _finish(request, context, page, external)


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(world, phone):
    phone.goto(phone.base + "/board/")  # the login page puts the focus in its first field
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="跳到正文")
    assert skip.evaluate("el => el === document.activeElement") and skip.is_visible()
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"


def test_the_phone_menu_names_the_bell_with_the_unread_count(world, phone):
    from linli.core import notify

    notify.send([world.users.resident], "测试通知", url="/")
    log_in(phone, "resident", PASSWORD)
    phone.goto(phone.base + "/")
    phone.get_by_role("button", name="菜单").click()
    bell = phone.get_by_role("link", name=re.compile(r"^通知，1 条未读$"))
    expect(bell).to_be_visible()  # waits for the menu to open
    assert "通知" in bell.inner_text()


def test_the_property_company_name_is_shown_once_and_fits_a_phone(world, phone):
    # issue 13: the property company's home repeated its name in a badge that overflowed at 375 px
    update_object(world.pm, actor=world.users.admin, name=LONG_NAME)
    log_in(phone, "property", PASSWORD)
    phone.goto(phone.base + "/")
    badge = phone.get_by_test_id("role")
    assert badge.inner_text().count(LONG_NAME) == 1, badge.inner_text()
    box = badge.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, f"the badge reaches {box['x'] + box['width']:.0f}px"
    assert width(phone) <= 375


@pytest.mark.parametrize("persona", ["resident", "grid_a"])  # the grid worker sees one column more
def test_no_column_of_the_household_page_is_cut_on_a_phone(world, phone, persona):
    # issue 13: the household page's columns were cut at 375 px (the last ones scrolled out of sight)
    log_in(phone, persona, PASSWORD)
    phone.goto(phone.base + world.hh_a1.get_absolute_url())
    members = phone.get_by_test_id("members")
    assert members.get_by_text(world.p_a1h.name).is_visible()
    rights = phone.evaluate(
        "[...document.querySelectorAll('[data-testid=members] td')].map(td => td.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= 375, f"a cell ends at {max(rights):.0f}px on a 375px phone"
    assert members.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    # each value is still introduced by its column's name
    id_cell = members.locator("td.masked").first
    assert id_cell.get_attribute("data-label") == "身份证号"
    assert id_cell.evaluate("td => getComputedStyle(td, '::before').content") != "none"
    assert width(phone) <= 375
    screenshot(phone, f"household-{persona}-375")
