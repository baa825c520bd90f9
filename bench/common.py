"""Helpers every benchmark entry shares: its own database, fast bulk loads, timing, tables.

Import after ``django.setup()`` (``bench/run.py`` does that before it loads the entries).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

import psycopg
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Field, JSONField, Model
from django.http import HttpResponseBase
from django.test import Client as TestClient
from psycopg import sql

from orders.models import Boost, Client, Influencer, OrderLine

# The apps whose tables a benchmark empties between runs; never auth or the beat schedule.
DATA_APPS = ("orders", "settlements")
FEN = Decimal("0.01")


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


def copy_all(plan: Sequence[tuple[type[Model], Iterable[Model]]]) -> dict[type[Model], int]:
    """``copy_rows`` each model's rows in the plan's order (parents first), then
    ``reset_sequences``; returns how many rows each model got."""
    counts = {model: copy_rows(model, objects) for model, objects in plan}
    reset_sequences(list(counts))
    return counts


def clients(count: int) -> Iterator[Client]:
    """Clients 1 to ``count``, coded ``bench-<id>``."""
    return (Client(id=c, code=f"bench-{c}", name=f"客户{c}") for c in range(1, count + 1))


def influencers(count: int, fixed_price: Decimal) -> Iterator[Influencer]:
    """Influencers 1 to ``count``, all at one fixed price."""
    return (
        Influencer(id=i, platform_id=f"bench_{i}", name=f"达人{i}", fixed_price=fixed_price)
        for i in range(1, count + 1)
    )


def order_line(
    pk: int,
    order_id: int,
    influencer_id: int,
    fixed_price: Decimal,
    published_at: datetime | None,
    video_id: str | None = None,
) -> OrderLine:
    """Order line ``pk``; a published one's video is ``bv<pk>`` unless ``video_id`` says."""
    if published_at is not None and video_id is None:
        video_id = f"bv{pk}"
    return OrderLine(
        id=pk,
        order_id=order_id,
        influencer_id=influencer_id,
        fixed_price=fixed_price,
        platform_video_id=video_id,
        published_at=published_at,
    )


def boost(
    pk: int,
    status: str,
    quoted: tuple[int, Decimal, Decimal],
    *,
    quoted_at: datetime,
    window: tuple[datetime | None, datetime | None],
    status_changed_at: datetime,
    quote: dict[str, object] | None = None,
) -> Boost:
    """The boost of order line ``pk`` (the same id): ``quoted`` is its expected views, premium
    ratio and fee; the quote stays valid 30 days and was priced at a 30 % loss ratio."""
    expected_views, premium_ratio, boost_fee = quoted
    window_start, window_end = window
    return Boost(
        id=pk,
        line_id=pk,
        status=status,
        expected_views=expected_views,
        premium_ratio=premium_ratio,
        boost_fee=boost_fee,
        loss_ratio=Decimal("0.3000"),
        quote=quote or {"bench": True},
        quoted_at=quoted_at,
        valid_until=quoted_at + timedelta(days=30),
        window_start=window_start,
        window_end=window_end,
        status_changed_at=status_changed_at,
    )


def random_quote(rng: random.Random) -> tuple[Decimal, Decimal, Decimal, int]:
    """A line's fixed price (¥500 to ¥50,000), premium ratio (10 to 50 %), boost fee and expected
    views (1,000 to 300,000), four draws from ``rng`` in that order."""
    price = Decimal(rng.randrange(50_000, 5_000_000)) * FEN
    ratio = Decimal(rng.randrange(10, 51)) / 100
    fee = (price * ratio).quantize(FEN, ROUND_HALF_UP)
    return price, ratio, fee, rng.randrange(1_000, 300_000)


def server_version() -> str:
    """The PostgreSQL server's version, for a run's header line."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def analyze() -> None:
    """Settle freshly loaded tables as autovacuum would have in production, before any timing.

    Statistics for the planner; the visibility map and hint bits set, and the dirty pages
    written, so neither a background vacuum nor a checkpoint of the load runs inside a
    measurement.
    """
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")


@contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as t: ...`` then ``t[0]`` holds the elapsed seconds."""
    elapsed: list[float] = []
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed.append(time.perf_counter() - start)


def get(browser: TestClient, url: str) -> tuple[float, HttpResponseBase]:
    """``GET url`` over HTTPS through Django's test client: its seconds and its response.

    Any answer but 200 stops the run: the timing of an error page would measure nothing.
    """
    start = time.perf_counter()
    response = browser.get(url, secure=True)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed, response


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
