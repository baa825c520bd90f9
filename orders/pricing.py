"""Boost pricing (DESIGN.md §4): expected views E, premium ratio r* and boost fee F.

Pure rules with no database access: the caller passes an influencer's history in and stores
``Quote.as_dict()`` on the boost, so every quote can be explained later. Weighted sums and the
ratio search use ``fractions.Fraction`` (float weights convert to it exactly), so ties - half the
weight reached exactly, LR(r) exactly at the target - are decided the same way on every machine.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel import display
from kernel.money import half_up_int

FORMULA_VERSION = 1
CENT = Decimal("0.01")
SECONDS_PER_DAY = 86400

_INT_RULES = ("history_days", "half_life_days", "min_history_videos", "min_expected_views")
_DECIMAL_RULES = ("target_loss_ratio", "min_ratio", "max_ratio")


class IneligibleReason(TextChoices):
    """Why a boost is not offered; the first failing gate of §4 wins."""

    DISABLED = "disabled", _("Boost service not enabled")
    SUSPENDED = "suspended", _("Suspended after a creator-caused shortfall")
    NOT_ENOUGH_HISTORY = "not_enough_history", _("Not enough recent history videos")
    EXPECTATION_TOO_LOW = "expectation_too_low", _("Expected views too low")


@dataclass(frozen=True)
class PricingRules:
    """The tunable constants of §4; the defaults are the spec's values."""

    history_days: int = 45
    half_life_days: int = 15
    target_loss_ratio: Decimal = Decimal("0.30")
    min_history_videos: int = 3
    min_expected_views: int = 1000
    min_ratio: Decimal = Decimal("0.10")
    max_ratio: Decimal = Decimal("0.50")

    def __post_init__(self) -> None:
        # Rules come from the environment; a bad value must fail loudly, not misprice quietly.
        for name in _INT_RULES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"pricing rule {name} must be an int, got {value!r}")
        for name in _DECIMAL_RULES:
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise ValueError(f"pricing rule {name} must be a finite Decimal, got {value!r}")
        if self.history_days <= 0 or self.half_life_days <= 0:
            raise ValueError("pricing rules history_days and half_life_days must be positive")
        if self.min_history_videos < 1 or self.min_expected_views < 0:
            raise ValueError("pricing rules need min_history_videos >= 1, min_expected_views >= 0")
        if not 0 <= self.target_loss_ratio <= 1:
            raise ValueError("pricing rule target_loss_ratio must be within [0, 1]")
        if not 0 < self.min_ratio <= self.max_ratio <= 1:
            raise ValueError("pricing rules need 0 < min_ratio <= max_ratio <= 1")
        if (self.min_ratio * 100) % 1 or (self.max_ratio * 100) % 1:
            raise ValueError("pricing rules min_ratio and max_ratio must be whole percents")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PricingRules:
        """Build rules from a partial mapping (e.g. parsed settings); unknown keys are typos."""
        unknown = set(values) - {field.name for field in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown pricing rules: {', '.join(sorted(unknown))}")
        converted: dict[str, Any] = {}
        for name, value in values.items():
            if name in _DECIMAL_RULES:
                try:
                    converted[name] = Decimal(str(value))
                except InvalidOperation:
                    raise ValueError(f"pricing rule {name} is not a number: {value!r}") from None
            else:
                converted[name] = int(value) if isinstance(value, str) else value
        return cls(**converted)

    @classmethod
    def from_settings(cls) -> PricingRules:
        """Rules from ``settings.STARBOOST_PRICING``; missing keys keep the spec's defaults."""
        return cls.from_mapping(getattr(settings, "STARBOOST_PRICING", None) or {})

    def as_dict(self) -> dict[str, int | str]:
        return {
            name: str(value) if isinstance(value, Decimal) else value
            for name, value in dataclasses.asdict(self).items()
        }


@dataclass(frozen=True)
class WeightedVideo:
    """A history video inside the window; ``index`` is its position in the caller's list."""

    index: int
    published_at: datetime
    views: int
    age_days: float
    weight: float


@dataclass(frozen=True)
class Quote:
    """The outcome of §4 plus every input, so it can be frozen on a boost and explained later.

    ``premium_ratio``, ``boost_fee``, ``loss_ratio`` (LR(r*) to 4 dp) and ``target_met`` (False
    when no ratio reached T and r* fell back to the top of the band) are None exactly when not
    ``eligible``; ``expected_views`` is still computed for ineligible quotes with history, so
    they can show it (0 when the window holds no video).
    """

    eligible: bool
    reason: IneligibleReason | None
    expected_views: int
    premium_ratio: Decimal | None
    boost_fee: Decimal | None
    loss_ratio: Decimal | None
    target_met: bool | None
    total_weight: float
    fixed_price: Decimal
    as_of: datetime
    boost_enabled: bool
    rules: PricingRules
    inputs: tuple[WeightedVideo, ...]
    # The caller's ids for its history list (same order), recorded with the inputs when given.
    video_ids: tuple[str, ...] = ()
    # The pricing model version that produced the quote (DESIGN §4b); this module is "v1".
    model: str = "v1"
    # Until when boosts are suspended after a creator-caused shortfall (DESIGN §5), if they are.
    suspended_until: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable record of the quote: Decimals as strings, instants as ISO 8601."""
        record = self._record()
        return {**record, "explanation": explain(record)}

    def _record(self) -> dict[str, Any]:
        suspension = (
            {"suspended_until": self.suspended_until.isoformat()} if self.suspended_until else {}
        )
        return {
            **suspension,
            "model": self.model,
            "formula_version": FORMULA_VERSION,
            "as_of": self.as_of.isoformat(),
            "fixed_price": str(self.fixed_price),
            "boost_enabled": self.boost_enabled,
            "eligible": self.eligible,
            "reason": self.reason.value if self.reason else None,
            "expected_views": self.expected_views,
            "total_weight": self.total_weight,
            "premium_ratio": _str_or_none(self.premium_ratio),
            "loss_ratio": _str_or_none(self.loss_ratio),
            "target_met": self.target_met,
            "boost_fee": _str_or_none(self.boost_fee),
            "rules": self.rules.as_dict(),
            "inputs": [
                {
                    "index": video.index,
                    "video_id": self.video_ids[video.index] if self.video_ids else None,
                    "published_at": video.published_at.isoformat(),
                    "views": video.views,
                    "age_days": video.age_days,
                    "weight": video.weight,
                }
                for video in self.inputs
            ],
        }

    def explanation(self) -> str:
        """A few lines an operator can read to see how E and r* were reached."""
        return explain(self._record())


def explain(record: Mapping[str, Any]) -> str:
    """The words of a recorded quote (``Quote.as_dict()``) in the active language.

    Worded from the record rather than stored as a sentence, so a quote frozen in one language
    reads in the reader's; instants read in the project's time zone, numbers as everywhere else.
    """
    if record.get("model", "v1") != "v1":
        from .pricing_v2 import explain_v2  # builds on this module

        return explain_v2(record)
    rules = PricingRules.from_mapping(record["rules"])
    inputs = record["inputs"]
    lines = [
        gettext("Quote as of %(as_of)s for fixed price %(price)s.")
        % {"as_of": _local(record["as_of"]), "price": display.yuan(Decimal(record["fixed_price"]))},
        gettext(
            "History: %(count)s video(s) from the last %(days)s days, weight "
            "0.5^(age/%(half_life)s d), total W = %(total).4f:"
        )
        % {
            "count": len(inputs),
            "days": rules.history_days,
            "half_life": rules.half_life_days,
            "total": record["total_weight"],
        },
    ]
    lines += [
        gettext("  #%(index)s %(published)s: %(views)s views, age %(age).2f d, weight %(weight).4f")
        % {
            "index": video["index"],
            "published": _local(video["published_at"]),
            "views": display.grouped(video["views"]),
            "age": video["age_days"],
            "weight": video["weight"],
        }
        for video in sorted(inputs, key=lambda video: video["views"])
    ]
    expected = display.grouped(record["expected_views"])
    if inputs:
        lines.append(
            gettext(
                "Expected views E = %(expected)s: the lowest views value at which the cumulative "
                "weight (views ascending) reaches W/2."
            )
            % {"expected": expected}
        )
    if not record["eligible"]:
        reason = IneligibleReason(record["reason"])
        lines.append(
            gettext("Not offered (%(reason)s): %(detail)s.")
            % {"reason": reason.label, "detail": ineligible_detail(reason, record, rules)}
        )
        return "\n".join(lines)
    ratio = Decimal(record["premium_ratio"])
    words = {
        "ratio": display.percent(ratio),
        "band": f"{display.percent(rules.min_ratio)}–{display.percent(rules.max_ratio)}",
        "target": display.percent(rules.target_loss_ratio),
        "loss": display.percent(Decimal(record["loss_ratio"]), places=2),
    }
    if not record["target_met"]:
        template = gettext(
            "Premium ratio r* = %(ratio)s: no whole percent in %(band)s brings the loss ratio "
            "LR(r) to ≤ %(target)s, so the cap applies; LR(r*) = %(loss)s."
        )
    else:
        template = gettext(
            "Premium ratio r* = %(ratio)s: the first whole percent in %(band)s with loss ratio "
            "LR(r) ≤ %(target)s; LR(r*) = %(loss)s."
        )
    lines.append(template % words)
    lines.append(
        gettext("Boost fee F = %(price)s × %(ratio)s = %(fee)s (rounded half-up to 0.01).")
        % {
            "price": display.yuan(Decimal(record["fixed_price"])),
            "ratio": words["ratio"],
            "fee": display.yuan(Decimal(record["boost_fee"])),
        }
    )
    return "\n".join(lines)


def _local(instant: str) -> str:
    """An ISO 8601 instant of the record in the project's time zone, to the minute."""
    return timezone.localtime(datetime.fromisoformat(instant)).strftime("%Y-%m-%d %H:%M")


def ineligible_detail(
    reason: IneligibleReason, record: Mapping[str, Any], rules: PricingRules
) -> str:
    if reason == IneligibleReason.DISABLED:
        return gettext("the influencer has not enabled the boost service")
    if reason == IneligibleReason.SUSPENDED:
        return gettext(
            "a boosted video fell short while its creator had removed or hidden it; boosts are "
            "offered again from %(until)s"
        ) % {"until": _local(record["suspended_until"])}
    if reason == IneligibleReason.NOT_ENOUGH_HISTORY:
        return gettext(
            "%(count)s video(s) in the last %(days)s days, at least %(needed)s needed"
        ) % {
            "count": len(record["inputs"]),
            "days": rules.history_days,
            "needed": rules.min_history_videos,
        }
    return gettext("E = %(expected)s is below the minimum of %(minimum)s") % {
        "expected": display.grouped(record["expected_views"]),
        "minimum": display.grouped(rules.min_expected_views),
    }


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

    reason = None
    suspended = suspended_until is not None and as_of < suspended_until
    if not boost_enabled:
        reason = IneligibleReason.DISABLED
    elif suspended:
        reason = IneligibleReason.SUSPENDED
    elif len(videos) < rules.min_history_videos:
        reason = IneligibleReason.NOT_ENOUGH_HISTORY
    elif expected < rules.min_expected_views:
        reason = IneligibleReason.EXPECTATION_TOO_LOW

    premium_ratio: Decimal | None = None
    boost_fee: Decimal | None = None
    loss_ratio: Decimal | None = None
    target_met: bool | None = None
    if reason is None:
        percent, loss = _premium_percent(exact, total, expected, rules)
        premium_ratio = Decimal(percent).scaleb(-2)
        boost_fee = (fixed_price * premium_ratio).quantize(CENT, rounding=ROUND_HALF_UP)
        loss_ratio = _round_half_up(loss, places=4)
        target_met = loss <= Fraction(rules.target_loss_ratio)

    return Quote(
        eligible=reason is None,
        reason=reason,
        expected_views=expected,
        premium_ratio=premium_ratio,
        boost_fee=boost_fee,
        loss_ratio=loss_ratio,
        target_met=target_met,
        total_weight=float(total),
        fixed_price=fixed_price,
        as_of=as_of,
        boost_enabled=boost_enabled,
        rules=rules,
        inputs=tuple(videos),
        suspended_until=suspended_until if suspended else None,
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


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """Round a non-negative Fraction once, exactly (no intermediate Decimal rounding)."""
    scaled = value * 10**places + Fraction(1, 2)
    return Decimal(scaled.numerator // scaled.denominator).scaleb(-places)


def _str_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- What the guarantee pays back ---------------------------------------------------------------


@dataclass(frozen=True)
class WholeFeeThreshold:
    """At or below ``views`` actual views (``percent`` % of the expected), the whole fee is owed."""

    share: Fraction
    percent: int
    views: int


def whole_fee_threshold(
    expected_views: int, fixed_price: Decimal, boost_fee: Decimal
) -> WholeFeeThreshold | None:
    """Where the compensation cap starts to bind (DESIGN §6): A ≤ ⌊E·P/(P + F)⌋.

    Compensation is min((E − A)·(P + F)/E, F), so the whole fee comes back as soon as the actual
    views fall to E·P/(P + F): for a 10 % ratio about 91 % of E, a shortfall of only about 9 %.
    ``share`` is exact; ``percent`` is rounded half-up for display. None when no fee can be owed.
    """
    total = Fraction(fixed_price) + Fraction(boost_fee)
    if expected_views <= 0 or total <= 0 or boost_fee <= 0:
        return None
    share = Fraction(fixed_price) / total
    return WholeFeeThreshold(
        share=share, percent=half_up_int(share * 100), views=math.floor(expected_views * share)
    )


# --- The history window, shared by every pricing model -------------------------------------------


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


# --- Pricing model versions (DESIGN §4b) ---------------------------------------------------------

MODELS = ("v1", "v2")


def quote_with_model(
    model: str,
    fixed_price: Decimal,
    history: list[tuple[datetime, int]],
    as_of: datetime,
    *,
    boost_enabled: bool = True,
    peer_histories: Sequence[list[tuple[datetime, int]]] = (),
    peer_prices: Sequence[Decimal] = (),
    peers: Any = None,
    rules: PricingRules | None = None,
    suspended_until: datetime | None = None,
) -> Quote:
    """Price with pricing model ``model``; ``"v1"`` is exactly ``quote_from_history``.

    ``peer_histories`` are other influencers' histories as of the same instant, ``peer_prices``
    their fixed prices in the same order (optional), or ``peers`` their ready
    ``pricing_v2_peers.PeerGroup``; v1 ignores them all.
    """
    if model == "v1":
        return quote_from_history(
            fixed_price, history, as_of, boost_enabled, rules, suspended_until=suspended_until
        )
    if model == "v2":
        # Imported here: the v2 modules build on this one.
        from . import pricing_v2, pricing_v2_peers

        if rules is None:
            rules = PricingRules.from_settings()
        if peers is None:
            peers = pricing_v2_peers.peer_group(peer_histories, as_of, rules, peer_prices)
        return pricing_v2.quote_v2(
            fixed_price,
            history,
            as_of,
            boost_enabled=boost_enabled,
            peers=peers,
            rules=rules,
            suspended_until=suspended_until,
        )
    raise ValueError(f"unknown pricing model {model!r}; known: {', '.join(MODELS)}")


def reprice(record: Mapping[str, Any]) -> Quote:
    """The quote a stored record (``Quote.as_dict()``) was, priced again from its own inputs.

    A quote records every input its model read (v1: the window's videos; v2: also its spread
    window and peer group), so a frozen quote can be checked or explained years later.
    """
    rules = PricingRules.from_mapping(record["rules"])
    price, as_of = Decimal(record["fixed_price"]), datetime.fromisoformat(record["as_of"])
    enabled = record["boost_enabled"]
    suspended = record.get("suspended_until")
    suspended_until = datetime.fromisoformat(suspended) if suspended else None
    if record["model"] == "v1":
        history = [
            (datetime.fromisoformat(v["published_at"]), v["views"]) for v in record["inputs"]
        ]
        return quote_from_history(
            price, history, as_of, enabled, rules, suspended_until=suspended_until
        )
    from . import pricing_v2_peers  # builds on this module

    history = [(datetime.fromisoformat(at), views) for at, views in record["history"]]
    peers = pricing_v2_peers.PeerGroup(tuple(record["peer_group"]))
    return quote_with_model(
        record["model"],
        price,
        history,
        as_of,
        boost_enabled=enabled,
        peers=peers,
        rules=rules,
        suspended_until=suspended_until,
    )


def shadow_model(live: str) -> str:
    """The model a boost's shadow quote uses: the one that is not live (DESIGN §4b)."""
    return next(model for model in MODELS if model != live)
