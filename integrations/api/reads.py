"""What the client API reads, always filtered by the caller's client, and how a row is shown.

Each list costs a constant number of queries per page: the rows with what they refer to, plus
for boosts one query for the counted views of the page's running boosts (``chart_series``, the
projection's input, as on the boost cards) and one for its published videos' status events.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from kernel.money import to_fen
from orders import selectors as order_selectors
from orders.models import (
    Boost,
    Client,
    ClientEvent,
    LedgerEntry,
    Order,
    OrderLine,
    VideoStatusEvent,
)
from orders.pricing import whole_fee_threshold
from orders.projection import project_views
from settlements.causes import status_at
from settlements.models import Settlement


def money(value: Decimal | None) -> str | None:
    """Yuan as a string with exactly two decimals; None stays None."""
    return None if value is None else str(to_fen(value))


def _dated(queryset: QuerySet, field: str, date_from: date | None, date_to: date | None):
    """Rows whose ``field`` falls on or between the dates, taken in Asia/Shanghai."""
    if date_from is not None:
        queryset = queryset.filter(**{f"{field}__date__gte": date_from})
    if date_to is not None:
        queryset = queryset.filter(**{f"{field}__date__lte": date_to})
    return queryset


def page_of(queryset: QuerySet, *, page: int, page_size: int) -> tuple[int, list[Any]]:
    """The total count and the rows of one page (pages count from 1)."""
    start = (page - 1) * page_size
    return queryset.count(), list(queryset[start : start + page_size])


# --- Orders -------------------------------------------------------------------------------------


def orders(client: Client, *, date_from: date | None, date_to: date | None) -> QuerySet[Order]:
    """The client's orders, newest first, with totals and their lines; dated by placement."""
    lines = OrderLine.objects.select_related("influencer", "boost").order_by("pk")
    return _dated(
        order_selectors.client_orders(client)
        .prefetch_related(None)  # the API's lines carry their boost too
        .prefetch_related(Prefetch("lines", queryset=lines)),
        "placed_at",
        date_from,
        date_to,
    )


def order_out(order: Order) -> dict[str, Any]:
    return {
        "code": order.code,
        "placed_at": order.placed_at,
        "total_prices": money(order.total_prices),
        "total_fees": money(order.total_fees),
        "lines": [
            {
                "id": line.pk,
                "influencer": _influencer(line),
                "fixed_price": money(line.fixed_price),
                "video_id": line.platform_video_id,
                "published_at": line.published_at,
                "boost": getattr(getattr(line, "boost", None), "pk", None),
            }
            for line in order.lines.all()
        ],
    }


def _influencer(line: OrderLine) -> dict[str, str]:
    return {"name": line.influencer.name, "platform_id": line.influencer.platform_id}


# --- Boosts -------------------------------------------------------------------------------------


def boosts(
    client: Client, *, status: str | None, date_from: date | None, date_to: date | None
) -> QuerySet[Boost]:
    """The client's boosts, newest first, with their latest counted snapshot annotated."""
    counted = order_selectors.counted_snapshots(OuterRef("line_id"), OuterRef("window_end"))
    rows = (
        Boost.objects.filter(line__order__client=client)
        .select_related("line__order", "line__influencer", "settlement")
        .annotate(
            latest_views=Subquery(counted.values("views")[:1]),
            latest_observed_at=Subquery(counted.values("observed_at")[:1]),
        )
        .order_by("-pk")
    )
    if status:
        rows = rows.filter(status=status)
    return _dated(rows, "line__order__placed_at", date_from, date_to)


def boost_outs(boosts: list[Boost], *, now: datetime) -> list[dict[str, Any]]:
    """The boosts as the API shows them: projections from one snapshot query, video statuses
    from one status-event query."""
    running = [b for b in boosts if b.status == Boost.Status.ACTIVE and b.window_end]
    series = order_selectors.chart_series(running, now=now)
    statuses = order_selectors.status_events(b.line_id for b in boosts if b.line.published_at)
    return [
        _boost_out(b, series.get(b.line_id), statuses.get(b.line_id, []), now=now) for b in boosts
    ]


def _video_out(
    line: OrderLine, events: list[VideoStatusEvent], *, now: datetime
) -> dict[str, Any] | None:
    """The published video with its status now and its history; None before publish."""
    if line.published_at is None:
        return None
    return {
        "id": line.platform_video_id,
        "status": status_at([(e.at, e.status) for e in events], now),
        "history": [{"status": e.status, "at": e.at} for e in events],
    }


def _cause(settlement: Settlement | None) -> str | None:
    """The settlement's shortfall cause code; None without one (only compensations have one)."""
    if settlement is None:
        return None
    return settlement.cause or None


def _boost_out(
    boost: Boost,
    series: order_selectors.ViewSeries | None,
    events: list[VideoStatusEvent],
    *,
    now: datetime,
) -> dict[str, Any]:
    line = boost.line
    settlement = getattr(boost, "settlement", None)
    latest, observed_at = boost.latest_views, boost.latest_observed_at
    if settlement is not None and settlement.actual_views is not None:
        latest, observed_at = settlement.actual_views, settlement.snapshot_observed_at
    projection = None
    if series is not None and boost.window_end and boost.window_end > now:
        projection = project_views(series.points)
    threshold = whole_fee_threshold(boost.expected_views, line.fixed_price, boost.boost_fee)
    return {
        "id": boost.pk,
        "order": line.order.code,
        "line": line.pk,
        "influencer": _influencer(line),
        "status": boost.status,
        "expected_views": boost.expected_views,
        "fixed_price": money(line.fixed_price),
        "boost_fee": money(boost.boost_fee),
        "premium_ratio": f"{boost.premium_ratio:.2f}",
        "valid_until": boost.valid_until,
        "window_start": boost.window_start,
        "window_end": boost.window_end,
        "progress": {
            "latest_views": latest,
            "observed_at": observed_at,
            "share_of_expected": (
                latest / boost.expected_views
                if latest is not None and boost.expected_views
                else None
            ),
            "projected_views": projection.views if projection else None,
            "whole_fee_views": threshold.views if threshold else None,
        },
        "video": _video_out(line, events, now=now),
        "settlement": settlement.pk if settlement is not None else None,
        "shortfall_cause": _cause(settlement),
    }


# --- Settlements, statement, events ---------------------------------------------------------------


def settlements(
    client: Client,
    *,
    status: str | None,
    kind: str | None,
    date_from: date | None,
    date_to: date | None,
) -> QuerySet[Settlement]:
    """The client's settlements, newest first; dated by when they were computed."""
    rows = Settlement.objects.filter(boost__line__order__client=client).select_related(
        "boost__line__order"
    )
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return _dated(rows.order_by("-computed_at", "-pk"), "computed_at", date_from, date_to)


def settlement_out(s: Settlement) -> dict[str, Any]:
    return {
        "id": s.pk,
        "boost": s.boost_id,
        "order": s.boost.line.order.code,
        "kind": s.kind,
        "status": s.status,
        "amount": money(s.amount),
        "service_ended_at": s.service_ended_at,
        "computed_at": s.computed_at,
        "due_date": s.due_date,
        "due_date_provisional": s.due_date_provisional,
        "paid_at": s.paid_at,
        "cause": _cause(s),
        "formula": {
            "formula_version": s.formula_version,
            "expected_views": s.expected_views,
            "actual_views": s.actual_views,
            "snapshot_observed_at": s.snapshot_observed_at,
            "fixed_price": money(s.fixed_price),
            "boost_fee": money(s.boost_fee),
            "expected_cpm": None if s.expected_cpm is None else f"{s.expected_cpm:.4f}",
            "raw_amount": None if s.raw_amount is None else f"{s.raw_amount:.6f}",
            "cap_applied": s.cap_applied,
        },
    }


def statement(
    client: Client, *, kind: str | None, date_from: date | None, date_to: date | None
) -> QuerySet[LedgerEntry]:
    """The client's ledger, newest first (the portal's statement)."""
    rows = order_selectors.statement_entries(client)
    if kind:
        rows = rows.filter(kind=kind)
    return _dated(rows, "created_at", date_from, date_to)


def statement_out(entry: LedgerEntry) -> dict[str, Any]:
    boost = entry.boost
    order = entry.order or (boost.line.order if boost else None)
    return {
        "id": entry.pk,
        "created_at": entry.created_at,
        "kind": entry.kind,
        "amount": money(entry.amount),
        "balance_after": money(entry.balance_after),
        "order": order.code if order else None,
        "boost": entry.boost_id,
        # Top-up and adjustment reasons are written for the client; other kinds say it all.
        "note": entry.reason if entry.kind in ("top_up", "adjustment") else "",
    }


def events(
    client: Client, *, type: str | None, date_from: date | None, date_to: date | None
) -> QuerySet[ClientEvent]:
    """The client's events, newest first: what its webhooks were sent, to catch up on."""
    rows = ClientEvent.objects.filter(client=client).order_by("-occurred_at", "-pk")
    if type:
        rows = rows.filter(type=type)
    return _dated(rows, "occurred_at", date_from, date_to)


def event_out(event: ClientEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "boost": event.boost_id,
        "settlement": event.settlement_id,
        "data": event.payload,
    }
