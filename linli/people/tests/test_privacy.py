"""A masked value must not be completable from anything else the same role sees.

The ID number's hidden digits are the birth date: for every role that sees a person, gather every
page, API response, form, audit record and export that shows them, and count the ID numbers
consistent with all of it (people/tests/reconstruct.py). Roles without people.reveal learn nothing
of the birth date (≈4,200 candidates); roles with it see the birth year (≥ 30 candidates) and get
the clear value only from the audited reveal.
"""

import datetime
import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.people.models import Person, Relation
from linli.testing import make_id, response_text

from .reconstruct import consistent_ids, consistent_phones, date_forms

BIRTH = datetime.date(1957, 8, 23)
REVEAL = ["admin", "subdistrict", "community", "grid_a"]
NO_REVEAL = ["building_head", "resident"]


@pytest.fixture
def target(world):
    """A resident of household A1 with a distinctive birth date, created and then edited, so the
    audit log holds both a creation and an update of them."""
    from linli.core.actions import update_object

    person = create_object(
        Person, actor=world.users.grid_a, household=world.hh_a1, name="测试甲", relation=Relation.PARENT,
        id_number=make_id(321, BIRTH.strftime("%Y%m%d")), phone="13912340823",
    )  # fmt: skip
    return update_object(person, actor=world.users.grid_a, phone="13912340824")


text_of = response_text


def everything_seen(client, person):
    """The text of every page, form, export and API response that shows `person` to this client
    (those it may open), and the API's record of them."""
    urls = [
        person.get_absolute_url(), person.household.get_absolute_url(), reverse("people:list"),
        reverse("people:list") + f"?q={person.name}", reverse("people:person_edit", args=[person.pk]),
        reverse("core:audit"), reverse("core:audit") + f"?q={person.name}", reverse("ledger:export"),
        f"/api/v1/persons/{person.pk}/", f"/api/v1/persons/?household={person.household_id}",
        f"/api/v1/audit/?model=person&object_id={person.pk}",
        person.household.house.get_absolute_url(),
    ]  # fmt: skip
    texts = []
    for url in urls:
        r = client.get(url)
        if r.status_code == 200:
            texts.append(text_of(r))
    detail = client.get(f"/api/v1/persons/{person.pk}/")
    return "\n".join(texts), detail.json() if detail.status_code == 200 else None


@pytest.mark.django_db
@pytest.mark.parametrize("persona", REVEAL + NO_REVEAL)
def test_nothing_a_role_sees_completes_the_masked_id_number(world, login, target, persona):
    c = login(getattr(world.users, persona))
    seen, record = everything_seen(c, target)
    masked = target.id_number_masked
    assert masked in seen and record is not None, "the role sees this person, masked"
    assert target.id_number not in seen
    leaked = [form for form in date_forms(BIRTH) if form in seen]
    assert not leaked, f"{persona} sees the birth date {leaked}: with {masked} that is the whole ID number"
    known = {k: record[k] for k in ("birth_date", "birth_year", "age") if record.get(k) is not None}
    if "birth_date" in known:
        known["birth_date"] = datetime.date.fromisoformat(known["birth_date"])
    candidates = consistent_ids(masked, timezone.localdate(), **known)
    if persona in NO_REVEAL:
        # nothing of the birth date anywhere: the year would narrow 4,200 candidates to 33. The year
        # as a number of its own: inside a longer one (a timestamp's microseconds) it says nothing
        assert known == {} and not re.search(rf"(?<!\d){BIRTH.year}(?!\d)", seen), persona
        assert candidates >= 4000, f"{persona}: only {candidates} ID numbers fit what they see"
    else:
        assert known == {"birth_year": BIRTH.year}, persona
        assert candidates >= 30, f"{persona}: only {candidates} ID numbers fit what they see"
        # …and the clear value comes only from the audited reveal
        assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()
        r = c.post(reverse("people:reveal", args=[target.pk, "id_number"]))
        assert target.id_number in r.content.decode()
        assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL, actor=getattr(world.users, persona)).count() == 1
    # the phone: nothing shown narrows the four hidden digits (exact search is the reveal's, see test_search)
    assert target.phone not in seen and consistent_phones(target.phone_masked) == 10_000


def _stable(body: bytes) -> str:
    # CSRF tokens are masked afresh on every response
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+', r"\1", body.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("persona", REVEAL + NO_REVEAL)
def test_nothing_shown_changes_on_the_birthday(world, login, target, persona):
    """An age in years changes on the birthday: a page watched daily would give the birth date."""
    user = getattr(world.users, persona)
    urls = [target.get_absolute_url(), target.household.get_absolute_url(), f"/api/v1/persons/{target.pk}/"]
    views = []
    for day in (datetime.date(2026, 8, 22), BIRTH.replace(year=2026)):
        noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        with time_machine.travel(noon, tick=False):
            c = login(user)
            views.append([_stable(c.get(url).content) for url in urls])
    assert views[0] == views[1]


@pytest.mark.django_db
def test_reveal_rules_follow_the_scope_of_the_reveal_permission(world, login):
    """A grid worker of grid A who is also building head of building B (grid B) sees B's people as
    a building head: no sensitive tag, no birth year."""
    user = world.users.grid_a
    RoleAssignment.objects.create(user=user, role=Role.BUILDING_HEAD, building=world.bld_b)
    world.p_b1h.tags.add(world.tag_poor)
    world.p_a1h.tags.add(world.tag_poor)
    c = login(user)
    page = c.get(world.p_b1h.get_absolute_url()).content.decode()
    assert world.p_b1h.id_number_masked in page
    assert "低保" not in page and "1980" not in page
    record = c.get(f"/api/v1/persons/{world.p_b1h.pk}/").json()
    assert record["tags"] == [] and record["birth_year"] is None
    listing = c.get(reverse("people:list"), {"tag": world.tag_poor.pk}).content.decode()
    assert world.p_a1h.name in listing and world.p_b1h.name not in listing
    assert [p["id"] for p in c.get("/api/v1/persons/", {"tag": "低保"}).json()["results"]] == [world.p_a1h.pk]
    # in grid A they are still a grid worker
    own = c.get(world.p_a1h.get_absolute_url()).content.decode()
    assert "低保" in own and "1980" in own


@pytest.mark.django_db
def test_reveal_fragment_and_the_page_it_lands_on_are_never_stored(world, login):
    c = login(world.users.grid_a)
    r = c.post(reverse("people:reveal", args=[world.p_a1h.pk, "phone"]))
    assert world.p_a1h.phone in r.content.decode()
    assert {"no-store", "private"} <= {v.strip() for v in r["Cache-Control"].split(",")}
    assert 'hx-history="false"' in r.content.decode()  # htmx keeps no snapshot of it in localStorage
    # Back/forward cache would restore the page with the clear value swapped in
    page = c.get(world.p_a1h.get_absolute_url())
    assert "no-store" in page["Cache-Control"]
    api = c.post(f"/api/v1/persons/{world.p_a1h.pk}/reveal/", {"field": "phone"})
    assert {"no-store", "private"} <= {v.strip() for v in api["Cache-Control"].split(",")}


@pytest.mark.django_db
def test_audit_records_keep_the_birth_year_only(world, login):
    c = login(world.users.grid_a)
    p = world.p_a1h
    new_id = make_id(902, "19640305")
    r = c.post(
        reverse("people:person_edit", args=[p.pk]),
        {"name": p.name, "relation": "head", "gender": "male", "id_number": new_id, "phone": ""},
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.birth_date == datetime.date(1964, 3, 5)  # the ID number's birth digits are the birth date
    update = AuditLog.objects.get(action=AuditLog.Action.UPDATE, object_id=str(p.pk), content_type__model="person")
    assert update.changes["birth_date"] == ["1980-**-**", "1964-**-**"]
    create = AuditLog.objects.get(
        action=AuditLog.Action.CREATE, object_id=str(world.p_b1h.pk), content_type__model="person"
    )
    assert create.changes["birth_date"] == [None, "1980-**-**"]
    assert all("1980-01-01" not in json.dumps(r.changes) for r in AuditLog.objects.all())


@pytest.mark.django_db
def test_migration_masks_birth_dates_already_in_the_audit_log(world):
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    person, household = ContentType.objects.get_for_model(Person), ContentType.objects.get_for_model(world.hh_a1)
    old = AuditLog.objects.create(
        action="update",
        content_type=person,
        object_id=str(world.p_a1h.pk),
        object_repr="居民a1h",
        changes={"birth_date": ["1980-01-01", "1964-03-05"], "name": ["甲", "乙"]},
    )
    new = AuditLog.objects.create(
        action="create",
        content_type=person,
        object_id="1",
        object_repr="x",
        changes={"birth_date": [None, "1980-**-**"]},
    )
    other = AuditLog.objects.create(
        action="update",
        content_type=household,
        object_id="1",
        object_repr="x",
        changes={"birth_date": [None, "1999-09-09"]},
    )
    importlib.import_module("linli.people.migrations.0004_mask_birth_dates_in_audit_records").mask_birth_dates(
        apps, None
    )
    for record in (old, new, other):
        record.refresh_from_db()
    assert old.changes == {"birth_date": ["1980-**-**", "1964-**-**"], "name": ["甲", "乙"]}
    assert new.changes == {"birth_date": [None, "1980-**-**"]}
    assert other.changes == {"birth_date": [None, "1999-09-09"]}  # only persons' records


@pytest.mark.django_db
def test_scope_covers_a_row_exactly_when_restrict_returns_it(world):
    """privacy.reveals checks rows in Python (no query per row): it must agree with restrict()."""
    from linli.core.scope import scope_for
    from linli.people.models import Household

    RoleAssignment.objects.create(user=world.users.grid_b, role=Role.UNIT_HEAD, unit=world.unit_c)
    RoleAssignment.objects.create(user=world.users.resident, role=Role.BUILDING_HEAD, building=world.bld_b)
    for name, user in vars(world.users).items():
        for model in (Person, Household):
            for action in ("view", "reveal", "change"):
                scope = scope_for(user, f"people.{action}")
                covered = {obj.pk for obj in model.objects.all() if scope.covers(obj)}
                assert covered == set(model.objects.restrict(user, action).values_list("pk", flat=True)), (
                    name,
                    model,
                    action,
                )
