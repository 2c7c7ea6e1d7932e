"""Insert many rows without building model instances: the import hot paths (odds, events, stats).

A season of odds is ~10,000 rows and a StatsBomb match ~3,800 events; building a Django
model instance per row cost more than the database work itself (bench/imports.py).
"""

from __future__ import annotations

from django.db import connection, models

# Field types whose Python values need the database adapter's conversion.
PREPARED_TYPES = {"DateTimeField", "DateField", "DecimalField", "JSONField"}
MAX_PARAMETERS = 30_000


def insert_rows(model: type[models.Model], fields: list[str], rows: list[tuple]) -> int:
    """INSERT ``rows`` (tuples in ``fields`` order) in as few statements as the database allows; returns the count."""
    if not rows:
        return 0
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

        rows = [tuple(prepare(i, value) if i in prepared else value for i, value in enumerate(row)) for row in rows]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in model_fields)
    row_sql = "(" + ", ".join(["%s"] * len(model_fields)) + ")"
    # One multi-row statement per chunk: psycopg 3 runs executemany as a statement per row,
    # and both databases cap the parameters of one statement (SQLite 32,766).
    per_statement = max(1, MAX_PARAMETERS // len(model_fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            cursor.execute(
                f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES {', '.join([row_sql] * len(chunk))}",
                [value for row in chunk for value in row],
            )
    return len(rows)
