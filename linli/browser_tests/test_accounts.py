"""Accounts on a 375 px phone (issue 13): a resident registers and is confirmed by the grid
worker; a resident accepts an invitation link handed over by the grid worker; a resident changes
their password, and sets a new one through an administrator's one-time reset link."""

import re

import pytest

from linli.core.masking import mask_name
from linli.testing import PASSWORD, build_world

from .conftest import follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
NEW = "Qiang-Mima-2026!"


@pytest.fixture
def world(transactional_db):
    return build_world()


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def choose_password(phone):
    phone.get_by_label("密码", exact=True).fill(NEW)
    phone.get_by_label("再次输入密码", exact=True).fill(NEW)


def test_a_resident_registers_on_a_phone_and_is_confirmed_by_the_grid_worker(world, page, phone):
    phone.goto(phone.base + "/accounts/login/")
    phone.get_by_role("link", name="注册").click()
    phone.get_by_label("您的姓名").fill("新住户")
    phone.get_by_label("手机号").fill("13900001111")
    phone.get_by_label("社区").select_option(label=str(world.c1))
    phone.get_by_label("楼栋").fill("1号楼")
    phone.get_by_label("单元").fill("1单元")
    phone.get_by_label("门牌号").fill("999")
    phone.get_by_label("用户名").fill("newcomer")
    choose_password(phone)
    assert fits(phone)
    follow(phone.get_by_role("button", name="注册"))
    assert "本社区没有这套房屋" in phone.content()  # the field's error, the rest kept
    phone.get_by_label("门牌号").fill("201")
    choose_password(phone)
    phone.get_by_role("button", name="注册").click()
    phone.wait_for_url("**/accounts/login/")
    assert "注册申请已提交" in phone.content()

    log_in(page, "grid_a", PASSWORD)
    page.goto(page.base + "/accounts/registrations/")
    follow(page.get_by_role("link", name="新住户"))
    assert "139****1111" in page.content() and "13900001111" not in page.content()
    page.get_by_label("台账中的居民").select_option(label=world.p_a2s.name)
    page.get_by_role("button", name="确认").click()
    page.wait_for_url("**/accounts/registrations/")

    log_in(phone, "newcomer", NEW)
    phone.goto(phone.base + world.hh_a2.get_absolute_url())
    assert world.p_a2s.name in phone.content() and fits(phone)


def test_a_resident_accepts_an_invitation_on_a_phone(world, page, phone):
    log_in(page, "grid_a", PASSWORD)
    page.goto(page.base + world.p_a2s.get_absolute_url())
    follow(page.get_by_test_id("invite"))
    assert page.get_by_test_id("link-qr").is_visible()
    url = page.get_by_test_id("link-url").inner_text()

    phone.goto(url)
    # whoever holds the link reads the family name only
    assert world.p_a2s.name not in phone.content() and mask_name(world.p_a2s.name) in phone.content() and fits(phone)
    phone.get_by_label("用户名").fill("neighbour")
    choose_password(phone)
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_url("**/accounts/login/")
    assert "账号已开通" in phone.content()
    phone.goto(url)
    assert "已经用过" in phone.content()  # once only
    log_in(phone, "neighbour", NEW)
    phone.goto(phone.base + world.hh_a2.get_absolute_url())
    assert world.p_a2s.name in phone.content()


def new_password(phone, password):
    # labels of required fields end in " *" on the staff-style form (core/form.html)
    phone.get_by_label(re.compile(r"^新密码( \*)?$")).fill(password)
    phone.get_by_label(re.compile(r"^新密码确认( \*)?$")).fill(password)


def test_a_resident_changes_the_password_and_sets_a_new_one_through_a_reset_link(world, page, phone):
    log_in(phone, "resident", PASSWORD)
    phone.goto(phone.base + "/accounts/password/")
    phone.get_by_label(re.compile(r"^旧密码( \*)?$")).fill("not-the-password")
    new_password(phone, NEW)
    assert fits(phone)
    follow(phone.get_by_role("button", name="保存"))
    old = phone.get_by_label(re.compile(r"^旧密码( \*)?$"))
    assert "旧密码不正确" in phone.content() and "/accounts/password/" in phone.url  # refused, said why
    old.fill(PASSWORD)
    new_password(phone, NEW)
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_url("**/accounts/sessions/")
    assert "密码已修改" in phone.content() and fits(phone)

    # the administrator hands over a one-time link (the resident forgot the new password)
    log_in(page, "admin", PASSWORD)
    page.goto(page.base + "/accounts/roles/")
    page.get_by_role("row").filter(has_text="(resident)").get_by_role("button", name="重设密码链接").click()
    url = page.get_by_test_id("link-url").inner_text()

    phone.goto(url)
    again = "Linshi-Mima-2027?"
    new_password(phone, again)
    assert fits(phone)
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_url("**/accounts/login/")
    assert "新密码已设置" in phone.content()
    phone.goto(url)
    assert "已经用过" in phone.content()  # once only
    log_in(phone, "resident", again)
    assert "/accounts/login/" not in phone.url
