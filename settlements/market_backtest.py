"""Price every boost of a simulated market with each pricing model and settle it on its views.

For each order instant of ``settlements.market``, every influencer's history as of that instant
is read once and summarized once with its fixed price (``orders.pricing_v2_peers``); each boost
is then quoted by v1 from its own history and by v2 from its history and its peer group, and
settled with the DESIGN §6 compensation on the views its video really got in the 14 days after
publishing. No quote sees those views.

The peer group of an influencer is the ``PEER_COUNT`` other influencers nearest to it in fixed
price (``orders.pricing_v2_peers.nearest_by_price``), as live quotes pick them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from orders import pricing_v2, pricing_v2_peers
from orders.pricing import PricingRules, Quote, quote_from_history

from .calculations import compensation
from .calibration import BandRow, Observation, history_band, implied_shortfall, loss_ratios
from .insights.periods import band_for
from .market import Market, SimulatedBoost

MODELS = ("v1", "v2")


@dataclass(frozen=True)
class PricedBoost:
    """One simulated boost as one model priced it; ``compensation`` is None when not offered."""

    boost: SimulatedBoost
    model: str
    quote: Quote
    history_videos: int
    compensation: Decimal | None

    @property
    def offered(self) -> bool:
        return self.quote.eligible

    def observation(self) -> Observation:
        """The calibration record of an offered boost."""
        q = self.quote
        assert q.eligible and q.boost_fee is not None and self.compensation is not None
        assert q.premium_ratio is not None and q.loss_ratio is not None
        return Observation(
            model=self.model,
            predicted_shortfall=predicted_shortfall(q),
            shortfall=self.boost.actual_views < q.expected_views,
            fee=q.boost_fee,
            compensation=self.compensation,
            predicted_loss_ratio=q.loss_ratio,
            bands={
                "premium": band_for(q.premium_ratio),
                "volatility": self.boost.influencer.volatility,
                "history": history_band(self.history_videos),
            },
        )


def predicted_shortfall(quote: Quote) -> float:
    """P(A < E) as the model sees it (``calibration.implied_shortfall``)."""
    credibility = getattr(quote, "credibility", None)
    return implied_shortfall(
        quote.expected_views,
        [(v.views, v.weight) for v in quote.inputs],
        credibility.shortfall_probability if credibility is not None else None,
    )


def price_market(
    market: Market, *, rules: PricingRules, models: Sequence[str] = MODELS
) -> list[PricedBoost]:
    """Every boost of ``market`` priced by each of ``models`` and settled."""
    unknown = set(models) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown pricing models: {', '.join(sorted(unknown))}")
    by_instant: dict = defaultdict(list)
    for boost in market.boosts:
        by_instant[boost.ordered_at].append(boost)
    priced: list[PricedBoost] = []
    for instant in sorted(by_instant):
        histories = market.histories_as_of(instant)
        peers = _peer_groups(market, histories, instant, rules) if "v2" in models else {}
        for boost in by_instant[instant]:
            influencer = boost.influencer
            history = histories[influencer.influencer_id]
            for model in models:
                if model == "v1":
                    quote: Quote = quote_from_history(
                        influencer.fixed_price, history, instant, rules=rules
                    )
                else:
                    quote = pricing_v2.quote_v2(
                        influencer.fixed_price,
                        history,
                        instant,
                        peers=peers[influencer.influencer_id],
                        rules=rules,
                    )
                priced.append(_settle(boost, model, quote, len(quote.inputs)))
    return priced


def observations(priced: Iterable[PricedBoost]) -> list[Observation]:
    return [p.observation() for p in priced if p.offered]


def _settle(boost: SimulatedBoost, model: str, quote: Quote, videos: int) -> PricedBoost:
    owed = None
    if quote.eligible and quote.boost_fee is not None:
        owed = compensation(
            quote.expected_views, boost.actual_views, boost.influencer.fixed_price, quote.boost_fee
        )
    return PricedBoost(boost, model, quote, videos, owed)


def _peer_groups(
    market: Market, histories: dict, instant, rules: PricingRules
) -> dict[int, pricing_v2_peers.PeerGroup]:
    """Each influencer's peer group: the ``PEER_COUNT`` others nearest to it in fixed price."""
    singles = [
        (
            i.profile.influencer_id,
            i.profile.fixed_price,
            pricing_v2_peers.PeerGroup.of_one(
                pricing_v2_peers.summarize_peer(
                    histories[i.profile.influencer_id], instant, rules, i.profile.fixed_price
                )
            ),
        )
        for i in market.influencers
    ]
    return pricing_v2_peers.nearest_by_price(singles, pricing_v2_peers.PEER_COUNT)


# --- The comparison table ----------------------------------------------------------------------

MIN_BAND_BOOSTS = 300
TOLERANCE = Decimal("0.03")
DIMENSIONS = {"volatility": ("low", "medium", "high"), "history": ("few", "medium", "many")}


@dataclass(frozen=True)
class ComparisonRow:
    """One band's realized loss ratio under each model; ``judged`` when v2 sold enough there."""

    dimension: str
    band: str
    figures: dict[str, BandRow]
    judged: bool
    within: bool


def comparison(
    observations: Sequence[Observation], *, target: Decimal, judged_model: str = "v2"
) -> list[ComparisonRow]:
    """Per volatility and history-size band (and overall), each model's realized loss ratio.

    A band is judged when ``judged_model`` sold at least ``MIN_BAND_BOOSTS`` boosts in it; it is
    within when that model's realized loss ratio is within ``TOLERANCE`` of ``target``.
    """
    models = sorted({o.model for o in observations})
    everyone = [dataclasses.replace(o, bands={**o.bands, "all": "all"}) for o in observations]
    rows = []
    for dimension, order in (*DIMENSIONS.items(), ("all", ("all",))):
        figures: dict[str, dict[str, BandRow]] = defaultdict(dict)
        for model in models:
            members = [o for o in everyone if o.model == model]
            for row in loss_ratios(members, dimension, order):
                figures[row.band][model] = row
        for band in [b for b in order if b in figures]:
            judged_row = figures[band].get(judged_model)
            judged = judged_row is not None and judged_row.boosts >= MIN_BAND_BOOSTS
            within = bool(
                judged
                and judged_row.realized_loss_ratio is not None
                and abs(judged_row.realized_loss_ratio - target) <= TOLERANCE
            )
            rows.append(ComparisonRow(dimension, band, figures[band], judged, within))
    return rows
