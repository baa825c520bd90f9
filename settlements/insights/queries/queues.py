"""The work queues: what operators have to act on today, each with a link to its changelist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orders.models import Boost, PublishRejection, SnapshotFlag

from ... import calendar
from ...models import QuarantinedRow, RecoveryCase, Settlement, overdue_q
from ...selectors import calendar_overrides
from ..periods import local_zone

DUE_SOON_BUSINESS_DAYS = 2
REJECTIONS_DAYS = 7


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
