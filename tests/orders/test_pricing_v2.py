"""Pricing model v2 (DESIGN §4b): the gates, the band, the fee, credibility and its peer group.

Pure tests, no database. Peer histories are drawn from ``random.Random`` with a fixed seed, so
every figure below is reproducible; ``RULES`` pins the spec's defaults.
"""

import json
import math
import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest

from orders import pricing, pricing_v2, pricing_v2_peers
from orders.pricing import IneligibleReason, PricingRules, quote_from_history, quote_with_model
from orders.pricing_v2_peers import PeerGroup, peer_group, summarize_peer

AS_OF = datetime(2025, 11, 26, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RULES = PricingRules()
T = float(RULES.target_loss_ratio)


def ago(days: float) -> datetime:
    return AS_OF - timedelta(days=days)


def history(*pairs: tuple[float, int]) -> list[tuple[datetime, int]]:
    return [(ago(days), views) for days, views in pairs]


def curve_share(age_days: float) -> float:
    """Views at an age as a share of the 14-day views (a launch with a 1.2-day time constant)."""
    return (1 - math.exp(-age_days / 1.2)) / (1 - math.exp(-14 / 1.2))


def make_peers(count: int = 60, seed: int = 7, trend: float = 0.0):
    """Peers publishing every 1-6 days over 120 days; CPM ¥25, spreads 0.2-0.9 in log views,
    log views changing by N(0, trend) a day."""
    rng = random.Random(seed)
    histories, prices = [], []
    for _ in range(count):
        level, spread, slope = rng.uniform(8, 11), rng.uniform(0.2, 0.9), rng.gauss(0, trend)
        videos, age = [], rng.uniform(0, 4)
        while age < 120:
            mean = level - slope * age
            views = math.exp(rng.gauss(mean, spread)) * min(1.0, curve_share(age))
            videos.append((ago(age), int(views)))
            age += rng.uniform(1, 6)
        histories.append(videos)
        prices.append(Decimal(round(math.exp(level) * 25 / 1000)).quantize(Decimal("0.01")))
    return histories, prices


PEERS, PEER_PRICES = make_peers()
STEADY = history((2, 9000), (9, 10000), (16, 11000), (23, 10500), (30, 9800), (37, 10200))
VOLATILE = history((3, 4000), (10, 15000), (17, 6000), (24, 30000), (31, 9000))


def v2(views=VOLATILE, price="250.00", peers=True, **kwargs):
    return quote_with_model(
        "v2",
        Decimal(price),
        views,
        AS_OF,
        peer_histories=PEERS if peers else (),
        peer_prices=PEER_PRICES if peers else (),
        rules=RULES,
        **kwargs,
    )


# --- Versions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("views", [STEADY, VOLATILE, history((1, 5000), (2, 900)), []])
def test_v1_through_quote_with_model_is_quote_from_history(views):
    direct = quote_from_history(Decimal("1234.50"), views, AS_OF, rules=RULES)
    versioned = quote_with_model(
        "v1", Decimal("1234.50"), views, AS_OF, peer_histories=PEERS, rules=RULES
    )
    assert versioned == direct
    assert versioned.as_dict() == direct.as_dict()
    assert direct.model == "v1" and direct.as_dict()["model"] == "v1"


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match="unknown pricing model 'v3'"):
        quote_with_model("v3", Decimal("100.00"), STEADY, AS_OF, rules=RULES)


def test_peer_prices_must_match_peer_histories():
    with pytest.raises(ValueError, match="one fixed price per peer"):
        quote_with_model(
            "v2", Decimal("100.00"), STEADY, AS_OF, peer_histories=PEERS, peer_prices=[1]
        )


def test_v2_quote_records_its_model_and_inputs_as_json():
    record = json.loads(json.dumps(v2().as_dict()))
    assert record["model"] == "v2"
    assert record["credibility"]["level_peers"] == len(PEERS)
    assert record["credibility"]["median_views"] >= record["expected_views"]
    assert [i["views"] for i in record["inputs"]] == [4000, 15000, 6000, 30000, 9000]


# --- The gates, the band and the fee -------------------------------------------------------------


def test_gates_are_v1_gates_in_v1_order():
    assert v2(boost_enabled=False).reason == IneligibleReason.DISABLED
    assert v2(views=history((1, 50000), (5, 60000))).reason == IneligibleReason.NOT_ENOUGH_HISTORY
    low = v2(views=history((15, 300), (20, 400), (25, 350)), peers=False)
    assert low.reason == IneligibleReason.EXPECTATION_TOO_LOW
    assert low.expected_views < 1000
    for quote in (v2(boost_enabled=False), low):
        assert not quote.eligible
        assert quote.premium_ratio is None and quote.boost_fee is None


def test_history_outside_the_window_does_not_count_for_the_gate():
    quote = v2(views=history((10, 9000), (20, 9000), (50, 9000), (80, 9000)))
    assert quote.reason == IneligibleReason.NOT_ENOUGH_HISTORY
    assert [v.views for v in quote.inputs] == [9000, 9000]


@pytest.mark.parametrize("peers", [True, False])
@pytest.mark.parametrize("views", [STEADY, VOLATILE])
def test_ratio_is_a_whole_percent_in_the_band_and_the_first_meeting_the_target(peers, views):
    quote = v2(views=views, peers=peers)
    assert quote.eligible and quote.target_met
    assert Decimal("0.10") <= quote.premium_ratio <= Decimal("0.50")
    assert quote.premium_ratio == quote.premium_ratio.quantize(Decimal("0.01"))
    assert quote.loss_ratio <= RULES.target_loss_ratio
    # The ratio one percent lower misses the target under the same predictive distribution.
    c = quote.credibility
    assert c.expected_loss_ratio <= T
    if quote.premium_ratio > Decimal("0.10"):
        lower = float(quote.premium_ratio) - 0.01
        assert _predictive(quote).loss_ratio(lower, quote.expected_views) > T


def test_fee_is_price_times_ratio_rounded_half_up():
    quote = v2(price="100.01")
    assert quote.premium_ratio == Decimal("0.50")
    assert quote.boost_fee == Decimal("50.01")  # 50.005, half-up (half-even would give 50.00)
    assert quote.boost_fee == (Decimal("100.01") * quote.premium_ratio).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def test_volatile_history_lowers_expected_views_to_stay_insurable_at_the_top_of_the_band():
    quote = v2()
    assert quote.expected_views < quote.credibility.median_views
    assert quote.premium_ratio == Decimal("0.50")
    # E is the largest that the band's top insures at T: one view more would not be.
    predictive = _predictive(quote)
    assert predictive.loss_ratio(0.50, quote.expected_views) <= T
    assert predictive.loss_ratio(0.50, quote.expected_views + 1) > T
    assert "lowered from the median" in quote.explanation()


def test_small_vectors_are_reproduced_exactly():
    steady = v2(views=STEADY, peers=False, price="1234.50")
    assert (steady.expected_views, steady.premium_ratio, steady.boost_fee) == (
        9876,
        Decimal("0.44"),
        Decimal("543.18"),
    )
    assert steady.loss_ratio == Decimal("0.2985")
    volatile = v2(peers=False, price="1234.50")
    assert (volatile.expected_views, volatile.premium_ratio, volatile.boost_fee) == (
        6798,
        Decimal("0.50"),
        Decimal("617.25"),
    )


# --- The shortfall distribution ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "offset", "sd"), [(0.10, 0.0, 0.3), (0.50, 0.2, 0.4), (0.30, 0.5, 0.9)]
)
def test_expected_loss_ratio_closed_form_matches_numeric_integration(ratio, offset, sd):
    cover, steps = (1 + ratio) / ratio, 20000
    low, high = offset - 10 * sd, offset + 10 * sd
    width = (high - low) / steps
    total = 0.0
    for i in range(steps):
        y = low + (i + 0.5) * width  # log X, midpoint rule
        density = math.exp(-(((y - offset) / sd) ** 2) / 2) / (sd * math.sqrt(2 * math.pi))
        total += min(1.0, max(0.0, 1 - math.exp(y)) * cover) * density * width
    assert pricing_v2.lognormal_loss_ratio(ratio, offset, sd) == pytest.approx(total, abs=1e-6)


def test_expected_loss_ratio_falls_as_the_ratio_rises():
    losses = [pricing_v2.lognormal_loss_ratio(p / 100, 0.1, 0.5) for p in range(10, 51)]
    assert losses == sorted(losses, reverse=True)


# --- Credibility and the peer group --------------------------------------------------------------


def test_credibility_rises_with_the_number_of_videos():
    few = v2(views=history((5, 9000), (12, 11000), (20, 10000)))
    many = v2(views=history(*[(2 + 2.5 * i, 10000 + 300 * (i % 3)) for i in range(17)]))
    assert 0 < few.credibility.level_credibility < many.credibility.level_credibility < 1
    assert few.credibility.effective_videos < many.credibility.effective_videos


def test_without_peers_the_level_is_not_shrunk_and_the_spread_uses_the_fallback():
    c = v2(peers=False).credibility
    assert c.level_k is None and c.level_credibility == 1.0 and c.level == c.own_level
    assert c.spread_fallback and c.peer_log_variance == pricing_v2_peers.FALLBACK_LOG_VARIANCE
    assert c.age_shifts == (None,) * 5


def test_peer_age_profile_puts_young_videos_on_the_14_day_scale():
    histories, prices = make_peers(count=300)
    estimates = peer_group(histories, AS_OF, RULES, prices).estimates()
    shifts = estimates.age_shifts
    assert shifts[pricing_v2_peers.REFERENCE_BUCKET] == 0.0
    young = shifts[pricing_v2_peers.age_bucket(1.0)]
    assert young is not None and young < math.log(0.7)  # a 1-day-old video has < 70 % of E


def test_peer_order_does_not_change_the_quote():
    shuffled = list(zip(PEERS, PEER_PRICES, strict=True))
    random.Random(3).shuffle(shuffled)
    quote = quote_with_model(
        "v2",
        Decimal("250.00"),
        VOLATILE,
        AS_OF,
        peer_histories=[h for h, _ in shuffled],
        peer_prices=[p for _, p in shuffled],
        rules=RULES,
    )
    assert quote.as_dict() == v2().as_dict()


def test_removing_a_peer_from_a_group_is_exact():
    summaries = [
        summarize_peer(h, AS_OF, RULES, p) for h, p in zip(PEERS, PEER_PRICES, strict=True)
    ]
    everyone = PeerGroup.of(summaries)
    assert everyone - PeerGroup.of_one(summaries[5]) == PeerGroup.of(summaries[:5] + summaries[6:])


def test_quote_is_deterministic():
    assert v2().as_dict() == v2().as_dict()


def test_nothing_after_the_quote_instant_changes_the_quote():
    # The boosted video and its views, or any later video of the influencer or a peer, are
    # after as_of: whatever they show, the quote is the same.
    for outcome in (10, 10_000_000):
        later = [*VOLATILE, (AS_OF + timedelta(days=3), outcome)]
        peers = [[*h, (AS_OF + timedelta(hours=5), outcome)] for h in PEERS]
        quote = quote_with_model(
            "v2",
            Decimal("250.00"),
            later,
            AS_OF,
            peer_histories=peers,
            peer_prices=PEER_PRICES,
            rules=RULES,
        )
        assert quote.as_dict() == v2().as_dict()


def test_a_trend_the_history_shows_moves_the_level_to_the_publish_time():
    histories, prices = make_peers(count=200, trend=0.01)
    rising = history(*[(age, int(20000 * math.exp(-0.01 * age))) for age in range(8, 120, 4)])
    quote = quote_with_model(
        "v2",
        Decimal("500.00"),
        rising,
        AS_OF,
        peer_histories=histories,
        peer_prices=prices,
        rules=RULES,
    )
    c = quote.credibility
    assert c.own_slope == pytest.approx(-0.01, abs=1e-3)  # after the age profile
    assert 0.9 < c.slope_credibility < 1 and c.slope < -0.008
    assert c.predicted_level == pytest.approx(c.level - c.slope * c.staleness_days)
    assert c.predicted_level > c.level and c.drift_variance > 0
    assert "Trend:" in quote.explanation()


def test_without_a_peer_spread_of_slopes_no_trend_is_followed():
    c = v2(views=STEADY, peers=False).credibility
    assert c.slope_credibility == 0 and c.slope == pytest.approx(0, abs=0.01)
    assert c.drift_variance == 0


def test_explanation_names_the_credibility_and_the_fee():
    text = v2().explanation()
    assert "pricing model v2" in text
    assert "Z = " in text and "k = " in text
    assert "r* = 50 %" in text
    assert "= ¥125.00" in text
    assert text == pricing.explain(v2().as_dict()) == v2().as_dict()["explanation"]
    short = v2(views=history((1, 50000))).explanation()
    assert "Not offered (Not enough recent history videos)" in short


def _predictive(quote) -> pricing_v2.Predictive:
    """The predictive distribution rebuilt from the figures the quote recorded."""
    c = quote.credibility
    return pricing_v2.Predictive(level=c.predicted_level, sds=c.predictive_sds)
