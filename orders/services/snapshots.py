"""Storing view snapshots from the platform's pipeline (DESIGN §5), a batch all or nothing.

A batch costs a constant number of statements whatever its size. On PostgreSQL its items are
loaded with ``COPY`` into a temporary table and one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
stores those every rule accepts: known video, a whole count, observed between the order's placing
and now. When it stored one row per distinct item, nothing was refused and nothing was stored
before, which is the common case, so nothing is looked up first. Otherwise one query finds the
items the database has something to say about (unknown video, observed before the order was
placed, already stored), the rules run over them and a refusal rolls the insert back. Elsewhere
(SQLite in tests and development) the same facts come from two ORM queries before the rows go in
with ``bulk_create``. Both feed the one set of rules (``_refusals``), so answers and messages are
the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Order, OrderLine, ViewSnapshot
from .boosts import CLOCK_SKEW
from .errors import BatchRefused
from .suspicious import flag_suspicious_snapshots

# The session's staging table on PostgreSQL: emptied at each commit and before each batch.
STAGING = "starboost_ingest_views"


class SnapshotIn(NamedTuple):
    """One observation from the platform's pipeline: a video's views at an instant.

    A named tuple, not a frozen dataclass: a batch builds ten thousand, each in under half the time.
    """

    video_id: str
    observed_at: datetime
    views: int


@dataclass(frozen=True)
class Found:
    """What the database knows of one item: its line (None: unknown video), when the line's order
    was placed, and the count already stored for its (line, instant), if any."""

    line_id: int | None
    placed_at: datetime | None
    stored: int | None


def record_views(*, items: Iterable[SnapshotIn], now: datetime) -> int:
    """Store a batch of view snapshots, all or nothing; returns how many were new.

    The same (video, instant, views) again is ignored; a different count for a stored
    (video, instant) is a conflict. Every item is checked, including that it was observed between
    the order's placing and ``now`` (plus clock skew), so no stored instant is one the database
    cannot give back or a sweep cannot use; a batch with any refusal leaves nothing behind.
    """
    items = list(items)
    if not items:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _record_staged(items, now=now)
        found = _look_up(items)
        _refuse(items, found, now=now)
        new, line_ids, since = _bulk_insert(items, found, now=now)
        # After the batch's rows are stored, still in its transaction, once per batch (§5).
        if since is not None:
            flag_suspicious_snapshots(line_ids=line_ids, since=since, now=now)
        return new


def _refuse(items: Sequence[SnapshotIn], found: dict[int, Found], *, now: datetime) -> None:
    """Raise ``BatchRefused`` with every item's refusal, if any."""
    errors, conflicts = _refusals(items, found, now=now)
    if errors:
        raise BatchRefused(errors, conflicts=conflicts)


def _refusals(
    items: Sequence[SnapshotIn], found: dict[int, Found], *, now: datetime
) -> tuple[dict[int, str], set[int]]:
    """Every item's refusal by index, and which of them contradict stored data.

    ``found`` may hold only the items the database had something to say about (``_check``):
    any other item's video is known, observed after its order was placed, and not stored yet.
    """
    errors: dict[int, str] = {}
    latest = now + CLOCK_SKEW
    for n, item in enumerate(items):
        fact = found.get(n)
        views = item.views
        if fact is not None and fact.line_id is None:
            errors[n] = _("Unknown video %(video)s.") % {"video": item.video_id}
        elif not isinstance(views, int) or isinstance(views, bool) or views < 0:
            errors[n] = _("Views must be a whole number ≥ 0.")
        elif item.observed_at > latest:
            errors[n] = _("The observation time %(at)s is in the future.") % {
                "at": item.observed_at
            }
        elif fact is not None and fact.placed_at and item.observed_at < fact.placed_at:
            errors[n] = _(
                "The observation time %(at)s is before the order was placed (%(placed)s)."
            ) % {
                "at": item.observed_at.isoformat(),
                "placed": timezone.localtime(fact.placed_at).isoformat(),
            }
    # A video is one order line, so (video, instant) names a snapshot as (line, instant) does.
    seen: dict[tuple[str, datetime], int] = {}
    for n, item in enumerate(items):
        if (
            n not in errors
            and seen.setdefault((item.video_id, item.observed_at), item.views) != item.views
        ):
            errors[n] = _("Two different counts for the same video and instant in one batch.")
    conflicts = set()
    for n, fact in found.items():
        if n not in errors and fact.stored is not None and fact.stored != items[n].views:
            errors[n] = _("Conflicts with the stored count %(views)s for this instant.") % {
                "views": fact.stored
            }
            conflicts.add(n)
    return errors, conflicts


def _valid_views(views: object) -> int | None:
    """The count as the staging table can hold it; an invalid one is refused by ``_refusals``."""
    if isinstance(views, int) and not isinstance(views, bool) and views >= 0:
        return views
    return None


# --- PostgreSQL: COPY into a temporary table, insert, check only when needed -------------------


# The staged items the database has something to say about (``Found``): unknown video, observed
# before the order was placed, or already stored. Its stored count is one probe of the (line,
# observed_at) index per item (``LIMIT 1`` keeps the planner from hashing the whole table).
CHECK = (
    "SELECT b.n, l.id, o.placed_at, s.views FROM {staging} b "
    "LEFT JOIN {line} l ON l.platform_video_id = b.video_id "
    "LEFT JOIN {order} o ON o.id = l.order_id "
    "LEFT JOIN LATERAL (SELECT s.views FROM {snapshot} s "
    "WHERE s.line_id = l.id AND s.observed_at = b.observed_at LIMIT 1) s ON true "
    "WHERE l.id IS NULL OR b.observed_at < o.placed_at OR s.views IS NOT NULL"
)
# The staged items every rule accepts, stored; a (line, instant) already there is skipped.
# Answers what flagging needs of the new rows: how many, their lines, their earliest instant (one
# row, not one per snapshot).
INSERT = (
    "WITH stored AS (INSERT INTO {snapshot} (line_id, observed_at, views, received_at) "
    "SELECT l.id, b.observed_at, b.views, %(now)s FROM {staging} b "
    "JOIN {line} l ON l.platform_video_id = b.video_id JOIN {order} o ON o.id = l.order_id "
    "WHERE b.views IS NOT NULL AND b.observed_at >= o.placed_at AND b.observed_at <= %(latest)s "
    "ORDER BY b.n ON CONFLICT (line_id, observed_at) DO NOTHING RETURNING line_id, observed_at) "
    "SELECT count(*), array_agg(DISTINCT line_id), min(observed_at) FROM stored"
)


def _tables() -> dict[str, str]:
    """The quoted table names ``CHECK`` and ``INSERT`` are formatted with."""
    quote = connection.ops.quote_name
    return {
        "staging": quote(STAGING),
        "line": quote(OrderLine._meta.db_table),
        "order": quote(Order._meta.db_table),
        "snapshot": quote(ViewSnapshot._meta.db_table),
    }


def _record_staged(items: Sequence[SnapshotIn], *, now: datetime) -> int:
    """``record_views`` on PostgreSQL: stage, insert, and look up what the database knows only
    when the insert stored fewer rows than the batch has distinct items.

    Each row the insert stores is an item no rule refuses, so the facts looked up after it give
    the same refusals as before it: this batch's own rows read as stored with their own counts.
    """
    distinct = _stage(items)
    with connection.cursor() as cursor:
        # No JIT compiling: it starts once a statement's estimated cost passes jit_above_cost, as
        # the flagging's does when the planner misjudges a batch (1.4 s of compiling seen for a
        # statement that runs in 0.2 s), and these statements never run long enough to repay it.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(INSERT.format(**_tables()), {"now": now, "latest": now + CLOCK_SKEW})
        new, line_ids, since = cursor.fetchone()
    if new < distinct:
        _refuse(items, _check(), now=now)
    # After the batch's rows are stored, still in its transaction, once per batch (§5).
    if since is not None:
        flag_suspicious_snapshots(line_ids=line_ids, since=since, now=now)
    return new


# COPY's text format: a backslash, tab, line feed or carriage return in a value is escaped.
_COPY_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"


def _stage(items: Sequence[SnapshotIn]) -> int:
    """COPY the batch into the session's staging table; returns how many distinct items it has.

    PostgreSQL only, in ``record_views``'s transaction. An item whose count the rules refuse is
    staged without one and counted apart, so a batch stores as many rows as it has distinct items
    only when every count is valid.
    """
    names = _tables()
    distinct: set[tuple[str, datetime, int]] = set()
    invalid = 0
    with connection.cursor() as cursor:
        # ON COMMIT DELETE ROWS empties it at commit; TRUNCATE empties it for a caller that
        # stages several batches in one transaction (import_views --dry-run).
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (n integer, video_id text, "
            "observed_at timestamptz, views bigint) ON COMMIT DELETE ROWS".format(**names)
        )
        cursor.execute("TRUNCATE {staging}".format(**names))
        # The rows as one block of COPY's text format, written here: psycopg's ``write_row``
        # costs about 7 µs a row, a tenth of a 10,000-item batch. Each instant is formatted
        # once (a batch holds a few); ``\N`` is COPY's NULL.
        rows: list[str] = []
        instants: dict[datetime, str] = {}
        add = distinct.add
        for n, (video_id, observed_at, views) in enumerate(items):
            valid = _valid_views(views)
            instant = instants.get(observed_at)
            if instant is None:
                instant = instants[observed_at] = observed_at.isoformat()
            video = video_id.translate(_COPY_TEXT_ESCAPES)
            rows.append(f"{n}\t{video}\t{instant}\t{_COPY_NULL if valid is None else valid}\n")
            if valid is None:
                invalid += 1
            else:
                add((video_id, observed_at, valid))
        copy_statement = "COPY {staging} (n, video_id, observed_at, views) FROM STDIN"
        with cursor.cursor.copy(copy_statement.format(**names)) as copy:
            copy.write("".join(rows))
    return len(distinct) + invalid


def _check() -> dict[int, Found]:
    """The staged items the database knows about (``CHECK``), by index."""
    with connection.cursor() as cursor:
        cursor.execute(CHECK.format(**_tables()))
        return {n: Found(line_id, placed, stored) for n, line_id, placed, stored in cursor}


# --- Any other database: the ORM -----------------------------------------------------------------


def _look_up(items: Sequence[SnapshotIn]) -> dict[int, Found]:
    """The same facts as ``_check``, from two queries, for every item."""
    # Only ids and instants are needed: a batch of 10,000 would otherwise build 10,000 lines.
    rows = OrderLine.objects.filter(platform_video_id__in={i.video_id for i in items}).values_list(
        "platform_video_id", "pk", "order__placed_at"
    )
    lines = {video: (pk, placed) for video, pk, placed in rows}
    stored = selectors.stored_views(
        (lines[i.video_id][0], i.observed_at) for i in items if i.video_id in lines
    )
    found = {}
    for n, item in enumerate(items):
        if item.video_id in lines:
            line_id, placed = lines[item.video_id]
            found[n] = Found(line_id, placed, stored.get((line_id, item.observed_at)))
        else:
            found[n] = Found(None, None, None)
    return found


def _bulk_insert(
    items: Sequence[SnapshotIn], found: dict[int, Found], *, now: datetime
) -> tuple[int, list[int], datetime | None]:
    """Store the checked batch with the ORM; returns what ``_insert_staged`` does."""
    new: dict[tuple[int, datetime], int] = {}
    for n, item in enumerate(items):
        line_id = found[n].line_id
        if line_id is not None and found[n].stored is None:
            new.setdefault((line_id, item.observed_at), item.views)
    ViewSnapshot.objects.bulk_create(
        [
            ViewSnapshot(line_id=line_id, observed_at=at, views=views, received_at=now)
            for (line_id, at), views in new.items()
        ],
        ignore_conflicts=True,
    )
    return (
        len(new),
        sorted({line_id for line_id, _at in new}),
        min((at for _l, at in new), default=None),
    )
