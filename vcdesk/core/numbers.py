"""Readable document numbers (SR-20260214-0007, RMA-2026-0012): the next value of a counter
per day or per year, handed out in one statement.

A counter is a row of a small model with a primary key (the day, or a key such as
"RMA-2026") and a `last` integer. `next_number` increments it and reads the new value in one
`INSERT … ON CONFLICT DO UPDATE … RETURNING` (SQLite 3.35+ and PostgreSQL): the first call of
a day creates the row, later calls add one. Call it inside the transaction that stores the
document: the counter's row stays locked until that transaction ends, so concurrent calls
queue for the next number and a rolled-back document gives its number back.
"""

from django.db import connection
from django.db.models import Model


def next_number(model: type[Model], key) -> int:
    """Add one to `model`'s counter for `key` (its primary key), creating the row at 1 the
    first time; the new value."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    key_field = meta.pk
    key_column = quote(key_field.column)
    last_column = quote(meta.get_field("last").column)
    sql = (
        f"INSERT INTO {table} ({key_column}, {last_column}) VALUES (%s, 1) "
        f"ON CONFLICT ({key_column}) DO UPDATE SET {last_column} = {table}.{last_column} + 1 "
        f"RETURNING {last_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_field.get_db_prep_value(key, connection)])
        (last,) = cursor.fetchone()
    return last
