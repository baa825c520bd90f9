"""The client API's endpoints: orders, boosts with progress, settlements, statement, events.

Read-only and strictly scoped: the bearer token decides the client, every query filters by it,
and another client's id answers exactly like an id that does not exist (404). Lists are
paginated (``page``, ``page_size``) and filterable by status and dates (Asia/Shanghai).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from orders.models import BoostStatus, ClientEventType, LedgerKind
from settlements.models import SettlementKind, SettlementStatus

from . import reads
from .auth import ClientToken
from .schemas import (
    LIST_REFUSALS,
    REFUSALS,
    BoostOut,
    BoostPage,
    EventPage,
    OrderOut,
    OrderPage,
    SettlementOut,
    SettlementPage,
    StatementPage,
)

router = Router(auth=ClientToken(), tags=["client"])
ID = {"ge": 1, "le": 2**63 - 1}
MAX_PAGE = 10_000


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=200)

    def criteria(self) -> dict[str, Any]:
        """The filters besides the paging, named as the ``reads`` query of the list takes them."""
        return self.model_dump(exclude={"page", "page_size"})


class Dates(Paging):
    date_from: date | None = Field(None, description="On or after this day (Asia/Shanghai).")
    date_to: date | None = Field(None, description="On or before this day (Asia/Shanghai).")


class BoostFilters(Dates):
    status: BoostStatus | None = None


class SettlementFilters(Dates):
    status: SettlementStatus | None = None
    kind: SettlementKind | None = None


class StatementFilters(Dates):
    kind: LedgerKind | None = None


class EventFilters(Dates):
    type: ClientEventType | None = None


def _not_found() -> HttpError:
    # The same answer for another client's row and for no row at all.
    return HttpError(404, "Not found.")


def _page(
    filters: Paging, rows: QuerySet, write: Callable[[list[Any]], list[Any]]
) -> dict[str, Any]:
    """The page of ``rows`` that ``filters`` ask for, its rows answered as ``write`` writes them."""
    count, page = reads.page_of(rows, page=filters.page, page_size=filters.page_size)
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "results": write(page),
    }


@router.get("/orders", response={200: OrderPage, **LIST_REFUSALS}, operation_id="list_orders")
def list_orders(request: HttpRequest, filters: Query[Dates]) -> dict[str, Any]:
    """The client's orders, newest first; dates are when they were placed."""
    rows = reads.orders(request.auth.client, **filters.criteria())
    return _page(filters, rows, lambda page: [reads.order_out(o) for o in page])


@router.get("/orders/{code}", response={200: OrderOut, **REFUSALS}, operation_id="get_order")
def get_order(request: HttpRequest, code: str) -> dict[str, Any]:
    """One order with its lines."""
    order = (
        reads.orders(request.auth.client, date_from=None, date_to=None).filter(code=code).first()
    )
    if order is None:
        raise _not_found()
    return reads.order_out(order)


@router.get("/boosts", response={200: BoostPage, **LIST_REFUSALS}, operation_id="list_boosts")
def list_boosts(request: HttpRequest, filters: Query[BoostFilters]) -> dict[str, Any]:
    """The client's boosts with their progress, newest first; dates are when they were ordered."""
    rows = reads.boosts(request.auth.client, **filters.criteria())
    return _page(filters, rows, lambda page: reads.boost_outs(page, now=timezone.now()))


@router.get("/boosts/{boost_id}", response={200: BoostOut, **REFUSALS}, operation_id="get_boost")
def get_boost(request: HttpRequest, boost_id: int = Path(**ID)) -> dict[str, Any]:
    """One boost with its progress: latest counted views, the day-14 projection, its status."""
    rows = reads.boosts(request.auth.client, status=None, date_from=None, date_to=None)
    boost = rows.filter(pk=boost_id).first()
    if boost is None:
        raise _not_found()
    return reads.boost_outs([boost], now=timezone.now())[0]


@router.get(
    "/settlements", response={200: SettlementPage, **LIST_REFUSALS}, operation_id="list_settlements"
)
def list_settlements(request: HttpRequest, filters: Query[SettlementFilters]) -> dict[str, Any]:
    """The client's settlements with every input of their formula; dates are when computed."""
    rows = reads.settlements(request.auth.client, **filters.criteria())
    return _page(filters, rows, lambda page: [reads.settlement_out(s) for s in page])


@router.get(
    "/settlements/{settlement_id}",
    response={200: SettlementOut, **REFUSALS},
    operation_id="get_settlement",
)
def get_settlement(request: HttpRequest, settlement_id: int = Path(**ID)) -> dict[str, Any]:
    """One settlement with every input of its formula (DESIGN §6)."""
    rows = reads.settlements(
        request.auth.client, status=None, kind=None, date_from=None, date_to=None
    )
    settlement = rows.filter(pk=settlement_id).first()
    if settlement is None:
        raise _not_found()
    return reads.settlement_out(settlement)


@router.get(
    "/statement", response={200: StatementPage, **LIST_REFUSALS}, operation_id="get_statement"
)
def get_statement(request: HttpRequest, filters: Query[StatementFilters]) -> dict[str, Any]:
    """The client's account ledger (星图账户), newest first, with the running balance."""
    rows = reads.statement(request.auth.client, **filters.criteria())
    return _page(filters, rows, lambda page: [reads.statement_out(e) for e in page])


@router.get("/events", response={200: EventPage, **LIST_REFUSALS}, operation_id="list_events")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    """The client's events, newest first: to catch up on what webhooks delivered."""
    rows = reads.events(request.auth.client, **filters.criteria())
    return _page(filters, rows, lambda page: [reads.event_out(e) for e in page])
