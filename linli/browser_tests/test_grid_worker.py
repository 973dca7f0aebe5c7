import re

import pytest

from linli.testing import PASSWORD, build_world

from .conftest import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_grid_worker_walks_grid_household_person_and_is_denied_other_grid(world, page):
    log_in(page, "grid_a", PASSWORD)
    page.get_by_role("link", name=str(world.grid_a)).first.click()
    page.wait_for_url(re.compile(r"/places/grid/\d+/"))
    assert page.locator("svg.boundary-map path").count() == 1  # the grid's boundary, drawn offline
    page.get_by_role("link", name="馨和苑 1号楼").click()
    page.get_by_role("link", name="1单元").click()
    page.get_by_role("link", name="101").click()
    page.get_by_role("link", name="居民a1h").first.click()
    masked = page.get_by_test_id("id_number").inner_text()
    assert masked == world.p_a1h.id_number_masked and "********" in masked
    assert world.p_a1h.id_number not in page.content()

    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("reveal-id_number").click()
    page.get_by_text(world.p_a1h.id_number).wait_for()

    response = page.goto(page.base + world.hh_c1.get_absolute_url())
    assert response.status == 404
    assert "不存在或不在您的管辖范围内" in page.content()
    assert world.p_c1h.name not in page.content()


def test_resident_on_a_phone_sees_own_household(world, phone):
    log_in(phone, "resident", PASSWORD)
    follow(phone.get_by_role("link", name=str(world.hh_a1)))
    assert phone.get_by_role("link", name="居民a1h").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
