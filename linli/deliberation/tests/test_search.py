"""The topic and meeting lists' search (issue 16, deliberation.search over core.search): character
bigrams in side tables kept by triggers; two- and four-character terms, ranked, highlighted and
escaped, in the list's scope, with its filters, in a constant number of queries, current after
every write — and never finding a row by words its reader is not shown."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from linli.deliberation import meetings, procedures
from linli.deliberation.models import Meeting, Procedure, Topic

TOPICS, MEETINGS = reverse("deliberation:topics"), reverse("deliberation:meetings")
TOPICS_CSV = reverse("deliberation:topics_csv")


def topic(world, title, description="", community=None, actor=None):
    return procedures.raise_topic(
        actor=actor or world.users.community,
        title=title,
        description=description,
        community=community or world.c1,
        compound=world.cp1 if community in (None, world.c1) else world.cp2,
        procedure=Procedure.builtin(Procedure.COMMUNITY),
    )


def meeting(world, title, location="社区议事厅", community=None, actor=None, starts_at=None):
    return meetings.create_meeting(
        actor=actor or world.users.community,
        kind=Meeting.Kind.CONSULTATION,
        title=title,
        community=community or world.c1,
        compound=world.cp1 if community in (None, world.c1) else world.cp2,
        starts_at=starts_at or timezone.now() + timedelta(days=2),
        location=location,
    )


def present(m, world, name="王建国"):
    person = meetings.invite(m, actor=world.users.community, name=name, party="居民代表")
    meetings.sign_in(person, actor=world.users.community)
    return person


def close(m, world, conclusions):
    present(m, world, name="李红")
    meetings.close_meeting(m, actor=world.users.community, conclusions=conclusions)


def found(client, url, q, **filters):
    r = client.get(url, {"q": q, **filters})
    assert r.status_code == 200
    return [row.title for row in r.context["page_obj"]]


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def api_found(user, path, q, **filters):
    r = api(user).get(f"/api/v1/{path}/", {"q": q, **filters})
    assert r.status_code == 200, r.content
    return [row["title"] for row in r.json()["results"]]


@pytest.mark.django_db
def test_two_and_four_character_terms_on_topics_and_meetings(world, login):
    topic(world, "楼道堆放杂物清理", "影响通行")
    topic(world, "堆放楼道的自行车")  # every bigram of 楼道堆放 in another order
    topic(world, "加装电梯")
    meeting(world, "加装电梯协商会", location="三号楼架空层")
    meeting(world, "停车位议事会")
    c = login(world.users.community)
    assert sorted(found(c, TOPICS, "楼道")) == ["堆放楼道的自行车", "楼道堆放杂物清理"]
    assert found(c, TOPICS, "楼道堆放") == ["楼道堆放杂物清理"]  # the exact check drops the other
    assert found(c, TOPICS, "电梯") == ["加装电梯"]
    assert found(c, MEETINGS, "电梯") == ["加装电梯协商会"]
    assert found(c, MEETINGS, "架空") == ["加装电梯协商会"]  # the location
    assert found(c, MEETINGS, "停车位议") == ["停车位议事会"]
    assert api_found(world.users.community, "topics", "楼道堆放") == ["楼道堆放杂物清理"]
    assert api_found(world.users.community, "meetings", "停车") == ["停车位议事会"]


@pytest.mark.django_db
def test_best_match_first_title_then_description_then_the_board(world, login):
    on_board = topic(world, "小区环境整治")
    in_description = topic(world, "小区环境提升", "重点是垃圾分类")
    in_title = topic(world, "垃圾分类宣传")
    procedures.screen(on_board, actor=world.users.community, accept=True)
    procedures.complete_step(on_board.pk, procedures.next_step(on_board).pk, actor=world.users.community, note="已商定")
    step = procedures.next_step(on_board)
    procedures.complete_step(on_board.pk, step.pk, actor=world.users.community, note="下月起试行垃圾分类")
    topic(world, "路灯维修")
    c = login(world.users.community)
    expected = [in_title.title, in_description.title, on_board.title]
    assert found(c, TOPICS, "垃圾分类") == expected
    assert api_found(world.users.community, "topics", "垃圾分类") == expected
    # no term: the list's own order, newest first
    assert found(c, TOPICS, "")[:3] == ["路灯维修", "垃圾分类宣传", "小区环境提升"]


@pytest.mark.django_db
def test_meetings_rank_title_over_conclusions_over_opinions(world, login):
    in_opinion = meeting(world, "三月议事会")
    in_minutes = meeting(world, "四月议事会")
    in_title = meeting(world, "充电桩选址会")
    speaker = present(in_opinion, world)
    meetings.record_opinion(in_opinion, actor=world.users.community, speaker=speaker, text="建议增设充电桩")
    close(in_minutes, world, "物业负责安装充电桩")
    c = login(world.users.community)
    assert found(c, MEETINGS, "充电桩") == [in_title.title, in_minutes.title, in_opinion.title]
    assert found(c, MEETINGS, "王建国") == []  # a speaker's name is not indexed


@pytest.mark.django_db
def test_the_match_is_highlighted_and_escaped(world, login):
    topic(world, '<script>alert("x")</script>二号楼漏水<b>', "屋顶漏水三个月")
    meeting(world, "<script>漏水</script>协调会")
    c = login(world.users.community)
    page = c.get(TOPICS, {"q": "漏水"}).content.decode()
    assert "<mark>漏水</mark>&lt;b&gt;" in page and "屋顶<mark>漏水</mark>三个月" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    page = c.get(MEETINGS, {"q": "漏水"}).content.decode()
    assert "&lt;script&gt;<mark>漏水</mark>&lt;/script&gt;协调会" in page and "<script>漏水" not in page


@pytest.mark.django_db
def test_search_stays_in_scope_in_the_lists_the_api_and_the_export(world, login):
    topic(world, "一号楼漏水")
    topic(world, "西湖小区漏水", community=world.c2, actor=world.users.other_community)
    meeting(world, "漏水协调会")
    meeting(world, "西湖漏水协调会", community=world.c2, actor=world.users.other_community)
    c = login(world.users.community)
    assert found(c, TOPICS, "漏水") == ["一号楼漏水"]
    assert found(c, MEETINGS, "漏水") == ["漏水协调会"]
    assert "西湖" not in c.get(TOPICS_CSV, {"q": "漏水"}).getvalue().decode("utf-8-sig")
    assert api_found(world.users.community, "topics", "漏水") == ["一号楼漏水"]
    assert api_found(world.users.community, "meetings", "漏水") == ["漏水协调会"]
    c = login(world.users.other_community)
    assert found(c, TOPICS, "漏水") == ["西湖小区漏水"]
    assert found(c, MEETINGS, "西湖") == ["西湖漏水协调会"]
    assert api_found(world.users.other_community, "topics", "一号楼") == []
    # a resident of community 1: its topics only, and no meeting at all
    assert found(login(world.users.resident), TOPICS, "漏水") == ["一号楼漏水"]
    assert api_found(world.users.resident, "topics", "西湖") == []
    assert found(login(world.users.resident), MEETINGS, "漏水") == []
    assert api_found(world.users.resident, "meetings", "漏水") == []


@pytest.mark.django_db
def test_a_resident_never_finds_a_topic_by_words_they_are_not_shown(world, login):
    """Only what every reader of the topic reads is indexed: the staff's step records, the
    decline reason and the evaluations' comments are not (deliberation.search)."""
    accepted = topic(world, "单元门禁改造")
    procedures.screen(accepted, actor=world.users.community, accept=True)
    step = procedures.next_step(accepted)
    procedures.complete_step(accepted.pk, step.pk, actor=world.users.community, note="两委商议：反映人情绪激动")
    declined = topic(world, "增设快递柜")
    procedures.screen(declined, actor=world.users.community, accept=False, reason="业主王某某反对")
    resident, staff = login(world.users.resident), world.users.community
    for word in ("情绪激动", "王某某"):
        assert found(resident, TOPICS, word) == [], word
        assert api_found(world.users.resident, "topics", word) == [], word
        assert api_found(staff, "topics", word) == [], word  # not indexed for anyone
    step = procedures.next_step(accepted)  # a publication: the text on the community board
    procedures.complete_step(accepted.pk, step.pk, actor=world.users.community, note="下周起更换门禁读卡器")
    assert found(resident, TOPICS, "读卡器") == ["单元门禁改造"]
    assert found(resident, TOPICS, "情绪激动") == []


@pytest.mark.django_db
def test_search_combines_with_the_lists_filters(world, login):
    accepted = topic(world, "楼道灯不亮")
    topic(world, "楼道灯闪烁")
    procedures.screen(accepted, actor=world.users.community, accept=True)
    meeting(world, "楼道灯议事会", starts_at=timezone.now())
    meeting(world, "楼道灯回访会")
    c = login(world.users.community)
    assert found(c, TOPICS, "楼道灯", status="accepted") == ["楼道灯不亮"]
    assert found(c, TOPICS, "楼道灯", status="proposed") == ["楼道灯闪烁"]
    assert found(c, TOPICS, "闪烁", status="accepted") == []
    assert api_found(world.users.community, "topics", "楼道灯", status="accepted") == ["楼道灯不亮"]
    assert found(c, MEETINGS, "楼道灯", when="today") == ["楼道灯议事会"]
    assert api_found(world.users.community, "meetings", "回访", when="today") == []


@pytest.mark.django_db
def test_a_term_found_nowhere_and_an_empty_query(world, login):
    topic(world, "加装电梯")
    meeting(world, "加装电梯协商会")
    c = login(world.users.community)
    r = c.get(TOPICS, {"q": "飞线充电"})
    assert list(r.context["page_obj"]) == [] and "加装电梯" not in r.content.decode()
    assert found(c, MEETINGS, "飞线充电") == []
    for q in ("", "   ", "，。 、"):  # no word: no search, the whole list
        assert found(c, TOPICS, q) == ["加装电梯"], q
        assert found(c, MEETINGS, q) == ["加装电梯协商会"], q
        assert api_found(world.users.community, "topics", q) == ["加装电梯"], q


@pytest.mark.django_db
def test_a_long_or_odd_query_is_a_clear_answer_not_an_error(world, login):
    topic(world, "加装电梯")
    c = login(world.users.community)
    for q in ("'", '"', "\\", "&|!", "%_", "a:b*", "()", "<>", "电梯' OR 1=1 --", "🏠电梯"):
        assert c.get(TOPICS, {"q": q}).status_code == 200, q
        assert c.get(MEETINGS, {"q": q}).status_code == 200, q
        assert api(world.users.community).get("/api/v1/topics/", {"q": q}).status_code == 200, q
    assert c.get(TOPICS, {"q": "电\x00梯"}).status_code == 400  # refused before any view (core.middleware)
    long = "电梯" * 60
    r = c.get(TOPICS, {"q": long})
    assert r.status_code == 200 and list(r.context["page_obj"]) == []
    assert "不超过 100 字符" in r.content.decode()  # the form's own message, in Chinese
    r = api(world.users.community).get("/api/v1/meetings/", {"q": long})
    assert r.status_code == 400 and "100" in r.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_the_index_follows_every_write(world, login):
    t = topic(world, "井盖缺失")
    m = meeting(world, "井盖问题协调会")
    c = login(world.users.community)
    Topic.objects.filter(pk=t.pk).update(title="井盖松动", description="人行道")  # bulk: the trigger
    assert found(c, TOPICS, "缺失") == [] and found(c, TOPICS, "松动") == ["井盖松动"]
    assert found(c, TOPICS, "行道") == ["井盖松动"]
    procedures.screen(t, actor=world.users.community, accept=True)
    procedures.complete_step(t.pk, procedures.next_step(t).pk, actor=world.users.community, note="已立项")
    procedures.complete_step(t.pk, procedures.next_step(t).pk, actor=world.users.community, note="周五前更换井盖")
    assert found(c, TOPICS, "更换") == ["井盖松动"]  # a publication inserted later
    Topic.objects.filter(pk=t.pk).update(title="窨井盖松动")
    assert found(c, TOPICS, "更换") == ["窨井盖松动"]  # the notes kept through an edit
    close(m, world, "市政三日内维修")
    assert found(c, MEETINGS, "市政") == ["井盖问题协调会"]
    Meeting.objects.filter(pk=m.pk).delete()
    Topic.objects.filter(pk=t.pk).delete()
    assert found(c, TOPICS, "更换") == [] and found(c, MEETINGS, "市政") == []
    with connection.cursor() as cursor:
        for table in ("deliberation_topic_search", "deliberation_meeting_search"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a fixed name
            assert cursor.fetchone()[0] == 0, table


@pytest.mark.django_db
@pytest.mark.parametrize("url", [TOPICS, MEETINGS, "/api/v1/topics/", "/api/v1/meetings/"])
def test_a_search_page_costs_the_same_queries_whatever_it_finds(world, login, url):
    topic(world, "电梯异响")
    meeting(world, "电梯协调会")
    c = login(world.users.community)
    c.get(url, {"q": "电梯"})
    with CaptureQueriesContext(connection) as one:
        assert c.get(url, {"q": "电梯"}).status_code == 200
    for i in range(12):
        topic(world, f"{i}号楼电梯异响", f"第{i}次")
        meeting(world, f"{i}号楼电梯协调会")
    with CaptureQueriesContext(connection) as many:
        r = c.get(url, {"q": "电梯"})
    assert len(r.json()["results"] if url.startswith("/api/") else r.context["page_obj"]) == 13
    assert len(many.captured_queries) == len(one.captured_queries)
