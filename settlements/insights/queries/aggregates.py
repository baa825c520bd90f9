"""The figures by period, premium-ratio band and influencer, summed by the database per basis."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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

from orders.models import Boost
from orders.pricing import PricingRules

from ...models import Settlement
from ..figures import Figures
from ..periods import BANDS, GRANULARITIES, OUTSIDE_BANDS, Period, bucket_label, buckets, local_zone


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


COMPENSATION = Q(kind=Settlement.Kind.COMPENSATION)
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
        compensated=Count("pk", filter=COMPENSATION),
        settled_fees=Sum("boost_fee", filter=_WINDOW),
        compensation=Sum("amount", filter=COMPENSATION),
        shortfall_share_sum=Sum(_SHORTFALL_SHARE, filter=COMPENSATION),
        refunds=Count("pk", filter=_REFUND),
        refunded=Sum("amount", filter=_REFUND),
        capped=Count("pk", filter=_CAPPED),
        capped_raw=Sum("raw_amount", filter=_CAPPED, output_field=_RAW),
        capped_amount=Sum("amount", filter=_CAPPED),
    )


def _paid(dimension: Dimension, period: Period, keys=None) -> QuerySet:
    return _grouped(_PAID, dimension, period, keys).annotate(
        compensation_paid=Sum("amount", filter=COMPENSATION),
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
