"""Aggregate read queries behind the operator insights page and its work queues; no writes here.

Every figure is a count or a sum computed by the database, grouped by period, premium-ratio band or
influencer, so a page costs the same few queries whatever the data size. Python only merges the
groups into ``Figures``, which derive the ratios exactly.

Each figure has one date basis, named on the page:

* **sold** — boosts by order time (``Order.placed_at``): boosts sold, fees collected;
* **settled** — settlements by ``computed_at``: window outcomes (succeeded or compensated), their
  fees and compensation, hence the realized loss ratio; refunds; the cap (DESIGN §6);
* **paid out** — compensation and refund credits by ``paid_at``, the cash that left.

Adjustments are corrections outside the formula and are not included in any figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Expression,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Trunc
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kernel.money import to_fen
from orders.models import Boost, PublishRejection, SnapshotFlag
from orders.pricing import PricingRules

from .. import calendar
from ..models import QuarantinedRow, RecoveryCase, Settlement, overdue_q
from ..selectors import calendar_overrides
from .figures import Figures, total
from .periods import (
    BANDS,
    GRANULARITIES,
    OUTSIDE_BANDS,
    Period,
    bucket_label,
    buckets,
    local_zone,
)

DUE_SOON_BUSINESS_DAYS = 2
REJECTIONS_DAYS = 7


def band_case(field_name: str) -> Case:
    """SQL for ``periods.band_for`` on a premium-ratio column."""
    return Case(
        *[
            When(**{f"{field_name}__gte": b.low, f"{field_name}__lte": b.high}, then=Value(b.key))
            for b in BANDS
        ],
        default=Value(OUTSIDE_BANDS),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class _Source:
    """Where a date basis lives: the queryset, its date column and its path to the boost."""

    queryset: Callable[[], QuerySet]
    date_field: str
    boost: str  # path prefix from the queryset's model to Boost ("" for Boost itself)


_SOLD = _Source(lambda: Boost.objects.all(), "line__order__placed_at", "")
_SETTLED = _Source(lambda: Settlement.objects.all(), "computed_at", "boost__")
_PAID = _Source(
    lambda: Settlement.objects.filter(status=Settlement.Status.PAID), "paid_at", "boost__"
)

Dimension = Callable[[_Source], Expression]


def by_bucket(granularity: str) -> Dimension:
    """Group by the week (from Monday) or month of each row's date, in Asia/Shanghai."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}")
    return lambda source: Trunc(
        source.date_field, granularity, output_field=DateField(), tzinfo=local_zone()
    )


def by_band(source: _Source) -> Expression:
    """Group by the premium-ratio band frozen on each boost."""
    return band_case(f"{source.boost}premium_ratio")


def by_influencer(source: _Source) -> Expression:
    """Group by each boost's influencer."""
    return F(f"{source.boost}line__influencer_id")


_COMPENSATION = Q(kind=Settlement.Kind.COMPENSATION)
_WINDOW = Q(kind__in=Settlement.WINDOW_KINDS)
_REFUND = Q(kind=Settlement.Kind.REFUND)
_CAPPED = Q(cap_applied=True)
_SHORTFALL_SHARE = Cast(F("expected_views") - F("actual_views"), FloatField()) / Cast(
    F("expected_views"), FloatField()
)
_RAW = DecimalField(max_digits=22, decimal_places=6)


def _grouped(
    source: _Source, dimension: Dimension, period: Period, keys=None, **labels: Expression
) -> QuerySet:
    rows = source.queryset().filter(period.contains(source.date_field))
    rows = rows.annotate(group=dimension(source))
    if keys is not None:
        rows = rows.filter(group__in=keys)
    # order_by() drops the models' default ordering, which would otherwise split the groups.
    return rows.values("group", **labels).order_by()


def _sold(dimension: Dimension, period: Period, keys=None) -> QuerySet:
    return _grouped(_SOLD, dimension, period, keys).annotate(
        boosts_sold=Count("pk"), fees_collected=Sum("boost_fee")
    )


def _settled(dimension: Dimension, period: Period, keys=None, **labels: Expression) -> QuerySet:
    return _grouped(_SETTLED, dimension, period, keys, **labels).annotate(
        settled=Count("pk", filter=_WINDOW),
        succeeded=Count("pk", filter=Q(kind=Settlement.Kind.NONE)),
        compensated=Count("pk", filter=_COMPENSATION),
        settled_fees=Sum("boost_fee", filter=_WINDOW),
        compensation=Sum("amount", filter=_COMPENSATION),
        shortfall_share_sum=Sum(_SHORTFALL_SHARE, filter=_COMPENSATION),
        refunds=Count("pk", filter=_REFUND),
        refunded=Sum("amount", filter=_REFUND),
        capped=Count("pk", filter=_CAPPED),
        capped_raw=Sum("raw_amount", filter=_CAPPED, output_field=_RAW),
        capped_amount=Sum("amount", filter=_CAPPED),
    )


def _paid(dimension: Dimension, period: Period, keys=None) -> QuerySet:
    return _grouped(_PAID, dimension, period, keys).annotate(
        compensation_paid=Sum("amount", filter=_COMPENSATION),
        refunds_paid=Sum("amount", filter=_REFUND),
    )


def _merge(groups: dict[Any, Figures], *querysets: Iterable[dict]) -> None:
    """Set each aggregate row's figures on its group; a NULL sum (no row matched) stays zero."""
    for queryset in querysets:
        for row in queryset:
            figures = groups.get(row.pop("group"))
            if figures is None:
                continue
            for name, value in row.items():
                if value is not None:
                    setattr(figures, name, value)


def target_loss_ratio() -> Decimal:
    """T of DESIGN §4, from the current settings."""
    return PricingRules.from_settings().target_loss_ratio


def period_figures(*, period: Period, granularity: str, target: Decimal) -> list[Figures]:
    """Figures by week (starting Monday) or month, every bucket of the period listed. 3 queries."""
    dimension = by_bucket(granularity)
    groups = {
        start: Figures(key=start, label=bucket_label(start, granularity), target=target)
        for start in buckets(period, granularity)
    }
    _merge(groups, _sold(dimension, period), _settled(dimension, period), _paid(dimension, period))
    return list(groups.values())


def band_figures(*, period: Period, target: Decimal) -> list[Figures]:
    """Figures by the boosts' frozen premium-ratio band; every band listed. 3 queries."""
    groups = {b.key: Figures(key=b.key, label=b.label, target=target) for b in BANDS}
    _merge(groups, _sold(by_band, period), _settled(by_band, period), _paid(by_band, period))
    return list(groups.values())


def influencer_figures(*, period: Period, target: Decimal, limit: int = 10) -> list[Figures]:
    """The ``limit`` influencers owed the most compensation on windows settled in the period.

    Ranked by compensation, ties by name then id; influencers owed nothing are left out. 3 queries.
    """
    ranked = list(
        _settled(by_influencer, period, name=F("boost__line__influencer__name"))
        .filter(compensation__gt=0)
        .order_by("-compensation", "name", "group")[:limit]
    )
    groups = {
        row["group"]: Figures(key=row["group"], label=row["name"], target=target) for row in ranked
    }
    if not groups:
        return []
    for row in ranked:
        del row["name"]
    keys = list(groups)
    _merge(groups, ranked, _sold(by_influencer, period, keys), _paid(by_influencer, period, keys))
    return list(groups.values())


@dataclass(frozen=True)
class WorkQueue:
    """One thing that needs an operator: how many, and the admin list that shows them."""

    key: str
    label: str
    count: int
    url: str
    help: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class QueueDates:
    today: date
    due_soon_until: date


def queue_dates(today: date) -> QueueDates:
    """Today and the last day of "due soon": two business days ahead (DESIGN §7). 1 query."""
    overrides = calendar_overrides({today.year, today.year + 1})
    until = calendar.add_business_days(today, DUE_SOON_BUSINESS_DAYS, overrides)
    return QueueDates(today=today, due_soon_until=until)


def _changelist(model: str, params: Sequence[tuple[str, str]] = ()) -> str:
    """An admin changelist URL with standard lookups (``status__in`` takes a comma list)."""
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(params, safe=',')}" if params else url


def work_queues(*, today: date) -> list[WorkQueue]:
    """What needs an operator now, each with a link to the matching admin list. 6–7 queries.

    Every count is exactly what its link lists: overdue = ``Settlement.objects.overdue(today)``
    (due before today and still scheduled or held); due soon = due from today through two
    business days ahead.
    """
    dates = queue_dates(today)
    open_ = ",".join(Settlement.OPEN)
    soon = Q(due_date__gte=today, due_date__lte=dates.due_soon_until)
    counts = Settlement.objects.aggregate(
        held=Count("pk", filter=Q(status=Settlement.Status.HELD)),
        overdue=Count("pk", filter=overdue_q(today)),
        due_soon=Count("pk", filter=Q(status__in=Settlement.OPEN) & soon),
        provisional=Count("pk", filter=Q(due_date_provisional=True)),
    )
    awaiting = Boost.objects.filter(status=Boost.Status.AWAITING_VIEWS).count()
    settlements = "settlements_settlement"
    queues = [
        WorkQueue(
            "awaiting_views",
            _("Boosts awaiting views data"),
            awaiting,
            _changelist("orders_boost", [("status__exact", Boost.Status.AWAITING_VIEWS)]),
            _(
                "Window ended without a fresh snapshot: nothing is paid until views arrive or "
                "Finance settles on the data there is."
            ),
            urgent=awaiting > 0,
        ),
        WorkQueue(
            "held",
            _("Held payouts"),
            counts["held"],
            _changelist(settlements, [("status__exact", Settlement.Status.HELD)]),
            _("Stopped by Finance; they are not paid until released."),
        ),
        WorkQueue(
            "overdue",
            _("Overdue payouts"),
            counts["overdue"],
            _changelist(settlements, [("due_date__lt", today.isoformat()), ("status__in", open_)]),
            _("Due before today (Asia/Shanghai) and still scheduled or held."),
            urgent=counts["overdue"] > 0,
        ),
        WorkQueue(
            "due_soon",
            _("Payouts due within two business days"),
            counts["due_soon"],
            _changelist(
                settlements,
                [
                    ("due_date__gte", today.isoformat()),
                    ("due_date__lte", dates.due_soon_until.isoformat()),
                    ("status__in", open_),
                ],
            ),
            _("Due from today through %(until)s, still scheduled or held.")
            % {"until": dates.due_soon_until.isoformat()},
        ),
        WorkQueue(
            "provisional",
            _("Provisional due dates"),
            counts["provisional"],
            _changelist(settlements, [("due_date_provisional__exact", "1")]),
            _("Computed on a Monday–Friday guess: enter the official days of that year."),
        ),
    ]
    queues.append(publish_rejections(today=today))
    queues.append(quarantined_rows())
    queues += shortfall_queues()
    return queues


def shortfall_queues() -> list[WorkQueue]:
    """Suspicious counts on boosts still running, and recovery cases to decide (2 queries).

    A flagged boost's payout is held when its window closes, so it then shows in "Held payouts".
    """
    running = [Boost.Status.ACTIVE, Boost.Status.AWAITING_VIEWS]
    flagged = SnapshotFlag.objects.filter(line__boost__status__in=running).count()
    cases = RecoveryCase.objects.filter(status=RecoveryCase.Status.OPEN).aggregate(
        open=Count("pk"), proposed=Count("pk", filter=~Q(proposed_status=""))
    )
    return [
        WorkQueue(
            "flagged_counts",
            _("Suspicious view counts"),
            flagged,
            _changelist("orders_snapshotflag", [("line__boost__status__in", ",".join(running))]),
            _(
                "Counts lower than an earlier one or jumping implausibly, on running boosts: "
                "their payouts will be held for Finance when the window closes."
            ),
            urgent=flagged > 0,
        ),
        WorkQueue(
            "recoveries",
            _("Open recovery cases"),
            cases["open"],
            _changelist("settlements_recoverycase", [("status__exact", RecoveryCase.Status.OPEN)]),
            _(
                "Compensation a creator-caused shortfall cost, to claim back from the influencer; "
                "%(proposed)s proposal(s) await a second finance user."
            )
            % {"proposed": cases["proposed"]},
            urgent=cases["proposed"] > 0,
        ),
    ]


def quarantined_rows() -> WorkQueue:
    """Due rows a sweep could not process and keeps retrying (1 query); urgent while any is open.

    The link lists the open ones, the same rows as the count.
    """
    count = QuarantinedRow.objects.filter(resolved_at__isnull=True).count()
    return WorkQueue(
        "quarantined",
        _("Rows the sweeps could not process"),
        count,
        _changelist("settlements_quarantinedrow", [("state", "open")]),
        _(
            "A boost or settlement failed on its own in a sweep (the error is kept) and is "
            "retried on every run; the others were processed. Fix its data to let it through."
        ),
        urgent=count > 0,
    )


def publish_rejections(*, today: date) -> WorkQueue:
    """Publish events refused in the last week (1 query).

    ``PublishRejection`` rows are append-only with no "handled" state, so the queue is the
    recent ones: received from six days before ``today`` (00:00 Asia/Shanghai) on.
    """
    since = datetime.combine(
        today - timedelta(days=REJECTIONS_DAYS - 1), time.min, tzinfo=local_zone()
    )
    count = PublishRejection.objects.filter(received_at__gte=since).count()
    return WorkQueue(
        "publish_rejections",
        _("Publish events refused in the last 7 days"),
        count,
        _changelist("orders_publishrejection", [("received_at__gte", since.isoformat())]),
        _(
            "Publish events refused with a reason (after the validity, before the order, another "
            "line's video…): check whether the video was really published."
        ),
        urgent=count > 0,
    )


# --- Shortfall causes and recoveries (DESIGN §5) ---


@dataclass(frozen=True)
class CauseRow:
    """Compensations settled in a period for one cause."""

    cause: str
    label: str
    compensated: int
    compensation: Decimal


@dataclass(frozen=True)
class RecoveryRow:
    """Recovery cases opened in a period in one status: how many and how much."""

    status: str
    label: str
    cases: int
    amount: Decimal


@dataclass(frozen=True)
class RepeatCreator:
    """An influencer with more than one creator-caused shortfall settled in a period."""

    name: str
    shortfalls: int
    compensation: Decimal
    outstanding: Decimal


def compensation_by_cause(*, period: Period) -> list[CauseRow]:
    """Compensation of the windows settled in the period, by cause, every cause listed (1 query)."""
    rows = {
        row["cause"]: row
        for row in Settlement.objects.filter(_COMPENSATION, period.contains("computed_at"))
        .values("cause")
        .order_by()
        .annotate(compensated=Count("pk"), compensation=Sum("amount"))
    }
    return [
        CauseRow(
            cause,
            str(label),
            rows.get(cause, {}).get("compensated", 0),
            to_fen(rows.get(cause, {}).get("compensation") or Decimal(0)),
        )
        for cause, label in Settlement.Cause.choices
    ]


def recoveries_by_status(*, period: Period) -> list[RecoveryRow]:
    """Recovery cases opened in the period: outstanding (open), recovered, waived (1 query)."""
    rows = {
        row["status"]: row
        for row in RecoveryCase.objects.filter(period.contains("opened_at"))
        .values("status")
        .order_by()
        .annotate(cases=Count("pk"), amount=Sum("amount"))
    }
    return [
        RecoveryRow(
            status,
            str(label),
            rows.get(status, {}).get("cases", 0),
            to_fen(rows.get(status, {}).get("amount") or Decimal(0)),
        )
        for status, label in RecoveryCase.Status.choices
    ]


def repeat_creators(*, period: Period, limit: int = 20) -> list[RepeatCreator]:
    """Influencers with two or more creator-caused shortfalls settled in the period, most first
    (1 query)."""
    rows = (
        Settlement.objects.filter(
            _COMPENSATION,
            period.contains("computed_at"),
            cause=Settlement.Cause.CREATOR_CAUSED,
        )
        .values("boost__line__influencer__name")
        .order_by()
        .annotate(
            shortfalls=Count("pk"),
            compensation=Sum("amount"),
            outstanding=Sum(
                "recovery__amount", filter=Q(recovery__status=RecoveryCase.Status.OPEN)
            ),
        )
        .filter(shortfalls__gte=2)
        .order_by("-shortfalls", "-compensation", "boost__line__influencer__name")[:limit]
    )
    return [
        RepeatCreator(
            row["boost__line__influencer__name"],
            row["shortfalls"],
            to_fen(row["compensation"]),
            to_fen(row["outstanding"] or Decimal(0)),
        )
        for row in rows
    ]


@dataclass
class Insights:
    """Everything the insights page shows for one period."""

    period: Period
    granularity: str
    today: date
    target: Decimal
    periods: list[Figures]
    bands: list[Figures]
    influencers: list[Figures]
    totals: Figures
    queues: list[WorkQueue] = field(default_factory=list)
    causes: list[CauseRow] = field(default_factory=list)
    recoveries: list[RecoveryRow] = field(default_factory=list)
    repeat_creators: list[RepeatCreator] = field(default_factory=list)


def insights_page(*, period: Period, granularity: str, today: date) -> Insights:
    """Everything on the insights page in at most 17 queries, whatever the data size.

    (15 when no influencer is owed compensation in the period: their two follow-ups are skipped.)
    """
    target = target_loss_ratio()
    periods = period_figures(period=period, granularity=granularity, target=target)
    return Insights(
        period=period,
        granularity=granularity,
        today=today,
        target=target,
        periods=periods,
        bands=band_figures(period=period, target=target),
        influencers=influencer_figures(period=period, target=target),
        totals=total(periods, label=str(_("Total")), target=target),
        queues=work_queues(today=today),
        causes=compensation_by_cause(period=period),
        recoveries=recoveries_by_status(period=period),
        repeat_creators=repeat_creators(period=period),
    )
