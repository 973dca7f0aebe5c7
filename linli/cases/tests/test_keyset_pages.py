"""Deep pages of the work-order list and of /api/v1/cases/ (issue 16 §3): paged by cursor over
(created_at, id) — "older" and "newer" — with no COUNT(*); a page deep in the list issues the
queries of the first; rows with equal timestamps are neither skipped nor repeated; a cursor altered
by hand, or taken from another list or another scope, shows nothing it should not."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from linli.cases import actions, views
from linli.cases.models import Case, Category
from linli.core.keyset import AFTER, Keyset
from linli.core.models import AuditLog

pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")
PER_PAGE = 3


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views.CaseListView, "paginate_by", PER_PAGE)


def report(world, grid, n):
    return actions.report_case(
        actor=world.users.community,
        category=Category.objects.get(name="设施维修"),
        grid=grid,
        description=f"第{n}号诉求",
        channel="hotline",
    )


@pytest.fixture
def cases(world):
    """Eight requests in grid A, newest last; four of them (2–5) reported at the same instant, so
    only the id orders them, and a page boundary (3 a page) falls inside the tie."""
    made = [report(world, world.grid_a, n) for n in range(8)]
    base = timezone.now() - dt.timedelta(days=1)
    for i, case in enumerate(made):
        Case.objects.filter(pk=case.pk).update(created_at=base + dt.timedelta(minutes=i))
    Case.objects.filter(pk__in=[c.pk for c in made[2:6]]).update(created_at=base + dt.timedelta(minutes=2))
    return made


def newest_first(cases):
    return [c.pk for c in sorted(cases, key=lambda c: (Case.objects.get(pk=c.pk).created_at, c.pk), reverse=True)]


def shown(response):
    return [c.pk for c in response.context["page_obj"]]


def test_the_list_walks_older_to_the_end_and_newer_back_without_skipping_or_repeating(world, login, cases, small_pages):
    client = login(world.users.grid_a)
    pages, r = [], client.get(LIST)
    assert 'rel="prev"' not in r.content.decode() and 'rel="first"' not in r.content.decode()  # no "newer" here
    while True:
        pages.append(shown(r))
        cursor = r.context["page_obj"].next_cursor
        if cursor is None:
            break
        assert f"cursor={cursor.replace(':', '%3A')}" in r.content.decode()  # the "older" link
        r = client.get(LIST, {"cursor": cursor})
    assert [pk for page in pages for pk in page] == newest_first(cases)
    assert [len(p) for p in pages] == [3, 3, 2] and not r.context["page_obj"].has_next
    back = []
    while (cursor := r.context["page_obj"].previous_cursor) is not None:
        r = client.get(LIST, {"cursor": cursor})
        back.append(shown(r))
    assert back == pages[-2::-1]  # the same pages, newest last: back at the first page
    assert not r.context["page_obj"].has_previous


def test_the_cursor_keeps_the_filter_and_the_export_ignores_it(world, login, cases, small_pages):
    client = login(world.users.grid_a)
    actions.transition(cases[7].pk, "dispatch", actor=world.users.grid_a, version=0, assignee_org=world.pm)
    actions.transition(cases[1].pk, "dispatch", actor=world.users.grid_a, version=0, assignee_org=world.pm)
    accepted = [pk for pk in newest_first(cases) if pk not in (cases[7].pk, cases[1].pk)]
    r = client.get(LIST, {"state": "accepted"})
    cursor = r.context["page_obj"].next_cursor
    r = client.get(LIST, {"state": "accepted", "cursor": cursor})
    assert shown(r) == accepted[3:6]
    assert "state=accepted" in r.content.decode().split('rel="next"')[0].rsplit("href=", 1)[1]
    export = client.get(reverse("cases:list_csv"), {"state": "accepted", "cursor": cursor})
    assert len(b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()) == 1 + len(accepted)
    audited = AuditLog.objects.filter(action=AuditLog.Action.EXPORT).latest("pk")
    assert audited.changes["filter"] == [None, "state=accepted"]  # where the list was is not a filter


def test_page_one_and_a_deep_page_issue_the_same_queries_and_no_count(
    world, login, cases, small_pages, django_assert_num_queries
):
    client = login(world.users.grid_a)
    client.get(LIST)
    with CaptureQueriesContext(connection) as first:
        r = client.get(LIST)
    assert not any('COUNT(*) AS "__count" FROM "cases_case"' in q["sql"] for q in first.captured_queries)
    queries = len(first.captured_queries)  # now: the next request clears the log the capture reads
    deep = r
    for _ in range(2):
        deep = client.get(LIST, {"cursor": deep.context["page_obj"].next_cursor})
    cursor = r.context["page_obj"].next_cursor
    last = deep.context["page_obj"].previous_cursor
    with django_assert_num_queries(queries):
        client.get(LIST, {"cursor": cursor})
    with django_assert_num_queries(queries):
        client.get(LIST, {"cursor": last})


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),  # the signature altered
        lambda c: "x" + c,  # the position altered
        lambda c: "",  # empty: the first page, no message
        lambda c: "!!!",
        lambda c: Keyset("board", "handled_at").encode(Case(pk=1, handled_at=None), AFTER),  # another list's
    ],
)
def test_a_tampered_cursor_shows_the_first_page_with_a_message_in_chinese(world, login, cases, small_pages, tamper):
    client = login(world.users.grid_a)
    cursor = client.get(LIST).context["page_obj"].next_cursor
    r = client.get(LIST, {"cursor": tamper(cursor)})
    assert r.status_code == 200 and shown(r) == newest_first(cases)[:3]
    said = [str(m) for m in r.context["messages"]]
    assert said == ([] if tamper(cursor) == "" else ["翻页链接无效（可能被改动过），已显示最新的记录。"])


def test_a_cursor_from_a_wider_scope_shows_nothing_outside_the_users_scope(world, login, cases, small_pages):
    theirs = [report(world, world.grid_b, n) for n in range(4)]  # grid B: newer than all of grid A's
    wide = login(world.users.community).get(LIST)
    assert set(shown(wide)) <= {c.pk for c in theirs}
    cursor = wide.context["page_obj"].next_cursor  # a position among grid B's requests
    r = login(world.users.grid_a).get(LIST, {"cursor": cursor})
    assert shown(r) and set(shown(r)) <= {c.pk for c in cases}
    api_page = api(world.users.grid_a).get("/api/v1/cases/", {"cursor": cursor})
    assert api_page.status_code == 400  # the screen's cursor is not the API's


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_pages_by_cursor_both_ways_with_ties_and_no_count(world, cases):
    client, seen, pages = api(world.users.grid_a), [], []
    data = client.get("/api/v1/cases/", {"page_size": 3}).json()
    assert set(data) == {"next", "previous", "results"} and data["previous"] is None
    while True:
        pages.append([c["id"] for c in data["results"]])
        seen += pages[-1]
        if data["next"] is None:
            break
        assert "page_size=3" in data["next"]
        data = client.get(data["next"]).json()
    assert seen == newest_first(cases)
    back = []
    while data["previous"]:
        data = client.get(data["previous"]).json()
        back.append([c["id"] for c in data["results"]])
    assert back == pages[-2::-1]


def test_the_api_costs_the_same_queries_on_a_deep_page(world, cases, django_assert_num_queries):
    client = api(world.users.grid_a)
    first = client.get("/api/v1/cases/", {"page_size": 2})
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/cases/", {"page_size": 2})
    queries = len(one.captured_queries)  # now: the next request clears the log the capture reads
    deep = first.json()["next"]
    for _ in range(2):
        deep = client.get(deep).json()["next"]
    with django_assert_num_queries(queries):
        assert client.get(deep).status_code == 200


@pytest.mark.parametrize("cursor", ["nonsense", "W1sxXSwxLCJhIl0:bad", "'; DROP TABLE cases_case; --"])
def test_a_bad_api_cursor_is_a_400_in_chinese_in_the_error_shape(world, cases, cursor):
    r = api(world.users.grid_a).get("/api/v1/cases/", {"cursor": cursor})
    assert r.status_code == 400
    assert r.json() == {
        "errors": [{"field": "cursor", "message": "翻页游标无效：请从第一页重新开始。", "code": "invalid_cursor"}]
    }


def test_an_api_cursor_of_another_scope_shows_nothing_outside_the_users_scope(world, cases):
    theirs = [report(world, world.grid_b, n) for n in range(3)]
    data = api(world.users.community).get("/api/v1/cases/", {"page_size": 1}).json()
    assert data["results"][0]["id"] == theirs[-1].pk
    r = api(world.users.grid_a).get(data["next"])  # grid B's position, read by grid A's worker
    assert r.status_code == 200
    ids = {c["id"] for c in r.json()["results"]}
    assert ids and ids <= {c.pk for c in cases}
    assert api(world.users.department).get(data["next"]).json()["results"] == []  # no request in its scope
