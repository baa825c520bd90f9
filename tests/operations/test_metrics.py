"""/metrics: token-protected Prometheus text with request, database and business figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from orders.models import ApiRequestLog
from settlements import services as settlement_services
from settlements.models import Settlement
from settlements.services.quarantine import quarantine, resolve
from tests import factories
from tests.factories import T0, StaffUserFactory

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-0123456789"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def get() -> dict[tuple[str, tuple], float]:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return get


def test_metrics_are_a_404_when_no_token_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_refuse_a_missing_or_wrong_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 403


def test_business_gauges_count_boosts_settlements_sweeps_and_ingestion(
    scrape, schedule, ran, client
):
    now = timezone.now()
    factories.boost()
    factories.publish(factories.boost(), at=factories.T0 + timedelta(hours=1))
    ran("settlements.tasks.close_windows", now - timedelta(minutes=2))
    for items, status, age in ((120, 200, 10), (30, 400, 20), (999, 200, 120)):
        ApiRequestLog.objects.create(
            path="/api/views",
            method="POST",
            status_code=status,
            item_count=items,
            received_at=now - timedelta(seconds=age),
            duration_ms=5,
        )
    client.get("/healthz")  # one request for django-prometheus to count

    samples = scrape()

    assert samples[("starboost_boosts", (("status", "awaiting_publish"),))] == 1
    assert samples[("starboost_boosts", (("status", "active"),))] == 1
    assert samples[("starboost_boosts", (("status", "compensated"),))] == 0
    assert samples[("starboost_settlements_open", (("state", "scheduled"),))] == 0
    assert samples[("starboost_settlements_open", (("state", "overdue"),))] == 0
    since = samples[
        ("starboost_sweep_seconds_since_success", (("task", "settlements.tasks.close_windows"),))
    ]
    assert 120 <= since < 180
    pay_due = (("task", "settlements.tasks.pay_due"),)
    assert samples[("starboost_sweep_seconds_since_success", pay_due)] == float("inf")
    assert samples[("starboost_quarantined_rows", (("sweep", "pay_due"),))] == 0
    assert samples[("starboost_sweep_period_seconds", pay_due)] == 900
    assert samples[("starboost_sweep_stale", pay_due)] == 1
    ingested = (("path", "/api/views"), ("status_code", "200"))
    assert samples[("starboost_ingested_items_last_minute", ingested)] == 120
    refused = (("path", "/api/views"), ("status_code", "400"))
    assert samples[("starboost_ingested_items_last_minute", refused)] == 30
    assert any(name.startswith("django_http_requests_total") for name, _ in samples)
    assert any(name.startswith("django_db_execute_total") for name, _ in samples)


def test_settlement_gauges_count_scheduled_held_overdue_and_the_oldest_due_date(scrape):
    published = factories.T0 + timedelta(days=1)
    factories.due_boosts(3, published=published)
    close_windows_batch = settlement_services.close_windows_batch
    settlement_services.sweep(close_windows_batch, now=published + timedelta(days=15))
    held = Settlement.objects.order_by("pk").first()
    settlement_services.hold(
        settlement=held, actor=StaffUserFactory(), reason="checking", now=timezone.now()
    )
    due = held.due_date
    assert due < timezone.localdate()  # T0 is in the past: every one of them is overdue

    samples = scrape()

    open_ = {
        state: samples[("starboost_settlements_open", (("state", state),))]
        for state in ("scheduled", "held", "overdue")
    }
    assert open_ == {"scheduled": 2, "held": 1, "overdue": 3}
    oldest = samples[("starboost_oldest_unpaid_due_days", ())]
    assert oldest == (timezone.localdate() - due).days


def test_nothing_unpaid_leaves_the_oldest_due_date_without_a_sample(scrape):
    assert ("starboost_oldest_unpaid_due_days", ()) not in scrape()


def test_the_quarantined_rows_gauge_counts_open_rows_by_sweep(scrape):
    settlement = factories.compensation()
    for sweep, object_id in (("pay_due", settlement.pk), ("close_windows", settlement.boost_id)):
        quarantine(
            sweep=sweep, model=Settlement, object_id=object_id, error=ValueError("x"), now=T0
        )
    resolve(sweep="close_windows", object_ids=[settlement.boost_id], resolution="retried", now=T0)

    samples = scrape()

    assert samples[("starboost_quarantined_rows", (("sweep", "pay_due"),))] == 1
    assert samples[("starboost_quarantined_rows", (("sweep", "close_windows"),))] == 0
