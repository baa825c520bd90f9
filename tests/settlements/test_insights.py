"""Operator insights (DESIGN §4, §6, §7): every figure of a hand-built data set, to the fen.

The data set (``tests.factories.hand_built``) is made by the real services with chosen views, so
each amount is known; its docstring tabulates every boost, its views and its outcome. The period is
2026-03-01 … 2026-04-30 (``PERIOD``).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Boost
from orders.services import SnapshotIn, record_views
from settlements import insights
from settlements import services as settlement_services
from settlements.insights import Period, tables, views
from settlements.models import Settlement
from tests import factories
from tests.factories import (
    PERIOD,
    SHANGHAI,
    T0,
    ClientMembershipFactory,
    DataSet,
    StaffUserFactory,
    UserFactory,
    hand_built,
)

pytestmark = pytest.mark.django_db

D = Decimal
T = D("0.30")
WINDOW_END = T0 + timedelta(hours=1, days=14)  # Mar 24 11:00


@pytest.fixture
def data() -> DataSet:
    return hand_built()


def by_key(rows):
    return {row.key: row for row in rows}


# --- The data set is what the docstring says ----------------------------------------------------


def test_the_hand_built_settlements_have_the_documented_amounts(data):
    expected = {
        "b1": ("compensation", D("550.00"), False, "paid"),
        "b2": ("compensation", D("1000.00"), True, "paid"),
        "b3": ("none", D("0.00"), False, "closed"),
        "b4": ("compensation", D("1250.00"), False, "scheduled"),
        "b5": ("none", D("0.00"), False, "closed"),
        "b6": ("refund", D("1000.00"), False, "paid"),
        "b7": ("compensation", D("600.00"), True, "paid"),
        "b9": ("compensation", D("4300.00"), True, "paid"),
    }
    for name, (kind, amount, capped, status) in expected.items():
        s = data.settlement(name)
        assert (s.kind, s.amount, s.cap_applied, s.status) == (kind, amount, capped, status), name
    assert data.settlement("b2").raw_amount == D("5500.000000")
    assert data.settlement("b7").raw_amount == D("1650.000000")
    assert data.settlement("b9").raw_amount == D("10725.000000")
    assert not Settlement.objects.filter(boost=data.boosts["b8"]).exists()


# --- Selectors -----------------------------------------------------------------------------------


def test_weekly_figures_to_the_fen(data):
    rows = by_key(insights.period_figures(period=PERIOD, granularity="week", target=T))
    # Every week overlapping March–April is listed, from Monday Feb 23 to Monday Apr 27.
    assert list(rows) == [date(2026, 2, 23) + timedelta(weeks=n) for n in range(10)]
    assert rows[date(2026, 2, 23)].label == "2026-02-23"

    mar_2 = rows[date(2026, 3, 2)]  # b7 settled Mar 6 (sold in February: not counted as sold)
    assert (mar_2.boosts_sold, mar_2.settled, mar_2.compensated) == (0, 1, 1)
    assert (mar_2.settled_fees, mar_2.compensation) == (D("600.00"), D("600.00"))
    assert (mar_2.capped, mar_2.cap_saved, mar_2.loss_ratio) == (1, D("1050.00"), D("1.0000"))
    assert mar_2.average_shortfall_share == D("0.2500")

    mar_9 = rows[date(2026, 3, 9)]  # seven boosts sold Mar 10
    assert (mar_9.boosts_sold, mar_9.fees_collected, mar_9.settled) == (7, D("13760.00"), 0)
    assert mar_9.loss_ratio is None and mar_9.success_rate is None

    mar_23 = rows[date(2026, 3, 23)]  # six windows closed Mar 24; b1, b2, b7 paid Mar 25
    assert (mar_23.settled, mar_23.succeeded, mar_23.compensated) == (6, 2, 4)
    assert mar_23.settled_fees == D("12760.00")  # 1,000 × 3 + 2,500 + 2,960 + 4,300
    assert mar_23.compensation == D("7100.00")  # 550 + 1,000 + 1,250 + 4,300
    assert mar_23.loss_ratio == D("0.5564")  # 7,100 / 12,760 = 0.55642…
    assert mar_23.success_rate == D("0.3333")
    assert mar_23.average_shortfall_share == D("0.3500")  # (0.05 + 0.5 + 0.1 + 0.75) / 4
    assert (mar_23.capped, mar_23.cap_saved) == (2, D("10925.00"))  # 4,500 + 6,425
    assert (mar_23.compensation_paid, mar_23.refunds_paid) == (D("2150.00"), D("0.00"))
    assert mar_23.above_target

    assert rows[date(2026, 3, 30)].compensation_paid == D("4300.00")  # b9 paid Apr 2
    apr_6 = rows[date(2026, 4, 6)]  # b6 expired Apr 10
    assert (apr_6.refunds, apr_6.refunded, apr_6.settled) == (1, D("1000.00"), 0)
    assert rows[date(2026, 4, 13)].refunds_paid == D("1000.00")
    apr_20 = rows[date(2026, 4, 20)]
    assert (apr_20.boosts_sold, apr_20.fees_collected) == (1, D("500.00"))
    empty = rows[date(2026, 2, 23)]
    assert (empty.boosts_sold, empty.settled, empty.fees_collected) == (0, 0, D("0.00"))


def test_period_totals_to_the_fen(data):
    rows = insights.period_figures(period=PERIOD, granularity="week", target=T)
    t = insights.total(rows, label="Total", target=T)
    assert (t.boosts_sold, t.fees_collected) == (8, D("14260.00"))
    assert (t.settled, t.succeeded, t.compensated) == (7, 2, 5)
    assert t.success_rate == D("0.2857")  # 2 / 7
    assert (t.settled_fees, t.compensation) == (D("13360.00"), D("7700.00"))
    assert t.loss_ratio == D("0.5763")  # 7,700 / 13,360 = 0.57634…
    assert t.average_shortfall_share == D("0.3300")  # 1.65 / 5
    assert (t.capped, t.cap_rate, t.cap_saved) == (3, D("0.6000"), D("11975.00"))
    assert (t.refunds, t.refunded) == (1, D("1000.00"))
    assert (t.compensation_paid, t.refunds_paid, t.paid_out) == (
        D("6450.00"),
        D("1000.00"),
        D("7450.00"),
    )


def test_monthly_figures_to_the_fen(data):
    rows = by_key(insights.period_figures(period=PERIOD, granularity="month", target=T))
    assert list(rows) == [date(2026, 3, 1), date(2026, 4, 1)]
    march, april = rows[date(2026, 3, 1)], rows[date(2026, 4, 1)]
    assert march.label == "2026-03"
    assert (march.boosts_sold, march.fees_collected) == (7, D("13760.00"))
    assert (march.settled, march.settled_fees, march.compensation) == (7, D("13360.00"), D("7700"))
    assert (march.loss_ratio, march.compensation_paid) == (D("0.5763"), D("2150.00"))
    assert (april.boosts_sold, april.fees_collected, april.refunded) == (1, D("500.00"), D("1000"))
    assert (april.compensation_paid, april.refunds_paid, april.settled) == (
        D("4300.00"),
        D("1000.00"),
        0,
    )


def test_figures_by_premium_ratio_band_are_flagged_above_target(data):
    bands = by_key(insights.band_figures(period=PERIOD, target=T))
    assert list(bands) == ["10-19", "20-29", "30-39", "40-50"]
    assert [b.label for b in bands.values()] == ["10–19 %", "20–29 %", "30–39 %", "40–50 %"]

    low = bands["10-19"]  # b1, b2, b3, b6, b8 sold; b1, b2, b3, b7 settled; b6 refunded
    assert (low.boosts_sold, low.fees_collected) == (5, D("4500.00"))
    assert (low.settled, low.succeeded, low.compensated) == (4, 1, 3)
    assert (low.settled_fees, low.compensation) == (D("3600.00"), D("2150.00"))
    assert low.loss_ratio == D("0.5972")  # 2,150 / 3,600
    assert low.average_shortfall_share == D("0.2667")  # (0.25 + 0.05 + 0.5) / 3
    assert (low.capped, low.cap_saved) == (2, D("5550.00"))
    assert (low.refunded, low.compensation_paid, low.refunds_paid) == (
        D("1000.00"),
        D("2150.00"),
        D("1000.00"),
    )

    mid = bands["20-29"]
    assert (mid.settled_fees, mid.compensation, mid.loss_ratio) == (
        D("2500.00"),
        D("1250.00"),
        D("0.5000"),
    )
    upper = bands["30-39"]
    assert (upper.boosts_sold, upper.fees_collected, upper.succeeded) == (1, D("2960.00"), 1)
    assert (upper.loss_ratio, upper.success_rate) == (D("0.0000"), D("1.0000"))
    top = bands["40-50"]
    assert (top.compensation, top.loss_ratio, top.cap_saved) == (
        D("4300.00"),
        D("1.0000"),
        D("6425.00"),
    )
    assert [key for key, b in bands.items() if b.above_target] == ["10-19", "20-29", "40-50"]
    assert all(b.target == T for b in bands.values())


def test_band_edges_in_sql_and_python():
    # Ratios are whole percents: each band holds both of its edges.
    edges = ["0.10", "0.19", "0.20", "0.29", "0.30", "0.39", "0.40", "0.50"]
    for ratio in edges:
        boost = factories.boost()
        Boost.objects.filter(pk=boost.pk).update(premium_ratio=D(ratio))
    sold = {b.key: b.boosts_sold for b in insights.band_figures(period=PERIOD, target=T)}
    assert sold == {"10-19": 2, "20-29": 2, "30-39": 2, "40-50": 2}
    assert [insights.band_for(D(r)) for r in edges] == [
        "10-19",
        "10-19",
        "20-29",
        "20-29",
        "30-39",
        "30-39",
        "40-50",
        "40-50",
    ]
    assert insights.band_for(D("0.51")) == insights.OUTSIDE_BANDS


def test_top_influencers_are_ranked_by_compensation(data):
    rows = insights.influencer_figures(period=PERIOD, target=T)
    # Charlie and Echo succeeded, Foxtrot was refunded, Hotel is unsettled: owed nothing.
    assert [(r.label, r.compensation) for r in rows] == [
        ("India", D("4300.00")),
        ("Delta", D("1250.00")),
        ("Bravo", D("1000.00")),
        ("Golf", D("600.00")),
        ("Alpha", D("550.00")),
    ]
    by_name = {r.label: r for r in rows}
    assert (by_name["Delta"].loss_ratio, by_name["Delta"].compensation_paid) == (
        D("0.5000"),
        D("0.00"),
    )
    assert (by_name["Golf"].boosts_sold, by_name["Golf"].compensation_paid) == (0, D("600.00"))
    assert (by_name["India"].boosts_sold, by_name["India"].fees_collected) == (1, D("4300.00"))
    assert by_name["Alpha"].loss_ratio == D("0.5500")
    assert len(insights.influencer_figures(period=PERIOD, target=T, limit=2)) == 2


def test_a_period_ends_at_midnight_in_shanghai():
    start, end = Period(date(2026, 3, 1), date(2026, 3, 31)).instants()
    assert start == datetime(2026, 3, 1, tzinfo=SHANGHAI)
    assert end == datetime(2026, 4, 1, tzinfo=SHANGHAI)
    assert Period.last_days(date(2026, 5, 30)) == Period(date(2026, 3, 2), date(2026, 5, 30))
    with pytest.raises(ValueError):
        Period(date(2026, 3, 2), date(2026, 3, 1))


def test_days_and_months_are_taken_in_shanghai():
    # Ordered Mar 1 07:00 in Shanghai (Feb 28 23:00 UTC); expired Apr 1 07:00 (Mar 31 23:00 UTC).
    boost = factories.boost(now=datetime(2026, 3, 1, 7, 0, tzinfo=SHANGHAI))
    settlement_services.expire(boost=boost, now=boost.valid_until)
    months = by_key(insights.period_figures(period=PERIOD, granularity="month", target=T))
    assert (months[date(2026, 3, 1)].boosts_sold, months[date(2026, 3, 1)].refunds) == (1, 0)
    assert (months[date(2026, 4, 1)].boosts_sold, months[date(2026, 4, 1)].refunds) == (0, 1)
    weeks = by_key(insights.period_figures(period=PERIOD, granularity="week", target=T))
    assert weeks[date(2026, 3, 30)].refunds == 1
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    (row,) = insights.period_figures(period=march, granularity="month", target=T)
    assert (row.boosts_sold, row.refunds) == (1, 0)


# --- Work queues ---------------------------------------------------------------------------------

AUG = datetime(2026, 8, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def national_day():
    """Refunds due Sep 30, Oct 9 and Oct 10, 2026, around National Day (Oct 1–7 off).

    Expired on Sep 20, 22 and 23: the 7th business day after (Mid-Autumn Sep 25 off, Sunday Sep 20
    worked, Saturday Oct 10 worked) is Sep 30, Oct 9 and Oct 10.
    """
    due = {}
    for day, expected in (
        (20, date(2026, 9, 30)),
        (22, date(2026, 10, 9)),
        (23, date(2026, 10, 10)),
    ):
        boost = factories.boost(now=AUG.replace(day=day))
        s = settlement_services.expire(boost=boost, now=boost.valid_until)
        assert (s.due_date, s.due_date_provisional, s.status) == (expected, False, "scheduled")
        due[expected] = s
    return due


def queues(today: date) -> dict[str, insights.WorkQueue]:
    return {q.key: q for q in insights.work_queues(today=today)}


def counts(today: date) -> tuple[int, int]:
    q = queues(today)
    return q["overdue"].count, q["due_soon"].count


def test_due_exactly_two_business_days_ahead_is_due_soon(national_day):
    assert insights.queue_dates(date(2026, 9, 28)).due_soon_until == date(2026, 9, 30)
    assert counts(date(2026, 9, 28)) == (0, 1)  # Sep 30 is exactly two business days ahead
    assert counts(date(2026, 9, 25)) == (0, 0)  # Fri 25 (Mid-Autumn): Mon 28, Tue 29 only


def test_due_soon_reaches_across_the_holiday(national_day):
    # From Sep 30, two business days ahead are Oct 8 and Oct 9: Oct 10 (worked Saturday) is not.
    assert insights.queue_dates(date(2026, 9, 30)).due_soon_until == date(2026, 10, 9)
    assert counts(date(2026, 9, 30)) == (0, 2)  # due today (Sep 30) and Oct 9


def test_overdue_by_one_day_inside_the_holiday(national_day):
    assert counts(date(2026, 10, 1)) == (1, 1)  # Sep 30 overdue; Oct 9 due soon
    settlement_services.hold(
        settlement=national_day[date(2026, 9, 30)],
        actor=UserFactory(),
        reason="checking",
        now=datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI),
    )
    q = queues(date(2026, 10, 1))
    assert (q["overdue"].count, q["held"].count) == (1, 1)  # held still counts as overdue
    assert counts(date(2026, 10, 8)) == (1, 2)  # Oct 8: Oct 9 and Oct 10 due soon


def test_paid_settlements_leave_the_queues(national_day):
    settlement_services.pay_settlement(
        settlement=national_day[date(2026, 9, 30)],
        now=datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI),
    )
    assert counts(date(2026, 10, 1)) == (0, 1)


def test_queue_counts_for_awaiting_views_and_provisional_due_dates():
    stuck = factories.publish(factories.boost(), at=T0 + timedelta(hours=1))
    settlement_services.close_window(boost=stuck, now=stuck.window_end + timedelta(minutes=1))
    # Expired at the end of December 2026: its due date lies in 2027, which no calendar knows yet.
    late = factories.boost(now=datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    s = settlement_services.expire(boost=late, now=late.valid_until)
    assert s.due_date_provisional
    q = queues(date(2026, 12, 31))
    assert (q["awaiting_views"].count, q["provisional"].count) == (1, 1)
    assert q["awaiting_views"].urgent
    assert q["awaiting_views"].url == "/admin/orders/boost/?status__exact=awaiting_views"
    assert q["provisional"].url == ("/admin/settlements/settlement/?due_date_provisional__exact=1")


def test_queue_links_filter_the_admin_lists_to_the_same_rows(admin_client, national_day):
    today = date(2026, 10, 1)
    q = queues(today)
    assert q["overdue"].url == (
        "/admin/settlements/settlement/?due_date__lt=2026-10-01&status__in=scheduled,held"
    )
    assert q["due_soon"].url == (
        "/admin/settlements/settlement/?due_date__gte=2026-10-01&due_date__lte=2026-10-09"
        "&status__in=scheduled,held"
    )
    for queue in q.values():
        response = admin_client.get(queue.url)
        assert response.status_code == 200, queue.url
        assert response.context["cl"].result_count == queue.count, queue.key


def test_refused_publish_events_of_the_last_week_are_a_queue(admin_client):
    from orders import models as order_models

    if not hasattr(order_models, "PublishRejection"):
        assert "publish_rejections" not in queues(date(2026, 3, 10))
        return
    line = factories.boost().line
    for received in (datetime(2026, 3, 3, 23, 59), datetime(2026, 3, 4, 0, 0)):
        order_models.PublishRejection.objects.create(
            line=line,
            video_id="late",
            published_at=T0,
            reason="too late",
            received_at=received.replace(tzinfo=SHANGHAI),
        )
    queue = queues(date(2026, 3, 10))["publish_rejections"]
    assert (queue.count, queue.urgent) == (1, True)  # Mar 4 … Mar 10: seven days
    assert (
        queue.url
        == "/admin/orders/publishrejection/?received_at__gte=2026-03-04T00%3A00%3A00%2B08%3A00"
    )
    assert admin_client.get(queue.url).context["cl"].result_count == 1


# --- The page ------------------------------------------------------------------------------------

URL = "/admin/insights/"
QUERY = "?from=2026-03-01&to=2026-04-30&group=week"


def csv_table(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_url_is_mounted_before_the_admin():
    assert reverse("insights:index") == URL
    assert reverse("insights:backtest") == URL + "backtest/"


def test_anonymous_users_are_sent_to_the_admin_login(client):
    for url in (URL, URL + "backtest/", URL + "?format=csv&table=bands"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("who", ["client user", "staff outside the groups"])
def test_client_users_and_other_staff_are_refused(client, who):
    if who == "client user":
        user = ClientMembershipFactory().user
        assert not user.is_staff
    else:
        user = StaffUserFactory(username="support")
    client.force_login(user)
    for url in (URL, URL + "backtest/", URL + QUERY + "&format=csv&table=bands"):
        assert client.get(url).status_code == 403, url


def test_an_inactive_group_member_is_refused():
    user = factories.staff_in("Operations", "gone")
    user.is_active = False
    assert not views.can_see_insights(user)


@pytest.mark.parametrize("group", ["Operations", "Finance"])
def test_operations_and_finance_members_see_the_pages(client, english, frozen_now, group):
    client.force_login(factories.staff_in(group, f"{group.lower()}-member"))
    for url in (URL, URL + "backtest/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'<svg xmlns="http://www.w3.org/2000/svg"' in response.content
        assert b'src="http' not in response.content and b'src="//' not in response.content


def test_superusers_see_the_page(admin_client, frozen_now):
    assert admin_client.get(URL).status_code == 200


def test_the_page_defaults_to_the_last_90_days_by_week(admin_client, frozen_now):
    response = admin_client.get(URL)
    data = response.context["data"]
    assert data.period == Period(date(2025, 12, 11), date(2026, 3, 10))
    assert data.granularity == "week"


def test_the_page_shows_the_hand_computed_figures(admin_client, english, data):
    with time_machine.travel(datetime(2026, 4, 3, 9, 0, tzinfo=SHANGHAI), tick=False):
        response = admin_client.get(URL + QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    tables = response.context["tables"]
    headers = [str(c.label) for c in tables["periods"].headers]
    totals = [cell["text"] for cell in tables["periods"].html_footer()[0]["cells"]]
    low = [cell["text"] for cell in tables["bands"].html_rows()[0]["cells"]]
    # Column by column: the header, the footer's total and the 10–19 % band's row.
    assert list(zip(headers, totals, low, strict=True)) == [
        ("Week (from Monday)", "Total", "10–19 %"),
        ("Boosts sold", "8", "5"),
        ("Fees collected", "¥14,260.00", "¥4,500.00"),
        ("Windows settled", "7", "4"),
        ("Success rate", "28.57 %", "25.00 %"),
        ("Avg. shortfall (E−A)/E", "33.00 %", "26.67 %"),
        ("Fees of settled windows", "¥13,360.00", "¥3,600.00"),
        ("Compensation", "¥7,700.00", "¥2,150.00"),
        ("Realized loss ratio (T = 30.00 %)", "57.63 %", "59.72 %"),
        ("Refunds", "¥1,000.00", "¥1,000.00"),
        ("Cap bound", "3", "2"),
        ("Saved by the cap", "¥11,975.00", "¥5,550.00"),
        ("Paid out", "¥7,450.00", "¥3,150.00"),
    ]
    for text in ("¥14,260.00", "57.63 %", "59.72 %", "Realized loss ratio (T = 30.00 %)"):
        assert text in page, text
    cards = {card.key: card for card in response.context["cards"]}
    assert cards["loss_ratio"].value == "57.63 %" and cards["loss_ratio"].flagged
    assert cards["cap"].value == "3 of 5"
    assert "saved ¥11,975.00" in cards["cap"].detail
    # The 20–29 % band is flagged red; the 30–39 % band is not.
    band_rows = tables["bands"].html_rows()
    assert [row["flagged"] for row in band_rows] == [True, True, False, True]
    assert "India" in page and "¥4,300.00" in page
    # b4's ¥1,250.00 is scheduled, due Apr 2 (7 business days after Mar 24): overdue on Apr 3.
    queue = {q.key: q.count for q in response.context["queues"]}
    assert queue["overdue"] == 1 and queue["due_soon"] == 0
    assert 'href="/admin/settlements/settlement/?due_date__lt=2026-04-03&amp;status__in=' in page


def test_bands_csv_has_the_hand_computed_figures(admin_client, english, frozen_now, data):
    response = admin_client.get(URL + QUERY + "&format=csv&table=bands")
    assert response.status_code == 200
    assert "insights-bands-2026-03-01-2026-04-30.csv" in response["Content-Disposition"]
    rows = {row["Premium ratio"]: row for row in csv_table(response)}
    low = rows["10–19 %"]
    assert (low["Boosts sold"], low["Fees collected"], low["Windows settled"]) == (
        "5",
        "4500.00",
        "4",
    )
    assert (low["Fees of settled windows"], low["Compensation"], low["Realized loss ratio"]) == (
        "3600.00",
        "2150.00",
        "0.5972",
    )
    assert (low["Target T"], low["Above T"], low["Saved by the cap"]) == ("0.30", "true", "5550.00")
    assert rows["30–39 %"]["Above T"] == "false"
    assert rows["30–39 %"]["Success rate"] == "1.0000"
    total = rows["Total"]
    assert (total["Compensation"], total["Paid out"], total["Refunds"]) == (
        "7700.00",
        "7450.00",
        "1000.00",
    )


def test_monthly_periods_csv(admin_client, english, frozen_now, data):
    response = admin_client.get(
        URL + "?from=2026-03-01&to=2026-04-30&group=month&format=csv&table=periods"
    )
    rows = csv_table(response)
    assert [row["Month"] for row in rows] == ["2026-03", "2026-04", "Total"]
    march, april, total = rows
    assert (march["Compensation"], march["Realized loss ratio"], march["Compensation paid"]) == (
        "7700.00",
        "0.5763",
        "2150.00",
    )
    assert (april["Refunds"], april["Refunds paid"], april["Realized loss ratio"]) == (
        "1000.00",
        "1000.00",
        "",
    )
    assert total["Avg. shortfall (E−A)/E"] == "0.3300"


def test_every_table_downloads_as_csv(admin_client, english, frozen_now, data):
    for table in ("periods", "bands", "influencers", "queues"):
        response = admin_client.get(URL + QUERY + f"&format=csv&table={table}")
        assert response.status_code == 200, table
        assert csv_table(response), table
    assert admin_client.get(URL + QUERY + "&format=csv&table=nope").status_code == 400
    assert (
        admin_client.get(URL + "?from=2026-05-01&to=2026-04-01&format=csv&table=bands").status_code
        == 400
    )


def test_a_name_that_looks_like_a_formula_stays_text_in_csv():
    assert tables.format_csv_value("=HYPERLINK(1)", tables.TEXT) == "'=HYPERLINK(1)"
    assert tables.format_csv_value("达人", tables.TEXT) == "达人"
    assert tables.format_csv_value(D("-5.00"), tables.MONEY) == "-5.00"


def test_an_inverted_period_is_an_error_not_a_crash(admin_client, english, frozen_now):
    response = admin_client.get(URL + "?from=2026-05-01&to=2026-04-01")
    assert response.status_code == 200
    assert response.context["data"] is None
    assert "The period must start on or before its end." in response.content.decode()
    assert response.context["queues"]  # the work queues do not depend on the period


# --- Constant number of queries ------------------------------------------------------------------


def many_settlements(n: int) -> None:
    """``n`` settlements of every kind and status, over ``n`` influencers in one order."""
    people = [factories.influencer(now=T0) for _ in range(n)]
    placed = factories.order(factories.client(now=T0), people, now=T0)
    boosts = list(Boost.objects.filter(line__order=placed).order_by("pk"))
    published = boosts[: n - n // 5]
    for boost in published:
        factories.publish(boost, at=T0 + timedelta(hours=1))
    observed = WINDOW_END - timedelta(hours=1)
    record_views(
        items=[
            SnapshotIn(f"v_{b.pk}", observed, 15_000 + 2_500 * (i % 5))
            for i, b in enumerate(published)
        ],
        now=observed,
    )
    settlement_services.close_windows_batch(now=WINDOW_END + timedelta(minutes=1))
    settlement_services.expire_batch(now=T0 + timedelta(days=40))
    due = Settlement.objects.filter(status="scheduled").order_by("pk")
    for s in due[: n // 3]:
        settlement_services.pay_settlement(
            settlement=s, now=datetime(2026, 4, 25, 10, 0, tzinfo=SHANGHAI)
        )


def page_queries(client) -> int:
    with time_machine.travel(datetime(2026, 4, 30, 9, 0, tzinfo=SHANGHAI), tick=False):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL + QUERY)
    assert response.status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_5_and_50_settlements(client):
    client.force_login(factories.staff_in("Finance", "finance-queries"))
    many_settlements(5)
    assert Settlement.objects.count() == 5
    with_5 = page_queries(client)
    many_settlements(45)
    assert Settlement.objects.count() == 50
    assert len(insights.influencer_figures(period=PERIOD, target=T)) == 10
    assert page_queries(client) == with_5
