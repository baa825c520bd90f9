"""Read queries for settlements, their adjustments and the official calendar; no writes here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from kernel.money import to_fen
from orders import selectors as order_selectors
from orders.models import ZERO, Boost, Client, LedgerEntry, LedgerKind

from .calculations import compensation
from .corrections import NetChange, band_refusal, net_change
from .models import Adjustment, CalendarDay, CalendarYear, RecoveryCase, Settlement


def calendar_overrides(years: Iterable[int] | None = None) -> dict[date, bool]:
    """Operator-entered official days (True = working day), optionally for some years only."""
    days = CalendarDay.objects.all()
    if years is not None:
        days = days.filter(date__year__in=list(years))
    return dict(days.values_list("date", "is_working_day"))


def completed_calendar_years() -> frozenset[int]:
    """The years an operator marked complete: their due dates are final (DESIGN §7)."""
    return frozenset(
        CalendarYear.objects.filter(completed_at__isnull=False).values_list("year", flat=True)
    )


def calendar_entries(days: Iterable[date]) -> dict[date, CalendarDay]:
    """The entered official days among ``days``, by date (to compare a paste with them)."""
    return {d.date: d for d in CalendarDay.objects.filter(date__in=list(days)).order_by()}


class DayCounts(NamedTuple):
    holidays: int
    working_days: int


def calendar_day_counts(year: int) -> DayCounts:
    """How many holidays and make-up working days are entered for ``year``, in one query."""
    counts = CalendarDay.objects.filter(date__year=year).aggregate(
        holidays=Count("pk", filter=Q(is_working_day=False)),
        working_days=Count("pk", filter=Q(is_working_day=True)),
    )
    return DayCounts(counts["holidays"], counts["working_days"])


def calendar_years_with_counts() -> QuerySet[CalendarYear]:
    """Calendar years annotated with ``holidays`` and ``working_days`` entered, in one query."""

    def entered(working: bool) -> Coalesce:
        days = (
            CalendarDay.objects.filter(date__year=OuterRef("year"), is_working_day=working)
            .order_by()
            .values("date__year")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(days, output_field=IntegerField()), 0)

    return CalendarYear.objects.select_related("completed_by").annotate(
        holidays=entered(False), working_days=entered(True)
    )


def settlements_for_boosts(boost_ids: Iterable[int]) -> dict[int, Settlement]:
    """The settlement of each of these boosts that has one, by boost id, in one query.

    This is how a page above both apps (the client portal) shows a boost's outcome: ``orders``
    itself never reads settlements. A boost not settled yet is simply absent.
    """
    ids = list(boost_ids)
    if not ids:
        return {}
    return {s.boost_id: s for s in Settlement.objects.filter(boost_id__in=ids).order_by()}


def windows_settled(since: datetime, until: datetime) -> QuerySet[Settlement]:
    """The settlements of the 14-day windows (succeeded or compensated) computed in
    [``since``, ``until``)."""
    return Settlement.objects.filter(
        kind__in=Settlement.WINDOW_KINDS, computed_at__gte=since, computed_at__lt=until
    )


def approved_totals(settlement_ids: Iterable[int]) -> dict[int, Decimal]:
    """The sum of each settlement's approved adjustments, by settlement id (absent: none)."""
    rows = (
        Adjustment.objects.filter(
            settlement_id__in=list(settlement_ids), status=Adjustment.Status.APPROVED
        )
        .values("settlement_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    # SQLite hands a sum back unscaled; money is always in fen.
    return {row["settlement_id"]: to_fen(row["total"]) for row in rows}


def approved_adjustments(settlement_ids: Iterable[int]) -> dict[int, list[Adjustment]]:
    """Each settlement's approved adjustments, oldest first, by settlement id, in one query.

    What the client sees of a correction: its amount, when it was approved and its client note.
    """
    ids = list(settlement_ids)
    found: dict[int, list[Adjustment]] = defaultdict(list)
    if not ids:
        return found
    approved = Adjustment.objects.filter(
        settlement_id__in=ids, status=Adjustment.Status.APPROVED
    ).order_by("decided_at", "pk")
    for adjustment in approved:
        found[adjustment.settlement_id].append(adjustment)
    return found


def adjustment_client_notes(client: Client) -> dict[int, str]:
    """The client note of each approved adjustment posted to ``client``, by ledger entry id.

    The statement shows these, never finance's internal reason the ledger entry carries.
    """
    return dict(
        Adjustment.objects.filter(
            status=Adjustment.Status.APPROVED, ledger_entry__client=client
        ).values_list("ledger_entry_id", "client_note")
    )


@dataclass(frozen=True)
class ApprovalPreview:
    """What approving one adjustment would do: the settlement's net and the client's balance.

    ``refusal`` says why it would be refused ("" when it can be approved).
    """

    net: NetChange
    balance_before: Decimal
    balance_after: Decimal
    refusal: str


def approval_previews(adjustments: Sequence[Adjustment], actor: Any) -> dict[int, ApprovalPreview]:
    """Before and after for each adjustment, as approving them in id order would leave things.

    Each one that can be approved moves its settlement's net and its client's balance for the
    ones after it, like the approval itself. Three queries whatever the number of adjustments.
    """
    ordered = sorted(adjustments, key=lambda adjustment: adjustment.pk)
    settlements = Settlement.objects.select_related("boost__line__order").in_bulk(
        {a.settlement_id for a in ordered}
    )
    nets = approved_totals(settlements)
    balances = order_selectors.client_balances(
        {s.boost.line.order.client_id for s in settlements.values()}
    )
    previews = {}
    for adjustment in ordered:
        settlement = settlements[adjustment.settlement_id]
        client_id = settlement.boost.line.order.client_id
        change = net_change(
            amount=settlement.amount,
            fee=settlement.boost_fee,
            approved=[nets.get(settlement.pk, ZERO)],
            adjustment=adjustment.amount,
        )
        balance = balances[client_id]
        refusal = _approval_refusal(adjustment, actor, change, balance)
        previews[adjustment.pk] = ApprovalPreview(
            net=change,
            balance_before=balance,
            balance_after=balance + adjustment.amount,
            refusal=refusal,
        )
        if not refusal:
            nets[settlement.pk] = nets.get(settlement.pk, ZERO) + adjustment.amount
            balances[client_id] = balance + adjustment.amount
    return previews


def _approval_refusal(
    adjustment: Adjustment, actor: Any, change: NetChange, balance: Decimal
) -> str:
    """The first reason the approval service would give for refusing, or ""."""
    if adjustment.status != Adjustment.Status.REQUESTED:
        return gettext("This adjustment was already decided.")
    if adjustment.requested_by_id == actor.pk:
        return gettext("The user who requested an adjustment cannot decide it.")
    if not change.within_band:
        return band_refusal(change)
    if balance + adjustment.amount < 0:
        return gettext("Insufficient balance: %(needed)s needed, %(available)s available.") % {
            "needed": -adjustment.amount,
            "available": balance,
        }
    return ""


def reconciliation_differences() -> Iterator[str]:
    """Every way the ledger, the settlements and the boosts disagree, to the fen (DESIGN §8).

    Checks: each client's entries chain into its running balance; each paid settlement has its one
    matching credit and each compensation or refund credit its paid settlement; each approved
    adjustment its entry; each adjusted settlement's net within [0, boost fee]; each terminal
    boost exactly one settlement, whose amount its stored inputs reproduce; each boost's fee was
    debited once.
    """
    balance, previous_client = ZERO, None
    for entry in LedgerEntry.objects.order_by("client_id", "pk").iterator(chunk_size=5000):
        if entry.client_id != previous_client:
            balance, previous_client = ZERO, entry.client_id
        balance += entry.amount
        if entry.balance_after != balance:
            yield (
                f"ledger entry {entry.pk} (client {entry.client_id}): balance_after "
                f"{entry.balance_after} but the entries sum to {balance}"
            )
            balance = entry.balance_after

    credits = {
        e.pk: e
        for e in LedgerEntry.objects.filter(kind__in=[LedgerKind.COMPENSATION, LedgerKind.REFUND])
    }
    settlements = Settlement.objects.select_related("boost__line__order").order_by("pk")
    for s in settlements.iterator(chunk_size=5000):
        yield from _settlement_differences(s, credits)
    for entry in credits.values():
        yield f"ledger entry {entry.pk}: {entry.kind} {entry.amount} pays no settlement"

    adjustments = dict(
        Adjustment.objects.filter(status=Adjustment.Status.APPROVED).values_list(
            "ledger_entry_id", "amount"
        )
    )
    for entry in LedgerEntry.objects.filter(kind=LedgerKind.ADJUSTMENT):
        if adjustments.pop(entry.pk, None) != entry.amount:
            yield f"ledger entry {entry.pk}: adjustment {entry.amount} has no approved adjustment"
    for entry_id in adjustments:
        yield f"approved adjustment with ledger entry {entry_id} has no such adjustment entry"
    yield from _band_differences()

    terminal = Boost.objects.filter(status__in=Boost.TERMINAL)
    for boost_id, status in terminal.filter(settlement=None).values_list("pk", "status"):
        yield f"boost {boost_id} is {status} but has no settlement"
    for boost_id, status in (
        Boost.objects.exclude(status__in=Boost.TERMINAL)
        .exclude(settlement=None)
        .values_list("pk", "status")
    ):
        yield f"boost {boost_id} is {status} but already has a settlement"

    fees = Boost.objects.annotate(
        debited=Sum("ledger_entries__amount", filter=Q(ledger_entries__kind=LedgerKind.BOOST_FEE))
    )
    for boost_id, fee, debited in fees.values_list("pk", "boost_fee", "debited"):
        if debited != -fee:
            yield f"boost {boost_id}: fee {fee} but {-(debited or ZERO)} was debited"


def _band_differences() -> Iterator[str]:
    """Each adjusted settlement whose net left [0, boost fee] (``settlements.corrections``)."""
    approved = Q(adjustments__status=Adjustment.Status.APPROVED)
    adjusted = (
        Settlement.objects.filter(approved)
        .annotate(adjusted=Sum("adjustments__amount", filter=approved))
        .values_list("pk", "amount", "boost_fee", "adjusted")
        .order_by("pk")
    )
    for pk, amount, fee, total in adjusted.iterator(chunk_size=5000):
        change = net_change(amount=amount, fee=fee, approved=[], adjustment=to_fen(total))
        if not change.within_band:
            yield f"settlement {pk}: net {change.after} of its adjustments is outside [0, {fee}]"


def _settlement_differences(s: Settlement, credits: dict[int, LedgerEntry]) -> Iterator[str]:
    if s.kind == Settlement.Kind.REFUND:
        expected = s.boost_fee
    elif s.actual_views is None:
        yield f"settlement {s.pk}: a window settlement without its actual views"
        return
    else:
        expected = compensation(s.expected_views, s.actual_views, s.fixed_price, s.boost_fee)
    if s.amount != expected:
        yield f"settlement {s.pk}: amount {s.amount} but its inputs give {expected}"
    if (s.fixed_price, s.boost_fee) != (s.boost.line.fixed_price, s.boost.boost_fee):
        yield f"settlement {s.pk}: price or fee differs from its boost"
    if s.status != Settlement.Status.PAID:
        return
    entry = credits.pop(s.ledger_entry_id, None) if s.ledger_entry_id is not None else None
    if entry is None:
        yield f"settlement {s.pk} is paid but its ledger credit {s.ledger_entry_id} is missing"
    elif (entry.amount, entry.client_id, entry.boost_id) != (
        s.amount,
        s.boost.line.order.client_id,
        s.boost_id,
    ):
        yield (
            f"settlement {s.pk}: paid {s.amount} to client {s.boost.line.order.client_id}, "
            f"but ledger entry {entry.pk} credits {entry.amount} to client {entry.client_id}"
        )


# --- Shortfall causes and recoveries (DESIGN §5) ---


def influencer_shortfalls(influencer_id: int) -> QuerySet[Settlement]:
    """An influencer's compensations, newest first, with their cause and any recovery case."""
    return (
        Settlement.objects.filter(
            boost__line__influencer_id=influencer_id, kind=Settlement.Kind.COMPENSATION
        )
        .select_related("boost__line__order", "recovery")
        .order_by("-computed_at", "-pk")
    )


def recovery_cases_awaiting_decision() -> QuerySet[RecoveryCase]:
    """Open cases with a proposal a second finance user has to decide."""
    return RecoveryCase.objects.filter(status=RecoveryCase.Status.OPEN).exclude(proposed_status="")
