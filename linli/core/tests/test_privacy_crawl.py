"""The personal-data crawl, on every build.

As every persona of the test world (linli/testing.py, plus a second resident and a visitor who is
not signed in), fetch every page reachable from the navigation (following each link a page
offers) and every named URL of the URL map resolved with the world's ids, and every API list and
the detail of each row it returns; then assert what the persona must never read:

- a clear ID number or phone of anyone (residents and reporters; the test knows them all);
- a sensitive tag (低保) when the persona holds no people.reveal;
- a birth date that completes a masked ID number shown in the same response.

The clear value is shown only by the audited reveal, a POST that a crawl never makes. One world
per persona (parametrised, so xdist spreads them) and one pass; each persona's assertion
messages say how many URLs it fetched. Measured on 2026-11-29 (fetched / answered 200): admin
299/292, subdistrict 299/291, community 282/208, other community 264/131, grid workers 267/103,
building head 254/60, residents 248/48 and 247/46, department 242/26, no role 241/19, visitor
241/17 (MIN_ANSWERED keeps each near that).

The anonymous reporter (网格悄悄话) is a separate test in this module: no page or API response
that shows the anonymous request names its reporter, their phone or their home — for every
persona except the reporter.
"""

import csv
import datetime as dt
import html
import io
import itertools
import json
import logging
import re
from collections import deque
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from linli.accounts.actions import issue_api_token, issue_open311_key
from linli.accounts.models import ApiToken, OneTimeLink, Open311Key, RoleAssignment, User
from linli.accounts.roles import Role
from linli.api.urls import router
from linli.cases import actions as case_actions
from linli.cases.models import Case, CasePhoto, Category
from linli.core.actions import create_object, update_object
from linli.core.scope import has_perm
from linli.deliberation import actions as vote_actions
from linli.deliberation import meetings, procedures
from linli.deliberation.models import ConsentCampaign, Invitation, Procedure
from linli.facilities import actions as facility_actions
from linli.ledger.models import ImportJob
from linli.orgs.models import Organisation
from linli.party import actions as party_actions
from linli.people.models import Ownership, Person, Relation, Tag
from linli.people.tests.reconstruct import MASKED_ID, date_forms
from linli.projects import actions as projects_actions
from linli.projects.models import Photo as ProjectPhoto
from linli.projects.workflow import PROJECT
from linli.reports.models import ReportJob
from linli.testing import log_in, make_id, response_text
from linli.wishes import actions as wish_actions
from linli.wishes.workflow import WISH

# The world's personas (linli/testing.py) and two of this module: a resident of another household
# and a visitor who is not signed in. A persona added to the world must be added here.
WORLD_PERSONAS = [
    "admin",
    "subdistrict",
    "community",
    "other_community",
    "grid_a",
    "grid_b",
    "building_head",
    "property",
    "department",
    "resident",
    "nobody",
]
PERSONAS = [*WORLD_PERSONAS, "neighbour", "visitor"]
# Whoever may know who sent a 网格悄悄话 learns it through an audited reveal, never from a page:
# on pages, only the reporter themself. (docs/workorders.md names the roles.)
KNOWS_ANONYMOUS_REPORTER = {"resident"}

SKIP = ("/static/", "/media/", "/django-admin/", "/accounts/logout/")
QUERY_VARIANTS_PER_PATH = 3  # ?page=2, ?grid=1 …: enough to cover list filters without walking every combination

# Pages (and API responses) each persona must at least be able to read, ~80 % of what they read on
# 2026-11-29: fewer means the crawl lost its way (a broken link, a login loop), not that it is safe.
MIN_ANSWERED = {
    "visitor": 14,
    "nobody": 15,
    "department": 20,
    "property": 40,
    "neighbour": 36,
    "resident": 38,
    "building_head": 48,
    "grid_a": 80,
    "grid_b": 80,
    "other_community": 100,
}

# URL names whose int argument is not the view's own model.
ARG_MODELS = {
    "cases:photo": CasePhoto,
    "ledger:job": ImportJob,
    "ledger:errors": ImportJob,
    "reports:job": ReportJob,
    "reports:job_xlsx": ReportJob,
    "reports:job_pdf": ReportJob,
    "open311:request": Case,
    "open311:service": Category,
    "board:community": None,  # board: communities, below
    "board:photo": CasePhoto,
    "projects:photo": ProjectPhoto,
    "accounts:token_revoke": ApiToken,
    "accounts:open311_key_revoke": Open311Key,
    "accounts:invite": Person,  # POST only
    "accounts:reset_link": User,  # POST only
    "accounts:use_link": OneTimeLink,  # ids as secrets: refused, and says nothing else
}


@pytest.fixture(autouse=True)
def _quiet_crawl():
    # hundreds of expected 403s and 404s: logging each with its traceback would double the time
    cache.clear()  # the search throttle lives there
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buf, "JPEG")
    return SimpleUploadedFile("result.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def content(world, client, settings, tmp_path):
    """The world with what pages show: distinct birth dates, a sensitive tag, requests (one of
    them anonymous, rated and commented by its reporter, its result photo marked public; one on
    the public board with its summaries and public photo), a topic, a meeting, a vote, a closed
    vote, a consent campaign."""
    settings.MEDIA_ROOT = tmp_path
    from linli.accounts.models import User

    u = world.users
    u.resident.display_name = "顾建"  # the reporter's name, as their neighbours know it
    u.resident.save(update_fields=["display_name"])
    update_object(world.p_a1h, actor=None, name="顾建")
    neighbour = User.objects.create_user("neighbour", password="x", display_name="邻居")  # noqa: S106
    RoleAssignment.objects.create(user=neighbour, role=Role.RESIDENT, household=world.hh_b1)
    extra = [
        create_object(
            Person,
            actor=u.grid_a,
            household=world.hh_a1,
            name="测试甲",
            relation=Relation.PARENT,
            id_number=make_id(321, "19570823"),
            phone="13912340823",
        ),
        create_object(
            Person,
            actor=u.grid_b,
            household=world.hh_b1,
            name="测试乙",
            relation=Relation.CHILD,
            id_number=make_id(322, "19991231"),
            phone="13912341231",
        ),
        create_object(
            Person,
            actor=u.community,
            household=world.hh_c1,
            name="测试丙",
            relation=Relation.CHILD,
            id_number=make_id(323, "20120229"),
        ),
    ]
    for p in (world.p_a1h, world.p_b1h, world.p_c1h, *extra):
        p.tags.add(world.tag_poor)
    category = Category.objects.filter(active=True, children=None).order_by("pk").first()

    # 设施台账 (docs/facilities.md): a lift of building 1 that the whisper below and a named request
    # name; its page lists the requests each viewer may see, never who reported the whisper
    lift = facility_actions.add_facility(
        actor=u.community, kind="lift", name="1号楼1单元 1号电梯", compound=world.cp1, building=world.bld_a,
        unit=world.unit_a, maintainer=world.pm, note="维保单位电话见合同",
    )  # fmt: skip
    # 网格悄悄话: reported by the resident from their phone, as the app's own form does it
    client.force_login(u.resident)
    r = client.post(
        reverse("cases:report_mine"),
        {
            "category": category.pk,
            "description": "悄悄话测试：楼上深夜噪音扰民",
            "anonymous": "on",
            "place": f"building:{world.bld_a.pk}",
            "facility": lift.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    client.logout()
    whisper = Case.objects.get(description="悄悄话测试：楼上深夜噪音扰民")

    def step(name, user, **kw):
        case_actions.transition(whisper.pk, name, actor=user, version=Case.objects.get(pk=whisper.pk).version, **kw)

    step("dispatch", u.grid_a, assignee_org=world.pm)
    step("start", u.property)
    step("handle", u.property, note="已上门劝导", photos=[jpeg()], photo_public=True)
    step("verify", u.grid_a)
    step("rate", u.resident, rating="satisfied", note="谢谢")
    case_actions.comment(Case.objects.get(pk=whisper.pk), actor=u.resident, note="晚上好多了")
    hotline = case_actions.report_case(
        actor=u.grid_a,
        category=category,
        grid=world.grid_b,
        compound=world.cp1,
        building=world.bld_b,
        house=world.house_b1,
        description="楼道灯坏了",
        channel="hotline",
        reporter_name="李四",
        reporter_phone="13700001111",
        facility=lift,
    )
    # on the public board (晒事): a request of a named reporter with its public summaries and photo
    shown = case_actions.report_case(
        actor=u.grid_a,
        category=category,
        grid=world.grid_b,
        compound=world.cp1,
        building=world.bld_b,
        house=world.house_b1,
        description="2号楼1单元101门禁坏了",
        channel="hotline",
        reporter_name="李四",
        reporter_phone="13700001111",
    )
    for name, user, kw in (
        ("dispatch", u.grid_b, {"assignee_org": world.pm}),
        ("start", u.property, {}),
        ("handle", u.property, {"note": "已修好", "photos": [jpeg()], "photo_public": True}),
        ("verify", u.grid_b, {"public_summary": "2号楼门禁损坏", "public_measures": "物业更换了门禁"}),
    ):
        case_actions.transition(shown.pk, name, actor=user, version=Case.objects.get(pk=shown.pk).version, **kw)
    topic = procedures.raise_topic(
        actor=u.community,
        title="深夜噪音治理",
        community=world.c1,
        compound=world.cp1,
        procedure=Procedure.objects.get(name="城乡社区协商"),
        cases=[whisper, hotline],
    )
    procedures.screen(topic, actor=u.community, accept=True)
    meeting = meetings.create_meeting(
        actor=u.community,
        kind="consultation",
        title="噪音治理协商议事会",
        community=world.c1,
        compound=world.cp1,
        starts_at=timezone.now() + dt.timedelta(days=3),
        location="社区会议室",
        topics=[topic],
    )
    meetings.invite(meeting, actor=u.community, name="王经理", party="物业公司")
    # the owners register (产权人): a landlord who lives in another grid owns a house of unit A, so the
    # house page, the register's API and the vote's electorate show a person from outside the unit
    landlord = Person.objects.filter(household=world.hh_b1, relation=Relation.HEAD).get()
    create_object(Ownership, actor=u.community, house=world.house_a2, person=landlord)
    vote_actions.open_vote(
        actor=u.community,
        title="1号楼1单元加装电梯",
        matter=7,
        compound=world.cp1,
        unit=world.unit_a,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    closed = vote_actions.open_vote(
        actor=u.community,
        title="续聘物业",
        matter=4,
        compound=world.cp1,
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    for elector in closed.electors.order_by("id")[:3]:
        vote_actions.cast(closed.pk, elector.pk, "agree", actor=u.community)
    vote_actions.close_vote(closed, actor=u.community)
    ConsentCampaign.objects.create(title="老旧小区改造", compound=world.cp1, community=world.c1, subdistrict=world.sub)
    # 党建 (docs/party.md): a directly managed member in grid A and an in-service member of grid B
    # reported through 双报到 (awaiting the community): the party pages and API show their names only
    committee = create_object(
        Organisation, actor=None, kind="party", name="馨和苑社区党委", subdistrict=world.sub, community=world.c1,
        party_level="community_committee",
    )  # fmt: skip
    workplace = create_object(
        Organisation, actor=None, kind="party", name="某单位党支部", subdistrict=world.sub, community=world.c1,
        party_level="workplace",
    )  # fmt: skip
    member = party_actions.add_member(
        actor=u.community, id_number=world.p_a1h.id_number, kind="direct", home_org=committee
    )
    party_actions.report_member(actor=u.community, organisation=workplace, id_number=world.p_b1s.id_number)
    # 三单 (docs/projects.md): a need collected from a request, a partner's resource, a project
    # delivered and on the board: the lists, pages, API and board name no resident
    partner = create_object(
        Organisation, actor=None, kind="partner", name="某银行", subdistrict=world.sub, community=world.c1,
        partner_category="finance",
    )  # fmt: skip
    source = Case.objects.filter(community=world.c1, anonymous=False).order_by("id").first()
    need = projects_actions.create_need(
        actor=u.community, community=world.c1, title="老人体检", heading="health", beneficiaries="独居老人",
        people_count=10, case_numbers=[source.number],
    )  # fmt: skip
    resource = projects_actions.offer_resource(
        actor=u.community, partner=partner, kind="people", heading="health", title="义诊医生"
    )
    today = timezone.localdate()
    project = projects_actions.create_project(
        actor=u.community, community=world.c1, title="义诊", heading="health", needs=[need], resources=[resource],
        owner_org=partner, owner_name="王经理", starts_on=today, ends_on=today, funding=[("partner", 1000)],
    )  # fmt: skip
    PROJECT.perform(project.pk, "start", actor=u.community, version=0)
    PROJECT.perform(
        project.pk, "deliver", actor=u.community, version=1, data={"delivered_on": today, "result": "已完成"}
    )
    # 民生实事 (docs/projects.md): one applied for, approved, built with a progress photo, paid,
    # accepted, evaluated and published with its accounts on the board; its payment's invoice
    # number and the person responsible are the staff's only
    shed = projects_actions.create_project(
        actor=u.community, community=world.c1, compound=world.cp1, title="车棚改造", heading="environment",
        owner_org=world.pm, owner_name="李主任", starts_on=today, ends_on=today, programme="livelihood",
        funding=[("residents", 500_000)],
    )  # fmt: skip
    PROJECT.perform(shed.pk, "approve", actor=u.subdistrict, version=0, data={"approved_on": today})
    works = {"contractor": "某建设公司", "works_started_on": today}
    PROJECT.perform(shed.pk, "works", actor=u.community, version=1, data=works)
    PROJECT.perform(
        shed.pk, "photo", actor=u.community, data={"caption": "新车棚", "taken_on": today}, files={"photo": jpeg()}
    )
    pay = {"source": "residents", "amount_yuan": "4000", "paid_on": today, "payee": "某建设公司", "invoice": "FP-1"}
    PROJECT.perform(shed.pk, "pay", actor=u.subdistrict, data=pay)
    PROJECT.perform(shed.pk, "accept", actor=u.community, version=2, data={"accepted_on": today, "representatives": 3})
    result = {"respondents": 20, "satisfied": 19, "result": "车棚已改造"}
    PROJECT.perform(shed.pk, "evaluate", actor=u.community, version=3, data=result)
    # 微心愿 (docs/wishes.md): one posted on behalf of household b1, claimed by the community for
    # the member of grid A; one of the resident's household on the wall, one still to check
    on_wall = wish_actions.post_on_behalf(
        actor=u.community, household=world.hh_b1, wisher=world.p_b1s, title="一床厚棉被", story="想要一床厚棉被",
        category="daily", value=30_000,
    )  # fmt: skip
    WISH.perform(on_wall.pk, "approve", actor=u.community, version=0)
    claim = {"as_kind": "member", "member": member.pk, "credit": "name"}
    WISH.perform(on_wall.pk, "claim", actor=u.community, version=1, data=claim)
    published = wish_actions.post_wish(actor=u.resident, title="一个新书包", story="", category="study", value=12_000)
    WISH.perform(published.pk, "approve", actor=u.community, version=0)
    wish_actions.post_wish(actor=u.resident, title="一盒彩笔", story="", category="study", value=5_000)
    # credentials: their secrets are shown once, when issued, and never on a page or in the API after
    secrets = {issue_api_token(user, name="手机")[1] for user in (u.grid_a, u.resident, u.property)}
    secrets.add(issue_open311_key(actor=u.admin, user=u.community, name="12345热线")[1])
    return SimpleNamespace(world=world, whisper=Case.objects.get(pk=whisper.pk), neighbour=neighbour, secrets=secrets)


def user_of(content, persona):
    extra = {"neighbour": content.neighbour, "visitor": None}
    return extra[persona] if persona in extra else getattr(content.world.users, persona)


# --- what the crawl fetches ---------------------------------------------------------------------


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in ("admin", "api"):  # the API is walked through its router below
                continue
            yield from _patterns(p, f"{prefix}{p.namespace}:" if p.namespace else prefix)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}", p


def _ids(model):
    return list(model.objects.order_by("pk").values_list("pk", flat=True))


def url_map(world):
    """Every named URL of the app, its arguments filled with every matching id of the world."""
    from linli.places.models import Community

    urls, unmapped = [], []
    for name, p in _patterns(get_resolver()):
        params = list(p.pattern.converters)
        if not params:
            urls.append(reverse(name))
            continue
        if "field" in params:  # the reveal: POST only, audited — never crawled
            continue
        view = getattr(p.callback, "view_class", None)
        initkwargs = getattr(p.callback, "view_initkwargs", {})
        choices = {}
        for param in params:
            if param == "fmt":
                choices[param] = ["json", "xml"]
            elif param == "token":
                choices[param] = [inv.token for inv in Invitation.objects.all()]
            elif param == "community":
                choices[param] = _ids(Community)
            elif param == "parent":
                choices[param] = _ids(initkwargs.get("parent_model") or view.parent_model)
            elif name in ARG_MODELS:
                choices[param] = _ids(ARG_MODELS[name])[:3]
            elif initkwargs.get("model") or getattr(view, "model", None):
                choices[param] = _ids(initkwargs.get("model") or view.model)
            else:
                unmapped.append(name)
        for values in itertools.product(*choices.values()):
            urls.append(reverse(name, kwargs=dict(zip(choices, values, strict=True))))
    assert not unmapped, f"add these URL names to the crawl's ARG_MODELS: {unmapped}"
    return urls


API_DETAILS = {prefix for prefix, viewset, _ in router.registry if hasattr(viewset, "retrieve") and prefix != "audit"}
API_LIST = re.compile(r"^/api/v1/([\w-]+)/\?page_size=200$")


def api_lists():
    """Every API list (its rows' details are queued as the lists are read: see crawl)."""
    return ["/api/v1/", *(f"/api/v1/{prefix}/?page_size=200" for prefix, _viewset, _basename in router.registry)]


def links(body: str):
    for href in re.findall(r'(?:href|hx-get)="(/[^"#]*)', body):
        yield html.unescape(href)


text_of = response_text


def crawl(client, start, only=None):
    """(url, status, text) of everything reachable from `start`: the pages and their links
    (GET only), at most QUERY_VARIANTS_PER_PATH query strings per path, and the detail of every
    row an API list returns. `only`: path prefixes to keep (and the home page)."""
    seen, variants, queue, fetched = set(), {}, deque(start), []
    while queue:
        url = queue.popleft()
        path = url.split("?")[0]
        if (
            url in seen
            or path.startswith(SKIP)
            or "/reveal/" in path
            or (only and path != "/" and not path.startswith(only))
        ):
            continue
        if "?" in url and variants.setdefault(path, 0) >= QUERY_VARIANTS_PER_PATH:
            continue
        seen.add(url)
        variants[path] = variants.get(path, 0) + ("?" in url)
        r = client.get(url)
        text = text_of(r)
        fetched.append((url, r.status_code, text))
        if r.status_code == 200 and "html" in r.get("Content-Type", ""):
            queue.extend(links(text))
        listing = API_LIST.match(url)
        if r.status_code == 200 and listing and listing.group(1) in API_DETAILS:
            queue.extend(f"/api/v1/{listing.group(1)}/{row['id']}/" for row in r.json()["results"])
    return fetched


def fetch_all(content, persona, only=None):
    from django.test import Client

    client = Client()
    user = user_of(content, persona)
    if user is not None:
        log_in(client, user)
    return crawl(client, ["/", *url_map(content.world), *api_lists()], only)


# --- the personal-data crawl ---------------------------------------------------------------------


def known_values():
    """Every clear ID number and phone in the database (the test knows them; pages must not)."""
    clear = set()
    for p in Person.objects.all():
        clear |= {p.id_number, p.id_number.lower(), p.phone} - {""}
    clear |= {c.reporter_phone for c in Case.objects.exclude(reporter_phone="")} - {""}
    return clear


def test_the_crawl_knows_every_persona_of_the_world(world):
    assert sorted(vars(world.users)) == sorted(WORLD_PERSONAS)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_or_api_response_shows_personal_data_beyond_the_reveal(content, persona):
    clear = known_values() | content.secrets
    births = {p.id_number_masked: p.birth_date for p in Person.objects.all()}
    sensitive = list(Tag.objects.filter(sensitive=True).values_list("name", flat=True))
    user = user_of(content, persona)
    reveals = user is not None and has_perm(user, "people.reveal")
    fetched = fetch_all(content, persona)
    ok = [url for url, status, _text in fetched if status == 200]
    assert all(status < 500 for _url, status, _text in fetched), [(u, s) for u, s, _t in fetched if s >= 500]
    found = []
    for url, _status, text in fetched:
        found += [(url, "clear value", v) for v in clear if v in text]
        if not reveals:
            found += [(url, "sensitive tag", t) for t in sensitive if t in text]
        for m in set(MASKED_ID.findall(text)):
            masked = "".join(m)
            if masked in births:
                found += [(url, f"birth date completing {masked}", f) for f in date_forms(births[masked]) if f in text]
    assert not found, f"{persona}: {len(fetched)} URLs fetched ({len(ok)} answered 200); leaks: {found[:20]}"
    floor = MIN_ANSWERED.get(persona, 100)
    assert len(ok) >= floor, f"{persona}: only {len(ok)} of {len(fetched)} URLs answered 200: the crawl lost its way"


# --- the anonymous reporter -------------------------------------------------------------------------

CASE_SURFACES = (
    "/cases/",
    "/board/",
    "/open311/",
    "/deliberation/",
    "/notifications/",
    "/places/house/",
    "/audit/",
    "/api/v1/cases/",
    "/api/v1/topics/",
    "/api/v1/meetings/",
    "/api/v1/votes/",
    "/api/v1/audit/",
    "/m/",
)


def _chunks(url, text):
    """Pieces of a response that are about one thing: a table row, a list item, a JSON object, a
    row of an export (CSV read with the csv module; an xlsx as response_text gives it, a row a line)."""
    path = url.split("?")[0]
    if path.endswith(".csv"):
        return [" ".join(row) for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))]
    if path.endswith(".xlsx"):
        return text.splitlines()
    if text.lstrip().startswith(("{", "[")):
        data = json.loads(text)
        rows = data.get("results", [data]) if isinstance(data, dict) else data
        return [json.dumps(row, ensure_ascii=False) for row in rows]
    return re.split(r"<tr[\s>]|<li[\s>]", text)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in KNOWS_ANONYMOUS_REPORTER])
def test_no_page_names_or_locates_the_anonymous_reporter(content, persona):
    """Only the reporter sees who reported a whisper; staff who must call back reveal it through
    an audited POST (docs/workorders.md), which a crawl of readable pages never makes."""
    w, whisper = content.world, content.whisper
    home = w.hh_a1.house
    markers = {"顾建", w.p_a1h.phone, str(home), f"{home.unit.building.name}{home.unit.name}{home.number}"}
    about = {whisper.description, whisper.number, f"/cases/{whisper.pk}/"}
    own_pages = {
        reverse("cases:detail", args=[whisper.pk]),
        f"/api/v1/cases/{whisper.pk}/",
        reverse("open311:request", kwargs={"pk": whisper.pk, "fmt": "json"}),
        reverse("open311:request", kwargs={"pk": whisper.pk, "fmt": "xml"}),
    }
    fetched = fetch_all(content, persona, only=CASE_SURFACES)
    found = []
    for url, status, text in fetched:
        if status != 200:
            continue
        pieces = (
            [text] if url.split("?")[0] in own_pages else [c for c in _chunks(url, text) if any(a in c for a in about)]
        )
        found += [(url, m) for piece in pieces for m in markers if m in piece]
        if url.startswith("/api/v1/cases/") and text.lstrip().startswith("{"):
            data = json.loads(text)
            for row in data.get("results", [data]):
                if row.get("id") == whisper.pk and row.get("house") == home.pk:
                    found.append((url, f'"house": {home.pk} (the reporter\'s home)'))
    assert not found, f"{persona}: {len(fetched)} URLs fetched; the anonymous reporter shows: {sorted(set(found))[:20]}"
