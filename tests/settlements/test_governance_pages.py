"""The calibration report and the book (DESIGN §4b): every figure of small hand-built data sets."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from orders import projection
from orders.models import Boost
from settlements import calibration
from settlements.calculations import compensation
from settlements.insights import Period, book, calibration_report
from tests import factories
from tests.factories import PERIOD, SHANGHAI, T0, hand_built

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal


def get(client, name: str, **params):
    user = factories.staff_in("Operations", "ops")
    client.force_login(user)
    return client.get(reverse(f"insights:{name}"), params)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- The calibration report -----------------------------------------------------------------


def test_real_observations_are_each_boosts_live_and_shadow_quote():
    data = hand_built()
    settled, observations = calibration_report.realized_observations(PERIOD)
    assert settled == 7  # b1-b5, b7, b9: their windows closed in the period
    live = [o for o in observations if o.model == "v1"]
    assert sum(o.fee for o in live) == D("13360.00")
    assert sum(o.compensation for o in live) == D("7700.00")
    assert [o.shortfall for o in live].count(True) == 5  # b1, b2, b4, b7, b9
    # v1 implies P(A < E) from its window: none of five videos short of E, or two of five.
    assert sorted(o.predicted_shortfall for o in live) == [0.0] * 4 + [0.4] * 3
    shadows = [o for o in observations if o.model == "v2"]
    settled_boosts = Boost.objects.filter(
        pk__in=[b.pk for b in data.boosts.values()],
        settlement__kind__in=("none", "compensation"),
    )
    offered = [b for b in settled_boosts if b.shadow_eligible]
    assert len(shadows) == len(offered) > 0
    for boost in offered:
        owed = compensation(
            boost.shadow_expected_views,
            boost.settlement.actual_views,
            boost.line.fixed_price,
            boost.shadow_boost_fee,
        )
        assert any(o.fee == boost.shadow_boost_fee and o.compensation == owed for o in shadows)


def test_the_calibration_page_reports_real_outcomes_by_band_with_the_light(client):
    hand_built()
    response = get(
        client, "calibration", **{"from": "2026-03-01", "to": "2026-04-30"}, source="real"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-source="real"' in page
    assert "Data: real outcomes of 7 boosts settled in the period." in page
    report = response.context["data"].reports["v1"]
    bands = {row.band: row for row in report.bands["premium"]}
    assert (bands["10-19"].fees, bands["10-19"].compensation) == (D("3600.00"), D("2150.00"))
    assert bands["10-19"].realized_loss_ratio == D("0.5972")
    assert bands["20-29"].realized_loss_ratio == D("0.5000")
    assert bands["30-39"].realized_loss_ratio == D("0.0000")
    assert bands["40-50"].realized_loss_ratio == D("1.0000")
    # 5 shortfalls against a mean predicted 1.2 / 7: rejected at 1 %.
    assert report.kupiec.statistic == pytest.approx(calibration.kupiec_statistic(7, 5, 1.2 / 7))
    assert report.kupiec.light == "red"
    assert "v2" in response.context["data"].reports
    rows = csv_rows(
        get(
            client,
            "calibration",
            **{"from": "2026-03-01", "to": "2026-04-30"},
            source="real",
            format="csv",
            table="v1-premium",
        )
    )
    assert rows[0] == [
        "Band",
        "Boosts",
        "Fees",
        "Compensation",
        "Predicted loss ratio",
        "Realized loss ratio",
    ]
    assert rows[1][:4] == ["10–19 %", "4", "3600.00", "2150.00"] and rows[1][5] == "0.5972"


def test_with_few_real_boosts_the_page_shows_the_simulator_and_says_so(client, monkeypatch):
    monkeypatch.setattr(calibration_report, "SIMULATED_BOOSTS", 60)
    calibration_report.simulated_observations.cache_clear()
    response = get(client, "calibration")
    page = response.content.decode()
    assert 'data-source="simulated"' in page
    assert "a simulated market (60 boosts, seed 20260101), not real outcomes" in page
    assert set(response.context["data"].reports) == {"v1", "v2"}
    assert 'data-card="light-v2"' in page
    calibration_report.simulated_observations.cache_clear()


def test_a_bad_table_name_is_a_clear_400(client):
    response = get(client, "calibration", source="real", format="csv", table="nope")
    assert response.status_code == 400


# --- The book ----------------------------------------------------------------------------------

PUBLISHED = T0 + timedelta(hours=1)  # Mar 10 11:00; the window ends Mar 24 11:00
NOW = datetime(2026, 3, 13, 18, 0, tzinfo=SHANGHAI)


@pytest.fixture
def small_book():
    """X: published Mar 10 11:00, 12,000 / 16,500 / 18,500 views after 1 / 2 / 3 days.
    Y: awaiting publish. Z: sold and compensated ¥550.00 of ¥1,000.00 before the period."""
    factories.compensation(now=T0 - timedelta(days=20))
    x = factories.active_boost(now=T0, name="X")
    factories.views(
        x,
        (PUBLISHED + timedelta(days=1), 12_000),
        (PUBLISHED + timedelta(days=2), 16_500),
        (PUBLISHED + timedelta(days=3), 18_500),
    )
    factories.boost(now=T0, name="Y")


def test_the_book_day_by_day_on_a_small_data_set(small_book):
    days = book.book(period=Period(date(2026, 3, 10), date(2026, 3, 20)), now=NOW)
    assert [d.day for d in days] == ["2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"]
    assert {(d.open_boosts, d.open_exposure, d.active_boosts) for d in days} == {
        (2, D("2000.00"), 1)
    }
    # Y's whole fee, and X's fee for the share of its 336-hour window still to run.
    assert [d.unearned_fees for d in days] == [
        D("1961.31"),  # 1,000 + 1,000 · 323/336
        D("1889.88"),  # 299/336
        D("1818.45"),  # 275/336
        D("1764.88"),  # as of Mar 13 18:00: 257/336
    ]
    # Three snapshots spanning 12 hours are needed to project day 14.
    assert [d.unprojected for d in days] == [1, 1, 1, 0]
    assert [d.expected_payout for d in days[:3]] == [D("0.00")] * 3
    # Day 14 projected at 19,613 views: (20,000 − 19,613) · 11,000/20,000 = 212.85 (under the cap).
    assert projection.project_views([(1, 12_000), (2, 16_500), (3, 18_500)]).views == 19_613
    assert days[3].expected_payout == D("212.85")
    assert {(d.settled_fees, d.settled_compensation, d.loss_ratio) for d in days} == {
        (D("1000.00"), D("550.00"), D("0.5500"))
    }


def test_the_book_page_charts_and_exports_it(client, small_book):
    with time_machine.travel(NOW, tick=False):
        response = get(client, "book", **{"from": "2026-03-10", "to": "2026-03-13"})
        page = response.content.decode()
        assert response.status_code == 200
        assert page.count("<svg") >= 2
        assert 'data-card="open_exposure"' in page and "¥2,000.00" in page
        rows = csv_rows(
            get(
                client,
                "book",
                **{"from": "2026-03-10", "to": "2026-03-13"},
                format="csv",
                table="book",
            )
        )
    assert rows[0][0] == "Day (end of)"
    assert rows[1] == [
        "2026-03-10",
        "2",
        "2000.00",
        "1",
        "0.00",
        "1",
        "1961.31",
        "1000.00",
        "550.00",
        "0.5500",
    ]
    assert len(rows) == 5
