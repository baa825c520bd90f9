"""Drawing the demo plan: every random draw and the maths of publish times and view curves.

No database access. ``build_plan`` turns a seed and an instant into a ``DemoPlan``; ``replay``
then plays it in time order through the real services. Keeping every random draw here makes the
data set deterministic (same seed and instant, same data) and lets the maths be read and tested
without models.

Each boosted line is planned for an ``Outcome`` (the boost status it should end in) that is
feasible for its order's age; the publish instant and the view curve are then drawn to reach it.
Quotes are checked with the same pure ``quote_from_history`` that ``place_order`` runs, so a line
is only boosted when the service will offer the boost at that instant.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from orders.pricing import PricingRules, quote_from_history

from .names import (
    CLIENT_CODES,
    CLIENTS,
    HISTORY_DAYS,
    IMPORT_AT,
    INFLUENCER_NAMES,
    MIN_PER_OUTCOME,
    ORDER_MAX_AGE_DAYS,
    OUTCOME_WEIGHTS,
    SWEEP_AT,
    VOLATILITY,
    Outcome,
    Role,
)
from .specs import ClientSpec, Curve, DemoPlan, HistorySpec, InfluencerSpec, LineSpec, OrderSpec


def _window() -> timedelta:
    """The boost window (14 days), as the services read it."""
    return timedelta(days=settings.BOOST_WINDOW_DAYS)


def _freshness() -> timedelta:
    """How recent a closing snapshot must be (24 h), as the services read it."""
    return timedelta(hours=settings.SNAPSHOT_FRESHNESS_HOURS)


def target_views(
    outcome: Outcome | None, expected_views: int, premium_ratio: Decimal | None, draw: float
) -> int:
    """The views a video should reach for its planned outcome.

    The compensation cap binds once the shortfall share (E − A)/E exceeds F/(P + F) = r/(1 + r)
    (DESIGN §6), so an uncapped compensation stays well below that share and a capped one well
    above it (at most 40 %, i.e. A ≥ 0.6 E). Outcomes not decided by views land in 0.6–1.4 E.
    """
    e = expected_views
    if outcome in (Outcome.COMPENSATED, Outcome.COMPENSATED_CAPPED):
        ratio = float(premium_ratio or Decimal("0.10"))
        threshold = ratio / (1 + ratio)
        if outcome is Outcome.COMPENSATED:
            share = threshold * (0.15 + 0.7 * draw)
        else:
            low = threshold * 1.15
            share = low + (max(0.4, low) - low) * draw
        return max(0, min(e - 1, math.floor(e * (1 - share))))
    if outcome is Outcome.SUCCEEDED:
        return max(e, math.ceil(e * (1 + 0.4 * draw)))
    return round(e * (0.6 + 0.8 * draw))


def view_curve(curve: Curve, *, published_at: datetime, final: int, closes: bool) -> list[int]:
    """Views at each observation, along views(t) = final × (1 − e^(−t/τ)) / (1 − e^(−T/τ)).

    T is the window end, or the last observation when that one closes the window. The noise
    scales each step's growth (never below a tenth of it), so counts keep rising and slow down
    like a real video's; a closing curve is then rescaled so its last snapshot shows exactly
    ``final``, the count the settlement will use.
    """
    if not curve.observations:
        return []

    def smooth(at: datetime) -> float:
        return 1 - math.exp(-(at - published_at).total_seconds() / 86400 / curve.tau_days)

    anchor = curve.observations[-1] if closes else published_at + _window()
    levels, level, previous = [], 0.0, 0.0
    for at, noise in zip(curve.observations, curve.noise, strict=True):
        expected = final * smooth(at) / smooth(anchor)
        level += (expected - previous) * max(0.1, 1 + noise)
        previous = expected
        levels.append(level)
    scale = final / levels[-1] if closes and levels[-1] > 0 else 1.0
    values = [round(value * scale) for value in levels]
    if closes:
        values[-1] = final
    return values


def daily(start: datetime, end: datetime, at: time) -> list[datetime]:
    """The instants at local time ``at`` on each day with ``start`` ≤ instant < ``end``."""
    tz = start.tzinfo
    instants, day = [], start.date()
    while day <= end.date():
        instant = datetime.combine(day, at, tzinfo=tz)
        if start <= instant < end:
            instants.append(instant)
        day += timedelta(days=1)
    return instants


def import_cutoff(window_end: datetime) -> datetime:
    """The last view import before the first close sweep at or after ``window_end``.

    Observations after it would arrive only after the window was settled, so a closing curve
    stops there and the settled snapshot is the curve's last.
    """
    sweep = datetime.combine(window_end.date(), SWEEP_AT, tzinfo=window_end.tzinfo)
    if sweep < window_end:
        sweep += timedelta(days=1)
    return min(window_end, datetime.combine(sweep.date(), IMPORT_AT, tzinfo=window_end.tzinfo))


def build_plan(
    *, seed: int, now: datetime, tz: ZoneInfo, rules: PricingRules | None = None
) -> DemoPlan:
    """Draw the whole data set from ``random.Random(seed)``, ending at ``now``."""
    rng = random.Random(seed)
    rules = rules or PricingRules.from_settings()
    now = now.astimezone(tz)
    influencers = _influencers(rng, now)
    orders, clients = _orders(rng, now, influencers, rules)
    _ensure_every_outcome(rng, now, orders)
    for order in orders:
        for n, line in enumerate(order.lines, start=1):
            _draw_events(rng, now, order, n, line)
    return DemoPlan(
        seed=seed,
        now=now,
        influencers=tuple(influencers),
        clients=tuple(clients),
        orders=tuple(orders),
        hold=_hold_target(orders),
        removal=_removal_target(orders, now, hold=_hold_target(orders)),
    )


def _influencers(rng: random.Random, now: datetime) -> list[InfluencerSpec]:
    count = 50
    names = rng.sample(INFLUENCER_NAMES, count)
    special = rng.sample(range(count), 9)
    roles = dict.fromkeys(range(count), Role.REGULAR)
    for index, role in zip(
        special,
        [Role.DISABLED] * 5 + [Role.DORMANT, Role.NEWCOMER] + [Role.LOW_VIEWS] * 2,
        strict=True,
    ):
        roles[index] = role
    people = []
    for index, name in enumerate(names):
        role = roles[index]
        platform_id = f"dy_{10001 + index}"
        if role is Role.LOW_VIEWS:
            profile, median = "steady", rng.randint(300, 750)
            price = Decimal(rng.randint(30, 50) * 100)
        else:
            profile = rng.choices(list(VOLATILITY), weights=[3, 4.5, 2.5])[0]
            median = round(math.exp(rng.uniform(math.log(5_000), math.log(2_000_000))))
            price = _price(rng, median)
        people.append(
            InfluencerSpec(
                platform_id=platform_id,
                name=name,
                fixed_price=price.quantize(Decimal("0.01")),
                boost_enabled=role is not Role.DISABLED,
                role=role,
                profile=profile,
                median_views=median,
                history=_history(rng, now, platform_id, role, median, VOLATILITY[profile]),
            )
        )
    return people


def _price(rng: random.Random, median_views: int) -> Decimal:
    """A fixed price (一口价) rising with reach: ¥3,000 to ¥80,000 in whole hundreds."""
    share = (math.log(median_views) - math.log(5_000)) / (math.log(2_000_000) - math.log(5_000))
    raw = 3_000 + 77_000 * max(0.0, min(1.0, share)) ** 1.4 * rng.uniform(0.8, 1.2)
    return Decimal(max(30, min(800, round(raw / 100))) * 100)


def _history(
    rng: random.Random, now: datetime, platform_id: str, role: Role, median: int, sigma: float
) -> tuple[HistorySpec, ...]:
    """Past videos with their latest view counts; a fresh video has not finished growing."""
    if role is Role.NEWCOMER:
        ages = sorted(rng.uniform(1, 20) for _ in range(2))
    else:
        cadence = rng.uniform(7, 11) if role is Role.DORMANT else rng.uniform(4.5, 11)
        age = rng.uniform(50, 55) if role is Role.DORMANT else rng.uniform(0.2, cadence)
        ages = []
        while age < HISTORY_DAYS:
            ages.append(age)
            age += cadence * rng.uniform(0.75, 1.25)
    videos = []
    for n, age in enumerate(sorted(ages, reverse=True), start=1):
        published = _at_daytime(rng, now - timedelta(days=age), 11, 23)
        if published > now:
            published -= timedelta(days=1)
        views = median * math.exp(sigma * rng.gauss(0, 1))
        if sigma >= VOLATILITY["volatile"] and rng.random() < 0.06:
            views *= rng.uniform(3, 8)  # the occasional hit
        age_days = (now - published).total_seconds() / 86400
        views *= 1 - math.exp(-age_days / 0.5)  # most of a video's views come in its first day
        videos.append(HistorySpec(f"h_{platform_id}_{n:02d}", published, max(0, round(views))))
    return tuple(videos)


def _at_daytime(rng: random.Random, instant: datetime, first_hour: int, last_hour: int) -> datetime:
    """The same local day as ``instant`` at a random minute between the two hours."""
    minute = rng.randrange(first_hour * 60, last_hour * 60)
    return instant.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)


def _orders(
    rng: random.Random, now: datetime, influencers: Sequence[InfluencerSpec], rules: PricingRules
) -> tuple[list[OrderSpec], list[ClientSpec]]:
    drafts = []
    for index in range(1, len(CLIENTS) + 1):
        for _ in range(rng.randint(3, 5)):
            placed_at = _order_instant(rng, now)
            picked = rng.sample(influencers, rng.choices([1, 2, 3, 4], weights=[3, 4, 2, 1])[0])
            drafts.append((placed_at, index, picked))
    drafts.sort(key=lambda draft: (draft[0], draft[1]))
    first_top_up = now.replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(
        days=ORDER_MAX_AGE_DAYS + 5
    )
    budgets: Counter[int] = Counter()
    for _, index, picked in drafts:
        # r* is at most 50 %, so 1.5 × the fixed prices covers any fees the quotes come to.
        budgets[index] += sum(int(p.fixed_price) * 3 // 2 for p in picked)
    clients = []
    for index, (name, slug) in enumerate(CLIENTS, start=1):
        amount = (budgets[index] // 100_000 + 2) * 100_000
        clients.append(
            ClientSpec(
                code=CLIENT_CODES[index - 1],
                name=name,
                contact_email=f"marketing@{slug}.example.com",
                username=f"client{index:02d}",
                top_up=Decimal(amount).quantize(Decimal("0.01")),
                top_up_at=first_top_up + timedelta(minutes=37 * index),
            )
        )
    orders = []
    for number, (placed_at, index, picked) in enumerate(drafts, start=1):
        order = OrderSpec(number=number, client=clients[index - 1], placed_at=placed_at)
        feasible = _feasible(order, now)
        for person in picked:
            quote = quote_from_history(
                person.fixed_price,
                [(v.published_at, v.views) for v in person.history],
                placed_at,
                boost_enabled=person.boost_enabled,
                rules=rules,
            )
            line = LineSpec(influencer=person, boost=quote.eligible and rng.random() < 0.85)
            if line.boost:
                weights = [OUTCOME_WEIGHTS[o] for o in feasible]
                line.outcome = rng.choices(feasible, weights=weights)[0]
            order.lines.append(line)
        orders.append(order)
    return orders, clients


def _order_instant(rng: random.Random, now: datetime) -> datetime:
    """A working-hours instant in the last ``ORDER_MAX_AGE_DAYS`` days, at least an hour ago."""
    while True:
        day = now - timedelta(days=rng.randint(0, ORDER_MAX_AGE_DAYS))
        placed_at = _at_daytime(rng, day, 9, 22)
        if placed_at <= now - timedelta(hours=1):
            return placed_at


def _publish_range(order: OrderSpec, now: datetime, outcome: Outcome) -> tuple[datetime, datetime]:
    """The publish instants that lead to ``outcome``, as of ``now``: [low, high].

    An active boost has at least 12 hours of its window left; one whose window closed ended at
    least a day and a half ago, so a daily sweep has run since. Either way the publish is an hour
    after ordering at the earliest and an hour before the boost's validity ends at the latest.
    """
    low = order.placed_at + timedelta(hours=1)
    high = min(now - timedelta(hours=2), order.valid_until - timedelta(hours=1))
    if outcome is Outcome.ACTIVE:
        low = max(low, now - _window() + timedelta(hours=12))
    else:
        high = min(high, now - _window() - timedelta(days=1.5))
    return low, high


def _feasible(order: OrderSpec, now: datetime) -> list[Outcome]:
    outcomes = []
    for outcome in Outcome:
        if outcome is Outcome.AWAITING_PUBLISH:
            ok = order.valid_until > now + timedelta(hours=12)
        elif outcome is Outcome.EXPIRED:
            ok = order.valid_until <= now - timedelta(hours=1)
        elif outcome is Outcome.CANCELLED:
            ok = now - order.placed_at >= timedelta(hours=2)
        else:
            low, high = _publish_range(order, now, outcome)
            ok = low < high
        if ok:
            outcomes.append(outcome)
    return outcomes


def _ensure_every_outcome(rng: random.Random, now: datetime, orders: Sequence[OrderSpec]) -> None:
    """Re-plan a few lines so each outcome appears at least ``MIN_PER_OUTCOME`` times."""
    lines = [(order, line) for order in orders for line in order.lines if line.boost]
    counts = Counter(line.outcome for _, line in lines)
    for outcome in Outcome:
        candidates = [
            line
            for order, line in lines
            if outcome in _feasible(order, now) and line.outcome is not outcome
        ]
        rng.shuffle(candidates)
        for line in candidates:
            if counts[outcome] >= MIN_PER_OUTCOME:
                break
            if counts[line.outcome] > MIN_PER_OUTCOME:
                counts[line.outcome] -= 1
                counts[outcome] += 1
                line.outcome = outcome
        if counts[outcome] < MIN_PER_OUTCOME:
            raise ValueError(f"the demo plan cannot reach outcome {outcome}; try another seed")


def _draw_events(
    rng: random.Random, now: datetime, order: OrderSpec, n: int, line: LineSpec
) -> None:
    """Publish, cancel and view observations for one line, consistent with its outcome."""
    if line.outcome is Outcome.CANCELLED:
        latest = min(now, order.valid_until) - timedelta(hours=1)
        earliest = order.placed_at + timedelta(hours=1)
        # An operator cancels during office hours, within a few days of the order.
        line.cancel_at = _instant_between(
            rng, earliest, min(latest, earliest + timedelta(days=5)), 9, 19
        )
        return
    if line.outcome is not None and not line.outcome.published:
        return
    if line.outcome is None:
        # A line without a boost: most videos go live within a few weeks of ordering.
        low = order.placed_at + timedelta(hours=1)
        high = min(now - timedelta(hours=2), order.placed_at + timedelta(days=25))
        if low >= high or rng.random() < 0.2:
            return
    else:
        low, high = _publish_range(order, now, line.outcome)
    line.published_at = _instant_between(rng, low, high, 11, 23)
    line.reported_at = min(now, line.published_at + timedelta(minutes=rng.randint(3, 50)))
    line.video_id = f"v_{order.number:03d}_{n}"
    window_end = line.published_at + _window()
    if line.outcome is Outcome.ACTIVE:
        until = now
    elif line.outcome is Outcome.AWAITING_VIEWS:
        # The platform's feed stopped sending this video's counts days before the window ended.
        until = window_end - _freshness() - timedelta(hours=rng.uniform(6, 72))
    elif line.outcome is None:
        until = min(now, window_end)
    else:
        until = import_cutoff(window_end)
    observations = []
    at = line.published_at + timedelta(hours=rng.uniform(6, 12))
    while at <= until:
        observations.append(_whole_minute(at))
        at += timedelta(hours=rng.uniform(6, 12))
    line.curve = Curve(
        observations=tuple(observations),
        tau_days=rng.uniform(0.8, 3.5),
        noise=tuple(rng.gauss(0, 0.3) for _ in observations),
        draw=rng.random(),
    )


def _instant_between(
    rng: random.Random, low: datetime, high: datetime, first_hour: int, last_hour: int
) -> datetime:
    """A minute in [low, high], between the two local hours when the range allows."""
    for _ in range(20):
        candidate = _at_daytime(rng, low + (high - low) * rng.random(), first_hour, last_hour)
        if low <= candidate <= high:
            return candidate
    return _whole_minute(low + (high - low) * rng.random())


def _whole_minute(at: datetime) -> datetime:
    """``at`` truncated to the minute, so it never moves past a bound it was drawn under."""
    return at.replace(second=0, microsecond=0)


def _hold_target(orders: Sequence[OrderSpec]) -> tuple[str, str] | None:
    """The compensation with the latest window end: the one finance is still looking into."""
    compensated = [
        (line.published_at, order.key, line.influencer.platform_id)
        for order in orders
        for line in order.lines
        if line.outcome in (Outcome.COMPENSATED, Outcome.COMPENSATED_CAPPED)
    ]
    if not compensated:
        return None
    _, key, platform_id = max(compensated)
    return key, platform_id


def _removal_target(
    orders: Sequence[OrderSpec], now: datetime, *, hold: tuple[str, str] | None
) -> tuple[str, str, datetime] | None:
    """The capped compensation whose creator removes the video four days before window end.

    The latest one settled at least a day before ``now`` whose influencer is in no order placed
    after its publish, so the suspension that follows (DESIGN §5) refuses no planned boost.
    """
    window = _window()
    later = {
        (line.influencer.platform_id, order.placed_at) for order in orders for line in order.lines
    }
    candidates = [
        (line.published_at, order.key, line.influencer.platform_id)
        for order in orders
        for line in order.lines
        if line.outcome is Outcome.COMPENSATED_CAPPED
        and (order.key, line.influencer.platform_id) != hold
        and line.published_at is not None
        and line.published_at + window <= now - timedelta(days=1)
        and not any(
            who == line.influencer.platform_id and placed > line.published_at
            for who, placed in later
        )
    ]
    if not candidates:
        return None
    published, key, platform_id = max(candidates)
    return key, platform_id, _whole_minute(published + window - timedelta(days=4))
