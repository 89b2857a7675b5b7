"""Statements written once for the few reads every request of a hot path makes.

The ORM composes a query's SQL again on every call; for a one-row read by key that costs this
host about a millisecond of CPU, more than running it. The functions here build the SQL
once from the models' metadata (so a renamed column follows) and turn a row back into model
instances exactly as the ORM would: same fields, same converters (SQLite's dates,
booleans, decimals), `_state` of a saved row. Tests compare each such read with its ORM
equivalent.
"""

from collections.abc import Sequence
from functools import cache

from django.db import connection
from django.db.models import Model


def select_list(alias: str, model: type[Model]) -> str:
    """`alias."col", ...` for every concrete field of `model`, in `_meta` order."""
    q = connection.ops.quote_name
    return ", ".join(f"{alias}.{q(f.column)}" for f in model._meta.concrete_fields)


def instances_from_row(row: Sequence, *models: type[Model]) -> tuple[list[Model], int]:
    """Instances of `models` from consecutive column runs of `row` (as `select_list` wrote
    them), and the position after the last run (for any extra columns)."""
    instances, start = [], 0
    for model in models:
        attnames, converters = _reading(connection.vendor, model)
        values = list(row[start : start + len(attnames)])
        for i, field, converter in converters:
            values[i] = converter(values[i], field, connection)
        instances.append(model.from_db(connection.alias, attnames, values))
        start += len(attnames)
    return instances, start


@cache
def _reading(vendor: str, model: type[Model]) -> tuple[list[str], list[tuple]]:
    """The attribute names of `model`'s columns and the converters the ORM would apply."""
    fields = model._meta.concrete_fields
    converters = [
        (i, field, converter)
        for i, field in enumerate(fields)
        for converter in connection.ops.get_db_converters(field.get_col(model._meta.db_table))
        + field.get_db_converters(connection)
    ]
    return [f.attname for f in fields], converters


def insert_rows(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """INSERT `rows` (values of `fields`, in that order, as Python values: str, int, aware
    datetimes, None; foreign keys by id) into `model`'s table; their new ids, in row order.

    For writes of thousands of rows at once (a sweep's notifications): no model instances and
    no per-value preparation. On PostgreSQL one statement per call whatever the count,
    `INSERT … SELECT * FROM unnest(<one array per column>) WITH ORDINALITY … ORDER BY ordinality
    RETURNING id`; on SQLite multi-row VALUES in batches of the backend's parameter limit. No
    signals are sent and no field defaults applied: give every column that needs a value.
    """
    if not rows:
        return []
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    ops, q = connection.ops, connection.ops.quote_name
    adapt = [
        ops.adapt_datetimefield_value if field.get_internal_type() == "DateTimeField" else None
        for field in columns
    ]
    if any(adapt):
        rows = [
            [
                value if fn is None or value is None else fn(value)
                for fn, value in zip(adapt, row, strict=True)
            ]
            for row in rows
        ]
    table, pk = q(meta.db_table), q(meta.pk.column)
    names = ", ".join(q(field.column) for field in columns)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM unnest({arrays}) "
                f"WITH ORDINALITY AS r({names}, n) ORDER BY n RETURNING {pk}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        else:
            per_batch = max(1, ops.bulk_batch_size(columns, rows))
            values = "(" + ", ".join(["%s"] * len(columns)) + ")"
            for start in range(0, len(rows), per_batch):
                batch = rows[start : start + per_batch]
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES "
                    f"{', '.join([values] * len(batch))} RETURNING {pk}",
                    [value for row in batch for value in row],
                )
                ids.extend(row[0] for row in cursor.fetchall())
    return ids


def insert_instances(instances: Sequence[Model]) -> None:
    """Save new instances of one model in one INSERT, as `bulk_create` would store them
    (auto_now fields set, every value prepared by its field, the new ids set on the
    instances) with the statement written once per model and row count. No signals are sent:
    for the few writes every request of a hot path makes (opening a service record)."""
    if not instances:
        return
    model = type(instances[0])
    meta = model._meta
    pk = meta.pk
    if pk.db_returning and any(obj.pk is not None for obj in instances):
        raise ValueError("insert_instances() saves new rows: their ids come from the database")
    fields = [f for f in meta.concrete_fields if not (f is pk and f.db_returning)]
    sql = _insert_sql(connection.vendor, model, len(instances))
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in instances
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    for obj, (new_pk,) in zip(instances, returned, strict=True):
        if pk.db_returning:
            setattr(obj, pk.attname, new_pk)
        obj._state.adding, obj._state.db = False, connection.alias


@cache
def _insert_sql(vendor: str, model: type[Model], rows: int) -> str:
    meta, q = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not (f is meta.pk and f.db_returning)]
    values = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
        f"VALUES {', '.join([values] * rows)} RETURNING {q(meta.pk.column)}"
    )
