"""The v1 quote maths (E, r*, F from a history) and what every model shares: the history
window, the suspension, the §4 gates and the fee at r*."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from kernel.money import half_up

from .quote import Quote, WeightedVideo
from .rules import SECONDS_PER_DAY, PricingRules

QuoteT = TypeVar("QuoteT", bound=Quote)


def quote_from_history(
    fixed_price: Decimal,
    history: Sequence[tuple[datetime, int]],
    as_of: datetime,
    boost_enabled: bool = True,
    rules: PricingRules | None = None,
    *,
    suspended_until: datetime | None = None,
) -> Quote:
    """Price a boost from ``(published_at, views)`` history as of ``as_of`` (DESIGN.md §4).

    ``suspended_until``: the influencer's boosts are suspended until then after a creator-caused
    shortfall (§5); before it the quote is not offered and says why.
    """
    if rules is None:
        rules = PricingRules.from_settings()
    _check_inputs(fixed_price, history, as_of)

    videos = history_window(history, as_of, rules)

    exact = [(video.views, Fraction(video.weight)) for video in videos]
    total = sum((weight for _, weight in exact), Fraction(0))
    expected = _weighted_lower_median(exact, total)

    def offer() -> tuple[int, Fraction, bool]:
        percent, loss = _premium_percent(exact, total, expected, rules)
        return percent, loss, loss <= Fraction(rules.target_loss_ratio)

    return gated_quote(
        Quote,
        fixed_price=fixed_price,
        as_of=as_of,
        boost_enabled=boost_enabled,
        rules=rules,
        suspended_until=suspended_until,
        inputs=tuple(videos),
        total_weight=float(total),
        expected=expected,
        offer=offer,
    )


def gated_quote(
    quote_class: type[QuoteT],
    *,
    fixed_price: Decimal,
    as_of: datetime,
    boost_enabled: bool,
    rules: PricingRules,
    suspended_until: datetime | None,
    inputs: tuple[WeightedVideo, ...],
    total_weight: float,
    expected: int,
    offer: Callable[[], tuple[int, Fraction | float, bool] | None],
    **figures: Any,
) -> QuoteT:
    """A ``quote_class`` quote through the §4 gates every model applies, in their order.

    Only a boost past them is priced: ``offer`` then gives r* as a whole percent, LR(r*) and
    whether it met T, from which F and the recorded LR follow as for every model; ``figures``
    are the model's own fields.
    """
    suspended = is_suspended(suspended_until, as_of)
    reason = rules.failing_gate(
        boost_enabled=boost_enabled, suspended=suspended, videos=len(inputs), expected=expected
    )
    offered = offer() if reason is None else None
    premium_ratio: Decimal | None = None
    boost_fee: Decimal | None = None
    loss_ratio: Decimal | None = None
    target_met: bool | None = None
    if offered is not None:
        percent, loss, target_met = offered
        premium_ratio, boost_fee = premium_at(percent, fixed_price)
        loss_ratio = half_up(Fraction(loss), 4)
    return quote_class(
        eligible=reason is None,
        reason=reason,
        expected_views=expected,
        premium_ratio=premium_ratio,
        boost_fee=boost_fee,
        loss_ratio=loss_ratio,
        target_met=target_met,
        total_weight=total_weight,
        fixed_price=fixed_price,
        as_of=as_of,
        boost_enabled=boost_enabled,
        rules=rules,
        inputs=inputs,
        suspended_until=suspended_until if suspended else None,
        **figures,
    )


def _check_inputs(
    fixed_price: Decimal, history: Sequence[tuple[datetime, int]], as_of: datetime
) -> None:
    """Reject input the maths would silently mishandle (floats for money, naive instants)."""
    if not isinstance(fixed_price, Decimal) or not fixed_price.is_finite():
        raise ValueError(f"fixed_price must be a finite Decimal, got {fixed_price!r}")
    if fixed_price < 0:
        raise ValueError(f"fixed_price must not be negative, got {fixed_price}")
    if not _is_aware(as_of):
        raise ValueError(f"as_of must be a timezone-aware datetime, got {as_of!r}")
    for index, (published_at, views) in enumerate(history):
        if not _is_aware(published_at):
            raise ValueError(
                f"history[{index}] published_at must be a timezone-aware datetime, "
                f"got {published_at!r}"
            )
        if isinstance(views, bool) or not isinstance(views, int) or views < 0:
            raise ValueError(f"history[{index}] views must be an int >= 0, got {views!r}")


def _is_aware(value: object) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


def _weighted_lower_median(exact: list[tuple[int, Fraction]], total: Fraction) -> int:
    """First views value (ascending, stable) whose cumulative weight reaches half of W."""
    cumulative = Fraction(0)
    for views, weight in sorted(exact, key=lambda pair: pair[0]):
        cumulative += weight
        if cumulative >= total / 2:
            return views
    return 0  # no history in the window


def _loss_ratio(
    exact: list[tuple[int, Fraction]], total: Fraction, expected: int, ratio: Fraction
) -> Fraction:
    """LR(r) = sum(w_i * min(1, s_i * (1 + r) / r)) / W, with s_i = max(0, (E - v_i) / E)."""
    loss = Fraction(0)
    for views, weight in exact:
        if views < expected:  # otherwise s_i = 0; this also keeps E = 0 from dividing
            shortfall = Fraction(expected - views, expected)
            loss += weight * min(Fraction(1), shortfall * (1 + ratio) / ratio)
    return loss / total


def _premium_percent(
    exact: list[tuple[int, Fraction]], total: Fraction, expected: int, rules: PricingRules
) -> tuple[int, Fraction]:
    """First whole percent in the band with LR(r) <= T, else the band's top; with LR there."""
    target = Fraction(rules.target_loss_ratio)
    low, high = int(rules.min_ratio * 100), int(rules.max_ratio * 100)
    for percent in range(low, high + 1):
        loss = _loss_ratio(exact, total, expected, Fraction(percent, 100))
        if loss <= target:
            return percent, loss
    return high, loss


def is_suspended(suspended_until: datetime | None, as_of: datetime) -> bool:
    """Whether boosts are suspended at ``as_of`` after a creator-caused shortfall (§5)."""
    return suspended_until is not None and as_of < suspended_until


def premium_at(percent: int, fixed_price: Decimal) -> tuple[Decimal, Decimal]:
    """The premium ratio r* of a whole ``percent`` and the boost fee F = P × r* it makes,
    rounded half-up to the fen once (§4); every model charges its r* this way."""
    ratio = Decimal(percent).scaleb(-2)
    return ratio, half_up(fixed_price * ratio)


def history_window(
    history: Sequence[tuple[datetime, int]], as_of: datetime, rules: PricingRules
) -> list[WeightedVideo]:
    """The videos with t − history_days < published_at ≤ t, with their recency weights (§4).

    Every pricing model reads an influencer's history through this window.
    """
    _check_inputs(Decimal(0), history, as_of)
    # Work in UTC: aware datetimes sharing a tzinfo compare and subtract by wall clock.
    now = as_of.astimezone(UTC)
    window_start = now - timedelta(days=rules.history_days)
    videos: list[WeightedVideo] = []
    for index, (published_at, views) in enumerate(history):
        published = published_at.astimezone(UTC)
        if window_start < published <= now:
            age_days = (now - published).total_seconds() / SECONDS_PER_DAY
            weight = 0.5 ** (age_days / rules.half_life_days)
            videos.append(WeightedVideo(index, published_at, views, age_days, weight))
    return videos
