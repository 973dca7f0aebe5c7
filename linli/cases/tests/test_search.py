"""The work-order list's search (issue 16, core.search): character bigrams in a side table kept by
triggers, terms of one, two and four characters, ranked, highlighted, in the user's scope, with the
other filters, in a constant number of queries, and current after every kind of write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from linli.cases import actions
from linli.cases.models import Case, Category
from linli.core.tests.export_helpers import csv_rows

LIST, CSV = reverse("cases:list"), reverse("cases:list_csv")


def report(world, description, grid=None):
    return actions.report_case(
        actor=world.users.community,
        category=Category.objects.get(name="设施维修"),
        grid=grid or world.grid_a,
        description=description,
        channel="hotline",
    )


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


def found(client, q, **filters):
    return [c.description for c in client.get(LIST, {"q": q, **filters}).context["page_obj"]]


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.django_db
def test_two_four_and_one_character_terms(world, login):
    report(world, "楼道堆放杂物，影响通行")
    report(world, "堆放楼道，道堆")  # every bigram of 楼道堆放, but not the term itself
    report(world, "电梯异响")
    c = login(world.users.community)
    assert sorted(found(c, "楼道")) == ["堆放楼道，道堆", "楼道堆放杂物，影响通行"]
    assert found(c, "楼道堆放") == ["楼道堆放杂物，影响通行"]  # the exact check drops the false positive
    assert found(c, "电梯") == ["电梯异响"]
    assert found(c, "梯") == ["电梯异响"]  # one character: no bigram, the text is read
    assert found(c, "扶梯") == []
    assert len(found(c, "")) == 3


@pytest.mark.django_db
def test_terms_split_at_whitespace_and_punctuation_and_no_bigram_spans_them(world, login):
    report(world, "屋顶漏，水管也坏了")
    report(world, "ABC单元 Door")
    c = login(world.users.community)
    assert found(c, "漏水") == []  # 漏，水: not a bigram of the text
    assert found(c, "漏 水管") == ["屋顶漏，水管也坏了"]  # two words, each in the text
    assert found(c, "漏，水管") == ["屋顶漏，水管也坏了"]  # Chinese punctuation separates words too
    assert found(c, "水管 电梯") == []  # every word must be there
    assert found(c, "abc单元") == ["ABC单元 Door"]  # ASCII letters in either case
    assert found(c, "c单 door") == ["ABC单元 Door"]


@pytest.mark.django_db
def test_best_match_first_description_then_result_then_the_timeline(world, login):
    in_note = report(world, "小区门口有问题")
    in_result = report(world, "小区门口有情况")
    in_description = report(world, "小区门口漏水了")
    other = report(world, "单元门禁坏了")
    actions.comment(in_note, actor=world.users.community, note="地下室漏水")
    step(in_result, "dispatch", world.users.grid_a, assignee_org=world.pm)
    step(in_result, "start", world.users.property)
    step(in_result, "handle", world.users.property, note="修好漏水")
    c = login(world.users.community)
    assert found(c, "漏水") == [in_description.description, in_result.description, in_note.description]
    assert other.description not in found(c, "漏水")
    # no term: newest first, as always
    assert found(c, "")[:4] == [other.description, in_description.description, in_result.description, "小区门口有问题"]


@pytest.mark.django_db
def test_the_match_is_highlighted_and_escaped(world, login):
    report(world, '<script>alert("x")</script>二号楼漏水<b>')
    page = login(world.users.community).get(LIST, {"q": "漏水"}).content.decode()
    assert "<mark>漏水</mark>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<mark>漏水</mark>&lt;b&gt;" in page


@pytest.mark.django_db
def test_a_long_text_starts_shortly_before_its_first_match(world, login):
    report(world, "甲" * 100 + "电梯停运")
    page = login(world.users.community).get(LIST, {"q": "电梯"}).content.decode()
    assert "…" + "甲" * 12 + "<mark>电梯</mark>停运" in page


@pytest.mark.django_db
def test_search_stays_in_scope_in_the_list_the_api_and_the_export(world, login):
    report(world, "二号楼漏水", grid=world.grid_b)
    report(world, "西湖小区漏水", grid=world.grid_c)  # community 2
    c = login(world.users.community)
    assert found(c, "漏水") == ["二号楼漏水"]
    assert [row[5] for row in csv_rows(c.get(CSV, {"q": "漏水"}))[1:]] == ["二号楼漏水"]
    c = login(world.users.other_community)  # the same client, signed in as another user
    assert found(c, "漏水") == ["西湖小区漏水"]
    assert [row[5] for row in csv_rows(c.get(CSV, {"q": "漏水"}))[1:]] == ["西湖小区漏水"]
    assert found(login(world.users.grid_a), "漏水") == []  # grid B's is not grid A's
    r = api(world.users.community).get("/api/v1/cases/", {"q": "漏水"}).json()
    assert [x["description"] for x in r["results"]] == ["二号楼漏水"]
    assert api(world.users.grid_a).get("/api/v1/cases/", {"q": "漏水"}).json()["results"] == []


@pytest.mark.django_db
def test_search_combines_with_the_state_filter(world, login):
    dispatched = report(world, "楼道灯不亮")
    report(world, "楼道灯闪烁")
    step(dispatched, "dispatch", world.users.grid_a, assignee_org=world.pm)
    c = login(world.users.community)
    assert found(c, "楼道灯", state="dispatched") == ["楼道灯不亮"]
    assert found(c, "楼道灯", state="accepted") == ["楼道灯闪烁"]
    assert found(c, "闪烁", state="dispatched") == []


@pytest.mark.django_db
def test_a_search_page_costs_the_same_queries_whatever_it_finds(world, login):
    report(world, "电梯异响")
    c = login(world.users.community)
    c.get(LIST, {"q": "电梯"})
    with CaptureQueriesContext(connection) as one:
        assert len(c.get(LIST, {"q": "电梯"}).context["page_obj"]) == 1
    for i in range(12):
        report(world, f"{i}号楼电梯异响", grid=world.grid_b if i % 2 else world.grid_a)
    with CaptureQueriesContext(connection) as many:
        assert len(c.get(LIST, {"q": "电梯"}).context["page_obj"]) == 13
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_the_index_follows_every_write(world, login):
    case = report(world, "井盖缺失")
    c = login(world.users.community)
    assert found(c, "水泵") == []
    step(case, "dispatch", world.users.grid_a, assignee_org=world.pm)
    step(case, "start", world.users.property)
    step(case, "handle", world.users.property, note="更换水泵")  # the result, written later
    assert found(c, "水泵") == ["井盖缺失"]
    actions.comment(case, actor=world.users.community, note="居民来电催办")
    assert found(c, "催办") == ["井盖缺失"]
    Case.objects.filter(pk=case.pk).update(description="井盖松动")  # a bulk write: the trigger, not Python
    assert found(c, "缺失") == [] and found(c, "松动") == ["井盖松动"]
    assert found(c, "水泵") == ["井盖松动"]  # the result and notes kept
    Case.objects.filter(pk=case.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_search WHERE body LIKE %s", ["%松动%"])
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_a_bad_or_empty_query_is_no_error(world, login):
    report(world, "电梯异响")
    c = login(world.users.community)
    for q in ("'", '"', "\\", "&|!", "%_", "a:b*", "()", "  ，。 "):
        r = c.get(LIST, {"q": q})
        assert r.status_code == 200, q
    assert len(found(c, "，。")) == 1  # only separators: no words, no search
    # a search of more than 100 characters is a field error in Chinese, not a scan of the text
    long = "电梯" * 51
    r = c.get(LIST, {"q": long})
    assert r.status_code in (200, 400) and "100" in r.content.decode() and "电梯异响" not in r.content.decode()
    r = api(world.users.community).get("/api/v1/cases/", {"q": long})
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["q"]
    assert found(c, "电梯" * 50) == []  # 100 characters: a search, which finds nothing here


@pytest.mark.django_db
def test_scopes_the_index_cannot_narrow_still_find_their_requests(world, login):
    """The side table is read in the user's places first (core.search, `narrow`); an organisation's
    staff or a household are scoped otherwise and must still find theirs, and only theirs."""
    dispatched = report(world, "二号楼漏水", grid=world.grid_b)
    report(world, "一号楼漏水")
    step(dispatched, "dispatch", world.users.community, assignee_org=world.pm)
    assert found(login(world.users.property), "漏水") == ["二号楼漏水"]
    assert found(login(world.users.department), "漏水") == []
    assert found(login(world.users.subdistrict), "漏水") == ["一号楼漏水", "二号楼漏水"]
    assert found(login(world.users.admin), "漏水") == ["一号楼漏水", "二号楼漏水"]


@pytest.mark.django_db
def test_a_request_moved_to_another_community_is_found_there_only(world, login):
    """The side table's copy of the scope columns follows the request (the update trigger)."""
    case = report(world, "车棚漏雨")
    Case.objects.filter(pk=case.pk).update(grid=world.grid_c, community=world.c2)
    assert found(login(world.users.community), "漏雨") == []
    assert found(login(world.users.other_community), "漏雨") == ["车棚漏雨"]
