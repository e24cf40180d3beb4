"""Set-based writes for large batches: PostgreSQL `COPY` for inserts and `UPDATE … FROM (VALUES …)`
for updates, with Django's bulk_create / bulk_update on other databases.

An evaluation run at national scale writes millions of values: building a model instance per row
and an INSERT with a parameter per cell costs more than computing them. Rows are passed as plain
tuples of Python values in the order of `columns` (attnames: `run_id`, not `run`)."""
from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection, models

CHUNK = 50_000

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """One cell in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_ESCAPES)


def _plain(value) -> str:
    return "\\N" if value is None else str(value)


def copy_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], *,
                plain: bool = False) -> int:
    """Insert `rows` into the model's table; returns how many. COPY on PostgreSQL, bulk_create elsewhere.
    Constraints are enforced by the database as for any insert; nothing runs per row in Python
    besides formatting (no save(), no signals: for derived rows only). `plain=True` promises cells
    that are None, numbers or strings without tabs, newlines or backslashes (codes, ids, amounts):
    they are written as str() without escaping, three times faster."""
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=1000)
        return len(objs)
    table = connection.ops.quote_name(model._meta.db_table)
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    column_list = ", ".join(connection.ops.quote_name(column_of[c]) for c in columns)
    sql = f"COPY {table} ({column_list}) FROM STDIN"
    count = 0
    buffer = io.StringIO()
    cell = _plain if plain else _text
    with connection.cursor() as cursor:
        for row in rows:
            buffer.write("\t".join(map(cell, row)))
            buffer.write("\n")
            count += 1
            if count % CHUNK == 0:
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
                buffer = io.StringIO()
        if buffer.tell():
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
    return count


def update_from_values(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write `fields` of `objs` back, each row its own values: one `UPDATE … FROM (VALUES …)` per
    chunk on PostgreSQL (linear; bulk_update's CASE WHEN grows with the square of the chunk)."""
    if not objs:
        return 0
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=1000)
        return len(objs)
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    pk = meta.pk
    casts = [pk.db_type(connection)] + [field.db_type(connection) for field in targets]
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in targets)
    names = ", ".join([quote(pk.column), *(quote(field.column) for field in targets)])
    chunk = 5000
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            part = objs[start:start + chunk]
            row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
            params = []
            for obj in part:
                params.append(obj.pk)
                params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in targets)
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # nosec B608: names from _meta, values bound
                f"FROM (VALUES {', '.join([row_sql] * len(part))}) AS v({names}) "
                f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )
    return len(objs)
