"""Accessibility of every resident and public page (issue 13, 适老化 and GB/T 37668-2019): axe-core,
from npm (package.json, vendored by scripts/vendor_assets.sh), is injected into each page by this
test only — no template loads it — and run on a 375 px phone, in the standard mode and in 长辈版
(elder mode). Any serious or critical violation fails the test, each listed with its rule, the
page and the elements. docs/accessibility.md says what is checked and what is not."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone

from linli.accounts import actions as account_actions
from linli.cases import actions
from linli.cases.models import Case, Category
from linli.deliberation import actions as vote_actions
from linli.testing import PASSWORD, build_world
from linli.wishes import actions as wish_actions
from linli.wishes.workflow import WISH

from .conftest import _finish, _page, log_in
from .test_board import jpeg, settled

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ")
      + (n.failureSummary ? " — " + n.failureSummary.replace(/\\s+/g, " ") : "")),
  }));
}"""


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    """A resident with a settled request on the board (its photos public), an open one, the
    notifications both brought them, an open owners' vote of their compound, and an invitation
    for another household member."""
    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    settled(w, "设施维修", "1号楼楼道灯不亮", "物业更换了灯泡")
    w.settled = Case.objects.filter(reporter=w.users.resident).get()
    w.open = actions.report_case(
        actor=w.users.resident,
        category=Category.objects.get(name="环境卫生"),
        grid=w.grid_a,
        compound=w.cp1,
        description="垃圾桶满溢",
        channel="self_service",
        reporter=w.users.resident,
        reporter_household=w.hh_a1,
        photos=[jpeg()],
    )
    w.vote = vote_actions.open_vote(
        actor=w.users.community,
        title="加装电梯",
        matter=7,
        compound=w.cp1,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    _link, w.invitation = account_actions.issue_invitation(actor=w.users.grid_a, person=w.p_a2s)
    w.wish = wish_actions.post_wish(
        actor=w.users.resident, title="一个新书包", story="想要书包", category="study", value=100
    )
    WISH.perform(w.wish.pk, "approve", actor=w.users.community, version=0)
    return w


@pytest.fixture
def axe_phone(browser, request, live_server):
    """A 375 px phone that lets the test inject axe-core: Playwright adds the file as an inline
    <script>, which the Content-Security-Policy would refuse (test_csp.py and the elder-mode test
    below check the policy on these pages)."""
    assert AXE.exists(), f"{AXE} is missing: `make assets` vendors axe-core from npm"
    context, page, external = _page(
        browser, request, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    page.base = live_server.url
    yield page
    _finish(request, context, page, external)


def check(page, path, found):
    """Open `path`, run axe, add its serious and critical violations to `found` (and the page's
    width if it is wider than the phone)."""
    page.goto(page.base + path)
    page.wait_for_load_state("load")
    mode = "长辈版" if "elder" in (page.locator("html").get_attribute("class") or "") else "standard"
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    if wide > 375:
        found.append(f"{path} [{mode}] is {wide}px wide on a 375px phone")
    page.add_script_tag(path=str(AXE))
    for v in page.evaluate(RUN_AXE):
        if v["impact"] in FAILING:
            found.append(f"{path} [{mode}] {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]))


def switch_elder_mode(page, on):
    """Through the switch in the header, as a visitor would: the page comes back in the mode chosen."""
    switch = page.get_by_test_id("elder-switch").get_by_role("button", name="长辈版")
    assert switch.get_attribute("aria-pressed") == ("false" if on else "true")
    switch.click()
    page.wait_for_load_state("load")
    expect = re.compile(r"\belder\b") if on else re.compile(r"^(?!.*\belder\b)")
    assert expect.search(page.locator("html").get_attribute("class") or ""), f"elder mode not {'on' if on else 'off'}"


def audit(page, paths):
    found: list[str] = []
    for path in paths:
        check(page, path, found)
    page.goto(page.base + paths[0])
    switch_elder_mode(page, on=True)
    for path in paths:
        check(page, path, found)
    switch_elder_mode(page, on=False)
    assert not found, (
        f"{len(found)} problems (serious or critical axe violations, pages wider than the phone):\n" + "\n".join(found)
    )


def test_public_pages_have_no_serious_violation(world, axe_phone):
    audit(
        axe_phone,
        [
            "/board/",
            f"/board/{world.c1.pk}/",  # with the settled request: 问题—措施—结果 and its public photo
            f"/board/{world.c1.pk}/?category={world.settled.category_id}",
            "/accounts/login/",
            "/accounts/register/",
            f"/accounts/link/{world.invitation}/",
            f"/wishes/wall/{world.c1.pk}/",
        ],
    )


def test_resident_pages_have_no_serious_violation(world, axe_phone):
    log_in(axe_phone, "resident", PASSWORD)
    audit(
        axe_phone,
        [
            "/",
            "/cases/",
            "/cases/new/mine/",
            world.settled.get_absolute_url(),  # settled: the result, its photos, the rating form
            world.open.get_absolute_url(),
            world.vote.get_absolute_url(),
            world.hh_a1.get_absolute_url(),
            "/notifications/",
            "/accounts/password/",
            "/accounts/sessions/",
            "/board/",
            "/wishes/",
            "/wishes/new/",
            "/wishes/mine/",
            world.wish.get_absolute_url(),
        ],
    )


def test_the_axe_check_finds_a_violation(world, axe_phone):
    # the check itself works: an unlabelled field and a button without a name are reported
    axe_phone.goto(axe_phone.base + "/accounts/login/")
    axe_phone.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<input type="text" id="nameless"><button id="empty"><i class="bi bi-bell"></i></button>\')'
    )
    axe_phone.add_script_tag(path=str(AXE))
    ids = {v["id"]: v for v in axe_phone.evaluate(RUN_AXE)}
    assert ids["label"]["impact"] == "critical" and "#nameless" in json.dumps(ids["label"]["nodes"])
    assert ids["button-name"]["impact"] == "critical" and "#empty" in json.dumps(ids["button-name"]["nodes"])
