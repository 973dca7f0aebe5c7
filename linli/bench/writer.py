"""Streaming bulk loads for the synthetic district, through the ledger's bulk writer (COPY on
PostgreSQL, bulk_create elsewhere, each value prepared by its field: encrypted fields encrypted).

Rows carry their own ids (the generator numbers them), so children can point at parents without
reading anything back; missing columns take the field's default.
"""

from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection, models

from linli.ledger import bulk


class Table:
    """Buffers rows of one model and writes them in batches."""

    def __init__(self, model, batch=20_000):
        self.model = model
        fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() if f.has_default() or not f.null else None for f in fields}
        self.batch = batch
        self.rows = []
        self.written = 0
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, **values) -> int:
        if "id" not in values:
            values["id"] = self.new_id()
        row = self.defaults | values
        self._append(tuple(row[n] for n in self.names))
        return values["id"]

    def instance(self, **values):
        """An instance of the model with these values and the fields' defaults, built from
        positional arguments as Django builds the rows it reads (three times faster than
        keywords, which counts at a million requests)."""
        row = self.defaults | values
        return self.model(*[row[n] for n in self.names])

    def add_object(self, obj) -> int:
        """A row built as an instance of the model (a replayed request, a row its moves wrote),
        numbered here if it has no id yet."""
        if obj.pk is None:
            obj.pk = self.new_id()
        self._append(tuple(getattr(obj, n) for n in self.names))
        return obj.pk

    def _append(self, row):
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self):
        with _given_times(self.model, self.names, self.rows[:1]):
            bulk.insert(self.model, self.names, self.rows)
        self.written += len(self.rows)
        self.rows = []

    def finish(self):
        self.flush()
        reset_sequences(self.model)


@contextmanager
def _given_times(model, names, first):
    """The rows' own times in auto_now(_add) fields (a wish posted a year ago), as COPY writes
    them; bulk_create (SQLite) would stamp them with now. Fields the rows leave empty keep it."""
    given = {n for n, value in zip(names, first[0], strict=True) if value is not None} if first else set()
    fields = [
        f
        for f in model._meta.concrete_fields
        if (getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)) and f.attname in given
    ]
    flags = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (now, add) in zip(fields, flags, strict=True):
            f.auto_now, f.auto_now_add = now, add


def reset_sequences(*models_):
    for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
        with connection.cursor() as cursor:
            cursor.execute(sql)
