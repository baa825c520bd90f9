"""DESIGN.md §4 pricing rules: hand-computed vectors, window and gate edges, properties.

Pure tests, no database: every quote passes ``rules=PricingRules()`` so the spec's defaults
are tested regardless of the environment's settings.
"""

import json
import math
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import assume, event, given
from hypothesis import strategies as st

from orders.pricing import IneligibleReason, PricingRules, Quote, explain, quote_from_history
from tests.factories import SHANGHAI

AS_OF = datetime(2025, 11, 26, 12, 0, tzinfo=SHANGHAI)
RULES = PricingRules()
T = Fraction(RULES.target_loss_ratio)


def ago(days: float = 0, seconds: float = 0) -> datetime:
    return AS_OF - timedelta(days=days, seconds=seconds)


def quote(views: list[int], price: str = "1000.00", **kwargs) -> Quote:
    """Quote for videos all published at ``as_of`` (weight exactly 1 each)."""
    history = [(AS_OF, v) for v in views]
    return quote_from_history(Decimal(price), history, AS_OF, rules=RULES, **kwargs)


def reference_loss_ratio(q: Quote, ratio: Fraction) -> Fraction:
    """LR(r) recomputed independently from the quote's recorded inputs."""
    e = q.expected_views
    total = sum(Fraction(v.weight) for v in q.inputs)
    loss = Fraction(0)
    for v in q.inputs:
        shortfall = max(Fraction(0), Fraction(e - v.views, e))
        loss += Fraction(v.weight) * min(Fraction(1), shortfall * (1 + ratio) / ratio)
    return loss / total


# --- Hand-computed vectors ------------------------------------------------------------------------


def test_expected_views_is_weighted_median_of_equal_weights():
    q = quote([3000, 1000, 2000])
    assert q.expected_views == 2000
    assert [v.weight for v in q.inputs] == [1.0, 1.0, 1.0]
    assert q.total_weight == 3.0


def test_ratio_falls_back_to_max_when_no_ratio_meets_target():
    # E = 2000; the 1000 video has s = 0.5 and 0.5 * (1 + r) / r >= 1 for every r <= 1, so
    # LR(r) = 1/3 > 0.30 across the band.
    q = quote([1000, 2000, 3000], price="1000.00")
    assert q.eligible
    assert q.premium_ratio == Decimal("0.50")
    assert q.boost_fee == Decimal("500.00")
    assert q.loss_ratio == Decimal("0.3333")
    assert q.target_met is False


def test_ratio_is_first_whole_percent_meeting_target():
    # E = 2000, s = 0.25 for the 1500 video: LR(r) = min(1, 0.25 (1 + r) / r) / 3.
    # LR(0.38) = 0.3026 > 0.30, LR(0.39) = 0.3475 / 0.39 / 3 = 0.297008... <= 0.30.
    q = quote([1500, 2000, 2000], price="1234.50")
    assert q.expected_views == 2000
    assert q.premium_ratio == Decimal("0.39")
    assert str(q.premium_ratio) == "0.39"
    assert q.loss_ratio == Decimal("0.2970")
    assert q.boost_fee == Decimal("481.46")  # 481.455 rounded half-up
    assert q.target_met is True


def test_loss_ratio_exactly_at_target_qualifies():
    # E = 2000 (cumulative 3 of 5 reaches 2.5), s = 0.2 and 0.1. At r = 0.25 the terms are
    # min(1, 0.2 * 5) = 1 and 0.1 * 5 = 0.5, so LR = 1.5 / 5 = 0.30 exactly; LR(0.24) = 0.3033.
    # A float implementation can land just above 0.30 here and pick 0.26.
    q = quote([2000, 1600, 2000, 1800, 2000], price="888.88")
    assert q.expected_views == 2000
    assert q.premium_ratio == Decimal("0.25")
    assert q.loss_ratio == Decimal("0.3000")
    assert q.boost_fee == Decimal("222.22")


def test_boost_fee_rounds_half_up_once():
    # s = 0.085: LR(0.10) = 0.935 / 3 > 0.30, LR(0.11) = 0.8577 / 3 = 0.2859, so r* = 0.11 and
    # F = 1234.50 * 0.11 = 135.795 -> 135.80.
    q = quote([1830, 2000, 2000], price="1234.50")
    assert q.premium_ratio == Decimal("0.11")
    assert q.boost_fee == Decimal("135.80")


def test_steady_history_gets_minimum_ratio():
    q = quote([5000, 5000, 5000, 5000], price="300.00")
    assert q.expected_views == 5000
    assert q.premium_ratio == Decimal("0.10")
    assert q.loss_ratio == Decimal("0.0000")
    assert q.boost_fee == Decimal("30.00")


def test_weighted_median_tie_at_half_weight_picks_lower_value():
    # Four equal ages: W/2 is reached exactly at the 2nd value.
    history = [(ago(days=10), v) for v in (4000, 1000, 3000, 2000)]
    q = quote_from_history(Decimal("100.00"), history, AS_OF, rules=RULES)
    assert q.expected_views == 2000


def test_weighted_median_tie_with_unequal_weights_picks_lower_value():
    # Weights 1, 0.5, 0.5: W = 2 and the fresh 1000 video alone reaches W/2 = 1 exactly.
    history = [(ago(days=15), 3000), (AS_OF, 1000), (ago(days=15), 2000)]
    q = quote_from_history(Decimal("100.00"), history, AS_OF, rules=RULES)
    assert [v.weight for v in q.inputs] == [0.5, 1.0, 0.5]
    assert q.expected_views == 1000


def test_recent_videos_weigh_more_in_expected_views():
    # Unweighted median would be 8000. Weights: fresh 1, 15 days old 0.5, so W = 3.5 and the
    # cumulative weight reaches 1.75 at the second fresh video.
    history = [
        (ago(days=15), 8000),
        (ago(days=15), 9000),
        (ago(days=15), 10000),
        (AS_OF, 1200),
        (AS_OF, 1500),
    ]
    q = quote_from_history(Decimal("100.00"), history, AS_OF, rules=RULES)
    assert [v.weight for v in q.inputs] == [0.5, 0.5, 0.5, 1.0, 1.0]
    assert q.total_weight == 3.5
    assert q.expected_views == 1500
    assert quote([8000, 9000, 10000, 1200, 1500]).expected_views == 8000


# --- History window -------------------------------------------------------------------------------


def included_indices(history: list[tuple[datetime, int]]) -> list[int]:
    q = quote_from_history(Decimal("100.00"), history, AS_OF, rules=RULES)
    return [v.index for v in q.inputs]


def test_video_exactly_history_days_old_is_excluded():
    assert included_indices([(AS_OF, 2000), (ago(days=45), 9000), (AS_OF, 2000)]) == [0, 2]


def test_video_just_inside_history_window_is_included():
    q = quote_from_history(Decimal("1.00"), [(ago(days=45, seconds=-1), 2000)], AS_OF, rules=RULES)
    assert [v.index for v in q.inputs] == [0]
    assert q.inputs[0].weight == pytest.approx(0.125)


def test_video_published_at_as_of_is_included():
    assert included_indices([(ago(days=1), 2000), (AS_OF, 3000)]) == [0, 1]


def test_video_published_after_as_of_is_excluded():
    assert included_indices([(AS_OF + timedelta(seconds=1), 2000), (AS_OF, 3000)]) == [1]


def test_window_compares_instants_across_time_zones():
    # 04:00 UTC is 12:00 in Shanghai: the same instant as as_of, so age 0 and weight 1.
    same_instant = AS_OF.astimezone(UTC)
    q = quote_from_history(Decimal("1.00"), [(same_instant, 2000)], AS_OF, rules=RULES)
    assert q.inputs[0].age_days == 0.0
    assert q.inputs[0].weight == 1.0


# --- Eligibility gates ----------------------------------------------------------------------------


def test_disabled_boost_is_not_offered_but_still_shows_expected_views():
    q = quote([2000, 2000, 2000], boost_enabled=False)
    assert not q.eligible
    assert q.reason == IneligibleReason.DISABLED
    assert q.expected_views == 2000
    assert (q.premium_ratio, q.boost_fee, q.loss_ratio) == (None, None, None)


def test_fewer_than_min_history_videos_is_not_enough_history():
    q = quote([5000, 6000])
    assert q.reason == IneligibleReason.NOT_ENOUGH_HISTORY
    assert q.expected_views == 5000
    assert q.premium_ratio is None and q.boost_fee is None


def test_no_history_in_window_has_zero_expected_views():
    q = quote_from_history(Decimal("100.00"), [(ago(days=60), 9000)], AS_OF, rules=RULES)
    assert q.reason == IneligibleReason.NOT_ENOUGH_HISTORY
    assert q.expected_views == 0
    assert q.inputs == ()


def test_expected_views_below_minimum_is_too_low():
    q = quote([999, 999, 999])
    assert q.reason == IneligibleReason.EXPECTATION_TOO_LOW
    assert q.expected_views == 999
    assert q.boost_fee is None


def test_expected_views_at_minimum_is_offered():
    q = quote([1000, 1000, 1000])
    assert q.eligible and q.reason is None
    assert q.premium_ratio == Decimal("0.10")


def test_gates_report_first_failing_reason():
    assert quote([], boost_enabled=False).reason == IneligibleReason.DISABLED
    assert quote([1, 2]).reason == IneligibleReason.NOT_ENOUGH_HISTORY


# --- Recorded explanation -------------------------------------------------------------------------


def test_quote_as_dict_is_json_and_records_every_input():
    history = [(ago(days=60), 1), (AS_OF, 1500), (ago(days=15), 2000), (AS_OF, 2000)]
    q = quote_from_history(Decimal("1234.50"), history, AS_OF, rules=RULES)
    record = json.loads(json.dumps(q.as_dict()))
    assert record["as_of"] == "2025-11-26T12:00:00+08:00"
    assert record["fixed_price"] == "1234.50"
    assert record["expected_views"] == 2000
    assert record["total_weight"] == 2.5
    assert record["eligible"] is True and record["reason"] is None
    assert record["premium_ratio"] == str(q.premium_ratio)
    assert record["boost_fee"] == str(q.boost_fee)
    assert record["loss_ratio"] == str(q.loss_ratio)
    assert record["rules"]["target_loss_ratio"] == "0.30"
    assert record["rules"]["history_days"] == 45
    assert [(i["index"], i["views"], i["weight"]) for i in record["inputs"]] == [
        (1, 1500, 1.0),
        (2, 2000, 0.5),
        (3, 2000, 1.0),
    ]
    assert record["inputs"][1]["published_at"] == "2025-11-11T12:00:00+08:00"


def test_ineligible_quote_as_dict_records_reason():
    record = json.loads(json.dumps(quote([5000], boost_enabled=False).as_dict()))
    assert record["reason"] == "disabled"
    assert record["premium_ratio"] is None and record["boost_fee"] is None


def test_explanation_shows_how_expected_views_and_ratio_were_reached():
    with translation.override("en"):
        text = quote([1500, 2000, 2000], price="1234.50").explanation()
        assert "E = 2,000" in text
        assert "r* = 39 %" in text
        assert "¥481.46" in text
        assert "cap" in quote([1000, 2000, 3000]).explanation()
        assert "Not enough recent history videos" in quote([5000]).explanation()


def test_explanation_reads_in_the_readers_language_with_shanghai_instants():
    """A quote recorded in UTC (a re-quote) reads like any other: Shanghai time, Chinese words."""
    as_of = AS_OF.astimezone(UTC)
    record = quote_from_history(Decimal("1234.50"), [(as_of, 2000)] * 3, as_of, rules=RULES)
    with translation.override("zh-hans"):
        text = explain(record.as_dict())
    assert "2025-11-26 12:00" in text
    assert "+00:00" not in text
    assert "预期播放量 E = 2,000" in text
    assert "Quote as of" not in text and "views" not in text


# --- Rules and bad input --------------------------------------------------------------------------


def test_rules_from_mapping_overrides_only_given_keys():
    rules = PricingRules.from_mapping({"history_days": "30", "target_loss_ratio": 0.25})
    assert rules.history_days == 30
    assert rules.target_loss_ratio == Decimal("0.25")
    assert rules.half_life_days == 15 and rules.max_ratio == Decimal("0.50")


@pytest.mark.parametrize(
    "values",
    [
        {"histroy_days": 30},
        {"half_life_days": 0},
        {"min_ratio": "0.60"},
        {"max_ratio": "0.505"},
        {"target_loss_ratio": "abc"},
        {"min_history_videos": 2.5},
    ],
)
def test_rules_reject_bad_values(values):
    with pytest.raises(ValueError):
        PricingRules.from_mapping(values)


def test_rules_from_settings_reads_starboost_pricing():
    from django.conf import settings
    from django.test import override_settings

    if not settings.configured:
        pytest.skip("Django settings are not configured")
    with override_settings(STARBOOST_PRICING={"min_expected_views": 500}):
        assert PricingRules.from_settings() == PricingRules(min_expected_views=500)
    with override_settings():
        del settings.STARBOOST_PRICING
        assert PricingRules.from_settings() == PricingRules()


def test_custom_rules_change_the_quote():
    rules = PricingRules(min_expected_views=500, min_ratio=Decimal("0.05"))
    history = [(AS_OF, 600)] * 3
    q = quote_from_history(Decimal("100.00"), history, AS_OF, rules=rules)
    assert q.eligible and q.premium_ratio == Decimal("0.05") and q.boost_fee == Decimal("5.00")


@pytest.mark.parametrize(
    ("price", "history", "as_of", "message"),
    [
        (Decimal("-0.01"), [(AS_OF, 1000)], AS_OF, "fixed_price"),
        (100.0, [(AS_OF, 1000)], AS_OF, "fixed_price"),
        (Decimal("100"), [(AS_OF, -1)], AS_OF, "views"),
        (Decimal("100"), [(AS_OF, 1000)], AS_OF.replace(tzinfo=None), "as_of"),
        (Decimal("100"), [(AS_OF.replace(tzinfo=None), 1000)], AS_OF, "published_at"),
    ],
)
def test_bad_input_raises_value_error(price, history, as_of, message):
    with pytest.raises(ValueError, match=message):
        quote_from_history(price, history, as_of, rules=RULES)


# --- Properties -----------------------------------------------------------------------------------

prices = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)
# Any history: ages run a little past both ends of the window so the filter is exercised too.
histories = st.lists(
    st.tuples(
        st.integers(min_value=-86400, max_value=47 * 86400).map(lambda s: ago(seconds=s)),
        st.integers(min_value=0, max_value=200_000),
    ),
    max_size=20,
)


@st.composite
def offered_histories(draw) -> list[tuple[datetime, int]]:
    """In-window histories around a typical level, from steady to volatile, mostly eligible."""
    level = draw(st.integers(min_value=1000, max_value=1_000_000))
    max_drop = draw(st.sampled_from([0, 10, 20, 30, 45, 60, 100]))
    videos = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=45 * 86400 - 1),
                st.integers(min_value=0, max_value=max_drop),
            ),
            min_size=3,
            max_size=20,
        )
    )
    return [(ago(seconds=age), level * (100 - drop) // 100) for age, drop in videos]


@given(price=prices, history=offered_histories())
def test_offered_ratio_is_whole_percent_in_band_and_fee_is_price_times_ratio(price, history):
    q = quote_from_history(price, history, AS_OF, rules=RULES)
    assume(q.eligible)
    assert Decimal("0.10") <= q.premium_ratio <= Decimal("0.50")
    assert q.premium_ratio == q.premium_ratio.quantize(Decimal("0.01"))
    assert q.boost_fee == (price * q.premium_ratio).quantize(Decimal("0.01"), ROUND_HALF_UP)


@given(history=histories)
def test_expected_views_is_weighted_lower_median_of_window(history):
    q = quote_from_history(Decimal("1.00"), history, AS_OF, rules=RULES)
    for v in q.inputs:
        published_at, views = history[v.index]
        assert (published_at, views) == (v.published_at, v.views)
        assert ago(days=45) < published_at <= AS_OF
    assert len(q.inputs) == sum(ago(days=45) < p <= AS_OF for p, _ in history)
    if not q.inputs:
        assert q.expected_views == 0
        return
    total = sum(Fraction(v.weight) for v in q.inputs)
    below = sum(Fraction(v.weight) for v in q.inputs if v.views < q.expected_views)
    at_or_below = sum(Fraction(v.weight) for v in q.inputs if v.views <= q.expected_views)
    assert q.expected_views in {v.views for v in q.inputs}
    assert below < total / 2 <= at_or_below


@given(history=offered_histories())
def test_loss_ratio_at_chosen_ratio_meets_target_unless_capped(history):
    q = quote_from_history(Decimal("1.00"), history, AS_OF, rules=RULES)
    assume(q.eligible)
    event(f"r* = {q.premium_ratio}")
    ratio = Fraction(q.premium_ratio)
    loss = reference_loss_ratio(q, ratio)
    assert loss <= T or q.premium_ratio == Decimal("0.50")
    assert q.target_met == (loss <= T)
    if q.premium_ratio > Decimal("0.10"):  # and it is the first such percent
        assert reference_loss_ratio(q, ratio - Fraction(1, 100)) > T
    assert q.loss_ratio == Decimal(math.floor(loss * 10_000 + Fraction(1, 2))) / 10_000


@given(history=offered_histories(), data=st.data())
def test_steadier_history_never_gets_higher_ratio_than_volatile_one_with_same_median(history, data):
    steady = quote_from_history(Decimal("100.00"), history, AS_OF, rules=RULES)
    assume(steady.eligible)
    # Push every video below E further down: E is unchanged (the same weight stays below it) and
    # every shortfall grows, so the volatile history is riskier at every ratio.
    e = steady.expected_views
    volatile = list(history)
    for v in steady.inputs:
        if v.views < e:
            percent = data.draw(st.integers(min_value=0, max_value=100))
            volatile[v.index] = (v.published_at, v.views * percent // 100)
    risky = quote_from_history(Decimal("100.00"), volatile, AS_OF, rules=RULES)
    assert risky.expected_views == e
    assert risky.eligible
    assert steady.premium_ratio <= risky.premium_ratio
