"""Ledger import: validate every row, then write all or nothing; the sheet is parsed once.

Pass 1 streams the sheet (openpyxl read_only) and checks each row. It keeps in memory only what
checks across rows need (ID number → first row, house → its head's row) and the errors, which
stop at LINLI_IMPORT_MAX_ERRORS; the failing rows go straight into the error file (on disk until
the job ends). Houses are loaded per compound as the file names them, and ID numbers already in
the ledger are looked up in batches as rows go by. While no row has failed, the checked rows go
to a temporary file (parsing the xlsx is the slowest step; reading it twice would double it).
Only a file without errors gets pass 2, which writes those rows in chunks inside one
transaction: any failure still writes nothing, and memory does not grow with the file.

The job's progress and heartbeat, its end and the dead-worker check are in jobs.py.
"""

import io
import marshal
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import load_workbook

from linli.core import audit, crypto
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import AuditLog
from linli.core.validators import normalise_id, normalise_phone, validate_id_number, validate_phone
from linli.people.derive import PLACE_KEYS, person_values
from linli.people.models import Household, Ownership, Person, Relation, Tag, Tenure
from linli.places.models import House

from . import actions, bulk, jobs
from . import columns as C
from .exporter import ErrorFile
from .models import ImportJob

PROGRESS_EVERY = 200
CHECK_BATCH = 1000  # rows per look-up of ID numbers already in the ledger
WRITE_CHUNK = 2000  # rows per write round; each round costs a fixed number of queries
UPDATE_FIELDS = [
    "household",
    "name",
    "relation",
    "id_number",
    "birth_date",
    "gender",
    "phone",
    "phone_hash",
    "unit",
    "building",
    "compound",
    "grid",
    "community",
    "subdistrict",
]


NAME_MAX = Person._meta.get_field("name").max_length
SHOWN_MAX = 30  # characters of a cell quoted in a message: a 30,000-character cell is not copied into each


class FileError(Exception):
    """The file as a whole cannot be read (not xlsx, damaged, no sheet, wrong headers)."""


# Why a row cannot be imported when the reason lies in records the user may not see (an ID number
# registered outside their scope): one message for every such conflict, naming no person or place.
CONFLICT = gettext_noop(
    "This row cannot be imported. Check it; if it is correct, contact the sub-district administrator."
)


def _shown(value):
    return value if len(value) <= SHOWN_MAX else value[:SHOWN_MAX] + "…"


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
    existing: int | None = None  # the person with this ID number, when already in the ledger
    owner: str = ""  # "yes" / "no": this person owns this house / no longer; "": the register is left alone
    share: str = ""  # their share in percent, for co-owners

    def error(self, column, message):
        self.errors.append({"row": self.number, "column": column, "message": str(message)})

    def checked(self):
        """What pass 2 needs of a row that passed, as plain values (see Checked)."""
        v = self.values
        return (
            self.house,
            v[C.NAME],
            str(self.relation),
            str(self.tenure),
            bool(v.get(C.TENURE)),
            self.id_number,
            self.id_hash,
            self.phone,
            bool(v.get(C.PHONE)),
            self.tags,
            C.TAGS in v,
            self.existing,
            self.owner,
            self.share,
        )  # str(): marshal takes no enum members

    def reasons(self):
        """The reasons as the error file shows them, in one cell."""
        return "；".join(f"{e['column']}：{e['message']}" if e["column"] else e["message"] for e in self.errors)


class Checked(NamedTuple):
    """A row that passed pass 1, as the writer reads it back."""

    house: int
    name: str
    relation: str
    tenure: str
    tenure_given: bool  # the 自有或租住 cell was filled in
    id_number: str
    id_hash: str
    phone: str
    phone_given: bool  # the 联系电话 cell was filled in
    tags: list
    tags_given: bool  # the file has a 标签 column
    existing: int | None  # the person to update
    owner: str  # "yes", "no" or "" (the 产权人 cell)
    share: str  # the 产权份额 cell, as a decimal string


class _Spool:
    """Checked rows kept on disk between the passes, a batch at a time."""

    def __enter__(self):
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed on __exit__
        return self

    def __exit__(self, *exc):
        self.file.close()

    def add(self, rows):
        marshal.dump([r.checked() for r in rows], self.file)

    def __iter__(self):
        self.file.seek(0)
        while True:
            try:
                batch = marshal.load(self.file)  # noqa: S302 - our own temporary file, written above
            except EOFError:
                return
            yield from (Checked(*values) for values in batch)


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into Excel: 101.0 → "101"
    # str.split() splits on the same whitespace as re's \s: runs become one space, ends go
    return " ".join(str(value).split())


def open_workbook(content: bytes):
    """The workbook, read-only; refuses what is not an xlsx or would unpack beyond the bound,
    reading only the zip's directory to decide."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileError(_("This is not an Excel .xlsx file.")) from exc
    if unpacked > settings.LINLI_IMPORT_MAX_UNZIPPED_BYTES:
        raise FileError(
            _("The file unpacks to more than %(max)s; split it into smaller files.")
            % {"max": filesizeformat(settings.LINLI_IMPORT_MAX_UNZIPPED_BYTES)}
        )
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise FileError(_("The Excel file cannot be read: it may be damaged.")) from exc


def parsed(rows):
    """The sheet's rows as parsed; broken XML or cells anywhere in the sheet is a FileError."""
    number = 0
    while True:
        try:
            raw = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # the XML parser's and openpyxl's own errors, whatever their kind
            raise FileError(
                _("The Excel file cannot be read after row %(row)s: it may be damaged.") % {"row": number}
            ) from exc
        number += 1
        yield raw


def read_rows(content: bytes, sized=None):
    """Yield Row objects from the first sheet (or the sheet named 住户台账). `sized` is told the
    number of data rows the sheet declares (0 when it does not), before the first row."""
    wb = open_workbook(content)
    try:
        ws = wb[C.SHEET] if C.SHEET in wb.sheetnames else wb.worksheets[0]
        if sized:
            sized(max(0, (ws.max_row or 0) - 1))  # the sheet's <dimension>: no parsing
        # …but only a hint: openpyxl would stop at it (dropping the rows after a dimension that
        # is too small) and pad every row to it (16,384 cells a row for A1:XFD1048576)
        ws.reset_dimensions()
        rows = parsed(ws.iter_rows(values_only=True))
        header = [cell_text(v) for v in next(rows, [])]
        missing = [h for h in C.REQUIRED if h not in header]
        if missing:
            raise FileError(
                _("The first row must hold the template's headers; missing: %(cols)s.") % {"cols": "、".join(missing)}
            )
        index = [(h, header.index(h)) for h in C.HEADERS if h in header]
        for number, raw in enumerate(rows, start=2):
            width = len(raw)
            values = {h: cell_text(raw[i]) if i < width else "" for h, i in index}
            if any(values.values()):
                yield Row(number=number, values=values)
    finally:
        wb.close()


def small(content: bytes) -> bool:
    """Whether a file may be checked and imported in the upload request: by its bytes, and by its
    zip directory so that a small zip holding a large sheet is not; never by parsing it."""
    if len(content) > settings.LINLI_IMPORT_SYNC_BYTES:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist()) <= 16 * settings.LINLI_IMPORT_SYNC_BYTES
    except (zipfile.BadZipFile, OSError):
        return True  # refused at once when read


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
        self.conflicts = []  # (row, person id): ID numbers registered outside the user's scope
        self.shares = {}  # house → {ID hash: (row, share)} of the file's 产权人 rows (否: 0)

    def check(self, row: Row):
        v = row.values
        for column in C.REQUIRED:
            if not v.get(column):
                row.error(column, _("Required."))
        if len(v.get(C.NAME, "")) > NAME_MAX:
            row.error(C.NAME, _("At most %(max)s characters.") % {"max": NAME_MAX})
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
                row.error(
                    C.RELATION,
                    _("Unknown relation “%(value)s”; use one of: %(choices)s.")
                    % {"value": _shown(v[C.RELATION]), "choices": "、".join(C.RELATION_LABELS.values())},
                )
            else:
                row.relation = C.RELATIONS[v[C.RELATION]]
        if v.get(C.TENURE):
            if v[C.TENURE] not in C.TENURES:
                row.error(C.TENURE, _("Use one of: %(choices)s.") % {"choices": "自有、租住"})
            else:
                row.tenure = C.TENURES[v[C.TENURE]]
        for name in filter(None, re.split("|".join(map(re.escape, C.TAG_SEPARATORS)), v.get(C.TAGS, ""))):
            if name not in self.tags:
                row.error(C.TAGS, _("Unknown tag “%(value)s”.") % {"value": _shown(name)})
            else:
                row.tags.append(self.tags[name])
        self._owner(row)
        if row.house and row.relation == Relation.HEAD:
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
            row.error(C.COMPOUND, _("Unknown compound “%(value)s”, or outside your scope.") % {"value": _shown(key[0])})
        elif not units:
            row.error(C.BUILDING, _("Unknown building “%(value)s” in this compound.") % {"value": _shown(key[1])})
        elif not houses:
            row.error(C.UNIT, _("Unknown unit “%(value)s” in this building.") % {"value": _shown(key[2])})
        else:
            row.error(C.HOUSE, _("Unknown house number “%(value)s” in this unit.") % {"value": _shown(key[3])})

    def _owner(self, row):
        """产权人 / 产权份额: the owners register (people.Ownership). The shares of one house's owners
        — those of the file, and those registered who are not in the file — make at most 100."""
        v = row.values
        mark, share = v.get(C.OWNER, ""), v.get(C.SHARE, "")
        if mark in C.OWNER_YES:
            row.owner = "yes"
        elif mark in C.OWNER_NO:
            row.owner = "no"
        elif mark:
            row.error(C.OWNER, _("Use one of: %(choices)s.") % {"choices": "是、否"})
            return
        if not share:
            return
        if row.owner != "yes":
            row.error(C.SHARE, _("A share is given only for an owner (产权人: 是)."))
            return
        try:
            value = Decimal(share.rstrip("%％"))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not Decimal("0.01") <= value <= 100 or value != round(value, 2):
            row.error(C.SHARE, _("Enter a percentage from 0.01 to 100, e.g. 50."))
            return
        row.share = str(value)

    def track_owner(self, row):
        """Remember a checked 产权人 row for the shares check at the end (shares_errors)."""
        if row.owner and row.house and row.id_hash and not row.errors:
            share = Decimal(row.share) if row.share and row.owner == "yes" else Decimal(0)
            self.shares.setdefault(row.house, {})[row.id_hash] = (row.number, share)

    def shares_errors(self):
        """The shares of each house the file names owners of — the file's, and the registered
        owners' the file does not name — make at most 100 (one query for the register)."""
        registered = {}
        for house, id_hash, share in Ownership.objects.filter(house_id__in=list(self.shares)).values_list(
            "house_id", "person__id_number_hash", "share"
        ):
            registered.setdefault(house, []).append((id_hash, share or 0))
        errors = []
        for house, rows in self.shares.items():
            others = sum(share for id_hash, share in registered.get(house, []) if id_hash not in rows)
            if sum(share for _n, share in rows.values()) + others > 100:
                last = max(n for n, share in rows.values() if share)
                errors.append(
                    {
                        "row": last,
                        "column": C.SHARE,
                        "message": _("The co-owners' shares of this house add up to more than 100 percent."),
                    }
                )
        return sorted(errors, key=lambda e: e["row"])

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
        first = self.seen_ids.setdefault(row.id_number, row.number)
        if first != row.number:
            row.error(C.ID_NUMBER, _("The same ID number is already on row %(row)s.") % {"row": first})

    def check_existing(self, rows):
        """IDs already in the ledger may be updated if in the user's scope. Others cannot be
        imported, and the user is not told why: that would say the person is registered
        elsewhere. An administrator is told (actions.record_conflicts)."""
        existing = dict(
            Person.objects.filter(id_number_hash__in=[r.id_hash for r in rows if r.id_hash]).values_list(
                "id_number_hash", "pk"
            )
        )
        in_scope = set()
        if existing:
            in_scope.update(
                Person.objects.restrict(self.user, "change")
                .filter(pk__in=existing.values())
                .values_list("id_number_hash", flat=True)
            )
        for row in rows:
            if row.id_hash not in existing:
                continue
            if row.id_hash in in_scope:
                row.existing = existing[row.id_hash]
            else:
                row.error(None, _(CONFLICT))
                self.conflicts.append((row.number, existing[row.id_hash]))


def run(job: ImportJob):
    """Validate and import one job. Progress is saved as rows are checked (outside the write
    transaction, so the job page can see it); an unexpected error fails the job and is raised."""
    try:
        return _run(job)
    except jobs.Abandoned:
        return job  # failed meanwhile by the stale check, which told its owner
    except BaseException:  # SystemExit from the worker's second SIGTERM too
        jobs.crashed(job)
        raise


def _run(job):
    user = job.owner
    jobs.progress(job, status=ImportJob.Status.VALIDATING, processed_rows=0)
    with _Spool() as spool, ErrorFile() as error_file:
        validator = Validator(user)
        try:
            count, errors, stopped = _validate(job, validator, bytes(job.content), spool, error_file)
        except FileError as exc:
            return jobs.finish(job, ImportJob.Status.FAILED, message=str(exc))
        finally:
            actions.record_conflicts(user, job, validator.conflicts)
        if errors or not count:
            message = _("The file has no rows to import.") if not count else ""
            if stopped:
                message = _(
                    "Checking stopped after %(n)s errors: the file has at least %(n)s errors. Correct these rows and "
                    "upload the whole file again."
                ) % {"n": len(errors)}
            return jobs.finish(
                job,
                ImportJob.Status.FAILED,
                total_rows=max(count, job.total_rows),
                processed_rows=count,
                errors=errors,
                message=message,
                error_file=error_file.read(),
            )
        jobs.progress(job, status=ImportJob.Status.WRITING, processed_rows=count, total_rows=count)
        return write(spool, validator, user, job)


def _validate(job, validator, content, spool, error_file):
    """Pass 1: check rows until the error limit; returns the rows checked, the errors and whether
    checking stopped at the limit. Rows go to the spool until one fails (then nothing will be
    written), failing rows to the error file."""
    limit = settings.LINLI_IMPORT_MAX_ERRORS
    count, errors = 0, []
    rows = read_rows(content, sized=lambda total: jobs.progress(job, total_rows=total))
    for batch in _batches(rows, CHECK_BATCH):
        for row in batch:
            validator.check(row)
            count += 1
            if count % PROGRESS_EVERY == 0:
                jobs.progress(job, processed_rows=count, total_rows=max(job.total_rows, count))
        validator.check_existing(batch)
        for row in batch:
            validator.track_owner(row)
            if row.errors:
                errors.extend(row.errors)
                error_file.add(row.values, row.reasons())
                if len(errors) >= limit:
                    return count, errors[:limit], True
        if not errors:
            spool.add(batch)
    errors.extend(validator.shares_errors()[: limit - len(errors)])
    return count, errors, False


def write(rows, validator, user, job):
    """Pass 2, one transaction: create or update households and persons from checked rows, chunk
    by chunk, one audit record per changed row; the job is marked succeeded in the same
    transaction, whose lock on the job row shows the stale check a live writer."""
    with transaction.atomic():
        if (
            not ImportJob.objects.select_for_update()
            .filter(pk=job.pk, status=ImportJob.Status.WRITING)
            .values_list("pk", flat=True)
        ):
            raise jobs.Abandoned(job.pk)
        writer = _Writer(validator, user, job)
        for chunk in _batches(rows, WRITE_CHUNK):
            writer.write(chunk)
        return jobs.finish(job, ImportJob.Status.SUCCEEDED, processed_rows=job.total_rows, **writer.finish())


PLACES = PLACE_KEYS
PERSON_FIELDS = (
    "household_id",
    "name",
    "relation",
    "id_number",
    "id_number_hash",
    "birth_date",
    "gender",
    *PLACES,
    "phone",
    "phone_hash",
)
LOG_FIELDS = (
    "actor_id",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "changes",
    "note",
    "subdistrict_id",
    "community_id",
    "grid_id",
)


class _Household(NamedTuple):
    pk: int
    tenure: str
    unit_id: int
    building_id: int
    compound_id: int
    grid_id: int
    community_id: int
    subdistrict_id: int


class _Writer:
    """Writes one chunk of checked rows at a time, with plain tuples rather than model instances
    wherever a row is new. Across chunks it keeps only counts and ids: the households created by
    this import, and the houses of the file."""

    def __init__(self, validator, user, job):
        self.user, self.job = user, job
        self.tag_names = {pk: name for name, pk in validator.tags.items()}
        self.types = {m: ContentType.objects.get_for_model(m).pk for m in (Person, Household, Ownership)}
        self.house_ids = set()  # the order a set of all the file's houses gives, as before
        self.new_household_ids = set()
        self.created = self.updated = self.households_created = 0

    def write(self, rows):
        households, household_logs = self._households(rows)
        pks = [r.existing for r in rows if r.existing]
        old = Person.objects.filter(pk__in=pks).prefetch_related("tags").in_bulk() if pks else {}
        created, updated, logs = [], [], []
        for row in rows:
            hh = households[row.house]
            person = old.get(row.existing)
            # what the file does not name stays as on file: a blank phone cell, a gender given on screen
            kept_phone, kept_gender = (person.phone, person.gender) if person else ("", "")
            values = {
                "household_id": hh.pk,
                "name": row.name,
                "relation": row.relation,
                **person_values(
                    id_number=row.id_number, phone=row.phone or kept_phone, household=hh, gender=kept_gender
                ),
            }
            if person:
                updated.append(self._update(person, values, row))
            else:
                created.append((tuple(values.get(k, "") for k in PERSON_FIELDS), row))
        ids = bulk.insert(Person, PERSON_FIELDS, [values for values, _row in created], returning=True)
        # rows whose every field is as on file are not written again
        bulk.update([p for p, _b, _r, dirty in updated if dirty], UPDATE_FIELDS)
        self._set_tags(zip(ids, [r for _v, r in created], strict=True), [(p.pk, r) for p, _b, r, _d in updated])
        for person, before, row, _dirty in updated:
            after = audit.snapshot(person)
            if row.tags_given:  # the prefetched tags are the old ones; these were just set
                after["tags"] = sorted(self.tag_names[t] for t in set(row.tags))
            changes = audit.diff(before, after)
            if changes:
                self.updated += 1
                logs.append(self._log(AuditLog.Action.UPDATE, Person, person.pk, str(person), changes, person))
        for pk, (_values, row) in zip(ids, created, strict=True):
            hh = households[row.house]
            masked = {
                "name": row.name,
                "relation": row.relation,
                "id_number": mask_id_number(row.id_number),
                "phone": mask_phone(row.phone),
                "household": hh.pk,
            }
            logs.append(self._log(AuditLog.Action.CREATE, Person, pk, row.name, audit.diff({}, masked), hh))
        owned = [(pk, row) for pk, (_v, row) in zip(ids, created, strict=True)]
        owned += [(person.pk, row) for person, _b, row, _d in updated]
        logs += self._owners([(pk, row) for pk, row in owned if row.owner], households)
        bulk.insert(AuditLog, LOG_FIELDS, logs + household_logs)
        self.created += len(created)

    def _update(self, person, values, row):
        before = audit.snapshot(person)  # tags come from the prefetch: no query
        dirty = False
        for k, v in values.items():
            dirty = dirty or getattr(person, k) != v
            setattr(person, k, v)
        return person, before, row, dirty

    def _households(self, rows):
        """The household of each row's house: the oldest one there, or a new one whose tenure
        comes from the file's first row for that house. Returns them and the new ones' logs."""
        house_ids = list(dict.fromkeys(r.house for r in rows))
        self.house_ids.update(r.house for r in rows)
        households = {}
        for house, *values in (
            Household.objects.filter(house_id__in=house_ids)
            .order_by("id")
            .values_list("house_id", "pk", "tenure", *PLACES)
        ):
            households.setdefault(house, _Household(*values))
        logs = []
        missing = [pk for pk in house_ids if pk not in households]
        if missing:
            # the names make the household's str() (its house's) without loading four models per house
            names = ("unit__building__compound__name", "unit__building__name", "unit__name", "number")
            houses = {h[0]: h[1:] for h in House.objects.filter(pk__in=missing).values_list("pk", *PLACES, *names)}
            tenures = {}
            for row in rows:
                if row.house in houses:
                    tenures.setdefault(row.house, row.tenure)
            ids = bulk.insert(
                Household,
                ("house_id", "tenure", *PLACES),
                [(pk, tenures[pk], *houses[pk][:6]) for pk in missing],
                returning=True,
            )
            for house, pk in zip(missing, ids, strict=True):
                hh = households[house] = _Household(pk, tenures[house], *houses[house][:6])
                changes = {"house": [None, house], "tenure": [None, hh.tenure]}
                logs.append(self._log(AuditLog.Action.CREATE, Household, pk, " ".join(houses[house][6:]), changes, hh))
            self.new_household_ids.update(ids)
            self.households_created += len(ids)
        retenure = {}  # the head's row decides an existing household's tenure
        for row in rows:
            hh = households[row.house]
            if (
                row.relation == Relation.HEAD
                and row.tenure_given
                and hh.tenure != row.tenure
                and hh.pk not in self.new_household_ids
            ):
                retenure.setdefault(row.tenure, []).append(hh.pk)
        for tenure, pks in retenure.items():
            Household.objects.filter(pk__in=pks).update(tenure=tenure)
        return households, logs

    def _owners(self, marked, households):
        """The 产权人 rows: register (or re-share) the person as an owner of the row's house, or
        take them off the register ("否"); one audit record per change. Returns the records."""
        if not marked:
            return []
        existing = {
            (o.house_id, o.person_id): o
            for o in Ownership.objects.filter(
                house_id__in={r.house for _pk, r in marked}, person_id__in=[pk for pk, _r in marked]
            )
        }
        new, logs = [], []
        for pk, row in marked:
            hh, share = households[row.house], Decimal(row.share) if row.share else None
            current = existing.get((row.house, pk))
            if row.owner == "yes" and current is None:
                new.append(((row.house, pk, share, *(getattr(hh, k) for k in PLACES)), row, hh))
            elif row.owner == "yes" and current.share != share:
                changes = {"share": [str(current.share) if current.share else None, row.share or None]}
                current.share = share
                current.save(update_fields=["share"])
                logs.append(self._log(AuditLog.Action.UPDATE, Ownership, current.pk, row.name, changes, hh))
            elif row.owner == "no" and current is not None:
                changes = {"house": [row.house, None], "person": [pk, None]}
                logs.append(self._log(AuditLog.Action.DELETE, Ownership, current.pk, row.name, changes, hh))
                current.delete()
        ids = bulk.insert(
            Ownership, ("house_id", "person_id", "share", *PLACES), [v for v, _r, _h in new], returning=True
        )
        for pk, (values, row, hh) in zip(ids, new, strict=True):
            changes = {"house": [None, values[0]], "person": [None, values[1]], "share": [None, row.share or None]}
            logs.append(self._log(AuditLog.Action.CREATE, Ownership, pk, row.name, changes, hh))
        return logs

    def _set_tags(self, created, updated):
        """created: (person id, row) of new people; updated: the same for people already on file."""
        # A file without the 标签 column leaves existing people's tags alone.
        retagged = [(pk, r) for pk, r in updated if r.tags_given]
        if retagged:
            Person.tags.through.objects.filter(person_id__in=[pk for pk, _r in retagged]).delete()
        rows = [(pk, t) for pk, r in [*created, *retagged] for t in set(r.tags)]
        bulk.insert(Person.tags.through, ("person_id", "tag_id"), rows)

    def _log(self, action, model, pk, text, changes, places):
        """An audit record as a LOG_FIELDS tuple; `places` has the scope ids."""
        return (
            self.user.pk,
            action,
            self.types[model],
            str(pk),
            text[:200],
            changes,
            f"import #{self.job.pk}"[:200],
            places.subdistrict_id,
            places.community_id,
            places.grid_id,
        )

    def finish(self):
        first = House.objects.select_related("community").get(pk=next(iter(self.house_ids)))
        note = f"{self.job.filename}: {self.created} new, {self.updated} updated"
        audit.record(self.user, AuditLog.Action.IMPORT, first.community, note=note)
        return {
            "created_count": self.created,
            "updated_count": self.updated,
            "households_created": self.households_created,
        }
