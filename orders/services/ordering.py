"""Placing an order (DESIGN §5): the 视频助推 module's preview, then order, boosts and payment.

An order is placed and paid in one transaction under a lock on its client; its idempotency key
makes a repeated submit return the first order.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.audit import actor_name
from kernel.money import ZERO

from .. import selectors
from ..models import Boost, BoostEvent, Client, Influencer, LedgerKind, Order, OrderLine
from ..pricing import Quote, shadow_model
from .errors import IdempotencyConflict, InsufficientBalance, OrderError
from .ledger import EntryIn, post_entries


@dataclass(frozen=True)
class LineRequest:
    """One influencer the client picked; ``fixed_price``/``boost_fee`` are what the client saw.

    When given, they must equal the re-quote at order time, so nobody pays a price they were not
    shown.
    """

    influencer_id: int
    boost: bool = False
    fixed_price: Decimal | None = None
    boost_fee: Decimal | None = None


@dataclass(frozen=True)
class OrderPreview:
    """The 视频助推 module: what each line would cost, before anything is written."""

    lines: list[tuple[Influencer, LineRequest, Quote]]
    total_fixed: Decimal
    total_fees: Decimal
    balance: Decimal

    @property
    def total(self) -> Decimal:
        return self.total_fixed + self.total_fees

    @property
    def balance_after(self) -> Decimal:
        return self.balance - self.total


def preview_order(*, client: Client, lines: Sequence[LineRequest], now: datetime) -> OrderPreview:
    """Validate the picked lines and re-quote them as of ``now``; writes nothing."""
    if not lines:
        raise OrderError(_("An order needs at least one influencer."))
    ids = [line.influencer_id for line in lines]
    if len(set(ids)) != len(ids):
        raise OrderError(_("Each influencer can appear only once in an order."))
    influencers = Influencer.objects.in_bulk(ids)
    unknown = [i for i in ids if i not in influencers]
    if unknown:
        raise OrderError(
            _("Unknown influencer(s): %(ids)s") % {"ids": ", ".join(map(str, unknown))}
        )
    quotes = selectors.quote_influencers(list(influencers.values()), now=now)
    priced, total_fixed, total_fees = [], ZERO, ZERO
    for request in lines:
        influencer = influencers[request.influencer_id]
        quote = quotes[influencer.pk]
        if request.fixed_price is not None and request.fixed_price != influencer.fixed_price:
            raise OrderError(
                _("The price of %(name)s changed to %(price)s; please review the order again.")
                % {"name": influencer.name, "price": influencer.fixed_price}
            )
        if request.boost:
            if not quote.eligible or quote.boost_fee is None:
                raise OrderError(
                    _("Boost is not available for %(name)s: %(reason)s")
                    % {
                        "name": influencer.name,
                        "reason": quote.reason.label if quote.reason else "",
                    }
                )
            if request.boost_fee is not None and request.boost_fee != quote.boost_fee:
                raise OrderError(
                    _("The boost fee of %(name)s changed to %(fee)s; please review the order.")
                    % {"name": influencer.name, "fee": quote.boost_fee}
                )
            total_fees += quote.boost_fee
        total_fixed += influencer.fixed_price
        priced.append((influencer, request, quote))
    return OrderPreview(
        lines=priced,
        total_fixed=total_fixed,
        total_fees=total_fees,
        balance=selectors.client_balance(client),
    )


def preview_module(
    *, client: Client, influencer_ids: Sequence[int], ticked: set[int], now: datetime
) -> OrderPreview:
    """The 视频助推 module for picked influencers, re-quoted now; a boost stays ticked only where
    it is still available, so a client never sees a fee for a boost they cannot buy."""
    plain = preview_order(client=client, lines=[LineRequest(pk) for pk in influencer_ids], now=now)
    available = {influencer.pk for influencer, _line, quote in plain.lines if quote.eligible}
    if not ticked & available:
        return plain
    return preview_order(
        client=client,
        lines=[LineRequest(pk, boost=pk in ticked & available) for pk in influencer_ids],
        now=now,
    )


def place_order(
    *,
    client: Client,
    lines: Sequence[LineRequest],
    idempotency_key: str,
    now: datetime,
    placed_by: User | None = None,
) -> tuple[Order, bool]:
    """Place an order and pay for it in one transaction (DESIGN §5, first two bullets).

    Re-quotes every ticked boost as of ``now`` and freezes the price and quote on the line and its
    boost; debits each fixed price and boost fee. Returns the order and whether this call placed
    it: the same key again returns the first order and ``False``, and charges nothing.
    """
    if not idempotency_key:
        raise OrderError(_("An idempotency key is required."))
    with transaction.atomic():
        # The client lock serialises this client's orders, so a key is checked and used atomically.
        client = Client.objects.select_for_update().get(pk=client.pk)
        existing = Order.objects.filter(client=client, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_order_or_conflict(existing, lines), False
        preview = preview_order(client=client, lines=lines, now=now)
        if preview.balance_after < 0:
            raise InsufficientBalance(
                _("Insufficient balance: the order costs %(total)s, the balance is %(balance)s.")
                % {"total": preview.total, "balance": preview.balance}
            )
        order = Order.objects.create(
            code=_new_order_code(now),
            client=client,
            idempotency_key=idempotency_key,
            placed_at=now,
            placed_by=placed_by,
        )
        valid_until = now + relativedelta(months=settings.BOOST_VALIDITY_MONTHS)
        shadows = _shadow_quotes(preview, now=now)
        entries = []
        for influencer, request, quote in preview.lines:
            line = OrderLine.objects.create(
                order=order, influencer=influencer, fixed_price=influencer.fixed_price
            )
            entries.append(
                EntryIn(
                    client_id=client.pk,
                    kind=LedgerKind.ORDER_CHARGE,
                    amount=-line.fixed_price,
                    idempotency_key=selectors.order_line_price_key(line.pk),
                    order_id=order.pk,
                )
            )
            if request.boost:
                boost = _create_boost(
                    line,
                    quote,
                    shadows[influencer.pk],
                    valid_until=valid_until,
                    now=now,
                    actor=placed_by,
                )
                entries.append(
                    EntryIn(
                        client_id=client.pk,
                        kind=LedgerKind.BOOST_FEE,
                        amount=-boost.boost_fee,
                        idempotency_key=f"boost:{boost.pk}:fee",
                        order_id=order.pk,
                        boost_id=boost.pk,
                    )
                )
        post_entries(entries=entries, now=now, created_by=placed_by)
        return order, True


def _shadow_quotes(preview: OrderPreview, *, now: datetime) -> dict[int, Quote]:
    """What the model that is not live quotes for each ticked boost at the same instant."""
    boosted = [influencer for influencer, request, _quote in preview.lines if request.boost]
    if not boosted:
        return {}
    live = preview.lines[0][2].model
    return selectors.quote_influencers(boosted, now=now, model=shadow_model(live))


def _create_boost(
    line: OrderLine,
    quote: Quote,
    shadow: Quote,
    *,
    valid_until: datetime,
    now: datetime,
    actor: User | None,
) -> Boost:
    """The line's boost awaiting publish, its quote and its never-charged shadow quote frozen,
    with its first audit event."""
    if quote.premium_ratio is None or quote.boost_fee is None or quote.loss_ratio is None:
        raise OrderError(_("Only an offered quote can be frozen on a boost."))
    boost = Boost.objects.create(
        line=line,
        status=Boost.Status.AWAITING_PUBLISH,
        expected_views=quote.expected_views,
        premium_ratio=quote.premium_ratio,
        boost_fee=quote.boost_fee,
        loss_ratio=quote.loss_ratio,
        quote=quote.as_dict(),
        quoted_at=quote.as_of,
        pricing_model=quote.model,
        shadow_model=shadow.model,
        shadow_eligible=shadow.eligible,
        shadow_expected_views=shadow.expected_views,
        shadow_premium_ratio=shadow.premium_ratio,
        shadow_boost_fee=shadow.boost_fee,
        shadow_quote=shadow.as_dict(),
        valid_until=valid_until,
        status_changed_at=now,
    )
    BoostEvent.objects.create(
        boost=boost,
        to_status=boost.status,
        actor=actor,
        actor_name=actor_name(actor),
        note=_("Ordered"),
        at=now,
    )
    return boost


def _same_order_or_conflict(order: Order, lines: Sequence[LineRequest]) -> Order:
    """The order a key already placed, if the request asks for the same lines; else a conflict."""
    placed = {
        (influencer_id, boost_id is not None)
        for influencer_id, boost_id in order.lines.values_list("influencer_id", "boost")
    }
    requested = {(line.influencer_id, line.boost) for line in lines}
    if placed != requested:
        raise IdempotencyConflict(
            _("This request was already used for order %(code)s with different lines.")
            % {"code": order.code}
        )
    return order


def _new_order_code(now: datetime) -> str:
    """The Shanghai day the order was placed and six random hex digits; the column is unique."""
    return f"SB{timezone.localdate(now):%y%m%d}-{secrets.token_hex(3).upper()}"
