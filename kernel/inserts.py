"""Multi-row inserts with one statement per table per batch: the sweeps' audit rows (issue 13).

Django's ``bulk_create`` spends most of a sweep batch's insert in Python: each field's
``get_db_prep_save`` for every row, then (with client-side binding on PostgreSQL) quoting every
element of its ``UNNEST`` arrays. On PostgreSQL the batch goes as one JSON document, encoded by
the C ``json`` module, and ``json_populate_recordset`` turns it into rows of the table's own type:
one ``INSERT … SELECT … RETURNING id``, ids in the rows' order. Elsewhere (SQLite) it is
``bulk_create``, the portable path. Constraints and triggers apply as to any insert.

``insert`` takes unsaved instances and gives them their ids, as ``bulk_create`` does;
``insert_rows`` takes plain mappings of field attnames to values, so a batch that only writes
audit rows never builds a model instance for them (about 30 µs each).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, JSONField, Model
from django.utils import timezone

M = TypeVar("M", bound=Model)
# bool is an int; a str or int subclass (a ``TextChoices`` member) is written as its value by any
# encoder, ``json``'s C one included.
_JSON_SCALARS = (str, int, float, type(None))


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
    fields = _fields(model)
    read = [_reader(f) for f in fields]
    ids = _insert(model, fields, ([get(obj) for get in read] for obj in objects), ignore_conflicts)
    if ignore_conflicts:
        return objects
    for obj, new_id in zip(objects, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
    return objects


def insert_rows(
    model: type[Model], rows: Sequence[Mapping[str, Any]], *, ignore_conflicts: bool = False
) -> list[int]:
    """Insert rows of ``model`` given as ``{attname: value}`` in one statement; returns their ids.

    A field a row leaves out takes its default (``auto_now`` ones the time of the call). With
    ``ignore_conflicts`` a row that would break a unique constraint is skipped and no ids are
    returned.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model._default_manager.bulk_create(
            [model(**row) for row in rows], ignore_conflicts=ignore_conflicts
        )
        return [] if ignore_conflicts else [obj.pk for obj in created]
    fields = _fields(model)
    defaults = [_default(f) for f in fields]
    encode = [_json_encoder(f) for f in fields]
    names = [f.attname for f in fields]
    values = (
        [
            row.get(name, default) if to_json is None else to_json(row.get(name, default))
            for name, default, to_json in zip(names, defaults, encode, strict=True)
        ]
        for row in rows
    )
    return _insert(model, fields, values, ignore_conflicts)


def _fields(model: type[Model]) -> list[Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _insert(
    model: type[Model],
    fields: list[Field[Any, Any]],
    values: Any,
    ignore_conflicts: bool,
) -> list[int]:
    """One ``INSERT … SELECT FROM json_populate_recordset``; ``values`` is one list per row."""
    names = [str(f.column) for f in fields]  # a concrete field always has its column
    document = json.dumps(
        [dict(zip(names, row, strict=True)) for row in values],
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
        return [] if ignore_conflicts else [new_id for (new_id,) in cursor.fetchall()]


def _reader(field: Field[Any, Any]) -> Callable[[Model], Any]:
    """How an instance's value of ``field`` is read for the document, decided once per batch."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, add=True)
    attname = field.attname
    to_json = _json_encoder(field)
    if to_json is not None:
        return lambda obj: to_json(getattr(obj, attname))
    return lambda obj: getattr(obj, attname)


def _default(field: Field[Any, Any]) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()


def _json_encoder(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """A JSON field's own encoder applied to its value, when it has one.

    A flat object of JSON scalars (an outbox payload, a status given as its ``TextChoices``
    member included) is what any encoder makes of it: it is passed as it is, without the round
    trip through the encoder.
    """
    if not isinstance(field, JSONField) or field.encoder is None:
        return None
    encoder = field.encoder

    def encoded(value: Any) -> Any:
        if type(value) is dict and all(
            type(key) is str and isinstance(item, _JSON_SCALARS) for key, item in value.items()
        ):
            return value
        return json.loads(json.dumps(value, cls=encoder))

    return encoded


def _encode(value: object) -> str:
    """What JSON cannot hold as it is: exact decimals and instants, as PostgreSQL reads them."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")
