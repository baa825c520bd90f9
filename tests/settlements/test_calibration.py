"""Calibration report (settlements.calibration): exact small data sets and Kupiec's POF test."""

import math
from decimal import Decimal

import pytest

from settlements.calibration import (
    Observation,
    deciles,
    history_band,
    kupiec,
    kupiec_statistic,
    loss_ratios,
    report,
    traffic_light,
)

D = Decimal


def obs(p, hit, fee="10.00", comp="0.00", predicted="0.30", model="v2", **bands):
    return Observation(model, p, hit, D(fee), D(comp), D(predicted), bands)


@pytest.mark.parametrize(
    ("videos", "band"), [(3, "few"), (5, "few"), (6, "medium"), (14, "medium"), (15, "many")]
)
def test_history_band_edges(videos, band):
    assert history_band(videos) == band


def test_kupiec_statistic_on_the_textbook_example():
    # 250 days at a 1 % VaR with 5 exceptions (Jorion): LR = 1.9568..., not rejected.
    expected = -2 * (
        245 * math.log(0.99) + 5 * math.log(0.01) - 245 * math.log(0.98) - 5 * math.log(0.02)
    )
    assert kupiec_statistic(250, 5, 0.01) == pytest.approx(expected, abs=1e-12)
    assert kupiec_statistic(250, 5, 0.01) == pytest.approx(1.9568, abs=1e-4)
    assert traffic_light(kupiec_statistic(250, 5, 0.01)) == "green"


@pytest.mark.parametrize(
    ("hits", "statistic", "light"),
    [(2, 0.1084, "green"), (7, 5.4970, "amber"), (0, 5.0252, "amber"), (10, 12.9555, "red")],
)
def test_kupiec_lights(hits, statistic, light):
    value = kupiec_statistic(250, hits, 0.01)
    assert value == pytest.approx(statistic, abs=1e-4)
    assert traffic_light(value) == light


def test_kupiec_light_thresholds_are_chi_square_quantiles():
    assert traffic_light(3.8409) == "green"
    assert traffic_light(3.841) == "amber"
    assert traffic_light(6.6349) == "amber"
    assert traffic_light(6.635) == "red"


def test_kupiec_is_red_when_the_prediction_rules_out_what_happened():
    assert kupiec_statistic(10, 1, 0.0) == math.inf
    result = kupiec([obs(0.0, True), obs(0.0, False)])
    assert result.light == "red" and result.p_value == 0.0
    assert kupiec_statistic(0, 0, 0.5) == 0.0


def test_kupiec_uses_the_mean_predicted_probability():
    observations = [obs(0.2, True), obs(0.4, False), obs(0.6, True), obs(0.8, True)]
    result = kupiec(observations)
    assert (result.boosts, result.shortfalls, result.expected_rate) == (4, 3, pytest.approx(0.5))
    assert result.statistic == pytest.approx(kupiec_statistic(4, 3, 0.5))
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(result.statistic / 2)))


def test_deciles_compare_mean_prediction_with_realized_rate():
    observations = [obs(i / 20, i % 2 == 0) for i in range(20)]
    rows = deciles(observations)
    assert [row.boosts for row in rows] == [2] * 10
    assert rows[0].predicted == pytest.approx(0.025) and rows[0].realized == 0.5
    assert rows[-1].predicted == pytest.approx(0.925) and rows[-1].realized == 0.5
    assert len(deciles(observations[:3])) == 3


def test_loss_ratio_by_band_is_exact_and_fee_weighted():
    observations = [
        obs(0.5, True, fee="10.00", comp="3.00", predicted="0.2000", volatility="low"),
        obs(0.5, False, fee="30.00", comp="0.00", predicted="0.4000", volatility="low"),
        obs(0.5, True, fee="7.00", comp="7.00", predicted="0.3000", volatility="high"),
        obs(0.5, True, fee="0.00", comp="0.00", predicted="0.3000", volatility="zero"),
    ]
    rows = {row.band: row for row in loss_ratios(observations, "volatility", ("low", "high"))}
    assert list(rows) == ["low", "high", "zero"]
    low = rows["low"]
    assert (low.boosts, low.fees, low.compensation) == (2, D("40.00"), D("3.00"))
    assert low.realized_loss_ratio == D("0.0750")
    assert low.predicted_loss_ratio == D("0.3500")  # (10 x 0.2 + 30 x 0.4) / 40
    assert rows["high"].realized_loss_ratio == D("1.0000")
    assert rows["zero"].realized_loss_ratio is None


def test_loss_ratio_rounds_half_up_once():
    rows = loss_ratios([obs(0.5, True, fee="16.00", comp="1.00", volatility="x")], "volatility")
    assert rows[0].realized_loss_ratio == D("0.0625").quantize(D("0.0001"))  # exactly 0.0625
    rows = loss_ratios([obs(0.5, True, fee="3.00", comp="2.00", volatility="x")], "volatility")
    assert rows[0].realized_loss_ratio == D("0.6667")


def test_report_is_per_model():
    observations = [
        obs(0.4, True, model="v1", volatility="low"),
        obs(0.4, False, model="v2", volatility="low"),
        obs(0.4, False, model="v2", volatility="high"),
    ]
    result = report(observations, {"volatility": ("low", "high")})
    assert list(result) == ["v1", "v2"]
    assert [row.band for row in result["v2"].bands["volatility"]] == ["low", "high"]
    assert result["v1"].kupiec.shortfalls == 1 and result["v2"].kupiec.boosts == 2
