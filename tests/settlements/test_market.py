"""The simulated market (settlements.market) and its pricing backtest (settlements.market_backtest).

Small markets keep these fast; the 10,000-boost run is ``manage.py simulate_market``.
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from orders import pricing_v2_peers
from orders.pricing import PricingRules, quote_from_history
from orders.pricing_v2_peers import PeerGroup, peer_group
from settlements import market_backtest
from settlements.calculations import compensation
from settlements.calibration import Observation
from settlements.market import (
    LOOKBACK_DAYS,
    VOLATILITY,
    WINDOW_DAYS,
    ViewCurve,
    order_instant,
    simulate_market,
)

RULES = PricingRules()


@pytest.fixture(scope="module")
def market():
    return simulate_market(boosts=120, seed=5, influencers=45, order_days=10)


@pytest.fixture(scope="module")
def priced(market):
    return market_backtest.price_market(market, rules=RULES)


def test_same_seed_same_market_other_seed_other_market(market):
    again = simulate_market(boosts=120, seed=5, influencers=45, order_days=10)
    assert again.boosts == market.boosts
    other = simulate_market(boosts=120, seed=6, influencers=45, order_days=10)
    assert other.boosts != market.boosts


def test_influencers_span_every_volatility_and_publishing_rate(market):
    profiles = [i.profile for i in market.influencers]
    assert Counter(p.volatility for p in profiles) == {"low": 15, "medium": 15, "high": 15}
    assert Counter(p.publishing for p in profiles) == {"rare": 15, "regular": 15, "frequent": 15}
    for p in profiles:
        low, high = VOLATILITY[p.volatility]
        assert low <= p.sigma <= high
        assert p.fixed_price >= 100 and p.fixed_price % 10 == 0


def test_view_curve_grows_and_reaches_its_14_day_views():
    curve = ViewCurve(views_14d=10_000, launch_days=1.2, tail_share=0.2, tail_days=20)
    ages = [0.1, 0.5, 1, 2, 3, 7, 14, 30, 45]
    views = [curve.views_at(age) for age in ages]
    assert views == sorted(views)
    assert curve.views_at(0) == 0
    assert curve.views_at(WINDOW_DAYS) == 10_000
    assert curve.views_at(1) < 6_000 < curve.views_at(3)  # most views come in the first days


def test_boosts_are_sold_on_enough_history_and_published_within_the_month(market):
    for boost in market.boosts:
        person = market.influencers[boost.influencer.influencer_id]
        window = person.history(boost.ordered_at, LOOKBACK_DAYS)
        assert len(window) >= 3
        assert boost.ordered_at.hour == 12
        assert boost.ordered_at + timedelta(hours=12) <= boost.published_at
        assert boost.published_at < boost.ordered_at + timedelta(days=30)
        video = next(v for v in person.videos if v.published_at == boost.published_at)
        assert boost.actual_views == video.curve.views_at(WINDOW_DAYS)
    assert len({(b.influencer.influencer_id, b.published_at) for b in market.boosts}) == 120


def test_history_as_of_an_order_holds_only_earlier_videos_with_views_so_far(market):
    boost = market.boosts[0]
    history = market.history(boost.influencer.influencer_id, boost.ordered_at)
    assert history and all(published <= boost.ordered_at for published, _ in history)
    assert all(published != boost.published_at for published, _ in history)
    person = market.influencers[boost.influencer.influencer_id]
    later = boost.ordered_at + timedelta(days=20)
    grown = dict(person.history(later))
    assert all(grown[published] >= views for published, views in history if published in grown)


def test_order_instant_is_noon_in_shanghai():
    assert order_instant(0).isoformat() == "2025-03-03T12:00:00+08:00"


def test_market_refuses_negative_boosts():
    with pytest.raises(ValueError):
        simulate_market(boosts=-1, seed=1)


# --- Pricing the market --------------------------------------------------------------------------


def test_every_boost_is_priced_by_both_models_and_settled_on_its_views(market, priced):
    assert Counter(p.model for p in priced) == {"v1": 120, "v2": 120}
    for p in priced:
        if not p.offered:
            assert p.compensation is None
            continue
        q = p.quote
        expected = compensation(
            q.expected_views, p.boost.actual_views, p.boost.influencer.fixed_price, q.boost_fee
        )
        assert p.compensation == expected


def test_v1_in_the_backtest_is_quote_from_history(market, priced):
    for p in priced:
        if p.model == "v1":
            history = market.history(p.boost.influencer.influencer_id, p.boost.ordered_at)
            direct = quote_from_history(
                p.boost.influencer.fixed_price, history, p.boost.ordered_at, rules=RULES
            )
            assert p.quote == direct


def test_v2_peer_group_in_a_small_market_is_every_other_influencer(market, priced):
    boost = next(p for p in priced if p.model == "v2").boost
    instant, me = boost.ordered_at, boost.influencer.influencer_id
    histories = market.histories_as_of(instant)
    others = [i for i in market.influencers if i.profile.influencer_id != me]
    direct = peer_group(
        [histories[i.profile.influencer_id] for i in others],
        instant,
        RULES,
        [i.profile.fixed_price for i in others],
    )
    cached = market_backtest._peer_groups(market, histories, instant, RULES)[me]
    assert cached == direct
    assert isinstance(cached, PeerGroup)


def test_v2_peer_group_is_the_influencers_nearest_in_price(market, monkeypatch):
    monkeypatch.setattr(pricing_v2_peers, "PEER_COUNT", 10)
    instant = market.boosts[0].ordered_at
    histories = market.histories_as_of(instant)
    ranked = sorted(
        market.influencers, key=lambda i: (i.profile.fixed_price, i.profile.influencer_id)
    )
    groups = market_backtest._peer_groups(market, histories, instant, RULES)
    for rank in (0, 20, len(ranked) - 1):
        low = min(max(rank - 5, 0), len(ranked) - 11)
        peers = [i for i in ranked[low : low + 11] if i is not ranked[rank]]
        assert len(peers) == 10
        expected = peer_group(
            [histories[i.profile.influencer_id] for i in peers],
            instant,
            RULES,
            [i.profile.fixed_price for i in peers],
        )
        assert groups[ranked[rank].profile.influencer_id] == expected


def test_observations_carry_the_bands(priced):
    observations = market_backtest.observations(priced)
    assert observations and all(
        o.bands["history"] in {"few", "medium", "many"} for o in observations
    )
    assert {o.bands["volatility"] for o in observations} == {"low", "medium", "high"}
    assert all(0 <= o.predicted_shortfall <= 1 for o in observations)


def test_comparison_judges_only_bands_with_enough_boosts():
    def observation(model, volatility, loss, count):
        return [
            Observation(
                model=model,
                predicted_shortfall=0.4,
                shortfall=True,
                fee=Decimal("100.00"),
                compensation=Decimal(loss),
                predicted_loss_ratio=Decimal("0.30"),
                bands={"volatility": volatility, "history": "few"},
            )
            for _ in range(count)
        ]

    observations = (
        observation("v2", "low", "32.00", 300)
        + observation("v2", "high", "34.00", 300)
        + observation("v2", "medium", "90.00", 299)
        + observation("v1", "low", "50.00", 10)
    )
    rows = {
        (r.dimension, r.band): r
        for r in market_backtest.comparison(observations, target=Decimal("0.30"))
    }
    assert rows["volatility", "low"].judged and rows["volatility", "low"].within
    assert rows["volatility", "high"].judged and not rows["volatility", "high"].within
    assert not rows["volatility", "medium"].judged
    assert rows["volatility", "low"].figures["v1"].realized_loss_ratio == Decimal("0.5000")
    assert rows["all", "all"].figures["v2"].boosts == 899


def test_simulate_market_command_prints_the_table(capsys):
    call_command("simulate_market", boosts=60, seed=3)
    out = capsys.readouterr().out
    assert "seed 3, 60 boosts" in out
    assert "volatility low" in out and "history many" in out
    assert "Kupiec" in out and "v2:" in out
