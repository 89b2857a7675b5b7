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
