"""Pricing backtest (DESIGN §4, §6): re-pricing settled boosts from the history they were sold on.

Uses the hand-built data set of ``tests.factories.insights`` (see its docstring): seven windows
settled in March 2026 — b1, b2, b3, b7 at 10 %, b4 at 25 %, b5 at 37 %, b9 at 43 % — and one
refund (b6), which the backtest leaves out (no window, no loss).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Boost, HistoryVideo
from orders.pricing import PricingRules
from settlements.insights import Period, backtest
from settlements.insights.backtest import candidate_rules, run_backtest
from tests import factories
from tests.factories import PERIOD, hand_built

pytestmark = pytest.mark.django_db

D = Decimal
SETTLED = ("b1", "b2", "b3", "b4", "b5", "b7", "b9")


@pytest.fixture
def data():
    return hand_built()


def bands(result) -> dict:
    return {band.key: band for band in result.bands}


def test_current_rules_reproduce_every_frozen_quote(data):
    result = run_backtest(period=PERIOD, rules=candidate_rules())
    assert sorted(row.boost_id for row in result.rows) == sorted(
        data.boosts[name].pk for name in SETTLED
    )
    for row in result.rows:
        boost = Boost.objects.get(pk=row.boost_id)
        quote = row.quote
        assert quote.eligible
        assert (quote.expected_views, quote.premium_ratio, quote.boost_fee) == (
            boost.expected_views,
            boost.premium_ratio,
            boost.boost_fee,
        )
        assert quote.loss_ratio == boost.loss_ratio
        assert sorted(v.views for v in quote.inputs) == sorted(
            i["views"] for i in boost.quote["inputs"]
        )
        assert row.reproduces_frozen_quote
        assert row.counterfactual_compensation == row.compensation
    t = result.totals
    assert (t.boosts, t.reproduced) == (7, 7)
    assert t.candidate_fees == t.actual_fees == D("13360.00")
    assert t.fee_change == D("0.00")


def test_current_rules_by_band_to_the_fen(data):
    result = bands(run_backtest(period=PERIOD, rules=candidate_rules()))
    assert list(result) == ["10-19", "20-29", "30-39", "40-50"]
    low = result["10-19"]  # b1, b2, b3, b7: history all at E, LR(r*) = 0
    assert (low.boosts, low.actual_fees, low.candidate_fees) == (4, D("3600.00"), D("3600.00"))
    assert low.predicted_loss_ratio == D("0.0000")
    assert low.realized_loss_ratio == D("0.5972")  # 2,150 / 3,600
    assert low.above_target
    mid = result["20-29"]  # b4: LR(0.25) = 0.3 exactly
    assert (mid.predicted_loss_ratio, mid.realized_loss_ratio) == (D("0.3000"), D("0.5000"))
    upper = result["30-39"]  # b5: LR(0.37) = 0.2962, succeeded
    assert (upper.predicted_loss_ratio, upper.realized_loss_ratio) == (D("0.2962"), D("0.0000"))
    assert not upper.above_target
    top = result["40-50"]  # b9: LR(0.43) = 0.2993, the whole fee paid back
    assert (top.predicted_loss_ratio, top.realized_loss_ratio) == (D("0.2993"), D("1.0000"))


def test_current_rules_totals(data):
    t = run_backtest(period=PERIOD, rules=candidate_rules()).totals
    # Fee-weighted LR(r*): (0 × 3,600 + 0.3 × 2,500 + 0.2962 × 2,960 + 0.2993 × 4,300) / 13,360
    #                    = 2,913.742 / 13,360 = 0.21809…
    assert t.predicted_loss_ratio == D("0.2181")
    assert (t.actual_compensation, t.realized_loss_ratio) == (D("7700.00"), D("0.5763"))


def test_a_candidate_target_reprices_every_band(data):
    rules = candidate_rules({"target_loss_ratio": D("0.50")})
    assert rules == PricingRules(target_loss_ratio=D("0.50"))
    result = run_backtest(period=PERIOD, rules=rules)
    # With T = 0.5 every history reaches the target at 10 %: LR(0.10) is 0 or 0.4.
    assert {row.quote.premium_ratio for row in result.rows} == {D("0.10")}
    t = result.totals
    assert t.reproduced == 4  # b1, b2, b3, b7 were 10 % already
    # Fees: 1,000 × 5 (b1, b2, b3, b4, b9) + 800 (b5) + 600 (b7).
    assert (t.candidate_fees, t.actual_fees, t.fee_change) == (
        D("6400.00"),
        D("13360.00"),
        D("-6960.00"),
    )
    # LR(0.10) = 0.4 for b4, b5, b9: (400 + 320 + 400) / 6,400.
    assert t.predicted_loss_ratio == D("0.1750")
    # Same views against E = 20,000 and the lower fees: 550 + 1,000 + 0 + 600 for the 10 % ones,
    # b4 min(2,000 × 11,000 / 20,000, 1,000) = 1,000, b5 0, b9 min(8,250, 1,000) = 1,000.
    assert t.counterfactual_compensation == D("4150.00")
    assert t.counterfactual_loss_ratio == D("0.6484")  # 4,150 / 6,400
    assert t.realized_loss_ratio == D("0.5763")  # what actually happened is unchanged
    assert t.above_target
    by_band = bands(result)
    assert by_band["10-19"].boosts == 7
    assert by_band["40-50"].boosts == 0 and by_band["40-50"].predicted_loss_ratio is None


def test_history_is_taken_as_of_the_order_and_changes_show(data):
    b1 = data.boosts["b1"]
    influencer = b1.line.influencer
    # Published after the order: the influencer did not have it then.
    HistoryVideo.objects.create(
        influencer=influencer,
        platform_video_id="after-order",
        published_at=b1.quoted_at + timedelta(seconds=1),
        views=1,
    )
    # Published 45 days before the order: outside the history window.
    HistoryVideo.objects.create(
        influencer=influencer,
        platform_video_id="too-old",
        published_at=b1.quoted_at - timedelta(days=45),
        views=1,
    )
    rows = {row.boost_id: row for row in run_backtest(period=PERIOD, rules=candidate_rules()).rows}
    assert rows[b1.pk].reproduces_frozen_quote and rows[b1.pk].history_videos == 5

    # Views are "latest" counts: when a video kept growing, the rebuilt quote differs.
    HistoryVideo.objects.filter(influencer=data.boosts["b4"].line.influencer).update(views=30_000)
    rows = {row.boost_id: row for row in run_backtest(period=PERIOD, rules=candidate_rules()).rows}
    b4 = rows[data.boosts["b4"].pk]
    assert (b4.quote.expected_views, b4.quote.premium_ratio) == (30_000, D("0.10"))
    assert not b4.reproduces_frozen_quote
    assert sum(row.reproduces_frozen_quote for row in rows.values()) == 6


def test_boosts_the_rules_would_not_offer_have_their_own_row(data):
    # With a 1-day history window the videos an hour before the order still count; with b7's
    # influencer's history deleted there is nothing left to price on.
    HistoryVideo.objects.filter(influencer=data.boosts["b7"].line.influencer).delete()
    result = run_backtest(period=PERIOD, rules=candidate_rules({"history_days": 1}))
    not_offered = bands(result)[backtest.NOT_OFFERED]
    assert (not_offered.boosts, not_offered.actual_fees, not_offered.candidate_fees) == (
        1,
        D("600.00"),
        D("0.00"),
    )
    assert not_offered.predicted_loss_ratio is None
    assert result.totals.boosts == 7


def test_the_backtest_reads_in_two_queries_and_writes_nothing(data):
    before = factories.row_counts()
    with CaptureQueriesContext(connection) as queries:
        result = run_backtest(period=PERIOD, rules=candidate_rules({"half_life_days": 5}))
    assert len(result.rows) == 7
    assert len(queries) == 2
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert factories.row_counts() == before


def test_an_empty_period_costs_one_query():
    with CaptureQueriesContext(connection) as queries:
        result = run_backtest(
            period=Period(date(2026, 1, 1), date(2026, 1, 31)), rules=candidate_rules()
        )
    assert len(queries) == 1
    assert result.rows == [] and result.totals.boosts == 0
    assert result.totals.realized_loss_ratio is None


def test_invalid_candidate_rules_are_refused():
    with pytest.raises(ValueError):
        candidate_rules({"min_ratio": D("0.60")})  # above max_ratio 0.50
    with pytest.raises(ValueError):
        candidate_rules({"min_ratio": D("0.105")})  # not a whole percent
    with pytest.raises(ValueError):
        candidate_rules({"min_expected_views": 5})  # not a backtest input


# --- The command ---------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("backtest", "--from", "2026-03-01", "--to", "2026-04-30", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_bands(english, data):
    text = run()
    assert "Backtest of 7 settled boost(s), 2026-03-01 to 2026-04-30" in text
    assert "T = 0.30" in text
    lines = {line.split("  ")[0].strip(): line for line in text.splitlines()}
    assert "59.72 %" in lines["10–19 %"]
    assert "¥13,360.00" in lines["Total"]
    assert "Approximate" in text


def test_command_csv_with_candidate_rules(english, data):
    rows = list(csv.DictReader(io.StringIO(run("--target", "0.5", "--csv"))))
    total = rows[-1]
    assert total["Premium ratio (re-priced)"] == "Total"
    assert (total["Fees under these rules"], total["Actual fees"], total["Fee change"]) == (
        "6400.00",
        "13360.00",
        "-6960.00",
    )
    assert (total["Predicted loss ratio"], total["Loss ratio under these rules"]) == (
        "0.1750",
        "0.6484",
    )
    boosts = list(csv.DictReader(io.StringIO(run("--half-life", "15", "--csv", "boosts"))))
    assert len(boosts) == 7
    b9 = next(row for row in boosts if row["Boost"] == str(data.boosts["b9"].pk))
    assert (b9["Premium ratio"], b9["Premium ratio (re-priced)"], b9["Boost fee (re-priced)"]) == (
        "0.43",
        "0.43",
        "4300.00",
    )


@pytest.mark.parametrize(
    "args",
    [("--min-ratio", "0.6"), ("--target", "abc"), ("--history-days", "0")],
)
def test_command_refuses_bad_rules(args):
    with pytest.raises(CommandError):
        run(*args)


@pytest.mark.parametrize("start,end", [("2026-04-30", "2026-03-01"), ("2026-02-30", "2026-03-01")])
def test_command_refuses_bad_periods(start, end):
    with pytest.raises(CommandError):
        call_command("backtest", "--from", start, "--to", end)


# --- The page ------------------------------------------------------------------------------------

URL = "/admin/insights/backtest/"


def test_backtest_page_with_candidate_rules(client, english, data):
    client.force_login(factories.staff_in("Operations", "ops-backtest"))
    response = client.get(URL + "?from=2026-03-01&to=2026-04-30&target=0.5")
    assert response.status_code == 200
    result = response.context["result"]
    assert result.rules.target_loss_ratio == D("0.5")
    assert result.totals.candidate_fees == D("6400.00")
    page = response.content.decode()
    assert "Approximate:" in page and "latest view count" in page
    assert "¥6,400.00" in page and "64.84 %" in page
    assert "T = 50.00 %" in page  # the chart's reference line

    response = client.get(URL + "?from=2026-03-01&to=2026-04-30&format=csv&table=bands")
    text = response.content.decode("utf-8-sig")
    rows = {row["Premium ratio (re-priced)"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["10–19 %"]["Realized loss ratio"] == "0.5972"
    assert rows["Total"]["Frozen quote reproduced"] == "7"


def test_backtest_page_shows_invalid_rules_as_form_errors(admin_client, english):
    response = admin_client.get(URL + "?min_ratio=0.60&max_ratio=0.50")
    assert response.status_code == 200
    assert response.context["result"] is None
    assert "The max. premium ratio must be at least the min. premium ratio." in (
        response.content.decode()
    )
    assert admin_client.get(URL + "?min_ratio=0.60&format=csv&table=bands").status_code == 400


def test_backtest_band_error_is_translated_and_shown_with_the_other_invalid_fields(admin_client):
    query = "?min_ratio=0.60&max_ratio=0.50&from=2026-03-01&to=2026-01-01"
    response = admin_client.get(URL + query)
    page = response.content.decode()
    assert response.context["result"] is None
    assert "最高溢价比例不能低于最低溢价比例。" in page
    assert "min_ratio" not in response.context["form"].errors.as_text()
    assert len(response.context["form"].errors) == 2
