"""Helpers every benchmark entry shares: its own database, fast bulk loads, timing, tables.

Import after ``django.setup()`` (``bench/run.py`` does that before it loads the entries).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter

import psycopg
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Field, JSONField, Model
from psycopg import sql

# The apps whose tables a benchmark empties between runs; never auth or the beat schedule.
DATA_APPS = ("orders", "settlements")


def fresh_database(settings_dict: dict) -> None:
    """Drop and recreate the benchmark database, then migrate it: every run starts the same."""
    connection.close()
    name = settings_dict["NAME"]
    maintenance = {
        "dbname": "postgres",
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": settings_dict.get("PORT") or 5432,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    with psycopg.connect(autocommit=True, **maintenance) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    call_command("migrate", verbosity=0, skip_checks=True)


def reset_data() -> None:
    """Empty the orders and settlements tables and restart their ids at 1.

    TRUNCATE fires no row triggers, so the append-only ledger and settlements allow it.
    """
    tables = [
        model._meta.db_table
        for label in DATA_APPS
        for model in apps.get_app_config(label).get_models()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE")
            .format(sql.SQL(", ").join(map(sql.Identifier, tables)))
            .as_string(cursor.connection)
        )


def copy_rows(model: type[Model], objects: Iterable[Model]) -> int:
    """Load unsaved model instances with COPY, ids included; returns how many.

    auto_now fields and JSON go through the field's own ``pre_save``/``get_db_prep_save``, as the
    ORM would store them; plain values (numbers, Decimal, text, aware datetimes) go to psycopg as
    they are, which is several times faster. Call ``reset_sequences`` afterwards.
    """
    fields = model._meta.concrete_fields
    values = [_value(f) for f in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
    )
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(statement) as copy:
            for obj in objects:
                copy.write_row([value(obj) for value in values])
                count += 1
    return count


def _value(field: Field) -> Callable[[Model], object]:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    if isinstance(field, JSONField):
        return lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection)
    return attrgetter(field.attname)


def reset_sequences(models: Sequence[type[Model]]) -> None:
    """Point each table's id sequence past the ids ``copy_rows`` loaded."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def analyze() -> None:
    """Give the planner statistics, as autovacuum would have in production."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as t: ...`` then ``t[0]`` holds the elapsed seconds."""
    elapsed: list[float] = []
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed.append(time.perf_counter() - start)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table, numbers right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
