"""Hostile input on every page and API list: no answer is a server error (issue 10, point 11).

As an administrator and as a resident, on the crawl's content (test_privacy_crawl.content: requests,
an anonymous one, a topic, a meeting, a vote, a consent campaign), walk the URL map (one URL per
route, its ids filled from the world) and:

- GET every page with each hostile value in each query parameter the page knows: the fields of
  its GET forms, the query keys of its own links, what its view reads from `request.GET` or its
  FilterSet declares, and `page`; path ids replaced by hostile values too;
- POST every form a page shows (method="post") with hostile values in each of its fields, the
  other fields keeping the values the page filled in (a text field: empty and 5,000 characters;
  any other field: each id-like value), then with each hostile value in all fields at once; and
  POST to every view the keys it reads from `request.POST`, once for each word its code compares
  them with (forms a page shows only in some states: consent, votes, merge, procedure steps …);
- GET every API list with each hostile value in each query parameter of its OpenAPI operation,
  and its detail with hostile ids.

Every answer must be below 500. A request that failed is rolled back to a savepoint, so one
failure (an aborted PostgreSQL transaction) does not spill into the next.
"""

import html
import inspect
import logging
import re
import time
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import django_filters
import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from linli.core.tests import test_privacy_crawl as crawl
from linli.testing import log_in

content = crawl.content  # the crawl's fixture: requests, an anonymous one, a topic, a meeting, a vote …
url_map = crawl.url_map

HOSTILE = [str(2**63), "-1", "abc", "", "0", "1e5", "9" * 5000, "a\x00b"]
# One field of a posted form at a time: a text field gets nothing and too much (a NUL is refused
# before any view, and every field gets it at once below); any other field every id-like value.
HOSTILE_TEXT, HOSTILE_ID = ["", "9" * 5000], HOSTILE[:-1]
PERSONAS = ["admin", "resident"]
SKIP = ("/static/", "/media/", "/django-admin/", "/accounts/logout/", "/api/")
# What a view's code reads: request.GET / request.POST keys (or through `p = request.GET`), and
# the words it compares them with (`do == "step"`, `action == "merge"`), to reach each branch.
KEY = r"""(?:\.get|\.getlist)?[(\[]\s*["'](\w+)["']"""
GET_KEY, POST_KEY, ALIAS_KEY = re.compile(r"\bGET" + KEY), re.compile(r"\bPOST" + KEY), re.compile(r"\bp" + KEY)
BRANCH = re.compile(r"""==\s*["'](\w+)["']""")


@pytest.fixture(autouse=True)
def _quiet():
    cache.clear()
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # thousands of expected 400s and 404s
    yield
    logger.setLevel(level)


class Walk:
    """A client that records every answer of 500 or more, each request inside a savepoint."""

    def __init__(self, user):
        self.client = Client(raise_request_exception=False)
        log_in(self.client, user)
        self.failures, self.counts = [], Counter()

    def send(self, method, url, data=None, what="", kind="page"):
        sid = transaction.savepoint()
        response = getattr(self.client, method)(url, data) if data is not None else getattr(self.client, method)(url)
        self.counts[kind] += 1
        if response.status_code >= 500:
            transaction.savepoint_rollback(sid)
            exc = getattr(response, "exc_info", None)
            self.failures.append((method.upper(), url, what, response.status_code, repr(exc[1])[:200] if exc else ""))
        else:
            transaction.savepoint_commit(sid)
        return response


# --- what a page knows ------------------------------------------------------------------------------

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)
ATTR = re.compile(r"""([\w-]+)\s*=\s*"([^"]*)\"""")


def _attrs(text):
    return {k.lower(): html.unescape(v) for k, v in ATTR.findall(text)}


TEXT = {"text", "search", "email", "tel", "url", "password", "date", "datetime-local", "time"}


def forms(body):
    """(method, action, {name: value}, names of text fields) of each form of a page, values as the
    page filled them."""
    found = []
    for head, inner in FORM.findall(body):
        attrs = _attrs(head)
        fields, texts = {}, set()
        for tag, field_attrs in FIELD.findall(inner):
            a = _attrs(field_attrs)
            name = a.get("name")
            if not name or name == "csrfmiddlewaretoken" or a.get("type") in ("submit", "button", "file"):
                continue
            if tag.lower() == "textarea" or (tag.lower() == "input" and a.get("type", "text") in TEXT):
                texts.add(name)
            if a.get("type") in ("checkbox", "radio") and "checked" not in field_attrs:
                fields.setdefault(name, "")
                continue
            fields[name] = a.get("value", "")
        for name, value in re.findall(
            r'<select\b[^>]*name="([^"]+)"[^>]*>.*?<option[^>]*value="([^"]*)"[^>]*selected', inner, re.S
        ):
            fields[name] = html.unescape(value)
        found.append((attrs.get("method", "get").lower(), attrs.get("action", ""), fields, texts))
    return found


def own_link_keys(body, path):
    keys = set()
    for href in re.findall(r'(?:href|hx-get)="([^"#]*\?[^"#]*)', body):
        parts = urlsplit(html.unescape(href))
        if parts.path in ("", path):
            keys |= {k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}
    return keys


def view_keys(path):
    """Query (GET) and body (POST) keys the view's code reads, its FilterSet's filters, and the
    words it compares values with."""
    view = resolve(path).func
    view = getattr(view, "view_class", view)
    source = "\n".join(inspect.getsource(k) for k in inspect.getmro(view) if k.__module__.startswith("linli."))
    alias = set(ALIAS_KEY.findall(source))
    get, post = set(GET_KEY.findall(source)) | alias, set(POST_KEY.findall(source)) | alias
    module = inspect.getmodule(view)
    for name, obj in vars(module).items():
        if isinstance(obj, type) and issubclass(obj, django_filters.FilterSet) and re.search(rf"\b{name}\(", source):
            get |= set(obj.base_filters)
    return get, post, set(BRANCH.findall(source))


def one_url_per_route(world):
    seen, urls = set(), []
    for url in url_map(world):
        route = resolve(urlsplit(url).path).route
        if route not in seen and not url.startswith(SKIP):
            seen.add(route)
            urls.append(url)
    return urls


def with_hostile_ids(url):
    """The URL with each int path argument replaced by hostile numbers (str ones stay)."""
    match = resolve(url)
    for value in (str(2**63), "0", "9" * 30):
        yield (
            re.sub(r"/\d+/", f"/{value}/", url, count=1)
            if any(isinstance(v, int) for v in match.kwargs.values())
            else None
        )


# --- the walk ------------------------------------------------------------------------------------------


def walk_pages(walk, world):
    posts = {}  # (target, field names) -> the fields with the values a page filled in
    for url in one_url_per_route(world):
        path = urlsplit(url).path
        r = walk.send("get", url)
        body = r.content.decode(errors="replace") if "html" in r.get("Content-Type", "") else ""
        get_keys, post_keys, branches = view_keys(path)
        keys = {"page"} | get_keys | own_link_keys(body, path)
        for method, action, fields, texts in forms(body):
            target = action or path
            if method == "get" and target == path:
                keys |= set(fields)
            elif method == "post" and not target.startswith(SKIP) and "/reveal/" not in target and fields:
                posts.setdefault((target, frozenset(fields)), (fields, texts))
        for key in sorted(keys):
            for value in HOSTILE:
                walk.send("get", path, {key: value}, f"{key}={value[:20]!r}", "query")
        for hostile in filter(None, with_hostile_ids(path)):
            walk.send("get", hostile, kind="path id")
        for branch in ["1", *sorted(branches)] if post_keys else []:
            posts.setdefault((path, branch), (dict.fromkeys(post_keys, branch), set()))
    for (target, _key), (fields, texts) in posts.items():
        for name in fields:
            for value in HOSTILE_TEXT if name in texts else HOSTILE_ID:
                walk.send("post", target, fields | {name: value}, f"{name}={value[:20]!r}", "post field")
        for value in HOSTILE:  # every field at once
            walk.send("post", target, dict.fromkeys(fields, value), f"*={value[:20]!r}", "post form")


def api_operations():
    """(path template, query parameter names, path parameter names) of each GET operation."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    for template, operations in document["paths"].items():
        if "get" in operations:
            params = operations["get"].get("parameters", [])
            yield (
                template,
                [p["name"] for p in params if p["in"] == "query"],
                [p["name"] for p in params if p["in"] == "path"],
            )


def walk_api(walk):
    for template, query, path_params in api_operations():
        if path_params:
            listing = walk.send("get", template.split("{")[0], kind="api")
            rows = listing.json().get("results", []) if listing.status_code == 200 else []
            ids = [str(rows[0]["id"])] if rows else []
            urls = [template.replace("{id}", i) for i in ids]
            for value in ("9223372036854775808", "-1", "abc", "0", "1e5", "9" * 5000):
                walk.send("get", template.replace("{id}", value), kind="api")
        else:
            urls = [template]
        for url in urls:
            for key in query:
                for value in HOSTILE:
                    walk.send("get", url, {key: value}, f"{key}={value[:20]!r}", "api")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_hostile_value_gets_a_server_error(content, persona):
    walk = Walk(getattr(content.world.users, persona))
    started = time.monotonic()
    walk_pages(walk, content.world)
    walk_api(walk)
    took, sent = time.monotonic() - started, sum(walk.counts.values())
    # one line per view, parameter and exception, then every request that failed
    summary = sorted({(m, url, what.split("=")[0], exc.split("(")[0]) for m, url, what, _s, exc in walk.failures})
    assert not walk.failures, (
        f"{persona}: {len(walk.failures)} server errors in {sent} requests ({took:.0f} s):\n"
        + "\n".join(map(str, summary + walk.failures))
    )
    print(f"{persona}: {sent} requests in {took:.1f} s: {dict(walk.counts)}")


# --- each hole the review found, at its boundary (each failed before its fix) ------------------------

TOO_BIG, LARGEST = str(2**63), str(2**63 - 1)
NOT_AN_ID = "请输入有效的编号"


def test_an_id_is_a_whole_number_from_1_to_2_63_minus_1():
    from linli.core.ids import MAX_ID, parse_id, parse_ids

    assert int(LARGEST) == MAX_ID
    assert [parse_id(v) for v in ("1", " 12 ", 7, LARGEST)] == [1, 12, 7, MAX_ID]
    assert {
        parse_id(v) for v in (TOO_BIG, "0", "-1", "1e5", "1.0", "abc", "", None, True, "１２", "9" * 5000, "1\x00")
    } == {None}
    assert parse_ids(["3", "x", "0", "4"]) == [3, 4]


@pytest.mark.django_db
def test_api_id_filters_beyond_64_bits_are_a_400_on_the_field(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users.admin)
    for url in ("/api/v1/persons/", "/api/v1/households/", "/api/v1/cases/", "/api/v1/audit/", "/api/v1/compounds/"):
        key = {"/api/v1/audit/": "actor", "/api/v1/compounds/": "property_company", "/api/v1/cases/": "handler"}.get(
            url, "grid"
        )
        r = client.get(url, {key: TOO_BIG})
        assert r.status_code == 400, (url, r.status_code)
        assert r.json()["errors"][0]["field"] == key and NOT_AN_ID in r.json()["errors"][0]["message"]
        assert client.get(url, {key: LARGEST}).json()["results"] == []  # the largest id is an id: nothing has it
        assert client.get(url, {key: "0"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/people/", "/cases/"])
def test_page_id_filters_beyond_64_bits_list_nothing(world, login, url):
    c = login(world.users.admin)
    assert c.get(url, {"grid": world.grid_a.pk}).status_code == 200
    r = c.get(url, {"grid": TOO_BIG})
    assert r.status_code == 200 and r.context["page_obj"].paginator.count == 0


@pytest.mark.django_db
def test_open311_page_is_bounded(world, client):
    from linli.cases.open311 import MAX_PAGE

    assert client.get("/open311/v2/requests.json", {"page": MAX_PAGE}).json() == []
    for page in (MAX_PAGE + 1, "99999999999999999999", "0", "x"):
        r = client.get("/open311/v2/requests.json", {"page": page})
        assert r.status_code == 400 and "page" in r.json()[0]["description"], (page, r.content)
    assert client.get("/open311/v2/requests.json", {"service_request_id": f"{TOO_BIG},1"}).status_code == 200
    assert client.get("/open311/v2/requests.json", {"service_code": TOO_BIG}).json() == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/meetings/", "/api/v1/topics/"])
@pytest.mark.parametrize("community", [0, -1, int(TOO_BIG), "abc"])
def test_api_writes_with_a_community_that_is_no_id_are_a_400_on_the_field(world, path, community):
    from rest_framework.test import APIClient

    from linli.deliberation.models import Procedure

    client = APIClient()
    client.force_authenticate(world.users.community)
    body = {
        "title": "供暖协商",
        "community": community,
        "kind": "consultation",
        "starts_at": "2030-01-01T19:00:00+08:00",
        "location": "会议室",
        "procedure": Procedure.objects.order_by("pk").first().pk,
    }
    r = client.post(path, body, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["errors"] == [
        {"field": "community", "message": "请输入有效的编号（从 1 开始的整数）。", "code": "invalid"}
    ]
    r = client.post(path, body | {"community": world.c1.pk, "topics": [int(TOO_BIG)], "cases": [0]}, format="json")
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} <= {"topics.0", "cases.0"}


@pytest.mark.django_db
def test_hand_read_ids_that_are_no_ids_are_a_404(world, login):
    from linli.deliberation.models import ConsentCampaign

    campaign = ConsentCampaign.objects.create(
        title="老旧小区改造", compound=world.cp1, community=world.c1, subdistrict=world.sub
    )
    c = login(world.users.admin)
    for value in ("abc", "1e5", TOO_BIG, "0"):
        assert c.post(f"/deliberation/consent/{campaign.pk}/", {"house": value, "consent": "yes"}).status_code == 404
        assert c.post("/people/tags/", {"pk": value, "name": "x"}).status_code == 404
        assert c.post("/cases/settings/categories/", {"pk": value, "name": "x"}).status_code == 404
        assert c.post("/cases/settings/calendar/", {"delete": value}).status_code == 404
        assert c.post(f"/deliberation/procedures/{value}/steps/", {"name": "x", "rule": "record"}).status_code == 404
    assert not campaign.consents.exists()
    r = c.post(f"/deliberation/consent/{campaign.pk}/", {"house": world.house_a1.pk, "consent": "yes"})
    assert r.status_code == 302 and campaign.consents.get().house == world.house_a1


@pytest.mark.django_db
def test_a_step_with_days_that_are_no_number_is_refused_with_a_message(world, login):
    from linli.deliberation.models import Procedure

    proc = Procedure.objects.create(name="新程序")
    c = login(world.users.admin)
    for days in ("abc", "1e5", "-1", "366", TOO_BIG):
        r = c.post(
            f"/deliberation/procedures/{proc.pk}/steps/",
            {"name": "公示", "rule": "record", "lead_days": days},
            follow=True,
        )
        assert r.status_code == 200 and "0 至 365" in r.content.decode(), days
    assert not proc.steps.exists()
    c.post(f"/deliberation/procedures/{proc.pk}/steps/", {"name": "公示", "rule": "record", "lead_days": "365"})
    assert proc.steps.get().lead_days == 365


@pytest.mark.django_db
def test_the_calendar_year_is_checked(world, login):
    c = login(world.users.admin)
    assert c.get("/cases/settings/calendar/", {"year": "2100"}).context["year"] == 2100
    for year in ("2101", "1999", "abc", TOO_BIG, "-1"):
        r = c.get("/cases/settings/calendar/", {"year": year})
        assert r.status_code == 400 and "2000 至 2100" in r.content.decode(), year


@pytest.mark.django_db
def test_several_ids_in_one_field_are_checked_before_the_query(world, login):
    c = login(world.users.admin)
    r = c.post(
        f"/people/person/{world.p_a1h.pk}/edit/",
        {"name": "居民", "relation": "head", "tags": [world.tag_party.pk, TOO_BIG]},
    )
    assert r.status_code == 200 and "tags" in r.context["form"].errors
    assert list(world.p_a1h.tags.all()) == [world.tag_party]


@pytest.mark.django_db
def test_a_boundary_with_a_number_of_5000_digits_is_a_field_error(world, login):
    c = login(world.users.admin)
    polygon = '{"type": "Polygon", "coordinates": [[[' + "9" * 5000 + ", 1]]]}"
    r = c.post(f"/places/grid/{world.grid_a.pk}/edit/", {"name": "第一网格", "boundary": polygon})
    assert r.status_code == 200 and "GeoJSON" in str(r.context["form"].errors["boundary"])
    r = c.post(f"/places/grid/{world.grid_a.pk}/edit/", {"name": "第一网格", "boundary": "[" * 100_000})
    assert r.status_code == 200 and "boundary" in r.context["form"].errors


@pytest.mark.django_db
def test_a_nul_character_anywhere_is_a_400_naming_the_parameter(world, login):
    c = login(world.users.admin)
    r = c.get("/audit/", {"q": "a\x00b"})
    assert r.status_code == 400 and "空字符" in r.content.decode() and "(q)" in r.content.decode()
    r = c.post("/deliberation/procedures/", {"name": "x\x00"})
    assert r.status_code == 400
    r = c.get("/api/v1/persons/", {"tag": "\x00"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "tag"
    assert c.get("/m/a%00b/").status_code == 400
    assert c.get("/audit/", {"q": "ab"}).status_code == 200


@pytest.mark.django_db
def test_an_unrated_request_has_rating_null_as_the_document_says(world):
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.test import APIClient

    from linli.cases import actions
    from linli.cases.models import Category

    case = actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        description="路灯不亮",
        channel="patrol",
    )
    client = APIClient()
    client.force_authenticate(world.users.admin)
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["rating"] is None
    assert client.get("/api/v1/cases/").json()["results"][0]["rating"] is None
    document = SchemaGenerator().get_schema(request=None, public=True)
    rating = document["components"]["schemas"]["Case"]["properties"]["rating"]
    assert rating.get("nullable") or any(
        s.get("enum") == [None] or s.get("$ref", "").endswith("NullEnum") for s in rating.get("oneOf", [])
    ), rating


@pytest.mark.django_db
@pytest.mark.parametrize(("starts_at", "status"), [
    ("0003-01-01T01:24:21Z", 400),  # found by the API fuzz: answered as "0003-01-01T09:30:04+08:05:43"
    ("1999-12-31T15:59:59Z", 400), ("1999-12-31T16:00:00Z", 201),  # 2000-01-01 00:00 in Asia/Shanghai
    ("2099-12-31T15:59:59Z", 201), ("2099-12-31T16:00:00Z", 400),
])  # fmt: skip
def test_api_times_are_years_2000_to_2099_in_asia_shanghai(world, starts_at, status):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users.community)
    r = client.post(
        "/api/v1/meetings/",
        {
            "title": "供暖协商",
            "community": world.c1.pk,
            "kind": "consultation",
            "starts_at": starts_at,
            "location": "会议室",
        },
        format="json",
    )
    assert r.status_code == status, r.content
    if status == 400:
        assert r.json()["errors"] == [
            {"field": "starts_at", "message": "请填写 2000 年至 2099 年之间的时间。", "code": "out_of_range"}
        ]


@pytest.mark.django_db
def test_counts_of_a_step_are_checked_before_they_are_written(content):
    """Found by hand after the fuzz: the counts of a step whose rule does not judge them were
    written unchecked (2⁶³: OverflowError on SQLite; −1: the column's CHECK)."""
    from rest_framework.test import APIClient

    from linli.deliberation.models import StepRecord, Topic

    topic = Topic.objects.get(title="深夜噪音治理")
    client = APIClient()
    client.force_authenticate(content.world.users.community)
    step = f"/api/v1/topics/{topic.pk}/step/"
    for value, code in ((int(TOO_BIG), "max_value"), (-1, "min_value")):
        r = client.post(step, {"version": topic.version, "note": "党支部提议", "eligible": value}, format="json")
        assert (
            r.status_code == 400
            and r.json()["errors"][0]["field"] == "eligible"
            and r.json()["errors"][0]["code"] == code
        )
    assert not StepRecord.objects.filter(topic=topic).exists()
    r = client.post(step, {"version": topic.version, "note": "党支部提议", "eligible": 0}, format="json")
    assert r.status_code == 200 and StepRecord.objects.get(topic=topic).eligible == 0


@pytest.mark.django_db
def test_text_longer_than_its_column_is_a_message_not_a_database_error(content, login):
    """Found by the walk on PostgreSQL (SQLite does not enforce a column's length): a procedure's
    name of 61 characters and a show of hands' question of 201 were handed to the database."""
    from rest_framework.test import APIClient

    from linli.deliberation.models import HandVote, Meeting, Procedure

    c = login(content.world.users.admin)
    r = c.post("/deliberation/procedures/", {"name": "程" * 61}, follow=True)
    assert r.status_code == 200 and "60" in r.content.decode() and not Procedure.objects.filter(name="程" * 61).exists()
    c.post("/deliberation/procedures/", {"name": "程" * 60})
    assert Procedure.objects.filter(name="程" * 60).exists()
    client = APIClient()
    client.force_authenticate(content.world.users.community)
    hands = f"/api/v1/meetings/{Meeting.objects.get(title='噪音治理协商议事会').pk}/hands/"
    r = client.post(hands, {"question": "问" * 201}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "question"
    assert client.post(hands, {"question": "问" * 200}, format="json").status_code == 200
    assert HandVote.objects.get().question == "问" * 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/cases/", "/people/"])
def test_a_list_names_the_filter_whose_value_it_refuses(world, login, url):
    """A refused filter value is shown with the filter's Chinese label, never the parameter's name."""
    page = login(world.users.admin).get(url, {"grid": "-1"}).content.decode()
    assert 'data-testid="errors"' in page and "网格：" in page and "从 1 开始的整数" in page
    assert "<li>grid" not in page and ">grid<" not in page
