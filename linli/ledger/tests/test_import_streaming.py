"""The import streams: rows are checked in batches and written in chunks, still all or nothing."""

import io
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from linli.core import crypto
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import AuditLog
from linli.ledger import importer
from linli.ledger.models import ImportJob
from linli.people.models import Household, Person
from linli.places.models import House
from linli.testing import make_id

from .helpers import row, xlsx


def add_houses(world, count):
    u = world.unit_a
    return House.objects.bulk_create(
        [
            House(
                unit=u,
                number=str(900 + i),
                area=Decimal("80"),
                building_id=u.building_id,
                compound_id=u.compound_id,
                grid_id=u.grid_id,
                community_id=u.community_id,
                subdistrict_id=u.subdistrict_id,
            )
            for i in range(count)
        ]
    )


def families(houses, count):
    """`count` new people, three to a house (head, spouse, child); some with a phone or a tag."""
    relations = ("户主", "配偶", "子女")
    return [
        row(
            f"住户{i}",
            make_id(i, "19900101"),
            house=houses[i // 3].number,
            relation=relations[i % 3],
            phone=f"1390000{i:04d}" if i % 2 else "",
            tags="党员" if i % 4 == 0 else "",
            tenure="租住" if i % 5 == 0 else "自有",
        )
        for i in range(count)
    ]


def existing(world):
    """Rows for people already in the ledger: new phone and tags; no change; a head turned tenant
    with a new phone; a new relation with the phone cell left blank."""
    return [
        row(world.p_a1h.name, world.p_a1h.id_number, house="101", phone="13700001111", tags="党员、低保"),
        row(world.p_a1s.name, world.p_a1s.id_number, house="101", relation="配偶", phone=world.p_a1s.phone),
        row(world.p_a2h.name, world.p_a2h.id_number, house="201", tenure="租住", phone="13700002222"),
        row(world.p_a2s.name, world.p_a2s.id_number, house="201", relation="子女", phone=""),
    ]


def run(user, rows):
    job = ImportJob.objects.create(owner=user, filename="台账.xlsx", content=xlsx(rows), total_rows=len(rows))
    return importer.run(job)


def counts():
    return (
        Person.objects.count(),
        Household.objects.count(),
        AuditLog.objects.count(),
        Person.tags.through.objects.count(),
    )


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(importer, "WRITE_CHUNK", 10)
    monkeypatch.setattr(importer, "CHECK_BATCH", 7)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 5)


@pytest.mark.django_db
@pytest.mark.parametrize("last", ["check digit", "outside scope"])
def test_an_error_on_the_last_row_of_three_chunks_writes_nothing(world, small_chunks, last):
    houses = add_houses(world, 11)
    good = make_id(999, "19900101")
    id_number = good[:17] + ("0" if good[17] != "0" else "1") if last == "check digit" else world.p_c1h.id_number
    rows = [*families(houses, 30), row("末行", id_number, house=houses[10].number)]
    before = counts()
    job = run(world.users.community, rows)
    assert job.status == "failed"
    assert (job.total_rows, job.processed_rows) == (31, 31)
    assert [(e["row"], e["column"]) for e in job.errors] == [(32, "身份证号" if last == "check digit" else None)]
    ws = load_workbook(io.BytesIO(bytes(job.error_file)))["住户台账"]
    assert [r[5] for r in ws.iter_rows(min_row=2, values_only=True)] == ["末行"]
    people, households, logs, tags = before
    assert counts() == (
        people,
        households,
        logs + (last == "outside scope"),
        tags,
    )  # + the administrators' record of the conflict


@pytest.mark.django_db
def test_a_failure_while_writing_the_third_chunk_rolls_back_the_first_two(world, small_chunks, monkeypatch):
    houses = add_houses(world, 10)
    write, calls = importer._Writer.write, []

    def failing_write(self, rows):
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        write(self, rows)

    monkeypatch.setattr(importer._Writer, "write", failing_write)
    before = counts()
    with pytest.raises(RuntimeError):
        run(world.users.community, families(houses, 30))
    assert calls == [10, 10, 10]
    assert counts() == before


def ledger_state(since):
    """People, households and the import's audit records, without the ids that differ between runs."""
    house_of = dict(Household.objects.values_list("pk", "house_id"))
    persons = sorted(
        (
            p.name,
            p.relation,
            p.id_number,
            p.phone,
            p.phone_hash,
            house_of[p.household_id],
            p.grid_id,
            str(p.birth_date),
            p.gender,
            tuple(sorted(t.name for t in p.tags.all())),
        )
        for p in Person.objects.prefetch_related("tags")
    )
    households = sorted(Household.objects.values_list("house_id", "tenure"))

    def plain(changes):
        if "household" in changes:  # household ids differ between runs; their houses do not
            changes = changes | {"household": [house_of.get(v, v) for v in changes["household"]]}
        return repr(sorted(changes.items()))

    logs = sorted(
        (a.action, a.content_type_id, a.object_repr, plain(a.changes), a.note.split("#")[0], a.community_id, a.grid_id)
        for a in AuditLog.objects.filter(pk__gt=since)
    )
    return persons, households, logs


@pytest.mark.django_db
def test_a_file_over_several_chunks_imports_and_audits_every_row(world, monkeypatch):
    houses = add_houses(world, 12)
    new, old = families(houses, 34), existing(world)
    rows = new[:8] + old[:2] + new[8:20] + old[2:] + new[20:]  # existing people in the first and second chunks
    since = AuditLog.objects.order_by("pk").last().pk

    results = {}
    for chunk in (1000, 10):
        monkeypatch.setattr(importer, "WRITE_CHUNK", chunk)
        with transaction.atomic():
            job = run(world.users.community, rows)
            assert job.status == "succeeded", job.errors
            results[chunk] = (job.created_count, job.updated_count, job.households_created), ledger_state(since)
            transaction.set_rollback(True)
    assert results[10] == results[1000]  # in chunks, the same ledger and the same audit records as at once

    (created, updated, households), (persons, tenures, logs) = results[10]
    assert (created, updated, households) == (34, 3, 12)  # p_a1s's row changes nothing
    names = [p[0] for p in persons]
    assert all(r["姓名"] in names for r in new)
    person_logs = [log for log in logs if log[0] == "create" and log[2].startswith("住户")]
    assert sorted(log[2] for log in person_logs) == sorted(r["姓名"] for r in new)
    assert len([log for log in logs if log[0] == "create"]) == 34 + 12
    updates = {log[2]: log[3] for log in logs if log[0] == "update"}
    assert set(updates) == {world.p_a1h.name, world.p_a2h.name, world.p_a2s.name}
    assert "('tags', [['党员'], ['低保', '党员']])" in updates[world.p_a1h.name]
    assert "('relation', ['spouse', 'child'])" in updates[world.p_a2s.name]
    assert [log[4] for log in logs if log[0] == "import"] == ["台账.xlsx: 34 new, 3 updated"]
    assert dict(tenures)[world.house_a2.pk] == "tenant"


@pytest.mark.django_db
def test_what_a_chunked_import_writes(world, small_chunks, monkeypatch):
    monkeypatch.setattr(importer, "WRITE_CHUNK", 3)  # the first house's rows span chunks 1 and 3
    houses = add_houses(world, 2)
    new = families(houses, 4)
    raw_before = raw_person(world.p_a1s.pk)
    job = run(world.users.community, [*new[:2], *existing(world), *new[2:]])
    assert (job.status, job.created_count, job.updated_count, job.households_created) == ("succeeded", 4, 3, 2)

    a1h, a2h, a2s = (Person.objects.get(pk=p.pk) for p in (world.p_a1h, world.p_a2h, world.p_a2s))
    assert (a1h.phone, a1h.phone_hash) == ("13700001111", crypto.keyed_hash("13700001111"))
    assert sorted(t.name for t in a1h.tags.all()) == ["低保", "党员"]
    assert a2h.phone == "13700002222" and Household.objects.get(pk=world.hh_a2.pk).tenure == "tenant"
    assert (a2s.relation, a2s.phone) == ("child", world.p_a2s.phone)  # a blank phone cell keeps the phone
    assert raw_person(world.p_a1s.pk) == raw_before  # a row that changes nothing is not rewritten

    for house in houses:
        hh = Household.objects.get(house=house)
        assert (hh.tenure, hh.grid_id, hh.unit_id) == (
            "tenant" if house == houses[0] else "owner",
            world.grid_a.pk,
            world.unit_a.pk,
        )
        log = AuditLog.objects.get(action="create", content_type__model="household", object_id=str(hh.pk))
        assert log.object_repr == str(hh) and log.changes == {"house": [None, house.pk], "tenure": [None, hh.tenure]}
    for data in new:
        person = Person.objects.get(id_number_hash=crypto.keyed_hash(data["身份证号"]))
        assert (person.name, person.household.house.number, person.grid_id) == (
            data["姓名"],
            data["门牌号"],
            world.grid_a.pk,
        )
        log = AuditLog.objects.get(action="create", content_type__model="person", object_id=str(person.pk))
        assert log.changes == {
            "name": [None, person.name],
            "relation": [None, person.relation],
            "household": [None, person.household_id],
            "id_number": [None, mask_id_number(person.id_number)],
            "phone": [None, mask_phone(person.phone)],
        }
        assert (log.actor, log.note, log.grid_id, log.community_id) == (
            world.users.community,
            f"import #{job.pk}",
            world.grid_a.pk,
            world.c1.pk,
        )
    assert AuditLog.objects.filter(action="update", note=f"import #{job.pk}").count() == 3


def raw_person(pk):
    """The encrypted columns as stored: Fernet tokens differ each time a value is written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.django_db
@pytest.mark.parametrize("again", [False, True], ids=["new people", "every row an update"])
def test_queries_do_not_grow_with_rows_for_a_fixed_number_of_chunks(world, monkeypatch, again):
    houses = add_houses(world, 30)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 10**6)
    old = existing(world)

    def queries(size):
        """Two check batches and two write chunks of `size` rows, each with two people already on
        file; with `again`, the new people are imported first and then again with new phones and tags."""
        monkeypatch.setattr(importer, "WRITE_CHUNK", size)
        monkeypatch.setattr(importer, "CHECK_BATCH", size)
        new = families(houses, 2 * size - 4)
        with transaction.atomic():
            if again:
                assert run(world.users.community, new).status == "succeeded"
                new = [r | {"联系电话": f"1370000{i:04d}", "标签": "低保"} for i, r in enumerate(new)]
            rows = new[: size - 2] + old[:2] + new[size - 2 :] + old[2:]
            with CaptureQueriesContext(connection) as ctx:
                job = run(world.users.community, rows)
            assert job.status == "succeeded", job.errors
            assert (job.created_count, job.updated_count) == ((0, 2 * size - 1) if again else (2 * size - 4, 3))
            transaction.set_rollback(True)
        return len(ctx.captured_queries)

    queries(10)  # warms the content-type cache
    assert queries(10) == queries(20) == queries(40)
