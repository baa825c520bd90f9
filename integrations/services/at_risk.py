"""Boosts at risk: the day-14 projection says the video will fall short (an early warning).

A running boost is at risk when the projection of its counted views (``orders.projection``, the
curve the client sees on the boost's card) ends below the expected views, or, worse, at or below
the whole-fee threshold (``orders.pricing.whole_fee_threshold``), where the whole boost fee would
come back. Each boost is announced once per kind (the event key backs it), and not at all for
the milder kind once the worse one was announced.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from orders.models import Boost, ClientEvent, ClientEventType
from orders.pricing import whole_fee_threshold
from orders.projection import project_views
from orders.selectors import chart_series
from orders.services.events import EventIn, emit_many

SHORTFALL, WHOLE_FEE = "shortfall", "whole_fee"


def _key(boost_id: int, reason: str) -> str:
    return f"boost:{boost_id}:at_risk:{reason}"


def at_risk_reason(boost: Boost, projected_views: int) -> str:
    """``whole_fee``, ``shortfall`` or "" for a boost projected to reach ``projected_views``."""
    threshold = whole_fee_threshold(boost.expected_views, boost.line.fixed_price, boost.boost_fee)
    if threshold is not None and projected_views <= threshold.views:
        return WHOLE_FEE
    if projected_views < boost.expected_views:
        return SHORTFALL
    return ""


def flag_at_risk_batch(
    *, now: datetime, after_id: int = 0, limit: int = 200
) -> tuple[int, dict[str, int]]:
    """Announce the running boosts of one batch whose projection falls short; five queries.

    Returns the last id seen (0 when the batch was empty) and how many were flagged by kind.
    """
    with transaction.atomic():
        boosts = list(
            Boost.objects.filter(status=Boost.Status.ACTIVE, window_end__gt=now, pk__gt=after_id)
            .select_related("line__order")
            .order_by("pk")[:limit]
        )
        if not boosts:
            return 0, {}
        series = chart_series(boosts, now=now)
        announced = set(
            ClientEvent.objects.filter(
                key__in=[_key(b.pk, r) for b in boosts for r in (SHORTFALL, WHOLE_FEE)]
            ).values_list("key", flat=True)
        )
        events, counts = [], {SHORTFALL: 0, WHOLE_FEE: 0}
        for boost in boosts:
            counted = series.get(boost.line_id)
            projection = project_views(counted.points) if counted else None
            if projection is None:
                continue
            reason = at_risk_reason(boost, projection.views)
            if not reason or _key(boost.pk, reason) in announced:
                continue
            if reason == SHORTFALL and _key(boost.pk, WHOLE_FEE) in announced:
                continue
            threshold = whole_fee_threshold(
                boost.expected_views, boost.line.fixed_price, boost.boost_fee
            )
            events.append(
                EventIn(
                    type=ClientEventType.BOOST_AT_RISK,
                    key=_key(boost.pk, reason),
                    client_id=boost.line.order.client_id,
                    boost_id=boost.pk,
                    payload={
                        "reason": reason,
                        "projected_views": projection.views,
                        "expected_views": boost.expected_views,
                        "threshold_views": threshold.views if threshold else None,
                        "latest_views": projection.latest_views,
                        "window_end": boost.window_end,
                    },
                )
            )
            counts[reason] += 1
        emit_many(events, now=now)
        return boosts[-1].pk, counts
