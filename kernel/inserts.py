"""Multi-row inserts with one statement per table per batch: the sweeps' audit rows (issue 13).

Django's ``bulk_create`` spends most of a sweep batch's insert in Python: each field's
``get_db_prep_save`` for every row, then (with client-side binding on PostgreSQL) quoting every
element of its ``UNNEST`` arrays. On PostgreSQL ``insert`` sends the batch as one JSON document,
encoded by the C ``json`` module, and ``json_populate_recordset`` turns it into rows of the table's
own type: one ``INSERT … SELECT … RETURNING id``, ids in the objects' order. Elsewhere (SQLite) it
is ``bulk_create``, the portable path. Either way the objects get their ids, as with
``bulk_create``; constraints and triggers apply as to any insert.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, JSONField, Model

M = TypeVar("M", bound=Model)


def insert(objects: Sequence[M], *, ignore_conflicts: bool = False) -> Sequence[M]:
    """Insert unsaved instances of one model in one statement; returns them with their ids.

    With ``ignore_conflicts`` a row that would break a unique constraint is skipped (``ON
    CONFLICT DO NOTHING``) and no ids are set, as with ``bulk_create``.
    """
    if not objects:
        return objects
    model = type(objects[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objects, ignore_conflicts=ignore_conflicts)
    fields: list[Field[Any, Any]] = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [str(f.column) for f in fields]  # a concrete field always has its column
    document = json.dumps(
        [{name: _value(f, obj) for name, f in zip(names, fields, strict=True)} for obj in objects],
        default=_encode,
        ensure_ascii=False,
    )
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else f" RETURNING {pk}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} "
            f"FROM json_populate_recordset(NULL::{table}, %s) WITH ORDINALITY "
            f"ORDER BY ordinality{conflict}",
            [document],
        )
        if not ignore_conflicts:
            for obj, (new_id,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = new_id
                obj._state.adding = False
    return objects


def _value(field: Field[Any, Any], obj: Model) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return field.pre_save(obj, add=True)
    value = getattr(obj, field.attname)
    if isinstance(field, JSONField) and field.encoder is not None:
        return json.loads(json.dumps(value, cls=field.encoder))
    return value


def _encode(value: object) -> str:
    """What JSON cannot hold as it is: exact decimals and instants, as PostgreSQL reads them."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")
