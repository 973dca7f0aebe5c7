"""Ledger import: read every row, validate all of them, then write all or nothing.

Reading streams the sheet (openpyxl read_only). Validation needs no query per row: the houses of
the user's scope, the tags and the ID hashes already in the ledger are fetched in bulk. The write
runs in one transaction; a file with any error writes nothing.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

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


class FileError(Exception):
    """The file as a whole cannot be read (not xlsx, no sheet, wrong headers)."""


@dataclass
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


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into Excel: 101.0 → "101"
    return re.sub(r"\s+", " ", str(value)).strip()


def read_rows(content: bytes):
    """Yield Row objects from the first sheet (or the sheet named 住户台账)."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise FileError(_("This is not an Excel .xlsx file."))
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise FileError(_("The Excel file cannot be read: it may be damaged.")) from exc
    ws = wb[C.SHEET] if C.SHEET in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, [])]
    missing = [h for h in C.REQUIRED if h not in header]
    if missing:
        raise FileError(_("The first row must hold the template's headers; missing: %(cols)s.") % {"cols": "、".join(missing)})
    index = {h: header.index(h) for h in C.HEADERS if h in header}
    for number, raw in enumerate(rows, start=2):
        values = {h: _text(raw[i]) if i < len(raw) else "" for h, i in index.items()}
        if any(values.values()):
            yield Row(number=number, values=values)
    wb.close()


def count_rows(content: bytes) -> int:
    return sum(1 for _ in read_rows(content))


class Validator:
    """Checks rows against the ledger and the user's scope; collects errors, never writes."""

    def __init__(self, user):
        self.user = user
        houses = House.objects.restrict(user, "change", domain="people").values_list(
            "pk", "compound__name", "unit__building__name", "unit__name", "number"
        )
        self.houses = {}
        self.compounds, self.buildings, self.units = set(), set(), set()
        for pk, compound, building, unit, number in houses:
            self.houses[(compound, building, unit, number)] = pk
            self.compounds.add(compound)
            self.buildings.add((compound, building))
            self.units.add((compound, building, unit))
        self.tags = {t.name: t.pk for t in Tag.objects.all()}
        self.seen_ids = {}
        self.heads = {}

    def check(self, row: Row):
        v = row.values
        for column in C.REQUIRED:
            if not v.get(column):
                row.error(column, _("Required."))
        self._place(row)
        self._identity(row)
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
        if row.house and row.relation == Relation.HEAD:
            first = self.heads.setdefault(row.house, row.number)
            if first != row.number:
                row.error(C.RELATION, _("Row %(row)s already names the head of this house.") % {"row": first})

    def _place(self, row):
        v = row.values
        key = (v.get(C.COMPOUND), v.get(C.BUILDING), v.get(C.UNIT), v.get(C.HOUSE))
        if not all(key):
            return
        if key in self.houses:
            row.house = self.houses[key]
        elif key[0] not in self.compounds:
            row.error(C.COMPOUND, _("Unknown compound “%(value)s”, or outside your scope.") % {"value": key[0]})
        elif key[:2] not in self.buildings:
            row.error(C.BUILDING, _("Unknown building “%(value)s” in this compound.") % {"value": key[1]})
        elif key[:3] not in self.units:
            row.error(C.UNIT, _("Unknown unit “%(value)s” in this building.") % {"value": key[2]})
        else:
            row.error(C.HOUSE, _("Unknown house number “%(value)s” in this unit.") % {"value": key[3]})

    def _identity(self, row):
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
        first = self.seen_ids.setdefault(row.id_hash, row.number)
        if first != row.number:
            row.error(C.ID_NUMBER, _("The same ID number is already on row %(row)s.") % {"row": first})

    def check_existing(self, rows):
        """IDs already in the ledger: updatable if in the user's scope, an error otherwise."""
        hashes = [r.id_hash for r in rows if r.id_hash]
        existing, in_scope = {}, set()
        for i in range(0, len(hashes), 500):
            batch = hashes[i : i + 500]
            existing.update(Person.objects.filter(id_number_hash__in=batch).values_list("id_number_hash", "pk"))
            in_scope.update(Person.objects.restrict(self.user, "change").filter(id_number_hash__in=batch).values_list("id_number_hash", flat=True))
        for row in rows:
            if row.id_hash in existing and row.id_hash not in in_scope:
                row.error(C.ID_NUMBER, _("This person is registered outside your scope; ask their community to update them."))
        return {h: pk for h, pk in existing.items() if h in in_scope}


def run(job: ImportJob):
    """Validate and import one job. Progress is saved as rows are checked (outside the write
    transaction, so the job page can see it)."""
    user = job.owner
    _progress(job, status=ImportJob.Status.VALIDATING, processed_rows=0)
    try:
        rows = []
        validator = Validator(user)
        for row in read_rows(bytes(job.content)):
            validator.check(row)
            rows.append(row)
            if len(rows) % PROGRESS_EVERY == 0:
                _progress(job, processed_rows=len(rows), total_rows=max(job.total_rows, len(rows)))
        existing = validator.check_existing(rows)
    except FileError as exc:
        return _finish(job, ImportJob.Status.FAILED, errors=[{"row": None, "column": None, "message": str(exc)}])
    errors = [e for r in rows for e in r.errors]
    if not rows:
        errors = [{"row": None, "column": None, "message": _("The file has no rows to import.")}]
    if errors:
        failing = [dict(r.values, **{C.ERROR_HEADER: "；".join(f"{e['column']}：{e['message']}" for e in r.errors)}) for r in rows if r.errors]
        return _finish(job, ImportJob.Status.FAILED, total_rows=len(rows), processed_rows=len(rows), errors=errors, error_rows=failing)
    _progress(job, status=ImportJob.Status.WRITING, processed_rows=len(rows), total_rows=len(rows))
    counts = write(rows, existing, user, job)
    return _finish(job, ImportJob.Status.SUCCEEDED, **counts)


def _progress(job, **fields):
    for k, v in fields.items():
        setattr(job, k, v)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job, status, **fields):
    _progress(job, status=status, finished_at=timezone.now(), **fields)
    return job


@transaction.atomic
def write(rows, existing, user, job):
    """Create or update households and persons; one audit record per changed row."""
    house_ids = {r.house for r in rows}
    houses = House.objects.in_bulk(house_ids)
    households = {}
    for hh in Household.objects.filter(house_id__in=house_ids).order_by("id"):
        households.setdefault(hh.house_id, hh)
    new_households = []
    for row in rows:
        if row.house not in households:
            h = houses[row.house]
            hh = Household(house=h, tenure=row.tenure, unit_id=h.unit_id, building_id=h.building_id, compound_id=h.compound_id,
                           grid_id=h.grid_id, community_id=h.community_id, subdistrict_id=h.subdistrict_id)
            households[row.house] = hh
            new_households.append(hh)
    Household.objects.bulk_create(new_households)
    for row in rows:  # the head's row decides the household's tenure
        hh = households[row.house]
        if row.relation == Relation.HEAD and row.values.get(C.TENURE) and hh.tenure != row.tenure and hh not in new_households:
            Household.objects.filter(pk=hh.pk).update(tenure=row.tenure)

    old = Person.objects.in_bulk(list(existing.values()))
    created, updated, logs = [], [], []
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
        if row.id_hash in existing:
            person = old[existing[row.id_hash]]
            before = audit.snapshot(person)
            for k, v in fields.items():
                if k == "phone" and not row.phone:
                    continue  # a blank phone cell keeps the phone on file
                setattr(person, k, v)
            updated.append((person, before, row))
        else:
            person = Person(**fields)
            created.append((person, row))
    Person.objects.bulk_create([p for p, _r in created], batch_size=500)
    update_fields = ["household", "name", "relation", "id_number", "birth_date", "gender", "phone", "phone_hash",
                     "unit", "building", "compound", "grid", "community", "subdistrict"]
    Person.objects.bulk_update([p for p, _b, _r in updated], update_fields, batch_size=500)
    _set_tags(created, updated)

    real_updates = 0
    for person, before, _row in updated:
        changes = audit.diff(before, audit.snapshot(person))
        if changes:
            real_updates += 1
            logs.append(_log(user, AuditLog.Action.UPDATE, person, changes, job))
    for person, _row in created:
        logs.append(_log(user, AuditLog.Action.CREATE, person, audit.diff({}, _masked_fields(person)), job))
    for hh in new_households:
        logs.append(_log(user, AuditLog.Action.CREATE, hh, {"house": [None, hh.house_id], "tenure": [None, hh.tenure]}, job))
    AuditLog.objects.bulk_create(logs, batch_size=500)
    first = houses[next(iter(house_ids))]
    audit.record(user, AuditLog.Action.IMPORT, first.community, note=f"{job.filename}: {len(created)} new, {real_updates} updated")
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=F("total_rows"))
    return {"created_count": len(created), "updated_count": real_updates, "households_created": len(new_households)}


def _set_tags(created, updated):
    through = Person.tags.through
    # A file without the 标签 column leaves existing people's tags alone.
    retagged = [(p, r) for p, _b, r in updated if C.TAGS in r.values]
    through.objects.filter(person_id__in=[p.pk for p, _r in retagged]).delete()
    rows = [through(person_id=p.pk, tag_id=t) for p, r in created + retagged for t in set(r.tags)]
    through.objects.bulk_create(rows, batch_size=1000)


def _masked_fields(person):
    return {"name": person.name, "relation": person.relation, "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone), "household": person.household_id}


def _log(user, action, obj, changes, job):
    from django.contrib.contenttypes.models import ContentType

    keys = obj.scope_keys()
    return AuditLog(actor=user, action=action, content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk),
                    object_repr=str(obj)[:200], changes=changes, note=f"import #{job.pk}"[:200],
                    subdistrict_id=keys["subdistrict"], community_id=keys["community"], grid_id=keys["grid"])
