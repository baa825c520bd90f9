"""Shortfall causes and recoveries (DESIGN §5): compensation by cause, cases, repeat creators."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from kernel.money import to_fen

from ...models import RecoveryCase, Settlement
from ..periods import Period
from .aggregates import COMPENSATION

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


def _tally(
    rows: QuerySet[Any], field: str, choices: list[tuple[str, Any]]
) -> list[tuple[str, str, int, Decimal]]:
    """Per choice of ``field``, in the choices' order and zero when none: the value, its label,
    how many rows and their Σ amount in fen (1 query)."""
    found = {
        row[field]: (row["rows"], row["total"])
        for row in rows.values(field).order_by().annotate(rows=Count("pk"), total=Sum("amount"))
    }
    tallies = []
    for value, label in choices:
        count, total = found.get(value, (0, None))
        tallies.append((value, str(label), count, to_fen(total or Decimal(0))))
    return tallies


def compensation_by_cause(*, period: Period) -> list[CauseRow]:
    """Compensation of the windows settled in the period, by cause, every cause listed (1 query)."""
    compensations = Settlement.objects.filter(COMPENSATION, period.contains("computed_at"))
    return [CauseRow(*tally) for tally in _tally(compensations, "cause", Settlement.Cause.choices)]


def recoveries_by_status(*, period: Period) -> list[RecoveryRow]:
    """Recovery cases opened in the period: outstanding (open), recovered, waived (1 query)."""
    opened = RecoveryCase.objects.filter(period.contains("opened_at"))
    return [RecoveryRow(*tally) for tally in _tally(opened, "status", RecoveryCase.Status.choices)]


def repeat_creators(*, period: Period, limit: int = 20) -> list[RepeatCreator]:
    """Influencers with two or more creator-caused shortfalls settled in the period, most first
    (1 query)."""
    rows = (
        Settlement.objects.filter(
            COMPENSATION,
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
