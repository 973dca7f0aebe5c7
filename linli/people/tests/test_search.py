"""Exact search by ID number or phone finds whom a full value belongs to, so it follows the reveal:
only roles with people.reveal over the person, throttled per user, every search audited (masked)."""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.core.models import AuditLog


def names_found(response):
    return [p.name for p in response.context["page_obj"]]


def searches():
    return AuditLog.objects.filter(action=AuditLog.Action.SEARCH)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["building_head", "resident"])
@pytest.mark.parametrize("field", ["phone", "id_number"])
def test_roles_without_reveal_cannot_search_by_phone_or_id_number(world, login, persona, field):
    """The building head turned 138****0001 into 13800000001 in 10,000 searches."""
    c = login(getattr(world.users, persona))
    r = c.get(reverse("people:list"), {"q": getattr(world.p_a1h, field)})
    assert r.status_code == 200
    assert names_found(r) == []
    assert "请按姓名查找" in r.content.decode()
    assert not searches().exists()
    # a wrong guess and a right one look the same
    assert names_found(c.get(reverse("people:list"), {"q": "13899999999"})) == []
    # the name search stays
    assert names_found(c.get(reverse("people:list"), {"q": world.p_a1h.name})) == [world.p_a1h.name]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["phone", "id_number"])
def test_exact_search_by_a_revealing_role_is_audited_masked(world, login, field):
    c = login(world.users.grid_a)
    value = getattr(world.p_a1h, field)
    assert names_found(c.get(reverse("people:list"), {"q": value})) == [world.p_a1h.name]
    record = searches().get()
    assert (record.actor, record.content_type.model, record.object_id, record.grid_id) == (
        world.users.grid_a,
        "person",
        str(world.p_a1h.pk),
        world.grid_a.pk,
    )
    masked = getattr(world.p_a1h, f"{field}_masked")
    assert masked in record.note
    assert value not in json.dumps([record.note, record.object_repr, record.changes], ensure_ascii=False)
    # the grid chief's audit log shows who looked whom up
    assert masked in login(world.users.community).get(reverse("core:audit"), {"action": "search"}).content.decode()


@pytest.mark.django_db
def test_a_search_that_finds_nobody_is_audited_too(world, login):
    c = login(world.users.grid_a)
    assert names_found(c.get(reverse("people:list"), {"q": "139 0000 9999"})) == []
    record = searches().get()
    assert (record.actor, record.content_type.model, record.grid_id) == (
        world.users.grid_a,
        "roleassignment",
        world.grid_a.pk,
    )
    assert "139****9999" in record.note and "13900009999" not in record.note


@pytest.mark.django_db
def test_exact_search_reaches_only_the_reveal_scope(world, login):
    """Grid worker in A, building head of building B: B's people are found by name only."""
    user = world.users.grid_a
    RoleAssignment.objects.create(user=user, role=Role.BUILDING_HEAD, building=world.bld_b)
    c = login(user)
    assert names_found(c.get(reverse("people:list"), {"q": world.p_b1h.name})) == [world.p_b1h.name]
    assert names_found(c.get(reverse("people:list"), {"q": world.p_b1h.phone})) == []
    assert names_found(c.get(reverse("people:list"), {"q": world.p_b1h.id_number})) == []
    assert names_found(c.get(reverse("people:list"), {"q": world.p_a1h.phone})) == [world.p_a1h.name]


@pytest.mark.django_db
def test_searches_by_phone_or_id_are_throttled_at_exactly_the_limit(world, login, settings):
    """30 searches in 10 minutes (the default): the 30th is answered, the 31st refused in Chinese;
    the oldest search frees its place exactly 10 minutes after it was made."""
    assert (settings.LINLI_IDENTIFIER_SEARCH_LIMIT, settings.LINLI_IDENTIFIER_SEARCH_WINDOW) == (30, 600)
    start = timezone.now()
    c = login(world.users.grid_a)
    url = reverse("people:list")
    with time_machine.travel(start, tick=False) as clock:
        for i in range(30):
            assert names_found(c.get(url, {"q": world.p_a1h.phone})) == [world.p_a1h.name], i
            clock.shift(datetime.timedelta(seconds=1))
        # 30 searches made at start+0s … start+29s; now start+30s
        refused = c.get(url, {"q": world.p_a1h.phone})
        assert refused.status_code == 200 and names_found(refused) == []
        assert "过于频繁" in refused.content.decode() and "10 分钟内最多 30 次" in refused.content.decode()
        assert names_found(c.get(url, {"q": world.p_a1h.name})) == [world.p_a1h.name]  # names are not throttled
        assert searches().count() == 30  # the refused one searched nothing
        clock.move_to(start + datetime.timedelta(seconds=599))
        assert names_found(c.get(url, {"q": world.p_a1h.id_number})) == []
        clock.move_to(start + datetime.timedelta(seconds=600))
        assert names_found(c.get(url, {"q": world.p_a1h.id_number})) == [world.p_a1h.name]
        assert names_found(c.get(url, {"q": world.p_a1h.id_number})) == []  # start+1s still counts
    # another user has their own allowance
    assert names_found(login(world.users.community).get(url, {"q": world.p_a1h.phone})) == [world.p_a1h.name]


@pytest.mark.django_db
def test_export_with_a_phone_search_is_held_to_the_same_rule(world, login):
    c = login(world.users.grid_a)
    assert c.get(reverse("ledger:export"), {"q": world.p_a1h.phone}).status_code == 200
    assert searches().get().object_id == str(world.p_a1h.pk)


@pytest.mark.django_db
def test_a_refused_search_says_how_many_minutes_to_wait_rounded_up(world, login, settings):
    """The wait is counted from the oldest search in the window, in whole minutes rounded up; the
    window is stated the same way (605 s: 11 minutes)."""
    settings.LINLI_IDENTIFIER_SEARCH_LIMIT, settings.LINLI_IDENTIFIER_SEARCH_WINDOW = 2, 605
    start = timezone.now()
    c = login(world.users.grid_a)
    url = reverse("people:list")

    def told(at):
        clock.move_to(start + datetime.timedelta(seconds=at))
        text = c.get(url, {"q": world.p_a1h.phone}).content.decode()
        return text[text.index("过于频繁") :].split("后再试")[0]

    with time_machine.travel(start, tick=False) as clock:
        for at in (0, 4):  # the two allowed, at start + 0 s and start + 4 s
            clock.move_to(start + datetime.timedelta(seconds=at))
            assert names_found(c.get(url, {"q": world.p_a1h.phone})) == [world.p_a1h.name]
        assert "11 分钟内最多 2 次" in told(5)
        assert "请 10 分钟" in told(5)  # 600 s until start + 0 s leaves the window
        assert "请 10 分钟" in told(60)  # 545 s: 9.08 minutes
        assert "请 9 分钟" in told(65)  # 540 s: exactly 9
        assert "请 1 分钟" in told(604)  # 1 s
    assert searches().count() == 2


@pytest.mark.django_db
def test_searches_older_than_the_window_stop_counting_though_the_user_kept_searching(world, login, settings):
    """The cache keeps a user's list as long as they search at least once per window: the entries
    in it that have left the window must not count."""
    settings.LINLI_IDENTIFIER_SEARCH_LIMIT, settings.LINLI_IDENTIFIER_SEARCH_WINDOW = 2, 600
    start = timezone.now()
    c = login(world.users.grid_a)
    url = reverse("people:list")
    with time_machine.travel(start, tick=False) as clock:
        for at in (0, 500, 700):  # at 700 s only the search of 500 s is in the window
            clock.move_to(start + datetime.timedelta(seconds=at))
            assert names_found(c.get(url, {"q": world.p_a1h.phone})) == [world.p_a1h.name], at
        assert names_found(c.get(url, {"q": world.p_a1h.phone})) == []  # 500 s and 700 s: the limit


@pytest.mark.django_db
def test_a_lowered_limit_holds_at_once_for_users_already_past_it(world, login, settings):
    start = timezone.now()
    c = login(world.users.grid_a)
    url = reverse("people:list")
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert names_found(c.get(url, {"q": world.p_a1h.phone})) == [world.p_a1h.name]
        settings.LINLI_IDENTIFIER_SEARCH_LIMIT = 3  # 5 searches in the window already: more than 3
        assert names_found(c.get(url, {"q": world.p_a1h.phone})) == []
    assert searches().count() == 5


@pytest.mark.django_db
def test_one_search_finds_and_audits_at_most_50_persons(world):
    """A phone shared by more people than a search shows (MAX_FOUND): 50 found, 50 audit records."""
    from linli.core.actions import create_object
    from linli.people import search
    from linli.people.models import Person, Relation
    from linli.testing import make_id

    for serial in range(51):
        create_object(
            Person,
            actor=None,
            household=world.hh_a2,
            name=f"同号{serial}",
            relation=Relation.OTHER,
            id_number=make_id(serial, birth="19900101"),
            phone="13911112222",
        )
    found = search.find(Person.objects.all(), world.users.grid_a, "phone", "13911112222")
    assert found.count() == 50 == search.MAX_FOUND
    assert searches().count() == 50
