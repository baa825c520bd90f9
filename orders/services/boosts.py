"""A boost's lifecycle (DESIGN §5): the one place its status changes, and its video's publish.

Every move is checked against ``Boost.TRANSITIONS`` and recorded as an append-only
``BoostEvent`` with its actor, in the caller's transaction on rows the caller has locked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from kernel.audit import actor_columns
from kernel.inserts import insert_rows

from ..models import Boost, BoostEvent, OrderLine
from . import events
from .errors import OrderError

# How far in the future an observation or publish instant may be, to absorb clock skew.
CLOCK_SKEW = timedelta(minutes=5)


class Move(NamedTuple):
    """One boost's status change: its id, the status it was locked in and the one it goes to."""

    boost_id: int
    from_status: str
    to: str


def move_boosts(
    moves: Sequence[Move], *, now: datetime, actor: User | None = None, note: str = ""
) -> None:
    """Move locked boosts along DESIGN §5's lifecycle, recording an event each; refuses other moves.

    The one place a boost's status changes: one event insert and one update for any number of
    boosts and target statuses. The caller read each ``from_status`` under the boost's lock.
    """
    for move in moves:
        if not Boost.can_move(move.from_status, move.to):
            raise OrderError(
                _("Boost %(id)s cannot go from %(old)s to %(new)s.")
                % {
                    "id": move.boost_id,
                    "old": Boost.Status(move.from_status).label,
                    "new": Boost.Status(move.to).label,
                }
            )
    if not moves:
        return
    acted = actor_columns(actor)
    insert_rows(
        BoostEvent,
        [
            {
                "boost_id": move.boost_id,
                "from_status": move.from_status,
                "to_status": move.to,
                **acted,
                "note": note,
                "at": now,
            }
            for move in moves
        ],
    )
    _update_rows(Boost, ["status", "status_changed_at"], [(m.boost_id, m.to, now) for m in moves])


def transition_many(
    boosts: Sequence[Boost],
    to: str,
    *,
    now: datetime,
    actor: User | None = None,
    note: str = "",
) -> None:
    """Move locked boost instances to ``to`` (``move_boosts``) and set their new status."""
    move_boosts([Move(b.pk, b.status, to) for b in boosts], now=now, actor=actor, note=note)
    for boost in boosts:
        boost.status, boost.status_changed_at = to, now


def transition(
    boost: Boost,
    to: str,
    *,
    now: datetime,
    actor: User | None = None,
    note: str = "",
) -> Boost:
    """Move one locked boost; see ``transition_many``."""
    transition_many([boost], to, now=now, actor=actor, note=note)
    return boost


def publish(
    *,
    line: OrderLine,
    video_id: str,
    published_at: datetime,
    now: datetime,
    actor: User | None = None,
) -> OrderLine:
    """Record that an order line's video went live; its boost's 14-day window starts then (§5).

    A boost accepts a publish only while awaiting it and only in ``[placed_at, valid_until)``.
    Publishing the same video at the same instant again is a no-op.
    """
    check_publish_input(video_id=video_id, published_at=published_at, now=now)
    with transaction.atomic():
        line = OrderLine.objects.select_for_update().select_related("order").get(pk=line.pk)
        boost = Boost.objects.select_for_update().filter(line=line).first()
        linked = dict(
            OrderLine.objects.filter(platform_video_id=video_id).values_list(
                "platform_video_id", "pk"
            )
        )
        if check_publish(
            line=line, boost=boost, video_id=video_id, published_at=published_at, linked=linked
        ):
            start_windows([(line, boost, published_at)], now=now, actor=actor)
        return line


def check_publish_input(*, video_id: str, published_at: datetime, now: datetime) -> None:
    """The rules of a publish that need no row: a video id, and an instant not in the future."""
    if not video_id:
        raise OrderError(_("A publish needs the platform video id."))
    if published_at > now + CLOCK_SKEW:
        raise OrderError(_("The publish time %(at)s is in the future.") % {"at": published_at})


def check_publish(
    *,
    line: OrderLine,
    boost: Boost | None,
    video_id: str,
    published_at: datetime,
    linked: dict[str | None, int],
) -> bool:
    """Apply DESIGN §5's publish rules to a locked line (with its order) and boost; raises the
    refusal. True when the line is to be published (then set on ``line``, and ``linked`` learns
    the video), False for a repeat of its publish.

    ``linked`` maps video ids to the lines that hold them, for every video being published.
    """
    if line.published_at is not None:
        if (line.platform_video_id, line.published_at) == (video_id, published_at):
            return False
        raise OrderError(
            _("Order line %(line)s was already published as %(video)s.")
            % {"line": line.pk, "video": line.platform_video_id},
            code="conflict",
        )
    if video_id in linked:
        raise OrderError(
            _("Video %(video)s is already linked to another order line.") % {"video": video_id},
            code="conflict",
        )
    if published_at < line.order.placed_at:
        raise OrderError(_("A video cannot be published before the order was placed."))
    if boost is not None:
        if boost.status != Boost.Status.AWAITING_PUBLISH:
            raise OrderError(
                _("The boost is %(status)s, not awaiting publish.")
                % {"status": boost.get_status_display()}
            )
        if published_at >= boost.valid_until:
            raise OrderError(
                _("The boost expired at %(until)s; a publish at %(at)s is too late.")
                % {"until": boost.valid_until, "at": published_at}
            )
    line.platform_video_id, line.published_at = video_id, published_at
    linked[video_id] = line.pk
    return True


def start_windows(
    published: Sequence[tuple[OrderLine, Boost | None, datetime]],
    *,
    now: datetime,
    actor: User | None = None,
) -> None:
    """Store the publishes ``check_publish`` accepted, (line, boost, published at) on locked
    rows: each line's video and instant, its boost's window from then, the move to active and
    the client's event.

    A constant number of statements for any number of lines (on PostgreSQL; SQLite splits an
    update at its limit of bound parameters).
    """
    if not published:
        return
    _update_rows(
        OrderLine,
        ["platform_video_id", "published_at"],
        [(line.pk, line.platform_video_id, line.published_at) for line, _boost, _at in published],
    )
    boosts = []
    for line, boost, at in published:
        if boost is not None:
            boost.window_start = at
            boost.window_end = at + timedelta(days=settings.BOOST_WINDOW_DAYS)
            boosts.append((line, boost))
    if not boosts:
        return
    _update_rows(
        Boost,
        ["window_start", "window_end"],
        [(b.pk, b.window_start, b.window_end) for _l, b in boosts],
    )
    transition_many(
        [b for _line, b in boosts], Boost.Status.ACTIVE, now=now, actor=actor, note=_("Published")
    )
    events.emit_many(
        [
            events.EventIn(
                type=events.ClientEventType.BOOST_ACTIVE,
                key=f"boost:{boost.pk}:active",
                client_id=line.order.client_id,
                boost_id=boost.pk,
                payload={
                    "video_id": line.platform_video_id,
                    "window_start": boost.window_start,
                    "window_end": boost.window_end,
                },
            )
            for line, boost in boosts
        ],
        now=now,
    )


def _update_rows(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write ``fields`` of rows given as (primary key, value of each field) in one statement.

    On PostgreSQL an ``UPDATE … FROM unnest(arrays)``: ``bulk_update``'s ``CASE WHEN id = …`` is
    quadratic (10,000 rows took seconds). Elsewhere ``bulk_update``.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(
            [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows], fields
        )
        return
    meta = model._meta
    by_name = {field.name: field for field in meta.concrete_fields}
    columns = [by_name[name] for name in fields]
    quote = connection.ops.quote_name
    arrays = [list(values) for values in zip(*rows, strict=True)]
    types = [meta.pk.db_type(connection) if meta.pk else None] + [
        column.db_type(connection) for column in columns
    ]
    names = [f"v{n}" for n in range(len(arrays))]
    pk_column = str(meta.pk.column) if meta.pk else "id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET "
            + ", ".join(f"{quote(str(c.column))} = v.v{n}" for n, c in enumerate(columns, 1))
            + " FROM unnest("
            + ", ".join(f"%s::{db_type}[]" for db_type in types)
            + f") AS v({', '.join(names)}) WHERE t.{quote(pk_column)} = v.v0",
            arrays,
        )
