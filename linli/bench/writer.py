"""Fast bulk loading for the synthetic district: PostgreSQL COPY, SQLite executemany.

Rows carry their own ids (the generator numbers them), so children can point at parents without
reading anything back. Values are given as Python values already prepared for storage
(encrypted fields encrypted, hashes computed); missing columns take the field's default.
"""

import json
from datetime import date, datetime
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, models


class Table:
    """Buffers rows of one model and writes them in batches."""

    def __init__(self, model, batch=20_000):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: (f.get_default() if f.has_default() or not f.null else None) for f in self.fields}
        for f in self.fields:
            if isinstance(f, models.JSONField) and f.attname not in self.defaults:
                self.defaults[f.attname] = None
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
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
        for name in self.json:
            if row[name] is not None:
                row[name] = json.dumps(row[name], ensure_ascii=False)
        self.rows.append(tuple(row[n] for n in self.names))
        if len(self.rows) >= self.batch:
            self.flush()
        return values["id"]

    def flush(self):
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # noqa: S608 - names from the model
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", [tuple(map(_sqlite, r)) for r in self.rows])  # noqa: S608
        self.written += len(self.rows)
        self.rows = []

    def finish(self):
        self.flush()
        reset_sequences(self.model)


def _sqlite(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def reset_sequences(*models_):
    for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
        with connection.cursor() as cursor:
            cursor.execute(sql)
