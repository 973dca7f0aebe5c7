"""Exports of the filtered list a user is looking at (导出), as CSV or xlsx: one mechanism for every
list (work orders, topics, meetings, votes, the audit log) and the ledger's cells.

A list declares its columns once (`Export`: a header through gettext and a function of the row),
and its export view is its list view's own queryset — the same scope, filter and order — read
with `.iterator()` a chunk at a time; `prepare(chunk, user)` fetches what the rows of one chunk
need (names, labels) in a constant number of queries. CSV is streamed as it is written (UTF-8
with a BOM, so Excel opens the Chinese); xlsx goes through openpyxl's write-only workbook, whose
rows are spooled to a temporary file, so memory stays flat either way.

Cells a spreadsheet would read as a formula — a text starting with = + - @, a tab or a line
break, or their full-width forms a Chinese keyboard types — are neutralised: in CSV with a
leading apostrophe (OWASP, "CSV injection"); in xlsx as explicit string cells (never evaluated)
with Excel's quote prefix, so editing the cell keeps it text. Numbers stay numbers.

Each export writes one audit record (`record`): who, which list, which filter, how many rows.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from . import audit
from .models import AuditLog
from .xlsx import is_formula_like, text_cell, text_row

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
BOM = "\ufeff"


# ---- xlsx cells (core.xlsx: text neutralised, numbers numeric) ---------------------------------


def typed_cell(ws, value):
    """Numbers as numbers, times as local date-times, yes/no as 是/否, everything else as text."""
    if isinstance(value, bool):
        return text_cell(ws, plain(value))
    if isinstance(value, int | float | Decimal):
        return WriteOnlyCell(ws, value)
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(ws, local.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return text_cell(ws, plain(value))


# ---- CSV values ---------------------------------------------------------------------------------


def plain(value) -> str:
    """A value as the screen writes it: local time to the minute, yes/no, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def csv_value(value):
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = plain(value)
    return "'" + text if is_formula_like(text) else text


# ---- the declaration of a list's export ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Export:
    """What a list exports: `name` (the file's and the audit record's), the permission, the columns,
    related rows to select with the list's queryset, and `prepare(chunk, user)` for what a chunk of
    rows needs beyond them (run once per chunk, never per row)."""

    name: str
    label: Any  # the list's name (a lazy translation): the sheet's title, the audit record's
    perm: str
    columns: tuple[Column, ...]
    select: tuple[str, ...] = ()
    prepare: Callable[[list, Any], None] | None = None

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def values(self, row) -> list:
        return [c.value(row) for c in self.columns]


def display(name: str) -> Callable[[Any], Any]:
    """A choice field's label, as `get_<name>_display()` gives it, for a column: Django's builds a
    dict of the lazy labels on every call (a dozen translations per row); this one per language."""

    def value(row):
        current = getattr(row, name)
        return _labels(type(row), name, get_language()).get(current, current)

    return value


@lru_cache(maxsize=128)
def _labels(model, name: str, language: str | None) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


@dataclass
class Exported:
    """What an export held, for its audit record: how many rows, and the places they came from."""

    rows: int = 0
    subdistricts: set = field(default_factory=set)
    communities: set = field(default_factory=set)
    grids: set = field(default_factory=set)

    def add(self, row) -> None:
        self.rows += 1
        self.subdistricts.add(getattr(row, "subdistrict_id", None))
        self.communities.add(getattr(row, "community_id", None))
        self.grids.add(getattr(row, "grid_id", None))

    def place_keys(self) -> dict:
        """The places all the rows share (a record's scope keys): its staff see who took the rows
        away. Rows from several sub-districts, or none, leave the record to administrators."""
        keys: dict = {}
        for level, ids in (("subdistrict", self.subdistricts), ("community", self.communities), ("grid", self.grids)):
            if len(ids) == 1 and None not in ids:
                keys[level] = next(iter(ids))
        return keys if "subdistrict" in keys else {}


def chunk_size() -> int:
    return settings.LINLI_EXPORT_CHUNK_SIZE


def chunks(queryset, size: int) -> Iterator[list]:
    """The rows in the queryset's order, `size` at a time, read with a (server-side) cursor."""
    batch: list = []
    for row in queryset.iterator(chunk_size=size):
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def rows(export: Export, queryset, user, done: Exported) -> Iterator[list]:
    """The value lists of the rows, each chunk prepared (batched fetches) before its rows are read."""
    size = chunk_size()
    for batch in chunks(queryset.select_related(*export.select) if export.select else queryset, size):
        if export.prepare is not None:
            export.prepare(batch, user)
        for row in batch:
            done.add(row)
            yield export.values(row)


class _Line:
    """csv.writer's file: keeps the last lines written, to be handed on as bytes."""

    def __init__(self):
        self.buf = io.StringIO()

    def write(self, text):
        return self.buf.write(text)

    def take(self) -> bytes:
        data = self.buf.getvalue().encode()
        self.buf.seek(0)
        self.buf.truncate()
        return data


def csv_stream(export: Export, values: Iterable[list], flush_chars: int = 16_384) -> Iterator[bytes]:
    """The CSV as bytes, handed on whenever some 16,000 characters are written (a buffer of bounded
    size, however long the rows): a BOM, the header, the rows."""
    out = _Line()
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow([csv_value(h) for h in export.headers()])
    for row in values:
        writer.writerow([csv_value(v) for v in row])
        if out.buf.tell() >= flush_chars:
            yield out.take()
    yield out.take()


def write_xlsx(export: Export, values: Iterable[list], out) -> None:
    """The workbook into the file `out`: the header as text, each value typed (typed_cell)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(export.label)[:31])
    ws.append(text_row(ws, export.headers()))
    for row in values:
        ws.append([typed_cell(ws, v) for v in row])
    wb.save(out)


# ---- the audit record ---------------------------------------------------------------------------


def described(params) -> str:
    """The filter an export used, for its audit record: each parameter as chosen, the search text
    never (it may be a name or a phone): only that there was one."""
    parts = []
    for name in sorted(params):
        if name in ("page", "cursor"):  # where the list was, not what it was filtered by
            continue
        value = params.get(name, "")
        if value in (None, ""):
            continue
        parts.append(f"{name}=…" if name == "q" else f"{name}={str(value)[:40]}")
    return ", ".join(parts)[:500]


def record(user, export: Export, model, fmt: str, done: Exported, filters: str, complete: bool = True) -> AuditLog:
    """导出: who exported which list with which filter, and how many rows; never a value of the rows."""
    changes: dict = {"rows": [None, done.rows], "filter": [None, filters]}
    if not complete:
        changes["complete"] = [None, False]
    label = _("Export of the list: %(name)s") % {"name": export.label}
    return audit.record(
        user, AuditLog.Action.EXPORT, model, changes, note=f"{export.name}.{fmt}", label=label, keys=done.place_keys()
    )
