"""The settlement CSV export: headers in the reader's language, cells machine-readable.

Headers are translated like the client statement's; the cells stay stable (kind and status as
their codes, plain decimals, ISO dates) so reconciliation scripts read every language's file.
The shortfall cause is the one worded cell (its label in the reader's language, empty for
anything but a compensation); the recovery case's status, if any, stays a code.

Built on ``kernel.exports``, so a client or influencer name that a spreadsheet would run as a
formula stays plain text, like in every other export.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from kernel.exports import csv_response

from ..models import RecoveryCase, Settlement

# Column keys (the order of the cells) and the header each shows in the reader's language.
CSV_HEADERS = {
    "id": pgettext_lazy("settlement CSV column", "Settlement ID"),
    "order_code": pgettext_lazy("settlement CSV column", "Order code"),
    "client": pgettext_lazy("settlement CSV column", "Client"),
    "influencer": pgettext_lazy("settlement CSV column", "Influencer"),
    "kind": pgettext_lazy("settlement CSV column", "Kind (code)"),
    "status": pgettext_lazy("settlement CSV column", "Status (code)"),
    "expected_views": pgettext_lazy("settlement CSV column", "Expected views"),
    "actual_views": pgettext_lazy("settlement CSV column", "Actual views"),
    "fixed_price": pgettext_lazy("settlement CSV column", "Fixed price"),
    "boost_fee": pgettext_lazy("settlement CSV column", "Boost fee"),
    "expected_cpm": pgettext_lazy("settlement CSV column", "Expected CPM"),
    "raw_amount": pgettext_lazy("settlement CSV column", "Amount before cap"),
    "cap_applied": pgettext_lazy("settlement CSV column", "Cap applied"),
    "amount": pgettext_lazy("settlement CSV column", "Amount"),
    "due_date": pgettext_lazy("settlement CSV column", "Due date"),
    "due_date_provisional": pgettext_lazy("settlement CSV column", "Due date provisional"),
    "paid_at": pgettext_lazy("settlement CSV column", "Paid at"),
    "cause": pgettext_lazy("settlement CSV column", "Shortfall cause"),
    "recovery_status": pgettext_lazy("settlement CSV column", "Recovery status (code)"),
}
CSV_COLUMNS = tuple(CSV_HEADERS)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _recovery_status(settlement: Settlement) -> str:
    """The status code of the settlement's recovery case; empty when it has none."""
    try:
        return settlement.recovery.status
    except RecoveryCase.DoesNotExist:
        return ""


def settlement_csv_rows(queryset: QuerySet[Settlement]) -> Iterator[list[Any]]:
    """The header in the reader's language, then one row per settlement: codes for kind/status,
    plain decimals, so a spreadsheet or script reads the cells the same in every language."""
    yield [str(header) for header in CSV_HEADERS.values()]
    rows = queryset.select_related(
        "boost__line__order__client", "boost__line__influencer", "recovery"
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
            s.get_cause_display(),
            _recovery_status(s),
        ]


def settlement_csv_response(queryset: QuerySet[Settlement]) -> StreamingHttpResponse:
    """The settlements as a streamed CSV download named after the current local time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return csv_response(settlement_csv_rows(queryset), f"settlements-{stamp}.csv")
