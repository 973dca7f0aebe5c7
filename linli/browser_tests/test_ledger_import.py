import re

import pytest

from linli.ledger.tests.helpers import row, xlsx
from linli.people.models import Person
from linli.testing import PASSWORD, build_world, make_id

from .conftest import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(transactional_db):
    return build_world()


def upload(page, content, name):
    page.goto(page.base + "/ledger/import/")
    page.get_by_label("台账文件（.xlsx）").set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    page.get_by_role("button", name="校验并导入").click()
    page.wait_for_url(re.compile(r"/ledger/jobs/\d+/"))


def test_community_worker_imports_bad_then_clean_ledger(world, page):
    log_in(page, "community", PASSWORD)
    good = [
        row("李春华", make_id(901, "19750315"), house="201", phone="13912340001", tags="党员"),
        row("李明", make_id(902, "20080101"), house="201", relation="子女"),
    ]
    bad = good + [
        row(
            "王错",
            make_id(903)[:17] + "0" if make_id(903)[17] != "0" else make_id(903)[:17] + "1",
            house="201",
            relation="配偶",
        )
    ]
    upload(page, xlsx(bad), "有错误.xlsx")
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert "4" in errors.locator("tbody tr").first.inner_text() and "身份证号校验码错误" in errors.inner_text()
    assert "未导入任何数据" in page.content()
    assert not Person.objects.filter(name="李春华").exists()

    upload(page, xlsx(good), "正确.xlsx")
    page.get_by_text("新增 2 人").wait_for()
    page.get_by_role("link", name="查看居民").click()
    page.get_by_placeholder("姓名、完整身份证号或电话").fill("李")
    follow(page.get_by_role("button", name="筛选"))
    assert page.get_by_role("link", name="李春华").is_visible()
    assert page.get_by_role("link", name="李明").is_visible()
    assert make_id(901, "19750315") not in page.content()  # masked in the list
