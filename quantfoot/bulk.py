"""Insert many rows without building model instances: the import hot paths (odds, events, stats).

A season of odds is ~10,000 rows and a StatsBomb match ~3,800 events; building a Django
model instance per row cost more than the database work itself (bench/imports.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, models

# Field types whose Python values need the database adapter's conversion.
PREPARED_TYPES = {"DateTimeField", "DateField", "DecimalField", "JSONField"}
MAX_PARAMETERS = 30_000
COPY_MIN_ROWS = 200


def insert_rows(model: type[models.Model], fields: list[str], rows: list[tuple]) -> int:
    """INSERT ``rows`` (tuples in ``fields`` order) in as few statements as the database allows; returns the count.

    Inside ``deferred_inserts()`` the rows are queued and written when it ends.
    """
    if not rows:
        return 0
    queue = _deferred.get()
    if queue is not None:
        queue.add(model, fields, rows)
        return len(rows)
    return _insert_now(model, fields, rows)


def _insert_now(model: type[models.Model], fields: list[str], rows: list[tuple]) -> int:
    opts = model._meta
    model_fields = [opts.get_field(name) for name in fields]
    prepared = [i for i, field in enumerate(model_fields) if field.get_internal_type() in PREPARED_TYPES]
    if prepared:
        memo: dict = {}  # a season's odds repeat a handful of lines; prepare each value once

        def prepare(i, value):
            try:
                key = (i, value)
                if key not in memo:
                    memo[key] = model_fields[i].get_db_prep_save(value, connection)
                return memo[key]
            except TypeError:  # unhashable (JSON): prepare every time
                return model_fields[i].get_db_prep_save(value, connection)

        rows = [list(row) for row in rows]
        for row in rows:
            for i in prepared:
                row[i] = prepare(i, row[i])
    quote = connection.ops.quote_name
    table, columns = quote(opts.db_table), ", ".join(quote(field.column) for field in model_fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if len(rows) >= COPY_MIN_ROWS:
                # COPY streams rows with no SQL to build or parse: the fastest way in for many rows.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                # A few rows: one round trip with one typed array per column; the statement's
                # text stays the same whatever the row count, so psycopg and the server reuse it.
                arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in model_fields)
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})",
                               [list(column) for column in zip(*rows)])
            return len(rows)
        # Elsewhere, multi-row INSERTs, chunked under the parameter limit (SQLite 32,766).
        row_sql = "(" + ", ".join(["%s"] * len(model_fields)) + ")"
        per_statement = max(1, MAX_PARAMETERS // len(model_fields))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))}",
                           [value for row in chunk for value in row])
    return len(rows)


def insert_returning_pk(model: type[models.Model], values: dict) -> int:
    """INSERT one row (the model's defaults for fields not given) and return its primary key."""
    opts = model._meta
    given = {opts.get_field(name): value for name, value in values.items()}
    for field in opts.concrete_fields:  # the model's defaults for what the caller left out
        if field not in given and not field.primary_key:
            given[field] = field.get_default()
    model_fields = list(given)
    params = [field.get_db_prep_save(getattr(value, "pk", value), connection) for field, value in given.items()]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in model_fields)}) "
           f"VALUES ({', '.join(['%s'] * len(params))}) RETURNING {quote(opts.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


class DeferredInserts:
    """Rows queued per table during a batch; each unit's rows can be dropped if the unit fails."""

    def __init__(self):
        self.queues: dict[tuple, list[tuple]] = {}

    def add(self, model, fields, rows) -> None:
        self.queues.setdefault((model, tuple(fields)), []).extend(rows)

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Rows queued inside are dropped again if the block raises (pair it with a savepoint)."""
        marks = {key: len(rows) for key, rows in self.queues.items()}
        try:
            yield
        except BaseException:
            for key in list(self.queues):
                if key in marks:
                    del self.queues[key][marks[key]:]
                else:
                    del self.queues[key]
            raise

    def flush(self) -> None:
        queues, self.queues = self.queues, {}
        for (model, fields), rows in queues.items():
            _insert_now(model, list(fields), rows)


_deferred: ContextVar[DeferredInserts | None] = ContextVar("deferred_inserts", default=None)


@contextmanager
def deferred_inserts() -> Iterator[DeferredInserts]:
    """Queue insert_rows() calls and write them per table at the end: use inside the batch's transaction.

    A batch of 50 matches then writes its odds in one statement instead of fifty.
    """
    queue = DeferredInserts()
    token = _deferred.set(queue)
    try:
        yield queue
        queue.flush()
    finally:
        _deferred.reset(token)
