"""网格悄悄话 (anonymous requests): nobody but the roles docs/workorders.md names learns who reported
one — not from the timeline, the reporter fields, the place, the API, Open311, notifications or the
audit log — and the request never stores or shows the reporter's home as the problem's place."""

import importlib
import json
import re

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.models import RoleAssignment, User
from linli.cases import actions
from linli.cases.models import Case, Category, State
from linli.core.actions import create_object
from linli.core.models import AuditLog, Notification
from linli.people.models import Person, Relation
from linli.testing import make_id

SECRET = "楼上天天半夜装修，物业不管。怕被报复，不想让人知道是我说的"
NAME, LOGIN = "顾建", "gujian"


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def people(world):
    """顾建 of household A1 in the ledger and signed in as a resident; his wife, also a resident of
    A1; a grid chief of grid A. With the world's personas, everyone who sees a whisper of grid A."""
    create_object(
        Person,
        actor=None,
        household=world.hh_a1,
        name=NAME,
        relation=Relation.CHILD,
        id_number=make_id(900),
        phone="13900009999",
    )
    reporter = User.objects.create_user(LOGIN, display_name=f"居民·{NAME}")
    RoleAssignment.objects.create(user=reporter, role="resident", household=world.hh_a1)
    wife = User.objects.create_user("gujian_wife", display_name="居民·顾妻")
    RoleAssignment.objects.create(user=wife, role="resident", household=world.hh_a1)
    chief = User.objects.create_user("grid_chief", display_name="网格长")
    RoleAssignment.objects.create(user=chief, role="grid_chief", grid=world.grid_a)
    u = world.users
    return {
        "reporter": reporter,
        "household_member": wife,
        "grid_chief": chief,
        "grid_worker": u.grid_a,
        "community": u.community,
        "subdistrict": u.subdistrict,
        "admin": u.admin,
        "building_head": u.building_head,
        "property": u.property,
    }


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


@pytest.fixture
def walked(world, people):
    """A whisper about building 1, dispatched, handled, verified, rated and commented on by its reporter."""
    reporter = people["reporter"]
    case = actions.report_case(
        actor=reporter,
        category=Category.objects.get(name="邻里纠纷"),
        grid=world.grid_a,
        compound=world.cp1,
        building=world.bld_a,
        description=SECRET,
        channel="whisper",
        reporter=reporter,
        reporter_household=world.hh_a1,
        reporter_name=str(reporter),
    )
    u = world.users
    step(case, "dispatch", u.grid_a, assignee_org=world.pm)
    step(case, "start", u.property)
    step(case, "handle", u.property, note="已上门劝导")
    step(case, "verify", u.grid_a)
    step(case, "rate", reporter, rating="dissatisfied", note="还是很吵")
    actions.comment(case, actor=reporter, note="晚上十一点以后还在敲")
    actions.comment(case, actor=u.grid_a, note="已电话联系物业")
    case.refresh_from_db()
    return case


OTHERS = ["grid_chief", "grid_worker", "community", "subdistrict", "admin", "building_head", "property"]


# ---- 2. the reporter named in the timeline ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OTHERS)
def test_no_event_of_a_whisper_names_its_reporter_in_html(world, people, walked, login, persona):
    r = login(people[persona]).get(walked.get_absolute_url())
    assert r.status_code == 200
    body = r.content.decode()
    assert NAME not in body and LOGIN not in body, persona
    timeline = body.split('data-testid="timeline"')[1]
    assert timeline.count("匿名") == 3  # report, rating, the reporter's comment
    assert "您（匿名）" not in body  # "you" is for the reporter alone
    assert "grid_a" in timeline and "property" in timeline  # staff still appear by name


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OTHERS)
def test_no_event_of_a_whisper_names_its_reporter_in_the_api(world, people, walked, persona):
    r = api(people[persona]).get(f"/api/v1/cases/{walked.pk}/")
    assert r.status_code == 200
    assert NAME not in r.content.decode() and LOGIN not in r.content.decode(), persona
    actors = [(e["action"], e["actor"]) for e in r.json()["events"]]
    assert ("rate", None) in actors and ("report", None) in actors
    assert [a for act, a in actors if act == "comment"] == [None, "grid_a"]
    assert r.json()["reporter_name"] is None
    # the list and the answer to a write say no more than the detail
    listed = api(people[persona]).get("/api/v1/cases/").content.decode()
    assert NAME not in listed and LOGIN not in listed


@pytest.mark.django_db
def test_a_whisper_is_the_reporters_alone_in_the_household(world, people, walked, login):
    """The household's other residents see its ordinary requests, not a member's whisper (it may be
    about them): in the list, the page and the API."""
    ordinary = actions.report_case(
        actor=people["reporter"],
        category=walked.category,
        grid=world.grid_a,
        description="楼道灯坏了",
        channel="self_service",
        reporter=people["reporter"],
        reporter_household=world.hh_a1,
    )
    wife = people["household_member"]
    assert list(Case.objects.restrict(wife).values_list("pk", flat=True)) == [ordinary.pk]
    assert login(wife).get(walked.get_absolute_url()).status_code == 404
    assert SECRET[:6] not in login(wife).get(reverse("cases:list")).content.decode()
    assert api(wife).get(f"/api/v1/cases/{walked.pk}/").status_code == 404
    assert api(wife).post(f"/api/v1/cases/{walked.pk}/comment/", {"note": "x"}, format="json").status_code == 404
    assert sorted(Case.objects.restrict(people["reporter"]).values_list("pk", flat=True)) == sorted(
        [walked.pk, ordinary.pk]
    )


@pytest.mark.django_db
def test_the_reporter_sees_their_own_events_as_theirs(world, people, walked, login):
    body = login(people["reporter"]).get(walked.get_absolute_url()).content.decode()
    timeline = body.split('data-testid="timeline"')[1]
    assert timeline.count("您（匿名）") == 3  # report, rating, comment
    assert NAME not in timeline


def reporter_shown(client, case):
    """What the request page's Reporter field says."""
    return re.search(
        r'<span id="reporter-value">(.*?)</span>', client.get(case.get_absolute_url()).content.decode()
    ).group(1)


@pytest.mark.django_db
def test_the_reporter_field_says_you_to_the_reporter_anonymous_to_the_others_and_names_ordinary_reporters(
    world, people, walked, login
):
    assert reporter_shown(login(people["reporter"]), walked) == "您（匿名）"
    for persona in ("grid_worker", "community", "property"):
        assert reporter_shown(login(people[persona]), walked) == "匿名", persona
    reporter, staff = people["reporter"], login(world.users.grid_a)
    kw = {"category": walked.category, "grid": world.grid_a, "description": "楼道灯坏了"}
    named = actions.report_case(
        actor=reporter,
        channel="self_service",
        reporter=reporter,
        reporter_household=world.hh_a1,
        reporter_name="顾先生",
        **kw,
    )
    unnamed = actions.report_case(
        actor=reporter, channel="self_service", reporter=reporter, reporter_household=world.hh_a1, **kw
    )
    hotline = actions.report_case(actor=None, channel="hotline", **kw)
    assert [reporter_shown(staff, c) for c in (named, unnamed, hotline)] == ["顾先生", f"居民·{NAME}", "—"]


@pytest.mark.django_db
def test_a_member_of_the_reporters_household_is_not_named_even_acting_as_staff(world, people, walked, login):
    """The reporter's wife is also a grid worker of grid A and comments on the whisper as staff:
    her name would name the family, so the timeline hides her too, on the page and in the API."""
    wife = people["household_member"]
    RoleAssignment.objects.create(user=wife, role="grid_worker", grid=world.grid_a)
    wife = User.objects.get(pk=wife.pk)
    actions.comment(walked, actor=wife, note="我去看过了")
    for persona in ("grid_worker", "community"):
        body = login(people[persona]).get(walked.get_absolute_url()).content.decode()
        assert "顾妻" not in body and "gujian_wife" not in body, persona
        assert body.split('data-testid="timeline"')[1].count("匿名") == 4, persona  # report, rating, two comments
    events = api(people["community"]).get(f"/api/v1/cases/{walked.pk}/").json()["events"]
    assert [e["actor"] for e in events if e["action"] == "comment"] == [None, "grid_a", None]


@pytest.mark.django_db
def test_a_reporter_who_left_the_household_stays_anonymous(world, people, walked, login):
    """The reporter's role on the household is revoked (they moved out): their rating and comment
    stay anonymous, though the household no longer counts them among its members."""
    RoleAssignment.objects.filter(user=people["reporter"]).delete()
    body = login(people["community"]).get(walked.get_absolute_url()).content.decode()
    assert NAME not in body and LOGIN not in body
    assert body.split('data-testid="timeline"')[1].count("匿名") == 3


@pytest.mark.django_db
def test_comment_answer_over_the_api_hides_the_reporter_too(world, people, walked):
    r = api(people["grid_worker"]).post(f"/api/v1/cases/{walked.pk}/comment/", {"note": "已回访"}, format="json")
    assert r.status_code == 200
    assert NAME not in r.content.decode() and LOGIN not in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["grid_chief", "community", "admin"])
def test_the_audit_log_of_a_whisper_never_names_its_reporter(world, people, walked, login, persona):
    """Every move and comment is audited; the reporter's own (rating, comment) without a name,
    as on the timeline — on the audit page and in the API."""
    page = login(people[persona]).get(reverse("core:audit"), {"q": walked.number}).content.decode()
    rows = [row for row in page.split("<tr")[2:] if walked.number in row]
    # the rating (the move, shown by its label) and two comments
    assert sum("评价" in row or "comment" in row for row in rows) == 3
    assert all(NAME not in row and LOGIN not in row for row in rows), persona
    records = [
        r
        for r in api(people[persona]).get("/api/v1/audit/", {"page_size": 200}).json()["results"]
        if walked.number in r["object_repr"]
    ]
    assert {r["note"] for r in records} >= {"dispatch", "start", "handle", "verify", "rate", "comment"}
    assert [r["actor"] for r in records if r["note"] == "rate"] == [None]
    assert all(NAME not in json.dumps(r, ensure_ascii=False) and LOGIN not in json.dumps(r) for r in records), persona


@pytest.mark.django_db
def test_staff_who_may_know_reveal_the_reporter_through_an_audited_action(world, people, walked, login):
    url = reverse("cases:reveal_reporter", args=[walked.pk])
    for persona in ("grid_worker", "grid_chief", "building_head", "property", "reporter"):
        assert login(people[persona]).post(url).status_code == 403, persona
    r = login(people["community"]).post(url)
    assert r.status_code == 200 and NAME in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    assert login(people["community"]).get(url).status_code == 405
    record = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert (record.actor, record.object_id, record.note) == (people["community"], str(walked.pk), "reporter")
    assert NAME not in str(record.changes) + record.object_repr + record.note
    # the API: the same action, the same audit
    r = api(people["subdistrict"]).post(f"/api/v1/cases/{walked.pk}/reveal_reporter/")
    assert r.status_code == 200 and r.json()["reporter_name"] == f"居民·{NAME}"
    assert api(people["grid_worker"]).post(f"/api/v1/cases/{walked.pk}/reveal_reporter/").status_code == 403
    assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL).count() == 2


@pytest.mark.django_db
def test_reveal_out_of_scope_is_404(world, people, walked, login):
    other = User.objects.create_user("c2_staff")
    RoleAssignment.objects.create(user=other, role="community_staff", community=world.c2)
    assert login(other).post(reverse("cases:reveal_reporter", args=[walked.pk])).status_code == 404
    assert api(other).post(f"/api/v1/cases/{walked.pk}/reveal_reporter/").status_code == 404
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


@pytest.mark.django_db
def test_notifications_and_open311_never_name_the_reporter(world, people, walked, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from linli.accounts.actions import issue_open311_key
    from linli.cases.overdue import mark_overdue

    fresh = actions.report_case(
        actor=people["reporter"],
        category=Category.objects.get(name="邻里纠纷"),
        grid=world.grid_a,
        compound=world.cp1,
        description=SECRET,
        channel="whisper",
        reporter=people["reporter"],
        reporter_household=world.hh_a1,
        reporter_name=str(people["reporter"]),
    )
    Case.objects.filter(pk=fresh.pk).update(resolve_by=timezone.now() - timezone.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue() == 1
        step(fresh, "whistle", world.users.community, note="需街道协调")
        step(
            fresh,
            "assign",
            world.users.subdistrict,
            assignee_org=world.dept,
            deadline=timezone.now() + timezone.timedelta(days=3),
        )
    assert Notification.objects.exists()
    for n in Notification.objects.all():
        assert NAME not in n.text and LOGIN not in n.text
    _key, secret = issue_open311_key(actor=world.users.admin, user=world.users.community, name="热线")
    body = APIClient().get(f"/open311/v2/requests/{fresh.pk}.json", {"api_key": secret}).content.decode()
    assert "service_request_id" in body and NAME not in body and LOGIN not in body


@pytest.mark.django_db
def test_merging_a_whisper_tells_no_one_who_reported_it(world, people, login, django_capture_on_commit_callbacks):
    cat = Category.objects.get(name="邻里纠纷")
    whisper = actions.report_case(
        actor=people["reporter"],
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        description=SECRET,
        channel="whisper",
        reporter=people["reporter"],
        reporter_household=world.hh_a1,
        reporter_name=str(people["reporter"]),
    )
    kept = actions.report_case(
        actor=world.users.grid_a,
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        description="楼上半夜装修噪音，物业不管",
        channel="patrol",
    )
    page = login(world.users.grid_a).get(kept.get_absolute_url()).content.decode()
    assert 'data-testid="similar"' in page and whisper.number in page and NAME not in page and LOGIN not in page
    actions.merge(whisper.pk, kept.pk, actor=world.users.grid_a, version=0)
    for persona in ("grid_worker", "community", "property"):
        if persona == "property":
            step(kept, "dispatch", world.users.grid_a, assignee_org=world.pm)
        body = login(people[persona]).get(kept.get_absolute_url()).content.decode()
        assert NAME not in body and LOGIN not in body, persona
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("start", "handle", "verify", "close"):
            step(
                kept,
                name,
                world.users.property if name in ("start", "handle") else world.users.grid_a,
                **({"note": "已处理"} if name == "handle" else {}),
            )
    assert Notification.objects.filter(user=people["reporter"]).exists()  # the reporter hears the outcome
    for n in Notification.objects.exclude(user=people["reporter"]):
        assert NAME not in n.text and LOGIN not in n.text


# ---- 3. the reporter's own house ----------------------------------------------------------------


@pytest.mark.django_db
def test_resident_form_never_stores_the_reporters_house_for_a_whisper(world, people, login):
    c = login(people["reporter"])
    cat = Category.objects.get(name="邻里纠纷")
    r = c.post(
        reverse("cases:report_mine"),
        {"category": cat.pk, "description": SECRET, "anonymous": "on", "place": f"building:{world.bld_b.pk}"},
    )
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.anonymous and case.channel == "whisper"
    assert (
        case.house is None and case.building == world.bld_b and case.compound == world.cp1 and case.grid == world.grid_b
    )
    assert case.reporter_household == world.hh_a1 and case.reporter == people["reporter"]
    assert c.get(case.get_absolute_url()).status_code == 200  # the reporter still follows it


@pytest.mark.django_db
def test_a_whisper_cannot_be_placed_at_the_reporters_home(world, people, login):
    c = login(people["reporter"])
    cat = Category.objects.get(name="邻里纠纷")
    r = c.post(
        reverse("cases:report_mine"), {"category": cat.pk, "description": SECRET, "anonymous": "on", "place": "home"}
    )
    assert r.status_code == 200 and "place" in r.context["form"].errors
    assert "悄悄话" in " ".join(r.context["form"].errors["place"])
    assert not Case.objects.exists()
    # without the whisper, home is a place like any other
    r = c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "我家水管漏水", "place": "home"})
    case = Case.objects.get()
    assert (case.house, case.building, case.grid, case.anonymous) == (world.house_a1, world.bld_a, world.grid_a, False)


@pytest.mark.django_db
def test_resident_form_offers_only_the_buildings_of_their_compound(world, people, login):
    c = login(people["reporter"])
    cat = Category.objects.get(name="设施维修")
    page = c.get(reverse("cases:report_mine"))
    choices = [v for v, _label in page.context["form"].fields["place"].choices]
    w = world
    assert choices == [
        "",
        "home",
        "common",
        f"building:{w.bld_a.pk}",
        f"building:{w.bld_b.pk}",
        f"unit:{w.unit_a.pk}",
        f"unit:{w.unit_b.pk}",
        "map",
    ]
    r = c.post(
        reverse("cases:report_mine"),
        {"category": cat.pk, "description": "x", "anonymous": "on", "place": f"building:{world.bld_c.pk}"},
    )
    assert r.status_code == 200 and "place" in r.context["form"].errors and not Case.objects.exists()
    r = c.post(reverse("cases:report_mine"), {"category": cat.pk, "description": "x", "anonymous": "on"})
    assert "place" in r.context["form"].errors and not Case.objects.exists()


@pytest.mark.django_db
def test_common_area_grid_does_not_depend_on_who_reports(world, people, login):
    """The compound's common area goes to the grid holding most of its buildings (ties: the lowest
    id) — the same grid whoever reports, so it never points at the reporter's home."""
    cat = Category.objects.get(name="设施维修")
    neighbour = User.objects.create_user("b_resident")
    RoleAssignment.objects.create(user=neighbour, role="resident", household=world.hh_b1)  # lives in building 2, grid B
    for user in (people["reporter"], neighbour):
        r = login(user).post(
            reverse("cases:report_mine"),
            {"category": cat.pk, "description": "小区大门坏了", "anonymous": "on", "place": "common"},
        )
        assert r.status_code == 302
    grids = {(c.grid_id, c.compound_id, c.building_id, c.house_id) for c in Case.objects.all()}
    assert grids == {(min(world.grid_a.pk, world.grid_b.pk), world.cp1.pk, None, None)}
    # one more building in grid B: now grid B holds most of the compound
    create_object(type(world.bld_b), actor=None, compound=world.cp1, grid=world.grid_b, name="3号楼")
    login(people["reporter"]).post(
        reverse("cases:report_mine"),
        {"category": cat.pk, "description": "小区大门又坏了", "anonymous": "on", "place": "common"},
    )
    assert Case.objects.order_by("-id").first().grid == world.grid_b


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OTHERS)
def test_no_role_sees_the_reporters_house_on_a_whisper(world, people, login, persona):
    c = login(people["reporter"])
    cat = Category.objects.get(name="邻里纠纷")
    c.post(
        reverse("cases:report_mine"),
        {"category": cat.pk, "description": SECRET, "anonymous": "on", "place": f"building:{world.bld_a.pk}"},
    )
    case = Case.objects.get()
    step(case, "dispatch", world.users.grid_a, assignee_org=world.pm)
    user = people[persona]
    body = login(user).get(case.get_absolute_url()).content.decode()
    place = body.split('data-testid="place"')[1].split("</dd>")[0] if 'data-testid="place"' in body else body
    assert "1号楼" in body and "101" not in place and world.house_a1.get_absolute_url() not in body, persona
    data = api(user).get(f"/api/v1/cases/{case.pk}/").json()
    assert data["house"] is None and data["building"] == world.bld_a.pk, persona


@pytest.mark.django_db
def test_staff_intake_and_api_refuse_a_house_on_an_anonymous_request(world, login):
    cat = Category.objects.get(name="邻里纠纷")
    r = login(world.users.grid_a).post(
        reverse("cases:report"),
        {
            "channel": "whisper",
            "category": cat.pk,
            "where": "house",
            "house": world.house_a1.pk,
            "house_address": str(world.house_a1),
            "description": "x",
        },
    )
    assert r.status_code == 200 and "house_address" in r.context["form"].errors and not Case.objects.exists()
    r = api(world.users.grid_a).post(
        "/api/v1/cases/",
        {
            "channel": "patrol",
            "anonymous": True,
            "category": cat.pk,
            "grid": world.grid_a.pk,
            "house": world.house_a1.pk,
            "description": "x",
        },
        format="json",
    )
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["house"]
    assert not Case.objects.exists()
    r = api(world.users.grid_a).post(
        "/api/v1/cases/",
        {
            "channel": "whisper",
            "category": cat.pk,
            "grid": world.grid_a.pk,
            "building": world.bld_a.pk,
            "description": "x",
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["house"] is None and r.json()["anonymous"] is True


@pytest.mark.django_db
def test_migration_clears_the_house_of_existing_whispers(world, people):
    cat = Category.objects.get(name="邻里纠纷")
    whisper = actions.report_case(
        actor=people["reporter"],
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        building=world.bld_a,
        description=SECRET,
        channel="whisper",
        reporter=people["reporter"],
        reporter_household=world.hh_a1,
    )
    public = actions.report_case(
        actor=world.users.grid_a,
        category=cat,
        grid=world.grid_a,
        compound=world.cp1,
        building=world.bld_a,
        house=world.house_a2,
        description="楼道堆物",
        channel="patrol",
    )
    Case.objects.filter(pk=whisper.pk).update(house=world.house_a1, state=State.CLOSED)  # as the old form stored it
    migration = importlib.import_module("linli.cases.migrations.0010_clear_whisper_houses")
    migration.clear_whisper_houses(apps, None)
    whisper.refresh_from_db()
    public.refresh_from_db()
    assert whisper.house is None and whisper.building == world.bld_a and whisper.reporter_household == world.hh_a1
    assert public.house == world.house_a2
