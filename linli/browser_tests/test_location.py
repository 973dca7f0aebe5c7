"""Where the problem is, in the browser (issue 12): a resident taps the map of grids and compounds
on a 375 px phone and sends the request; a grid worker picks a house by typing its address."""

import pytest

from linli.cases.models import Case
from linli.testing import PASSWORD, build_world

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_a_resident_taps_the_map_on_a_phone(world, phone):
    log_in(phone, "resident", PASSWORD)
    phone.goto(phone.base + "/cases/new/mine/")
    assert not phone.get_by_test_id("map-group").is_visible()  # shown once "on the map" is chosen
    phone.get_by_label("分类").select_option(label="物业与设施 · 设施维修")
    phone.get_by_label("遇到了什么问题？").fill("小区东侧路灯不亮")
    phone.get_by_label("问题在哪里？").select_option(label="其他地方：在地图上选择")
    svg = phone.locator("svg.place-map-interactive")
    svg.wait_for()
    box = svg.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    # a quarter in from the left, half way down: inside grid A and 馨和苑 (the same square)
    svg.tap(position={"x": box["width"] / 4, "y": box["height"] / 2})
    assert phone.get_by_label("地图上的网格或小区").input_value() == f"compound:{world.cp1.pk}"
    assert phone.locator(f'[data-place="compound:{world.cp1.pk}"].selected').count() == 1
    assert phone.locator(".map-point").get_attribute("visibility") == "visible"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("button", name="提交").click()
    phone.get_by_text("您的诉求").wait_for()
    case = Case.objects.get()
    assert (case.grid, case.compound, case.where) == (world.grid_a, world.cp1, "map")
    lon, lat = case.location["coordinates"]
    assert 106.2 < lon < 106.26 and 38.4 < lat < 38.5  # the left quarter of the square


def test_a_grid_worker_picks_a_house_by_its_address(world, page):
    log_in(page, "grid_a", PASSWORD)
    page.goto(page.base + "/cases/new/")
    page.get_by_label("来源渠道").select_option(label="网格巡查")
    page.get_by_label("分类").select_option(label="物业与设施 · 设施维修")
    page.get_by_label("问题在哪里？").select_option(label="房屋")
    assert not page.get_by_test_id("map-group").is_visible() and not page.get_by_label("楼栋").is_visible()
    page.get_by_label("房屋", exact=True).fill("馨和苑 1号楼 1单元 2")
    page.get_by_role("option", name="馨和苑 1号楼 1单元 201").click()
    assert page.get_by_label("房屋", exact=True).input_value() == "馨和苑 1号楼 1单元 201"
    page.get_by_label("描述").fill("厨房下水道堵塞")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已登记").wait_for()
    assert "馨和苑 · 1号楼 · 1单元 · 201" in page.get_by_test_id("place").inner_text()
    case = Case.objects.get()
    assert (case.house, case.unit, case.building, case.grid, case.where) == (
        world.house_a2,
        world.unit_a,
        world.bld_a,
        world.grid_a,
        "house",
    )


def test_a_sub_district_worker_picks_the_compound_then_its_unit(world, page):
    """The sub-district's form lists no unit before a compound is chosen; choosing 西湖小区 fills
    the unit and building lists with its own, through the form's script."""
    log_in(page, "subdistrict", PASSWORD)
    page.goto(page.base + "/cases/new/")
    page.get_by_label("来源渠道").select_option(label="网格巡查")
    page.get_by_label("分类").select_option(label="物业与设施 · 设施维修")
    page.get_by_label("问题在哪里？").select_option(label="单元")
    unit = page.get_by_label("单元", exact=True)
    assert unit.locator("option").all_inner_texts() == ["请先选择小区"]
    page.get_by_label("小区", exact=True).select_option(label="西湖小区")
    unit.locator("option", has_text="西湖小区 1号楼 1单元").wait_for(state="attached")
    assert unit.locator("option").all_inner_texts() == ["---------", "西湖小区 1号楼 1单元"]
    unit.select_option(label="西湖小区 1号楼 1单元")
    page.get_by_label("描述").fill("单元门禁坏了")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已登记").wait_for()
    case = Case.objects.get()
    assert (case.unit, case.compound, case.grid, case.where) == (world.unit_c, world.cp2, world.grid_c, "unit")
