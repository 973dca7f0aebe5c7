"""The workbench in a browser: a grid worker at 1366 px opens their to-do and follows a count to
the filtered list; a resident on a 375 px phone sees their request's state and the open vote."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from linli.cases import actions
from linli.cases.models import Category
from linli.deliberation import actions as vote_actions
from linli.testing import PASSWORD, build_world

from .conftest import ARTIFACTS, _finish, _page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def world(transactional_db):
    w = build_world()
    category = Category.objects.get(name="设施维修")
    for grid, compound, reporter, household in (
        (w.grid_a, w.cp1, w.users.resident, w.hh_a1),
        (w.grid_a, w.cp1, w.users.grid_a, None),
        (w.grid_c, w.cp2, w.users.other_community, None),  # another community's: never counted
    ):
        actions.report_case(
            actor=reporter,
            category=category,
            grid=grid,
            compound=compound,
            description="楼道灯坏了",
            channel="self_service",
            reporter=reporter,
            reporter_household=household,
        )
    w.vote = vote_actions.open_vote(
        actor=w.users.admin,
        title="加装电梯",
        matter=7,
        compound=w.cp1,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    return w


def screenshot(page, name):
    """Kept for a person to look at when LINLI_SCREENSHOTS is set (docs/testing.md)."""
    if os.environ.get("LINLI_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def laptop(browser, request, live_server):
    """A 1366 px wide laptop screen."""
    context, page, external = _page(browser, request, viewport={"width": 1366, "height": 768})
    page.base = live_server.url
    yield page
    _finish(request, context, page, external)


def test_grid_worker_opens_on_their_todo_and_follows_a_count_to_the_list(world, laptop):
    page = laptop
    log_in(page, "grid_a", PASSWORD)
    page.goto(page.base + "/")
    assert page.get_by_test_id("todo").get_by_role("heading", name="待办").is_visible()
    dispatch = page.get_by_test_id("todo-dispatch")
    assert dispatch.get_by_test_id("count").inner_text() == "2" and "待派单" in dispatch.inner_text()
    assert page.get_by_test_id("todo-votes_open").get_by_test_id("count").inner_text() == "1"
    assert page.get_by_test_id("todo-handle").count() == 0  # a grid worker does not handle
    screenshot(page, "workbench-grid-worker-1366")
    dispatch.click()
    page.wait_for_url(re.compile(r"/cases/\?mine=dispatch"))
    assert page.locator(".list-group a.list-group-item .fw-semibold").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_resident_on_a_phone_sees_their_request_and_the_open_vote(world, phone):
    log_in(phone, "resident", PASSWORD)
    phone.goto(phone.base + "/")
    mine = phone.get_by_test_id("my-requests")
    assert mine.get_by_text("已受理").count() == 1  # their own request, not the grid worker's
    votes = phone.get_by_test_id("my-votes")
    assert votes.get_by_text("加装电梯").is_visible()
    assert phone.get_by_test_id("todo").count() == 0
    screenshot(phone, "workbench-resident-375")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
    votes.get_by_text("加装电梯").click()
    phone.wait_for_url(re.compile(rf"/deliberation/votes/{world.vote.pk}/"))
