"""A boost's lifecycle (DESIGN §5): the one place its status changes, and its video's publish.

Every move is checked against ``Boost.TRANSITIONS`` and recorded as an append-only
``BoostEvent`` with its actor, in the caller's transaction on rows the caller has locked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.inserts import insert

from ..models import Boost, BoostEvent, OrderLine
from . import events
from .errors import OrderError

# How far in the future an observation or publish instant may be, to absorb clock skew.
CLOCK_SKEW = timedelta(minutes=5)


def actor_name(actor: User | None) -> str:
    """The name an audit event keeps of its actor, so it survives the user being renamed."""
    return actor.get_username() if actor is not None else "system"


def transition_many(
    boosts: Sequence[Boost],
    to: str,
    *,
    now: datetime,
    actor: User | None = None,
    note: str = "",
) -> None:
    """Move locked boosts along DESIGN §5's lifecycle, recording an event each; refuses other moves.

    The one place a boost's status changes, in two queries for any number of boosts.
    """
    for boost in boosts:
        if not Boost.can_move(boost.status, to):
            raise OrderError(
                _("Boost %(id)s cannot go from %(old)s to %(new)s.")
                % {
                    "id": boost.pk,
                    "old": Boost.Status(boost.status).label,
                    "new": Boost.Status(to).label,
                }
            )
    insert(
        [
            BoostEvent(
                boost=boost,
                from_status=boost.status,
                to_status=to,
                actor=actor,
                actor_name=actor_name(actor),
                note=note,
                at=now,
            )
            for boost in boosts
        ]
    )
    Boost.objects.filter(pk__in=[b.pk for b in boosts]).update(status=to, status_changed_at=now)
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
    if not video_id:
        raise OrderError(_("A publish needs the platform video id."))
    if published_at > now + CLOCK_SKEW:
        raise OrderError(_("The publish time %(at)s is in the future.") % {"at": published_at})
    with transaction.atomic():
        line = OrderLine.objects.select_for_update().select_related("order").get(pk=line.pk)
        if line.published_at is not None:
            if (line.platform_video_id, line.published_at) == (video_id, published_at):
                return line
            raise OrderError(
                _("Order line %(line)s was already published as %(video)s.")
                % {"line": line.pk, "video": line.platform_video_id},
                code="conflict",
            )
        if OrderLine.objects.filter(platform_video_id=video_id).exists():
            raise OrderError(
                _("Video %(video)s is already linked to another order line.") % {"video": video_id},
                code="conflict",
            )
        if published_at < line.order.placed_at:
            raise OrderError(_("A video cannot be published before the order was placed."))
        boost = Boost.objects.select_for_update().filter(line=line).first()
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
        line.platform_video_id = video_id
        line.published_at = published_at
        line.save(update_fields=["platform_video_id", "published_at"])
        if boost is not None:
            boost.window_start = published_at
            boost.window_end = published_at + timedelta(days=settings.BOOST_WINDOW_DAYS)
            boost.save(update_fields=["window_start", "window_end"])
            transition(boost, Boost.Status.ACTIVE, now=now, actor=actor, note=_("Published"))
            events.emit(
                type=events.ClientEventType.BOOST_ACTIVE,
                key=f"boost:{boost.pk}:active",
                now=now,
                client_id=line.order.client_id,
                boost_id=boost.pk,
                payload={
                    "video_id": video_id,
                    "window_start": published_at,
                    "window_end": boost.window_end,
                },
            )
        return line
