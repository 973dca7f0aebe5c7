"""Bulk writes for the ledger import: COPY on PostgreSQL, bulk_create / bulk_update elsewhere.

An import of 100,000 people writes some 250,000 rows (people, households, audit records, tags).
bulk_create spends most of that time on work per value — Django preparing each field, psycopg
quoting each parameter of a long INSERT — and bulk_update builds a CASE WHEN per object and
field, which takes minutes; COPY sends the rows as they are. insert() takes plain tuples, so no
model instance is built either.
"""

import time
from contextlib import contextmanager

from django.db import connection, models
from django.utils import timezone

from linli.core.fields import SortKeyField

# Fields whose Python value is what the database stores; every other kind (encrypted text, JSON,
# datetimes …) goes through its own get_db_prep_save, as in bulk_create.
_AS_IS = {
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.CharField,
    models.DateField,
    models.BooleanField,
    models.ForeignKey,
}


def insert(model, names, rows, *, returning=False):
    """Insert `rows`, tuples of Python values for the fields whose attnames are `names`; the
    model's other fields take their defaults (auto_now(_add): now). The primary key may be among
    `names` (the caller numbers the rows) or not (the sequence does). Returns the primary keys in
    row order when `returning`."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=500)
        return [o.pk for o in objs]
    meta = model._meta
    numbered = meta.pk.attname in names  # by the caller
    fields = [f for f in meta.concrete_fields if not f.primary_key or numbered]
    unknown = set(names) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{meta.label} has no fields {sorted(unknown)}")
    now = timezone.now()  # one time for the call: the rows are created in one transaction anyway
    makers = [_maker(f, names.index(f.attname) if f.attname in names else None, now, names) for f in fields]
    columns = [f.column for f in fields]
    draw = returning and not numbered  # ids from the sequence, sent with the rows
    ids = [row[names.index(meta.pk.attname)] for row in rows] if returning and numbered else []
    with connection.cursor() as cursor:
        if draw:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = sorted(i for (i,) in cursor.fetchall())
            columns.insert(0, meta.pk.column)
        with _copy(cursor, meta.db_table, columns, len(rows)) as copy:
            for i, row in enumerate(rows):
                values = [make(row) for make in makers]
                copy.write_row([ids[i], *values] if draw else values)
    return ids


def update(objs, names):
    """Write the fields `names` of `objs`, instances of one model, as bulk_update(objs, names)
    would: on PostgreSQL, COPY into a temporary table and one UPDATE … FROM it."""
    if not objs:
        return
    model = type(objs[0])
    keys = [f for f in model._meta.concrete_fields if isinstance(f, SortKeyField) and f.source in names]
    for f in keys:  # a changed name moves its sort key too (bulk_update skips pre_save)
        for obj in objs:
            f.pre_save(obj, add=False)
    names = [*names, *(f.attname for f in keys if f.attname not in names)]
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, names, batch_size=500)
        return
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in names]
    columns = [meta.pk.column, *(f.column for f in fields)]
    table, temp = quote(meta.db_table), quote(f"bulk_update_{meta.db_table}")
    preps = [_prep(f) for f in fields]
    with connection.cursor() as cursor:
        names = ", ".join(map(quote, columns))
        # names from _meta, quoted
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA")  # noqa: S608
        with _copy(cursor, f"bulk_update_{meta.db_table}", columns, len(objs)) as copy:
            for obj in objs:
                copy.write_row(
                    [obj.pk, *(prep(getattr(obj, f.attname)) for f, prep in zip(fields, preps, strict=True))]
                )
        sets = ", ".join(f"{quote(c)} = u.{quote(c)}" for c in columns[1:])
        pk = quote(meta.pk.column)
        cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} AS u WHERE {table}.{pk} = u.{pk}")  # noqa: S608
        cursor.execute(f"DROP TABLE {temp}")


@contextmanager
def _copy(cursor, table, columns, count):
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    started = time.monotonic()
    with cursor.cursor.copy(sql) as copy:
        yield copy
    if connection.queries_logged:  # so query counts and the debug log see the COPY
        connection.queries_log.append({"sql": f"{sql} -- {count} rows", "time": f"{time.monotonic() - started:.3f}"})


def _prep(field):
    """Python value → the value the database stores, for `field`."""
    if type(field) in _AS_IS:
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)


def _maker(field, index, now, names=()):
    """A function from a row to the value COPY sends for `field` (index: its place in the row)."""
    prep = _prep(field)
    if isinstance(field, SortKeyField):  # pre_save's work, which COPY skips: the key of its source
        source = names.index(field.source) if field.source in names else None
        return (lambda row: field.key(row[source])) if source is not None else (lambda row: "")
    if index is not None:
        return (lambda row: row[index]) if type(field) in _AS_IS else (lambda row: prep(row[index]))
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) or field.default is timezone.now:
        value = prep(now)
    elif callable(field.default):
        return lambda row: prep(field.get_default())
    else:
        value = prep(field.get_default())
    return lambda row: value
