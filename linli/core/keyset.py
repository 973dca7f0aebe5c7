"""Keyset pagination ("older than …"): a page is the rows after a position in the list's order,
not an OFFSET, so page 200 reads what page 1 reads (docs/benchmarks.md, "Deep pages").

A list is ordered newest first on one column and the id, `(-field, -id)`: the id breaks ties, so
rows with equal timestamps keep their place from one page to the next. A cursor names a position
(the field's value and the id of a row) and a direction: "after" it (older rows) or "before" it
(newer rows). It is signed with a salt naming the list, so a cursor altered by hand, or taken from
another list, is refused (`BadCursor`) instead of showing something odd; the scope is not the
cursor's business — it only narrows the list's queryset, restricted as always.

A nullable field sorts its NULLs first (PostgreSQL's order for DESC, which its indexes keep).

No count: the page fetches one row more than it shows to know whether there are older rows.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, Q

AFTER, BEFORE = "a", "b"  # older than the position, newer than it


class BadCursor(ValueError):
    """A cursor that was not made by this list, or was altered."""


@dataclass(frozen=True)
class Keyset:
    """How a list is paged: its ordering field (newest first, then the id) and its name, which
    salts its cursors."""

    name: str
    field: str = "created_at"

    def _model_field(self, model):
        return model._meta.get_field(self.field)

    def encode(self, row, direction) -> str:
        value = getattr(row, self.field)
        shown = value.isoformat() if hasattr(value, "isoformat") else value
        return signing.dumps([shown, row.pk, direction], salt=f"linli.keyset.{self.name}")

    def decode(self, model, cursor):
        """(value, id, direction) of a cursor made by `encode`; BadCursor for anything else."""
        try:
            shown, pk, direction = signing.loads(cursor, salt=f"linli.keyset.{self.name}")
            if direction not in (AFTER, BEFORE) or not isinstance(pk, int) or isinstance(pk, bool):
                raise ValueError(direction)
            value = None if shown is None else self._model_field(model).to_python(shown)
        except (signing.BadSignature, ValidationError, ValueError, TypeError) as exc:
            raise BadCursor(str(cursor)[:40]) from exc
        return value, pk, direction

    def ordered(self, queryset, direction=AFTER):
        """The list's order (AFTER: newest first) or its reverse (BEFORE)."""
        nullable = self._model_field(queryset.model).null
        col = F(self.field)
        if direction == AFTER:
            first = col.desc(nulls_first=True) if nullable else col.desc()
            return queryset.order_by(first, "-pk")
        last = col.asc(nulls_last=True) if nullable else col.asc()
        return queryset.order_by(last, "pk")

    def beyond(self, model, value, pk, direction) -> list[Q]:
        """The rows after (older) or before (newer) the position (value, pk), as the parts of the
        list they are in, in order: a nullable field's NULLs are a part of their own, read only when
        the part before it runs out, since an OR of "IS NULL" with a range would keep an index from
        starting the scan at the position. The redundant bound on the field alone (`<=`, `>=`) is
        what lets an index on (…, -field, -id) start there instead of at the newest row."""
        f = self.field
        nullable = self._model_field(model).null
        nulls = Q(**{f"{f}__isnull": True})
        if direction == AFTER:
            if value is None:
                return [nulls & Q(pk__lt=pk), Q(**{f"{f}__isnull": False})]
            return [Q(**{f"{f}__lte": value}) & (Q(**{f"{f}__lt": value}) | Q(pk__lt=pk))]
        if value is None:
            return [nulls & Q(pk__gt=pk)]
        later = Q(**{f"{f}__gte": value}) & (Q(**{f"{f}__gt": value}) | Q(pk__gt=pk))
        return [later, nulls] if nullable else [later]

    def page(self, queryset, cursor=None, per_page=30):
        """The page at `cursor` (the first page without one), in the list's order. BadCursor when
        the cursor is not one of this list's. One query (and the list's prefetches) but where a
        nullable field's NULLs border the page."""
        if not cursor:
            direction, parts = AFTER, [Q()]
        else:
            value, pk, direction = self.decode(queryset.model, cursor)
            parts = self.beyond(queryset.model, value, pk, direction)
        found: list = []
        for part in parts:
            found += self.ordered(queryset.filter(part), direction)[: per_page + 1 - len(found)]
            if len(found) > per_page:
                break
        more = len(found) > per_page
        found = found[:per_page]
        if direction == BEFORE:
            found.reverse()
            has_next, has_previous = True, more
        else:
            has_next, has_previous = more, bool(cursor)
        return Page(self, found, queryset, per_page, has_next and bool(found), has_previous and bool(found))


@dataclass
class Counter:
    """What a Paginator offers that some callers read: `count` is counted only when read (no
    template of a keyset list shows it: that is the COUNT(*) keyset pages avoid)."""

    queryset: object = field(repr=False)
    per_page: int = 30

    @cached_property
    def count(self):
        return self.queryset.count()


@dataclass
class Page:
    keyset: Keyset
    object_list: list
    queryset: object = field(repr=False)
    per_page: int = 30
    has_next: bool = False
    has_previous: bool = False

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_other_pages(self):
        return self.has_next or self.has_previous

    @cached_property
    def paginator(self):
        return Counter(self.queryset, self.per_page)

    @property
    def next_cursor(self):
        """Older rows: after the last row shown."""
        return self.keyset.encode(self.object_list[-1], AFTER) if self.has_next else None

    @property
    def previous_cursor(self):
        """Newer rows: before the first row shown."""
        return self.keyset.encode(self.object_list[0], BEFORE) if self.has_previous else None
