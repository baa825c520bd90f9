"""The settlement CSV export: stable machine-readable columns, every text cell formula-safe.

Built on ``kernel.exports``, so a client or influencer name that a spreadsheet would run as a
formula stays plain text, like in every other export.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from kernel.exports import csv_response

from ..models import Settlement

CSV_COLUMNS = (
    "id",
    "order_code",
    "client",
    "influencer",
    "kind",
    "status",
    "expected_views",
    "actual_views",
    "fixed_price",
    "boost_fee",
    "expected_cpm",
    "raw_amount",
    "cap_applied",
    "amount",
    "due_date",
    "due_date_provisional",
    "paid_at",
)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def settlement_csv_rows(queryset: QuerySet[Settlement]) -> Iterator[list[Any]]:
    """The header, then one row per settlement: codes for kind/status, plain decimals."""
    yield list(CSV_COLUMNS)
    rows = queryset.select_related(
        "boost__line__order__client", "boost__line__influencer"
    ).iterator(chunk_size=2000)
    for s in rows:
        line = s.boost.line
        yield [
            s.pk,
            line.order.code,
            line.order.client.name,
            line.influencer.name,
            s.kind,
            s.status,
            s.expected_views,
            s.actual_views,
            s.fixed_price,
            s.boost_fee,
            s.expected_cpm,
            s.raw_amount,
            _flag(s.cap_applied),
            s.amount,
            s.due_date.isoformat(),
            _flag(s.due_date_provisional),
            timezone.localtime(s.paid_at).isoformat() if s.paid_at else "",
        ]


def settlement_csv_response(queryset: QuerySet[Settlement]) -> StreamingHttpResponse:
    """The settlements as a streamed CSV download named after the current local time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return csv_response(settlement_csv_rows(queryset), f"settlements-{stamp}.csv")
