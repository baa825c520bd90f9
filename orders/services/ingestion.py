"""The platform pipeline's side of ``orders.api`` and ``import_views``: its tokens, the request
log, and batches of publish events, each batch all or nothing (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.tokens import authenticate, issue_token

from ..models import ApiRequestLog, Boost, IntegrationToken, OrderLine, PublishRejection
from .boosts import check_publish, check_publish_input, start_windows
from .errors import BatchRefused, OrderError

# The largest count a ``BigIntegerField`` holds: parsers refuse more before the database does.
MAX_VIEWS = 2**63 - 1


def create_integration_token(
    *, name: str, now: datetime, created_by: User | None = None
) -> tuple[IntegrationToken, str]:
    """Issue a token for the pipeline; returns the row and the raw token, to be shown once.

    Only the token's hash and first characters are stored, so nobody can read it back later.
    """
    name = name.strip()
    if not name:
        raise OrderError(_("A token needs a name."))
    return issue_token(IntegrationToken(name=name, created_at=now, created_by=created_by))


def authenticate_token(*, raw: str, now: datetime) -> IntegrationToken | None:
    """The active token ``raw`` stands for, with its last use stamped; None for any other string."""
    return authenticate(IntegrationToken.objects.all(), raw=raw, now=now)


def log_api_request(
    *,
    token: IntegrationToken | None,
    path: str,
    method: str,
    status_code: int,
    item_count: int,
    error: str,
    received_at: datetime,
    duration_ms: int,
    request_id: str = "",
) -> ApiRequestLog:
    """Append the one log row of an API request, whatever its outcome."""
    return ApiRequestLog.objects.create(
        token=token,
        path=path[:200],
        method=method[:10],
        status_code=status_code,
        item_count=item_count,
        error=error[:300],
        received_at=received_at,
        duration_ms=max(0, duration_ms),
        request_id=request_id[:64],
    )


@dataclass(frozen=True)
class PublishIn:
    """One publish event from the platform's pipeline: an order line's video went live."""

    line_id: int
    video_id: str
    published_at: datetime


def publish_events(
    *,
    events: Sequence[PublishIn],
    now: datetime,
    token: IntegrationToken | None = None,
    actor: User | None = None,
) -> int:
    """Publish a batch of events by ``publish``'s rules, all or nothing (DESIGN §5); returns how
    many lines were newly published (a repeated event is accepted and changes nothing).

    A constant number of statements for any number of events: the batch's lines, then their
    boosts, are locked in id order first, so two batches never wait on each other in a cycle;
    one query finds the lines already holding the batch's videos; the rules run in memory, event
    by event in order, each seeing the ones before it; ``start_windows`` writes the accepted ones
    in a handful of set-based statements. Every event is tried, so one answer lists every
    refusal; when any is refused nothing is written, and each event refused for a real order line
    is kept as a ``PublishRejection`` (§5: "an operator can see it").
    """
    events = list(events)
    errors: dict[int, str] = {}
    first_by_line: dict[int, PublishIn] = {}
    line_by_video: dict[str, int] = {}
    for n, event in enumerate(events):
        if first_by_line.setdefault(event.line_id, event) != event:
            errors[n] = _(
                "Order line %(line)s is sent twice in this batch with different data."
            ) % {"line": event.line_id}
        elif line_by_video.setdefault(event.video_id, event.line_id) != event.line_id:
            errors[n] = _("Video %(video)s is sent for two order lines in this batch.") % {
                "video": event.video_id
            }
    refused: dict[int, OrderLine] = {}
    conflicts: set[int] = set()
    published: list[tuple[OrderLine, Boost | None, datetime]] = []
    with transaction.atomic():
        lines = {
            line.pk: line
            for line in OrderLine.objects.select_for_update()
            .select_related("order")
            .filter(pk__in=first_by_line)
            .order_by("pk")
        }
        boosts = {
            boost.line_id: boost
            for boost in Boost.objects.select_for_update().filter(line_id__in=lines).order_by("pk")
        }
        linked = dict(
            OrderLine.objects.filter(platform_video_id__in=line_by_video).values_list(
                "platform_video_id", "pk"
            )
        )
        for n, event in enumerate(events):
            if n in errors:
                continue
            line = lines.get(event.line_id)
            if line is None:
                errors[n] = _("Unknown order line %(line)s.") % {"line": event.line_id}
                continue
            try:
                check_publish_input(
                    video_id=event.video_id, published_at=event.published_at, now=now
                )
                if check_publish(
                    line=line,
                    boost=boosts.get(line.pk),
                    video_id=event.video_id,
                    published_at=event.published_at,
                    linked=linked,
                ):
                    published.append((line, boosts.get(line.pk), event.published_at))
            except OrderError as refusal:
                errors[n] = " ".join(refusal.messages)
                refused[n] = line
                if getattr(refusal, "code", None) == "conflict":
                    conflicts.add(n)
        if not errors:
            start_windows(published, now=now, actor=actor)
    if errors:
        PublishRejection.objects.bulk_create(
            PublishRejection(
                line=line,
                video_id=events[n].video_id,
                published_at=events[n].published_at,
                reason=errors[n][:300],
                received_at=now,
                token=token,
            )
            for n, line in refused.items()
        )
        raise BatchRefused(errors, conflicts=conflicts)
    return len(published)
