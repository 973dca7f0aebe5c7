"""Ledger import: validate every row, then write all or nothing, in two streaming passes.

Pass 1 streams the sheet (openpyxl read_only) and checks each row. It keeps only what checks
across rows need (ID number → first row, house → its head's row), the errors and the failing
rows; houses are loaded per compound as the file names them, and ID numbers already in the
ledger are looked up in batches as rows go by. Only a file without errors gets pass 2: the sheet
is read again and written in chunks inside one transaction, so any failure still writes nothing
and memory does not grow with the file.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from linli.core import audit, crypto
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import AuditLog
from linli.core.validators import (
    birth_date_from_id,
    gender_from_id,
    normalise_id,
    normalise_phone,
    validate_id_number,
    validate_phone,
)
from linli.people.models import Household, Person, Relation, Tag, Tenure
from linli.places.models import House

from . import columns as C
from .models import ImportJob

PROGRESS_EVERY = 200
CHECK_BATCH = 1000  # rows per look-up of ID numbers already in the ledger
WRITE_CHUNK = 2000  # rows per write round; each round costs a fixed number of queries
UPDATE_FIELDS = ["household", "name", "relation", "id_number", "birth_date", "gender", "phone", "phone_hash",
                 "unit", "building", "compound", "grid", "community", "subdistrict"]


class FileError(Exception):
    """The file as a whole cannot be read (not xlsx, no sheet, wrong headers)."""


@dataclass(slots=True)
class Row:
    number: int  # the Excel row number, as the user sees it
    values: dict
    errors: list = field(default_factory=list)
    house: object = None
    id_number: str = ""
    id_hash: str = ""
    phone: str = ""
    relation: str = Relation.HEAD
    tenure: str = Tenure.OWNER
    tags: list = field(default_factory=list)

    def error(self, column, message):
        self.errors.append({"row": self.number, "column": column, "message": str(message)})

    def failing(self):
        """The row as the error file shows it: its cells and the reasons."""
        reasons = "；".join(f"{e['column']}：{e['message']}" for e in self.errors)
        return dict(self.values, **{C.ERROR_HEADER: reasons})


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into Excel: 101.0 → "101"
    # str.split() splits on the same whitespace as re's \s: runs become one space, ends go
    return " ".join(str(value).split())


def read_rows(content: bytes):
    """Yield Row objects from the first sheet (or the sheet named 住户台账)."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise FileError(_("This is not an Excel .xlsx file."))
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise FileError(_("The Excel file cannot be read: it may be damaged.")) from exc
    try:
        ws = wb[C.SHEET] if C.SHEET in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, [])]
        missing = [h for h in C.REQUIRED if h not in header]
        if missing:
            raise FileError(_("The first row must hold the template's headers; missing: %(cols)s.") % {"cols": "、".join(missing)})
        index = [(h, header.index(h)) for h in C.HEADERS if h in header]
        for number, raw in enumerate(rows, start=2):
            width = len(raw)
            values = {h: _text(raw[i]) if i < width else "" for h, i in index}
            if any(values.values()):
                yield Row(number=number, values=values)
    finally:
        wb.close()


def count_rows(content: bytes) -> int:
    return sum(1 for _ in read_rows(content))


def _batches(iterable, size):
    it = iter(iterable)
    while batch := list(islice(it, size)):
        yield batch


class Places:
    """House ids of the user's scope by compound → building → unit → number. A compound's houses
    are fetched the first time the file names it, so a file about one compound reads only it."""

    def __init__(self, user):
        self.user = user
        self.compounds = {}

    def compound(self, name):
        if name not in self.compounds:
            tree = {}
            houses = House.objects.restrict(self.user, "change", domain="people").filter(compound__name=name)
            for building, unit, number, pk in houses.values_list("unit__building__name", "unit__name", "number", "pk"):
                tree.setdefault(building, {}).setdefault(unit, {})[number] = pk
            self.compounds[name] = tree
        return self.compounds[name]


class Validator:
    """Checks rows against the ledger and the user's scope; collects errors, never writes."""

    def __init__(self, user):
        self.user = user
        self.places = Places(user)
        self.tags = {t.name: t.pk for t in Tag.objects.all()}
        self.seen_ids = {}  # normalised ID number → first row; the same key as its keyed hash
        self.heads = {}

    def check(self, row: Row, *, across_rows=True):
        """across_rows=False re-reads a row already checked: same fields, no duplicate checks."""
        v = row.values
        for column in C.REQUIRED:
            if not v.get(column):
                row.error(column, _("Required."))
        self._place(row)
        self._identity(row, across_rows)
        if v.get(C.PHONE):
            try:
                validate_phone(v[C.PHONE])
                row.phone = normalise_phone(v[C.PHONE])
            except Exception as exc:
                row.error(C.PHONE, exc.messages[0] if hasattr(exc, "messages") else exc)
        if v.get(C.RELATION):
            if v[C.RELATION] not in C.RELATIONS:
                row.error(C.RELATION, _("Unknown relation “%(value)s”; use one of: %(choices)s.") % {"value": v[C.RELATION], "choices": "、".join(C.RELATION_LABELS.values())})
            else:
                row.relation = C.RELATIONS[v[C.RELATION]]
        if v.get(C.TENURE):
            if v[C.TENURE] not in C.TENURES:
                row.error(C.TENURE, _("Use one of: %(choices)s.") % {"choices": "自有、租住"})
            else:
                row.tenure = C.TENURES[v[C.TENURE]]
        for name in filter(None, re.split("|".join(map(re.escape, C.TAG_SEPARATORS)), v.get(C.TAGS, ""))):
            if name not in self.tags:
                row.error(C.TAGS, _("Unknown tag “%(value)s”.") % {"value": name})
            else:
                row.tags.append(self.tags[name])
        if across_rows and row.house and row.relation == Relation.HEAD:
            first = self.heads.setdefault(row.house, row.number)
            if first != row.number:
                row.error(C.RELATION, _("Row %(row)s already names the head of this house.") % {"row": first})

    def _place(self, row):
        v = row.values
        key = (v.get(C.COMPOUND), v.get(C.BUILDING), v.get(C.UNIT), v.get(C.HOUSE))
        if not all(key):
            return
        buildings = self.places.compound(key[0])
        units = buildings.get(key[1], {})
        houses = units.get(key[2], {})
        if key[3] in houses:
            row.house = houses[key[3]]
        elif not buildings:
            row.error(C.COMPOUND, _("Unknown compound “%(value)s”, or outside your scope.") % {"value": key[0]})
        elif not units:
            row.error(C.BUILDING, _("Unknown building “%(value)s” in this compound.") % {"value": key[1]})
        elif not houses:
            row.error(C.UNIT, _("Unknown unit “%(value)s” in this building.") % {"value": key[2]})
        else:
            row.error(C.HOUSE, _("Unknown house number “%(value)s” in this unit.") % {"value": key[3]})

    def _identity(self, row, across_rows):
        raw = row.values.get(C.ID_NUMBER)
        if not raw:
            return
        try:
            validate_id_number(raw)
        except Exception as exc:
            row.error(C.ID_NUMBER, exc.messages[0])
            return
        row.id_number = normalise_id(raw)
        row.id_hash = crypto.keyed_hash(row.id_number)
        if across_rows:
            first = self.seen_ids.setdefault(row.id_number, row.number)
            if first != row.number:
                row.error(C.ID_NUMBER, _("The same ID number is already on row %(row)s.") % {"row": first})

    def check_existing(self, rows):
        """IDs already in the ledger may be updated if in the user's scope; others are an error."""
        hashes = [r.id_hash for r in rows if r.id_hash]
        existing, in_scope = set(), set()
        for i in range(0, len(hashes), 500):
            batch = hashes[i : i + 500]
            existing.update(Person.objects.filter(id_number_hash__in=batch).values_list("id_number_hash", flat=True))
            in_scope.update(Person.objects.restrict(self.user, "change").filter(id_number_hash__in=batch).values_list("id_number_hash", flat=True))
        for row in rows:
            if row.id_hash in existing and row.id_hash not in in_scope:
                row.error(C.ID_NUMBER, _("This person is registered outside your scope; ask their community to update them."))


def run(job: ImportJob):
    """Validate and import one job. Progress is saved as rows are checked (outside the write
    transaction, so the job page can see it)."""
    user = job.owner
    content = bytes(job.content)
    _progress(job, status=ImportJob.Status.VALIDATING, processed_rows=0)
    try:
        validator = Validator(user)
        count, errors, failing = _validate(job, validator, content)
    except FileError as exc:
        return _finish(job, ImportJob.Status.FAILED, errors=[{"row": None, "column": None, "message": str(exc)}])
    if not count:
        errors = [{"row": None, "column": None, "message": _("The file has no rows to import.")}]
    if errors:
        return _finish(job, ImportJob.Status.FAILED, total_rows=count, processed_rows=count, errors=errors, error_rows=failing)
    _progress(job, status=ImportJob.Status.WRITING, processed_rows=count, total_rows=count)
    counts = write(content, validator, user, job)
    return _finish(job, ImportJob.Status.SUCCEEDED, **counts)


def _validate(job, validator, content):
    """Pass 1: check every row; returns the row count, the errors and the failing rows."""
    count, errors, failing = 0, [], []
    for batch in _batches(read_rows(content), CHECK_BATCH):
        for row in batch:
            validator.check(row)
            count += 1
            if count % PROGRESS_EVERY == 0:
                _progress(job, processed_rows=count, total_rows=max(job.total_rows, count))
        validator.check_existing(batch)
        for row in batch:
            if row.errors:
                errors.extend(row.errors)
                failing.append(row.failing())
    return count, errors, failing


def _progress(job, **fields):
    for k, v in fields.items():
        setattr(job, k, v)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job, status, **fields):
    _progress(job, status=status, finished_at=timezone.now(), **fields)
    return job


@transaction.atomic
def write(content, validator, user, job):
    """Pass 2: create or update households and persons, chunk by chunk; one audit record per
    changed row."""
    writer = _Writer(validator, user, job)
    for chunk in _batches(read_rows(content), WRITE_CHUNK):
        for row in chunk:
            validator.check(row, across_rows=False)
            if row.errors:  # pass 1 passed this very file: a bug, and nothing must be written
                raise RuntimeError(f"row {row.number} failed on the second pass: {row.errors}")
        writer.write(chunk)
    return writer.finish()


class _Writer:
    """Writes one chunk of checked rows at a time. Across chunks it keeps only counts and ids:
    the households created by this import, and the houses of the file."""

    def __init__(self, validator, user, job):
        self.user, self.job = user, job
        self.tag_names = {pk: name for name, pk in validator.tags.items()}
        self.house_ids = set()  # the order a set of all the file's houses gives, as before
        self.new_household_ids = set()
        self.created = self.updated = self.households_created = 0

    def write(self, rows):
        households, new_households = self._households(rows)
        old = {p.id_number_hash: p for p in Person.objects.filter(id_number_hash__in=[r.id_hash for r in rows]).prefetch_related("tags")}
        created, updated = [], []
        for row in rows:
            hh = households[row.house]
            fields = {
                "household": hh, "name": row.values[C.NAME], "relation": row.relation, "id_number": row.id_number, "id_number_hash": row.id_hash,
                "birth_date": birth_date_from_id(row.id_number), "gender": gender_from_id(row.id_number),
                "unit_id": hh.unit_id, "building_id": hh.building_id, "compound_id": hh.compound_id, "grid_id": hh.grid_id,
                "community_id": hh.community_id, "subdistrict_id": hh.subdistrict_id,
            }
            if row.phone or not row.values.get(C.PHONE):
                fields.update(phone=row.phone, phone_hash=crypto.keyed_hash(row.phone) if row.phone else "")
            if row.id_hash in old:
                person = old[row.id_hash]
                before = audit.snapshot(person)  # tags come from the prefetch: no query
                for k, v in fields.items():
                    if k == "phone" and not row.phone:
                        continue  # a blank phone cell keeps the phone on file
                    setattr(person, k, v)
                updated.append((person, before, row))
            else:
                created.append((Person(**fields), row))
        Person.objects.bulk_create([p for p, _r in created], batch_size=500)
        Person.objects.bulk_update([p for p, _b, _r in updated], UPDATE_FIELDS, batch_size=500)
        self._set_tags(created, updated)
        self._audit(created, updated, new_households)

    def _households(self, rows):
        """The household of each row's house: the oldest one there, or a new one whose tenure
        comes from the file's first row for that house."""
        house_ids = list(dict.fromkeys(r.house for r in rows))
        self.house_ids.update(r.house for r in rows)
        households = {}
        for hh in Household.objects.filter(house_id__in=house_ids).order_by("id"):
            households.setdefault(hh.house_id, hh)
        missing = [pk for pk in house_ids if pk not in households]
        houses = {h.pk: h for h in House.objects.select_related("unit__building__compound").filter(pk__in=missing)} if missing else {}
        new_households = []
        for row in rows:
            if row.house not in households:
                h = houses[row.house]
                hh = Household(house=h, tenure=row.tenure, unit_id=h.unit_id, building_id=h.building_id, compound_id=h.compound_id,
                               grid_id=h.grid_id, community_id=h.community_id, subdistrict_id=h.subdistrict_id)
                households[row.house] = hh
                new_households.append(hh)
        Household.objects.bulk_create(new_households)
        self.new_household_ids.update(hh.pk for hh in new_households)
        self.households_created += len(new_households)
        retenure = {}  # the head's row decides an existing household's tenure
        for row in rows:
            hh = households[row.house]
            if row.relation == Relation.HEAD and row.values.get(C.TENURE) and hh.tenure != row.tenure and hh.pk not in self.new_household_ids:
                retenure.setdefault(row.tenure, []).append(hh.pk)
        for tenure, pks in retenure.items():
            Household.objects.filter(pk__in=pks).update(tenure=tenure)
        return households, new_households

    def _set_tags(self, created, updated):
        through = Person.tags.through
        # A file without the 标签 column leaves existing people's tags alone.
        retagged = [(p, r) for p, _b, r in updated if C.TAGS in r.values]
        if retagged:
            through.objects.filter(person_id__in=[p.pk for p, _r in retagged]).delete()
        rows = [through(person_id=p.pk, tag_id=t) for p, r in created + retagged for t in set(r.tags)]
        through.objects.bulk_create(rows, batch_size=1000)

    def _audit(self, created, updated, new_households):
        logs = []
        for person, before, row in updated:
            after = audit.snapshot(person)
            if C.TAGS in row.values:  # the prefetched tags are the old ones; these were just set
                after["tags"] = sorted(self.tag_names[t] for t in set(row.tags))
            changes = audit.diff(before, after)
            if changes:
                self.updated += 1
                logs.append(self._log(AuditLog.Action.UPDATE, person, changes))
        for person, _row in created:
            logs.append(self._log(AuditLog.Action.CREATE, person, audit.diff({}, _masked_fields(person))))
        for hh in new_households:
            logs.append(self._log(AuditLog.Action.CREATE, hh, {"house": [None, hh.house_id], "tenure": [None, hh.tenure]}))
        AuditLog.objects.bulk_create(logs, batch_size=500)
        self.created += len(created)

    def _log(self, action, obj, changes):
        keys = obj.scope_keys()
        return AuditLog(actor=self.user, action=action, content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk),
                        object_repr=str(obj)[:200], changes=changes, note=f"import #{self.job.pk}"[:200],
                        subdistrict_id=keys["subdistrict"], community_id=keys["community"], grid_id=keys["grid"])

    def finish(self):
        first = House.objects.select_related("community").get(pk=next(iter(self.house_ids)))
        note = f"{self.job.filename}: {self.created} new, {self.updated} updated"
        audit.record(self.user, AuditLog.Action.IMPORT, first.community, note=note)
        ImportJob.objects.filter(pk=self.job.pk).update(processed_rows=F("total_rows"))
        return {"created_count": self.created, "updated_count": self.updated, "households_created": self.households_created}


def _masked_fields(person):
    return {"name": person.name, "relation": person.relation, "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone), "household": person.household_id}
