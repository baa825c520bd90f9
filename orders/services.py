"""Business actions on clients, orders, boosts and views (DESIGN §4, §5, §8).

Every service is keyword-only, takes ``now`` explicitly and runs in ``transaction.atomic``. Money
and state changes lock their rows in one fixed order — client, then boosts by id — re-check state
after the lock and are a no-op when the work is already done.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import selectors
from .models import (
    ZERO,
    ApiRequestLog,
    Boost,
    BoostEvent,
    Client,
    Influencer,
    IntegrationToken,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderLine,
    PublishRejection,
    ViewSnapshot,
)
from .pricing import Quote

# How far in the future an observation or publish instant may be, to absorb clock skew.
CLOCK_SKEW = timedelta(minutes=5)


class OrderError(ValidationError):
    """A business rule refused the request; nothing was written."""


class InsufficientBalance(OrderError):
    pass


class IdempotencyConflict(OrderError):
    pass


class BatchRefused(OrderError):
    """Items of an all-or-nothing batch were refused; ``message_dict`` is keyed by item index.

    ``conflict`` is True when every refused item contradicts data already stored (a different
    publish of the line, a video of another line, another count for the same instant) rather than
    being wrong in itself: the API answers 409 then, 400 otherwise.
    """

    def __init__(self, errors: dict[int, str], *, conflicts: Iterable[int] = ()):
        super().__init__({str(n): [errors[n]] for n in sorted(errors)})
        self.conflict = set(conflicts) == set(errors)


def _actor_name(actor: AbstractBaseUser | None) -> str:
    return actor.get_username() if actor is not None else "system"


# --- Ledger ------------------------------------------------------------------------------------

_SIGN_BY_KIND = {
    LedgerKind.TOP_UP: 1,
    LedgerKind.COMPENSATION: 1,
    LedgerKind.REFUND: 1,
    LedgerKind.ORDER_CHARGE: -1,
    LedgerKind.BOOST_FEE: -1,
}


@dataclass(frozen=True)
class EntryIn:
    """One ledger entry to post; the key makes a retry of the same posting a no-op."""

    client_id: int
    kind: str
    amount: Decimal
    idempotency_key: str
    order_id: int | None = None
    boost_id: int | None = None
    reason: str = ""


def post_entries(
    *, entries: Sequence[EntryIn], now: datetime, created_by: AbstractBaseUser | None = None
) -> list[LedgerEntry]:
    """Append signed entries to clients' ledgers (DESIGN §8), all or nothing.

    Locks the clients in id order so each running balance starts from a stable latest entry;
    refuses any entry that would take a balance below zero; an entry whose key was already posted
    with the same content is returned as it was, and with other content is a conflict.
    A constant number of queries for any number of entries, so payout sweeps stay set-based.
    """
    entries = [_checked(entry) for entry in entries]
    keys = [entry.idempotency_key for entry in entries]
    if len(set(keys)) != len(keys):
        raise IdempotencyConflict(_("The same idempotency key appears twice in one posting."))
    with transaction.atomic():
        client_ids = sorted({entry.client_id for entry in entries})
        list(Client.objects.select_for_update().filter(pk__in=client_ids).order_by("pk"))
        existing = LedgerEntry.objects.in_bulk(keys, field_name="idempotency_key")
        balances = selectors.client_balances(client_ids)
        posted, new = {}, []
        for entry in entries:
            stored = existing.get(entry.idempotency_key)
            if stored is not None:
                if (stored.client_id, stored.kind, stored.amount) != (
                    entry.client_id,
                    entry.kind,
                    entry.amount,
                ):
                    raise IdempotencyConflict(
                        _("The key %(key)s was already used for a different entry.")
                        % {"key": entry.idempotency_key}
                    )
                posted[entry.idempotency_key] = stored
                continue
            balance = balances[entry.client_id] + entry.amount
            if balance < 0:
                raise InsufficientBalance(
                    _("Insufficient balance: %(needed)s needed, %(available)s available.")
                    % {"needed": -entry.amount, "available": balances[entry.client_id]}
                )
            balances[entry.client_id] = balance
            new.append(
                LedgerEntry(
                    client_id=entry.client_id,
                    kind=entry.kind,
                    amount=entry.amount,
                    balance_after=balance,
                    idempotency_key=entry.idempotency_key,
                    order_id=entry.order_id,
                    boost_id=entry.boost_id,
                    reason=entry.reason,
                    created_by=created_by,
                    created_at=now,
                )
            )
        for stored in LedgerEntry.objects.bulk_create(new):
            posted[stored.idempotency_key] = stored
        return [posted[key] for key in keys]


def post_entry(
    *, entry: EntryIn, now: datetime, created_by: AbstractBaseUser | None = None
) -> LedgerEntry:
    """Post one entry; see ``post_entries``."""
    return post_entries(entries=[entry], now=now, created_by=created_by)[0]


def _checked(entry: EntryIn) -> EntryIn:
    """The entry with its amount in fen, or a clear error."""
    if entry.kind not in LedgerKind.values:
        raise OrderError(_("Unknown ledger entry kind: %(kind)s") % {"kind": entry.kind})
    amount = _money(entry.amount)
    sign = _SIGN_BY_KIND.get(entry.kind)
    if amount == 0 or (sign is not None and (amount > 0) != (sign > 0)):
        raise OrderError(
            _("A %(kind)s entry cannot have the amount %(amount)s.")
            % {"kind": LedgerKind(entry.kind).label, "amount": amount}
        )
    if not entry.idempotency_key:
        raise OrderError(_("An idempotency key is required."))
    return dataclasses.replace(entry, amount=amount)


def top_up(
    *,
    client: Client,
    amount: Decimal,
    reason: str,
    idempotency_key: str,
    now: datetime,
    created_by: AbstractBaseUser | None = None,
) -> LedgerEntry:
    """Finance credits money received from a client; the reason is kept for the audit."""
    if not reason.strip():
        raise OrderError(_("A top-up needs a reason."))
    return post_entry(
        entry=EntryIn(
            client_id=client.pk,
            kind=LedgerKind.TOP_UP,
            amount=amount,
            idempotency_key=idempotency_key,
            reason=reason.strip(),
        ),
        now=now,
        created_by=created_by,
    )


def _money(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise OrderError(_("Amounts must be exact decimals."))
    if value != value.quantize(Decimal("0.01")):
        raise OrderError(_("Amounts are in whole fen (two decimal places): %(v)s") % {"v": value})
    return value.quantize(Decimal("0.01"))


# --- Quotes ------------------------------------------------------------------------------------


def refresh_quotes(
    *, now: datetime, influencer_ids: Sequence[int] | None = None, batch_size: int = 500
) -> int:
    """Re-quote influencers from their history and cache it on the row (DESIGN §4).

    Listing pages read the cache, so they cost a constant number of queries; ordering always
    re-quotes. A batch costs two queries whatever its size. Returns how many were refreshed.
    """
    influencers = Influencer.objects.order_by("pk")
    if influencer_ids is not None:
        influencers = influencers.filter(pk__in=influencer_ids)
    refreshed, after = 0, 0
    while batch := list(influencers.filter(pk__gt=after)[:batch_size]):
        quotes = selectors.quote_influencers(batch, now=now)
        for influencer in batch:
            influencer.quote, influencer.quoted_at = quotes[influencer.pk].as_dict(), now
        Influencer.objects.bulk_update(batch, ["quote", "quoted_at"])
        refreshed, after = refreshed + len(batch), batch[-1].pk
    return refreshed


# --- Ordering ----------------------------------------------------------------------------------


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
            if not quote.eligible:
                raise OrderError(
                    _("Boost is not available for %(name)s: %(reason)s")
                    % {"name": influencer.name, "reason": quote.reason.label}
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
    placed_by: AbstractBaseUser | None = None,
) -> Order:
    """Place an order and pay for it in one transaction (DESIGN §5, first two bullets).

    Re-quotes every ticked boost as of ``now`` and freezes the price and quote on the line and its
    boost; debits each fixed price and boost fee. The same key again returns the first order.
    """
    if not idempotency_key:
        raise OrderError(_("An idempotency key is required."))
    with transaction.atomic():
        # The client lock serialises this client's orders, so a key is checked and used atomically.
        client = Client.objects.select_for_update().get(pk=client.pk)
        existing = Order.objects.filter(client=client, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_order_or_conflict(existing, lines)
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
                    idempotency_key=f"order-line:{line.pk}:price",
                    order_id=order.pk,
                )
            )
            if request.boost:
                boost = _create_boost(
                    line, quote, valid_until=valid_until, now=now, actor=placed_by
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
        return order


def _create_boost(
    line: OrderLine, quote: Quote, *, valid_until: datetime, now: datetime, actor
) -> Boost:
    boost = Boost.objects.create(
        line=line,
        status=Boost.Status.AWAITING_PUBLISH,
        expected_views=quote.expected_views,
        premium_ratio=quote.premium_ratio,
        boost_fee=quote.boost_fee,
        loss_ratio=quote.loss_ratio,
        quote=quote.as_dict(),
        quoted_at=quote.as_of,
        valid_until=valid_until,
        status_changed_at=now,
    )
    BoostEvent.objects.create(
        boost=boost,
        to_status=boost.status,
        actor=actor,
        actor_name=_actor_name(actor),
        note=_("Ordered"),
        at=now,
    )
    return boost


def _same_order_or_conflict(order: Order, lines: Sequence[LineRequest]) -> Order:
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
    return f"SB{now:%y%m%d}-{secrets.token_hex(3).upper()}"


# --- Boost lifecycle ---------------------------------------------------------------------------


def transition_many(
    boosts: Sequence[Boost],
    to: str,
    *,
    now: datetime,
    actor: AbstractBaseUser | None = None,
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
    BoostEvent.objects.bulk_create(
        BoostEvent(
            boost=boost,
            from_status=boost.status,
            to_status=to,
            actor=actor,
            actor_name=_actor_name(actor),
            note=note,
            at=now,
        )
        for boost in boosts
    )
    Boost.objects.filter(pk__in=[b.pk for b in boosts]).update(status=to, status_changed_at=now)
    for boost in boosts:
        boost.status, boost.status_changed_at = to, now


def transition(
    boost: Boost,
    to: str,
    *,
    now: datetime,
    actor: AbstractBaseUser | None = None,
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
    actor: AbstractBaseUser | None = None,
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
        return line


@dataclass(frozen=True)
class SnapshotIn:
    """One observation from the platform's pipeline: a video's views at an instant."""

    video_id: str
    observed_at: datetime
    views: int


def record_views(*, items: Iterable[SnapshotIn], now: datetime) -> int:
    """Store a batch of view snapshots, all or nothing; returns how many were new.

    The same (video, instant, views) again is ignored; a different count for a stored
    (video, instant) is a conflict. Every item is checked before anything is written.
    """
    items = list(items)
    errors: dict[int, str] = {}
    # Only ids are needed: a batch of 10,000 would otherwise build 10,000 order lines.
    lines = dict(
        OrderLine.objects.filter(platform_video_id__in={i.video_id for i in items}).values_list(
            "platform_video_id", "pk"
        )
    )
    for n, item in enumerate(items):
        if item.video_id not in lines:
            errors[n] = _("Unknown video %(video)s.") % {"video": item.video_id}
        elif not isinstance(item.views, int) or isinstance(item.views, bool) or item.views < 0:
            errors[n] = _("Views must be a whole number ≥ 0.")
        elif item.observed_at > now + CLOCK_SKEW:
            errors[n] = _("The observation time %(at)s is in the future.") % {
                "at": item.observed_at
            }
    seen: dict[tuple[int, datetime], int] = {}
    for n, item in enumerate(items):
        if n in errors:
            continue
        key = (lines[item.video_id], item.observed_at)
        if seen.setdefault(key, item.views) != item.views:
            errors[n] = _("Two different counts for the same video and instant in one batch.")
    existing = selectors.stored_views({key for key in seen})
    conflicts = set()
    for n, item in enumerate(items):
        key = (lines[item.video_id], item.observed_at) if item.video_id in lines else None
        if n not in errors and key in existing and existing[key] != item.views:
            errors[n] = _("Conflicts with the stored count %(views)s for this instant.") % {
                "views": existing[key]
            }
            conflicts.add(n)
    if errors:
        raise BatchRefused(errors, conflicts=conflicts)
    new = [
        ViewSnapshot(line_id=line_id, observed_at=at, views=views, received_at=now)
        for (line_id, at), views in seen.items()
        if (line_id, at) not in existing
    ]
    with transaction.atomic():
        ViewSnapshot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- Ingestion ---------------------------------------------------------------------------------
# The platform's data pipeline (``orders.api``, ``manage.py import_views``): its tokens and request
# log, and batches of publish events and view snapshots, each batch all or nothing.


# The largest count a ``BigIntegerField`` holds: parsers refuse more before the database does.
MAX_VIEWS = 2**63 - 1


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest under which a token is stored; the token itself never is."""
    return hashlib.sha256(raw.encode()).hexdigest()


def create_integration_token(
    *, name: str, now: datetime, created_by: AbstractBaseUser | None = None
) -> tuple[IntegrationToken, str]:
    """Issue a token for the pipeline; returns the row and the raw token, to be shown once.

    Only the token's hash and first characters are stored, so nobody can read it back later.
    """
    name = name.strip()
    if not name:
        raise OrderError(_("A token needs a name."))
    raw = secrets.token_urlsafe(32)
    token = IntegrationToken(
        name=name,
        prefix=raw[: IntegrationToken.PREFIX_LENGTH],
        token_hash=hash_token(raw),
        created_at=now,
        created_by=created_by,
    )
    with transaction.atomic():
        token.full_clean()
        token.save()
    return token, raw


def authenticate_token(*, raw: str, now: datetime) -> IntegrationToken | None:
    """The active token ``raw`` stands for, with its last use stamped; None for any other string."""
    if not raw:
        return None
    token = IntegrationToken.objects.filter(token_hash=hash_token(raw), is_active=True).first()
    if token is not None:
        # A plain UPDATE: concurrent requests with one token need no lock to stamp a time.
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


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
    )


def parse_instant(value: object) -> datetime:
    """An ISO 8601 date and time with a UTC offset (``Z`` or ``+08:00``) as an aware datetime.

    A time without an offset is refused rather than guessed: the pipeline and operators' files
    may come from any time zone.
    """
    shown = str(value)[:40]
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise OrderError(_("Not an ISO 8601 date and time: %(value)s") % {"value": shown})
    if parsed.tzinfo is None:
        raise OrderError(
            _("%(value)s has no UTC offset; add one, e.g. +08:00 or Z.") % {"value": shown}
        )
    return parsed


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
    actor: AbstractBaseUser | None = None,
) -> int:
    """Publish a batch of events through ``publish``, all or nothing (DESIGN §5); returns how
    many lines were newly published (a repeated event is accepted and changes nothing).

    The batch's lines, then their boosts, are locked in id order first, so two batches never wait
    on each other in a cycle. Every event is tried, in order, so one answer lists every refusal;
    when any is refused, the whole batch is rolled back and each event ``publish`` refused for a
    real order line is kept as a ``PublishRejection`` (§5: "an operator can see it").
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
    published: set[int] = set()
    with transaction.atomic():
        lines = {
            line.pk: line
            for line in OrderLine.objects.select_for_update()
            .filter(pk__in=first_by_line)
            .order_by("pk")
        }
        list(Boost.objects.select_for_update().filter(line_id__in=lines).order_by("pk"))
        for n, event in enumerate(events):
            if n in errors:
                continue
            line = lines.get(event.line_id)
            if line is None:
                errors[n] = _("Unknown order line %(line)s.") % {"line": event.line_id}
                continue
            try:
                # Each call is a savepoint: a refused event leaves the others' work in place.
                publish(
                    line=line,
                    video_id=event.video_id,
                    published_at=event.published_at,
                    now=now,
                    actor=actor,
                )
            except OrderError as refusal:
                errors[n] = " ".join(refusal.messages)
                refused[n] = line
                if getattr(refusal, "code", None) == "conflict":
                    conflicts.add(n)
            else:
                if line.published_at is None:
                    published.add(line.pk)
        if errors:
            transaction.set_rollback(True)
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
