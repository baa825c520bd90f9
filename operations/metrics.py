"""Prometheus exposition: django-prometheus's request and database metrics plus business gauges.

The business gauges are read from the database at scrape time by ``BusinessCollector`` (a handful
of aggregate queries), so they are never stale and no process has to keep them up to date. With
``PROMETHEUS_MULTIPROC_DIR`` set (``bin/serve`` sets it), the process metrics are the sum over
every gunicorn worker, not those of whichever worker answered the scrape.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from orders.models import ApiRequestLog, Boost
from settlements.models import QuarantinedRow, Settlement

from .selectors import sweep_health

CONTENT_TYPE = CONTENT_TYPE_LATEST
INGESTION_WINDOW = timedelta(minutes=1)
OPEN = (Settlement.Status.SCHEDULED, Settlement.Status.HELD)


def _boosts() -> Metric:
    family = GaugeMetricFamily("starboost_boosts", "Boosts by status.", labels=["status"])
    counts = dict(Boost.objects.order_by().values_list("status").annotate(n=Count("pk")))
    for status in Boost.Status.values:
        family.add_metric([status], counts.get(status, 0))
    return family


def _settlements(today: date) -> Iterator[Metric]:
    figures = Settlement.objects.aggregate(
        scheduled=Count("pk", filter=Q(status=Settlement.Status.SCHEDULED)),
        held=Count("pk", filter=Q(status=Settlement.Status.HELD)),
        overdue=Count("pk", filter=Q(status__in=OPEN, due_date__lt=today)),
        oldest_due=Min("due_date", filter=Q(status__in=OPEN)),
    )
    family = GaugeMetricFamily(
        "starboost_settlements_open",
        "Settlements still to pay: scheduled, held, and overdue (due before today, either).",
        labels=["state"],
    )
    for state in ("scheduled", "held", "overdue"):
        family.add_metric([state], figures[state])
    yield family
    oldest = GaugeMetricFamily(
        "starboost_oldest_unpaid_due_days",
        "Days from the oldest unpaid due date to today (Asia/Shanghai); positive when overdue. "
        "No sample when nothing is unpaid.",
    )
    if figures["oldest_due"] is not None:
        oldest.add_metric([], (today - figures["oldest_due"]).days)
    yield oldest


def _sweeps(now: datetime) -> Iterator[Metric]:
    since = GaugeMetricFamily(
        "starboost_sweep_seconds_since_success",
        "Seconds since the sweep last succeeded (+Inf when it never did).",
        labels=["task"],
    )
    period = GaugeMetricFamily(
        "starboost_sweep_period_seconds",
        "The sweep's period in the beat schedule (no sample when it is not scheduled).",
        labels=["task"],
    )
    stale = GaugeMetricFamily(
        "starboost_sweep_stale", "1 when it has not succeeded for 3 periods.", labels=["task"]
    )
    for sweep in sweep_health(now):
        seconds = sweep.seconds_since_success
        since.add_metric([sweep.task_name], float("inf") if seconds is None else seconds)
        if sweep.period is not None:
            period.add_metric([sweep.task_name], sweep.period.total_seconds())
        stale.add_metric([sweep.task_name], int(sweep.stale))
    yield from (since, period, stale)


def _quarantined() -> Metric:
    family = GaugeMetricFamily(
        "starboost_quarantined_rows",
        "Rows a sweep keeps out of its batches until they go through alone, by sweep.",
        labels=["sweep"],
    )
    open_rows = dict(
        QuarantinedRow.objects.filter(resolved_at__isnull=True)
        .order_by()
        .values_list("sweep")
        .annotate(n=Count("pk"))
    )
    for sweep in QuarantinedRow.Sweep.values:
        family.add_metric([sweep], open_rows.get(sweep, 0))
    return family


def _ingestion(now: datetime) -> Metric:
    family = GaugeMetricFamily(
        "starboost_ingested_items_last_minute",
        "Items (publish events, view snapshots) sent to the API in the last minute, by path and "
        "status code.",
        labels=["path", "status_code"],
    )
    rows = (
        ApiRequestLog.objects.filter(received_at__gt=now - INGESTION_WINDOW)
        .order_by()
        .values_list("path", "status_code")
        .annotate(items=Sum("item_count"))
    )
    for path, status_code, items in rows:
        family.add_metric([path, str(status_code)], items or 0)
    return family


class BusinessCollector(Collector):
    """The product's gauges as of ``now``, read when Prometheus scrapes."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        yield _boosts()
        yield from _settlements(timezone.localdate(self.now))
        yield from _sweeps(self.now)
        yield _ingestion(self.now)
        yield _quarantined()


def _process_registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def exposition(*, now: datetime) -> bytes:
    """The text a scrape receives: process metrics, then the business gauges."""
    business = CollectorRegistry(auto_describe=False)
    business.register(BusinessCollector(now))
    return generate_latest(_process_registry()) + generate_latest(business)
