"""The pricing backtest engine: re-price settled boosts under current or candidate rules (§4, §6).

For every boost whose window was settled (kind ``none`` or ``compensation``) in a period, rebuild
the quote from the history its influencer had at the boost's order time (``HistoryVideo`` rows
published at or before ``quoted_at``) with ``orders.pricing.quote_from_history``, then compare, per
premium-ratio band of the re-priced quote:

* the fees the rules would have charged with the fees actually charged;
* the predicted loss ratio (LR(r*) of each re-priced quote, weighted by its fee);
* the realized loss ratio (actual compensation ÷ actual fees);
* the counterfactual loss ratio: the compensation the re-priced E and F would have owed for the
  views the video actually got (DESIGN §6), ÷ the re-priced fees.

Approximate by nature: history rows hold their *latest* view count, so a video whose views grew
after the order, or a history row added or removed later, makes the rebuilt quote differ from the
one frozen on the boost. With the current rules and unchanged history it reproduces the frozen
quotes exactly.

Reads only — two queries whatever the number of boosts — and writes nothing.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy as _

from kernel.money import ZERO
from orders.models import HistoryVideo
from orders.pricing import PricingRules, Quote, quote_from_history

from ..calculations import compensation
from ..selectors import windows_settled
from .figures import above_target, ratio, round_ratio
from .periods import BANDS, OUTSIDE_BANDS, Period, band_for

NOT_OFFERED = "not_offered"
RULE_NAMES = ("history_days", "half_life_days", "target_loss_ratio", "min_ratio", "max_ratio")


def candidate_rules(overrides: Mapping[str, Any] | None = None) -> PricingRules:
    """The current rules with some replaced; raises ``ValueError`` for an invalid combination."""
    given = {name: value for name, value in (overrides or {}).items() if value is not None}
    unknown = set(given) - set(RULE_NAMES)
    if unknown:
        raise ValueError(f"unknown pricing rules: {', '.join(sorted(unknown))}")
    return dataclasses.replace(PricingRules.from_settings(), **given)


@dataclass(frozen=True)
class Repriced:
    """One settled boost: what was charged and owed, and what the rules under test say."""

    boost_id: int
    influencer_id: int
    influencer_name: str
    quoted_at: datetime
    fixed_price: Decimal
    expected_views: int
    premium_ratio: Decimal
    boost_fee: Decimal
    loss_ratio: Decimal
    actual_views: int
    compensation: Decimal
    quote: Quote
    history_videos: int

    @property
    def band(self) -> str:
        return band_for(self.quote.premium_ratio) if self.quote.eligible else NOT_OFFERED

    @property
    def reproduces_frozen_quote(self) -> bool:
        q = self.quote
        return (q.expected_views, q.premium_ratio, q.boost_fee) == (
            self.expected_views,
            self.premium_ratio,
            self.boost_fee,
        )

    @property
    def counterfactual_compensation(self) -> Decimal:
        """What the re-priced E and F would owe for the actual views (0 when not offered)."""
        q = self.quote
        if not q.eligible or q.expected_views < 1:
            return ZERO
        return compensation(q.expected_views, self.actual_views, self.fixed_price, q.boost_fee)


@dataclass
class BandResult:
    key: str
    label: str
    target: Decimal
    boosts: int = 0
    actual_fees: Decimal = ZERO
    candidate_fees: Decimal = ZERO
    actual_compensation: Decimal = ZERO
    counterfactual_compensation: Decimal = ZERO
    fee_weighted_loss: Fraction = Fraction(0)  # Σ LR(r*) · F over the re-priced quotes
    reproduced: int = 0  # boosts whose frozen E, r and F the rules reproduce

    def add(self, row: Repriced) -> None:
        self.boosts += 1
        self.actual_fees += row.boost_fee
        self.actual_compensation += row.compensation
        self.reproduced += row.reproduces_frozen_quote
        if row.quote.eligible:
            self.candidate_fees += row.quote.boost_fee
            self.counterfactual_compensation += row.counterfactual_compensation
            self.fee_weighted_loss += Fraction(row.quote.loss_ratio) * Fraction(row.quote.boost_fee)

    @property
    def fee_change(self) -> Decimal:
        return self.candidate_fees - self.actual_fees

    @property
    def predicted_loss_ratio(self) -> Decimal | None:
        """Mean LR(r*) of the re-priced quotes, weighted by their fees."""
        return round_ratio(ratio(self.fee_weighted_loss, self.candidate_fees))

    @property
    def realized_loss_ratio(self) -> Decimal | None:
        """Actual compensation ÷ actual fees."""
        return round_ratio(ratio(self.actual_compensation, self.actual_fees))

    @property
    def counterfactual_loss_ratio(self) -> Decimal | None:
        return round_ratio(ratio(self.counterfactual_compensation, self.candidate_fees))

    @property
    def above_target(self) -> bool:
        return above_target(self.counterfactual_compensation, self.candidate_fees, self.target)


@dataclass
class Backtest:
    period: Period
    rules: PricingRules
    rows: list[Repriced]
    bands: list[BandResult] = field(default_factory=list)
    totals: BandResult | None = None


def _band_results(rows: list[Repriced], target: Decimal) -> tuple[list[BandResult], BandResult]:
    labels = {b.key: b.label for b in BANDS}
    labels[OUTSIDE_BANDS] = str(_("Outside 10–50 %"))
    labels[NOT_OFFERED] = str(_("Not offered under these rules"))
    results = {b.key: BandResult(b.key, b.label, target) for b in BANDS}
    totals = BandResult("total", str(_("Total")), target)
    for row in rows:
        key = row.band
        if key not in results:
            results[key] = BandResult(key, labels[key], target)
        results[key].add(row)
        totals.add(row)
    return list(results.values()), totals


def run_backtest(*, period: Period, rules: PricingRules) -> Backtest:
    """Re-price the boosts whose windows were settled in ``period``; two queries, no writes."""
    settled = (
        windows_settled(*period.instants())
        .order_by("pk")
        .values(
            "boost_id",
            "fixed_price",
            "expected_views",
            "boost_fee",
            "actual_views",
            "amount",
            "boost__quoted_at",
            "boost__premium_ratio",
            "boost__loss_ratio",
            "boost__line__influencer_id",
            "boost__line__influencer__name",
        )
    )
    settled = list(settled)
    if not settled:
        bands, totals = _band_results([], rules.target_loss_ratio)
        return Backtest(period=period, rules=rules, rows=[], bands=bands, totals=totals)

    span = timedelta(days=rules.history_days)
    earliest = min(s["boost__quoted_at"] for s in settled) - span
    latest = max(s["boost__quoted_at"] for s in settled)
    history: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for influencer_id, published_at, views in (
        HistoryVideo.objects.filter(
            influencer_id__in=windows_settled(*period.instants()).values(
                "boost__line__influencer_id"
            ),
            published_at__gt=earliest,
            published_at__lte=latest,
        )
        .order_by("influencer_id", "published_at", "pk")
        .values_list("influencer_id", "published_at", "views")
    ):
        history[influencer_id].append((published_at, views))
    published = {key: [at for at, _ in videos] for key, videos in history.items()}

    rows = []
    for s in settled:
        influencer_id, quoted_at = s["boost__line__influencer_id"], s["boost__quoted_at"]
        videos, instants = history[influencer_id], published.get(influencer_id, [])
        # What the influencer had at order time: published in (quoted_at − window, quoted_at].
        window = videos[
            bisect.bisect_right(instants, quoted_at - span) : bisect.bisect_right(
                instants, quoted_at
            )
        ]
        quote = quote_from_history(
            s["fixed_price"], window, quoted_at, boost_enabled=True, rules=rules
        )
        rows.append(
            Repriced(
                boost_id=s["boost_id"],
                influencer_id=influencer_id,
                influencer_name=s["boost__line__influencer__name"],
                quoted_at=quoted_at,
                fixed_price=s["fixed_price"],
                expected_views=s["expected_views"],
                premium_ratio=s["boost__premium_ratio"],
                boost_fee=s["boost_fee"],
                loss_ratio=s["boost__loss_ratio"],
                actual_views=s["actual_views"] or 0,
                compensation=s["amount"],
                quote=quote,
                history_videos=len(window),
            )
        )
    bands, totals = _band_results(rows, rules.target_loss_ratio)
    return Backtest(period=period, rules=rules, rows=rows, bands=bands, totals=totals)
