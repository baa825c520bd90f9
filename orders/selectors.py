"""Read queries for clients, influencers and boosts; no writes here."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Floor, Greatest, Lead, Least

from kernel.money import to_fen

from .models import (
    LIVE,
    MONEY,
    ZERO,
    Boost,
    BoostStatus,
    Client,
    ClientMembership,
    HistoryVideo,
    Influencer,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderLine,
    PricingModel,
    PricingSetting,
    SnapshotFlag,
    VideoStatusEvent,
    ViewSnapshot,
)
from .pricing import PricingRules, Quote, quote_with_model
from .pricing_v2_peers import (
    PEER_COUNT,
    PeerGroup,
    nearest_by_price,
    spread_rules,
    summarize_peer,
)


def client_balance(client: Client) -> Decimal:
    """A client's balance: the running balance of its latest ledger entry (DESIGN §8)."""
    return client_balances([client.pk])[client.pk]


def client_balances(client_ids: Iterable[int]) -> dict[int, Decimal]:
    """Balances of many clients in one query.

    Each entry stores the running balance after it, and the posting service appends under a lock on
    the client, so the latest entry's ``balance_after`` equals the sum of all entries; ``reconcile``
    proves it.
    """
    rows = Client.objects.filter(pk__in=list(client_ids)).annotate(balance=balance_subquery())
    # SQLite hands a subquery's decimal back unscaled; money is always in fen.
    return {pk: to_fen(balance) for pk, balance in rows.values_list("pk", "balance")}


def balance_subquery() -> Subquery:
    """A client's balance as an annotation on ``Client`` rows: its latest entry's running balance.

    None for a client without entries; SQLite hands it back unscaled (``kernel.money.to_fen``).
    """
    latest = LedgerEntry.objects.filter(client=OuterRef("pk")).order_by("-pk")
    return Subquery(latest.values("balance_after")[:1])


def live_model() -> str:
    """The pricing model that prices new quotes (DESIGN §4b): v1 until an operator switches it."""
    live = PricingSetting.objects.filter(pk=PricingSetting.SINGLETON).values_list(
        "live_model", flat=True
    )
    return live.first() or PricingModel.V1


def peer_groups(*, now: datetime, rules: PricingRules | None = None) -> dict[int, PeerGroup]:
    """Every influencer's v2 peer group as of ``now``: the influencers nearest in fixed price.

    Two queries for the whole market (its histories over v2's spread window); a caller quoting
    many batches at one instant builds it once.
    """
    rules = rules or PricingRules.from_settings()
    prices = dict(Influencer.objects.values_list("pk", "fixed_price"))
    history = _histories(now=now, days=spread_rules(rules).history_days)
    singles = [
        (pk, price, PeerGroup.of_one(summarize_peer(history[pk], now, rules, price)))
        for pk, price in prices.items()
    ]
    return nearest_by_price(singles, PEER_COUNT)


def quote_influencers(
    influencers: Sequence[Influencer],
    *,
    now: datetime,
    rules: PricingRules | None = None,
    model: str | None = None,
    peers: Mapping[int, PeerGroup] | None = None,
) -> dict[int, Quote]:
    """Quote each influencer as of ``now`` with ``model`` (the live one when None).

    One query for the histories of all of them; v2 also needs the ``peers`` (``peer_groups``,
    read here when not given).
    """
    rules = rules or PricingRules.from_settings()
    model = model or live_model()
    if model == PricingModel.V2 and peers is None:
        peers = peer_groups(now=now, rules=rules)
    days = spread_rules(rules).history_days if model == PricingModel.V2 else rules.history_days
    history = _history_videos([i.pk for i in influencers], now=now, days=days)
    quotes = {}
    for influencer in influencers:
        videos = history[influencer.pk]
        quote = quote_with_model(
            model,
            influencer.fixed_price,
            [(v.published_at, v.views) for v in videos],
            now,
            boost_enabled=influencer.boost_enabled,
            peers=(peers or {}).get(influencer.pk),
            rules=rules,
            suspended_until=influencer.boost_suspended_until,
        )
        quotes[influencer.pk] = dataclasses.replace(
            quote, video_ids=tuple(v.platform_video_id for v in videos)
        )
    return quotes


def _history_videos(
    influencer_ids: Iterable[int], *, now: datetime, days: int
) -> dict[int, list[HistoryVideo]]:
    """The influencers' history videos published in (now − days, now], newest first."""
    history: dict[int, list[HistoryVideo]] = defaultdict(list)
    for video in HistoryVideo.objects.filter(
        influencer__in=list(influencer_ids),
        published_at__gt=now - timedelta(days=days),
        published_at__lte=now,
    ).only("influencer_id", "platform_video_id", "published_at", "views"):
        history[video.influencer_id].append(video)
    return history


def _histories(*, now: datetime, days: int) -> dict[int, list[tuple[datetime, int]]]:
    """Every influencer's ``(published_at, views)`` in (now − days, now]."""
    history: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for influencer_id, published_at, views in (
        HistoryVideo.objects.filter(
            published_at__gt=now - timedelta(days=days), published_at__lte=now
        )
        .order_by("influencer_id", "published_at", "pk")
        .values_list("influencer_id", "published_at", "views")
    ):
        history[influencer_id].append((published_at, views))
    return history


def counted_snapshots(line: Any, window_end: Any) -> QuerySet[ViewSnapshot]:
    """A line's snapshots that count toward its boost (DESIGN §5), latest first.

    Views count only up to the window end, and only while the video is live: a snapshot observed
    while the latest status event at or before it is not live (removed, private, taken down) does
    not count, so the count stays frozen at the last snapshot before the change until the video is
    restored. Pass ``OuterRef``s to use it as a subquery:
    ``Subquery(counted_snapshots(OuterRef("line"), OuterRef("window_end")).values("views")[:1])``.
    """
    status_then = VideoStatusEvent.objects.filter(
        line=OuterRef("line"), at__lte=OuterRef("observed_at")
    ).order_by("-at")
    return (
        ViewSnapshot.objects.filter(line=line, observed_at__lte=window_end)
        .alias(status_then=Subquery(status_then.values("status")[:1]))
        # Spelled as what counts, not ``exclude``: NOT IN would drop the NULL of "no event yet".
        .filter(Q(status_then__isnull=True) | Q(status_then__in=LIVE))
        .order_by("-observed_at")
    )


def status_events(line_ids: Iterable[int]) -> dict[int, list[VideoStatusEvent]]:
    """Each line's video status events, oldest first, in one query (none for no lines)."""
    found: dict[int, list[VideoStatusEvent]] = defaultdict(list)
    line_ids = list(line_ids)
    if not line_ids:
        return found
    for event in VideoStatusEvent.objects.filter(line_id__in=line_ids).order_by("at"):
        found[event.line_id].append(event)
    return found


def first_flagged(line_ids: Iterable[int]) -> dict[int, datetime]:
    """When the earliest flagged snapshot of each of ``line_ids`` with one was observed."""
    rows = (
        SnapshotFlag.objects.filter(line_id__in=list(line_ids))
        .values("line_id")
        .annotate(first=Min("snapshot__observed_at"))
        .values_list("line_id", "first")
    )
    return dict(rows)


def stored_views(keys: Iterable[tuple[int, datetime]]) -> dict[tuple[int, datetime], int]:
    """The stored view counts for the given (order line id, observed_at) pairs."""
    keys = set(keys)
    if not keys:
        return {}
    rows = ViewSnapshot.objects.filter(
        line_id__in={line_id for line_id, _ in keys},
        observed_at__in={at for _, at in keys},
    ).values_list("line_id", "observed_at", "views")
    return {(line_id, at): views for line_id, at, views in rows if (line_id, at) in keys}


# --- Client pages ---
#
# Reads for the pages a client sees (the ``portal`` app, which sits above ``orders``). Every one
# takes the client explicitly and filters by it, so a page can only ever see its own client's
# rows. Each costs a constant number of queries, whatever the number of orders, lines or snapshots.

ZERO_MONEY = Value(ZERO, output_field=DecimalField(**MONEY))

BOOST_STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "awaiting_publish": (BoostStatus.AWAITING_PUBLISH,),
    "active": (BoostStatus.ACTIVE, BoostStatus.AWAITING_VIEWS),
    "settled": tuple(Boost.TERMINAL),
}


def membership_of(user) -> ClientMembership | None:
    """The user's client membership with its client, in one query; None for other users."""
    if not user.is_authenticated:
        return None
    return ClientMembership.objects.select_related("client").filter(user_id=user.pk).first()


def statement_entries(
    client: Client,
    *,
    kind: str = "",
    since: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[LedgerEntry]:
    """A client's ledger, newest first, with what each entry refers to (order, boost).

    ``kind`` keeps one kind of entry and ``[since, before)`` the entries made then (either end may
    be open). The orders come with their lines and influencers, so ``charged_line`` names the
    influencer an order charge paid for: one more query for any number of entries.
    """
    entries = LedgerEntry.objects.filter(client=client)
    if kind:
        entries = entries.filter(kind=kind)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if before is not None:
        entries = entries.filter(created_at__lt=before)
    return (
        entries.select_related("order", "boost__line__order", "boost__line__influencer")
        .prefetch_related(Prefetch("order__lines", queryset=_lines_with_influencer_names()))
        .order_by("-pk")
    )


def order_line_price_key(line_id: int) -> str:
    """The idempotency key of the order charge that paid one line's fixed price."""
    return f"order-line:{line_id}:price"


def charged_line(entry: LedgerEntry) -> OrderLine | None:
    """The line whose fixed price an order charge paid; None for any other entry.

    An order is charged one entry per line, keyed by the line; ``statement_entries`` has
    prefetched the order's lines, so this costs no query.
    """
    if entry.kind != LedgerKind.ORDER_CHARGE or entry.order is None:
        return None
    return next(
        (
            line
            for line in entry.order.lines.all()
            if order_line_price_key(line.pk) == entry.idempotency_key
        ),
        None,
    )


def statement_totals(entries: QuerySet[LedgerEntry]) -> dict[str, tuple[int, Decimal]]:
    """The number and sum of the given entries by kind, in one query: ``{kind: (count, sum)}``."""
    rows = entries.order_by().values_list("kind").annotate(n=Count("pk"), total=Sum("amount"))
    # SQLite hands a sum of decimals back unscaled; money is always in fen.
    return {kind: (n, to_fen(total)) for kind, n, total in rows}


def _lines_with_influencer_names() -> QuerySet[OrderLine]:
    """Order lines with only their influencer's name, in line order (what a list names)."""
    return (
        OrderLine.objects.select_related("influencer")
        .only("order_id", "influencer__name")
        .order_by("pk")
    )


def influencers_for_picking(query: str = "") -> QuerySet[Influencer]:
    """Influencers a client can order, matched on name or platform id; quotes come cached."""
    influencers = Influencer.objects.order_by("name", "pk")
    if query:
        influencers = influencers.filter(Q(name__icontains=query) | Q(platform_id__icontains=query))
    return influencers


def client_orders(
    client: Client,
    *,
    boost_group: str = "",
    search: str = "",
    since: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[Order]:
    """A client's orders, newest first, with line and boost counts and totals annotated.

    ``boost_group`` (a key of ``BOOST_STATUS_GROUPS``) keeps orders with at least one boost in that
    group; ``"none"`` keeps orders without any boost. ``search`` matches the order code or the name
    or platform id of one of its influencers; ``[since, before)`` the instants placed. Lines and
    boosts are one-to-one, so the sums over the one join are not multiplied. The lines come with
    their influencer's name, in one more query for the whole page.
    """
    orders = Order.objects.filter(client=client)
    if search:
        named = OrderLine.objects.filter(order=OuterRef("pk")).filter(
            Q(influencer__name__icontains=search) | Q(influencer__platform_id__icontains=search)
        )
        orders = orders.filter(Q(code__icontains=search) | Exists(named))
    if since is not None:
        orders = orders.filter(placed_at__gte=since)
    if before is not None:
        orders = orders.filter(placed_at__lt=before)
    if boost_group == "none":
        orders = orders.filter(~Exists(Boost.objects.filter(line__order=OuterRef("pk"))))
    elif boost_group in BOOST_STATUS_GROUPS:
        orders = orders.filter(
            Exists(
                Boost.objects.filter(
                    line__order=OuterRef("pk"), status__in=BOOST_STATUS_GROUPS[boost_group]
                )
            )
        )
    counts = {
        f"n_{group}": Count("lines__boost", filter=Q(lines__boost__status__in=statuses))
        for group, statuses in BOOST_STATUS_GROUPS.items()
    }
    return (
        orders.annotate(
            n_lines=Count("lines"),
            n_boosts=Count("lines__boost"),
            total_prices=Coalesce(Sum("lines__fixed_price"), ZERO_MONEY),
            total_fees=Coalesce(Sum("lines__boost__boost_fee"), ZERO_MONEY),
            **counts,
        )
        .prefetch_related(Prefetch("lines", queryset=_lines_with_influencer_names()))
        .order_by("-placed_at", "-pk")
    )


def client_order(client: Client, code: str) -> Order | None:
    """One of the client's orders with its lines, in two queries.

    Lines come with their influencer and boost, oldest first, and ``has_status_events`` (so a
    page asks ``status_events`` only for videos that have some); their charts' snapshots come
    from ``chart_series``. None when the code is unknown or belongs to another client: the caller
    answers both alike.
    """
    # The quotes' inputs (JSON, a history each) are for the admin's explanations, not this page.
    lines = (
        OrderLine.objects.select_related("influencer", "boost")
        .defer("influencer__quote", "boost__quote")
        .annotate(has_status_events=Exists(VideoStatusEvent.objects.filter(line=OuterRef("pk"))))
        .order_by("pk")
    )
    return (
        Order.objects.filter(client=client, code=code)
        .select_related("placed_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .first()
    )


CHART_POINTS = 40
SECONDS_PER_DAY = 86400.0
INT = IntegerField()


@dataclasses.dataclass(frozen=True)
class ViewSeries:
    """A published boost's counted views, as its chart draws them (DESIGN §5).

    ``points`` are ``(days since publish, views)``, oldest first, at most ``CHART_POINTS``;
    ``latest`` is the latest counted snapshot ``(observed_at, views)`` exactly, None before any.
    """

    points: list[tuple[float, int]]
    latest: tuple[datetime, int] | None


def chart_series(
    boosts: Iterable[Boost], *, now: datetime, points: int = CHART_POINTS
) -> dict[int, ViewSeries]:
    """Each published boost's counted views as of ``now``, at most ``points`` a line, in one query.

    Keyed by line id. The part of the window run by ``now`` (all of it once over) is cut into
    ``points`` equal time buckets and the latest counted snapshot of each is kept, chosen in SQL
    with a window function: a page never loads a video's whole history, and a boost a few hours old
    still has every hourly point. The latest counted snapshot of all, the one a card shows, is the
    latest of the last non-empty bucket: it is always there, exactly. Snapshots before publish fall
    into the first bucket, later ones into the last. Times come back as days (a float) except for
    that latest one: parsing thousands of timestamps would cost more than the query.
    """
    published = [boost.line_id for boost in boosts if boost.window_start is not None]
    if not published:
        return {}
    start, end = F("line__boost__window_start"), F("line__boost__window_end")
    run = Greatest(_Seconds(Least(Value(now), end), start), Value(1.0))  # never a zero divisor
    share = _Seconds(F("observed_at"), start) * points / run
    bucket = Greatest(
        Value(0), Least(Value(points - 1), Floor(share), output_field=INT), output_field=INT
    )
    # A snapshot is the latest of its bucket when the next one of its line is in a later bucket
    # (or there is none: then ``points``): one pass in (line, observed_at) order, the index's.
    next_bucket = Window(
        Lead(F("bucket"), default=Value(points)),
        partition_by=[F("line_id")],
        order_by=F("observed_at").asc(),
    )
    rows = (
        # The one rule for counted views, for all the lines at once: each row's own line and end.
        counted_snapshots(F("line"), end)
        # Both ends of the join by the ids, so each table is read by its index at any size.
        .filter(line_id__in=published, line__boost__line_id__in=published)
        .annotate(
            bucket=bucket,
            next_bucket=next_bucket,
            day=_Seconds(F("observed_at"), start) / SECONDS_PER_DAY,
            latest_at=Case(When(next_bucket=points, then=F("observed_at"))),
        )
        .filter(next_bucket__gt=F("bucket"))
        .order_by("line_id", "observed_at")
        .values_list("line_id", "day", "views", "latest_at")
    )
    found: dict[int, list[tuple[float, int]]] = {line_id: [] for line_id in published}
    latest: dict[int, tuple[datetime, int]] = {}
    for line_id, day, views, latest_at in rows:
        found[line_id].append((day, views))
        if latest_at is not None:
            latest[line_id] = (latest_at, views)
    return {line_id: ViewSeries(found[line_id], latest.get(line_id)) for line_id in published}


class _Seconds(Func):
    """Seconds from the second instant to the first, as a number, on PostgreSQL and SQLite."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="date_part('epoch', %(expressions)s)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


def client_order_with_key(client: Client, idempotency_key: str) -> Order | None:
    """The order a client already placed with this idempotency key, if any."""
    return Order.objects.filter(client=client, idempotency_key=idempotency_key).first()
