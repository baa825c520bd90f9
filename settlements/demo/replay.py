"""Replaying a demo plan in time order through the real services, and summing up what it made.

Top-ups, orders, publishes and cancellations happen at their own instants, the platform's view
export is imported daily, and the daily close / expire / payout sweeps run, so ledger, audit and
settlement times read like a real history. Every write goes through the services of ``orders``
and ``settlements``; only rows no service creates (influencers, their history, clients, users)
are inserted directly.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db.models import Count, Sum

from kernel.display import yuan
from kernel.money import ZERO
from orders import services as order_services
from orders.models import (
    Boost,
    Client,
    ClientMembership,
    HistoryVideo,
    Influencer,
    LedgerEntry,
    Order,
    OrderLine,
    VideoStatus,
    ViewSnapshot,
)
from orders.services import LineRequest, SnapshotIn, VideoStatusIn

from .. import services as settlement_services
from ..models import Settlement
from .names import (
    CANCEL_REASON,
    HISTORY_DAYS,
    HOLD_REASON,
    IMPORT_AT,
    PAY_AT,
    REVIEW_AT,
    SWEEP_AT,
    Outcome,
)
from .plan import daily, target_views, view_curve
from .specs import ClientSpec, DemoPlan, LineSpec, OrderSpec

# Same-instant events run in this order: business events, then the view import, then the sweeps.
_EVENT, _IMPORT, _SWEEP, _REVIEW, _PAY = range(5)


class Replay:
    """Replays a ``DemoPlan`` event by event, in time order, through the services."""

    def __init__(self, plan: DemoPlan) -> None:
        self.plan = plan
        self.clients: dict[str, Client] = {}
        self.users: dict[str, AbstractBaseUser] = {}
        self.influencers: dict[str, Influencer] = {}
        self.lines: dict[tuple[str, str], OrderLine] = {}
        self.pending: list[SnapshotIn] = []
        # Sweeps on a day when nothing fell due, and payouts when nothing was scheduled, write
        # nothing; skipping them keeps the replay fast without changing a row.
        self.deadlines: list[datetime] = []
        self.last_sweep: datetime | None = None
        self.unpaid = False
        self.held = False

    def run(self) -> list[str]:
        """Create the data; returns a note for each boost that did not end as planned."""
        self._staff()
        self._influencers()
        order_services.refresh_quotes(now=self.plan.now)
        self._clients()
        for _at, _rank, _n, action in self._timeline():
            action()
        return self._missed()

    # Rows no service creates.

    def _staff(self) -> None:
        """The operator who cancels and the finance user who tops up and holds (no password)."""
        joined = self.plan.now - timedelta(days=HISTORY_DAYS)
        for username, group in (("operator", "Operations"), ("finance", "Finance")):
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"is_staff": True, "date_joined": joined}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(*Group.objects.filter(name=group))
            self.users[username] = user

    def _influencers(self) -> None:
        created_at = self.plan.now - timedelta(days=HISTORY_DAYS + 10)
        people = Influencer.objects.bulk_create(
            Influencer(
                platform_id=spec.platform_id,
                name=spec.name,
                fixed_price=spec.fixed_price,
                boost_enabled=spec.boost_enabled,
            )
            for spec in self.plan.influencers
        )
        # auto_now_add stamps the wall clock; the demo's creators joined before their history.
        Influencer.objects.filter(pk__in=[p.pk for p in people]).update(created_at=created_at)
        self.influencers = {p.platform_id: p for p in people}
        HistoryVideo.objects.bulk_create(
            HistoryVideo(
                influencer=self.influencers[spec.platform_id],
                platform_video_id=video.video_id,
                published_at=video.published_at,
                views=video.views,
            )
            for spec in self.plan.influencers
            for video in spec.history
        )

    def _clients(self) -> None:
        users = get_user_model().objects
        for spec in self.plan.clients:
            joined = spec.top_up_at - timedelta(days=1)
            client = Client.objects.create(
                code=spec.code, name=spec.name, contact_email=spec.contact_email
            )
            Client.objects.filter(pk=client.pk).update(created_at=joined)
            # No password: logins are handed out separately.
            user = users.create_user(
                username=spec.username, email=spec.contact_email, date_joined=joined
            )
            ClientMembership.objects.create(user=user, client=client)
            self.clients[spec.code], self.users[spec.username] = client, user

    # The timeline.

    def _timeline(self) -> list[tuple[datetime, int, int, Callable[[], None]]]:
        """Every event as (instant, rank, sequence, action), in the order they happen."""
        plan, seq = self.plan, itertools.count()
        events: list[tuple[datetime, int, int, Callable[[], None]]] = []

        def add(at: datetime, rank: int, action: Callable[[], None]) -> None:
            events.append((at, rank, next(seq), action))

        for client in plan.clients:
            add(client.top_up_at, _EVENT, lambda c=client: self._top_up(c))
        for order in plan.orders:
            add(order.placed_at, _EVENT, lambda o=order: self._place(o))
            for line in order.lines:
                if line.reported_at is not None:
                    add(line.reported_at, _EVENT, lambda o=order, ln=line: self._publish(o, ln))
                if line.cancel_at is not None:
                    add(line.cancel_at, _EVENT, lambda o=order, ln=line: self._cancel(o, ln))
        if plan.removal is not None:
            add(plan.removal[2], _EVENT, self._remove)
        start = min(client.top_up_at for client in plan.clients)
        for at_time, rank, action in (
            (IMPORT_AT, _IMPORT, self._import),
            (SWEEP_AT, _SWEEP, self._sweep),
            (REVIEW_AT, _REVIEW, self._review),
            (PAY_AT, _PAY, self._pay),
        ):
            for at in [*daily(start, plan.now, at_time), plan.now]:
                add(at, rank, lambda a=at, act=action: act(a))
        events.sort(key=lambda event: event[:3])
        return events

    def _top_up(self, spec: ClientSpec) -> None:
        order_services.top_up(
            client=self.clients[spec.code],
            amount=spec.top_up,
            reason=f"对公银行转账入账，回单号 {spec.code}-0001",
            idempotency_key=f"demo-topup-{spec.code}",
            now=spec.top_up_at,
            created_by=self.users["finance"],
        )

    def _place(self, spec: OrderSpec) -> None:
        order, _created = order_services.place_order(
            client=self.clients[spec.client.code],
            lines=[
                LineRequest(self.influencers[line.influencer.platform_id].pk, boost=line.boost)
                for line in spec.lines
            ],
            idempotency_key=spec.key,
            now=spec.placed_at,
            placed_by=self.users[spec.client.username],
        )
        for line in order.lines.select_related("influencer"):
            self.lines[spec.key, line.influencer.platform_id] = line
        self.deadlines += Boost.objects.filter(line__order=order).values_list(
            "valid_until", flat=True
        )

    def _publish(self, order: OrderSpec, spec: LineSpec) -> None:
        line = self.lines[order.key, spec.influencer.platform_id]
        order_services.publish(
            line=line,
            video_id=spec.video_id,
            published_at=spec.published_at,
            now=spec.reported_at,
        )
        boost = Boost.objects.filter(line=line).first()
        if boost is not None:
            self.deadlines.append(boost.window_end)
            final = target_views(
                spec.outcome, boost.expected_views, boost.premium_ratio, spec.curve.draw
            )
        else:
            final = target_views(None, spec.influencer.median_views, None, spec.curve.draw)
        views = view_curve(
            spec.curve,
            published_at=spec.published_at,
            final=final,
            closes=spec.outcome is not None and spec.outcome.closes,
        )
        self.pending += [
            SnapshotIn(spec.video_id, at, count)
            for at, count in zip(spec.curve.observations, views, strict=True)
        ]

    def _remove(self) -> None:
        """The pipeline reports that the planned video was removed by its creator (§5)."""
        assert self.plan.removal is not None
        key, platform_id, at = self.plan.removal
        line = OrderLine.objects.get(pk=self.lines[key, platform_id].pk)
        assert line.platform_video_id is not None  # published days before its removal
        video = line.platform_video_id
        order_services.record_video_statuses(
            items=[VideoStatusIn(video, VideoStatus.REMOVED_BY_CREATOR, at)], now=at
        )

    def _cancel(self, order: OrderSpec, spec: LineSpec) -> None:
        settlement_services.cancel(
            boost=self.lines[order.key, spec.influencer.platform_id].boost,
            actor=self.users["operator"],
            reason=CANCEL_REASON,
            now=spec.cancel_at,
        )
        self.unpaid = True

    def _import(self, at: datetime) -> None:
        due = [item for item in self.pending if item.observed_at <= at]
        if due:
            self.pending = [item for item in self.pending if item.observed_at > at]
            order_services.record_views(items=due, now=at)

    def _sweep(self, at: datetime) -> None:
        since, self.last_sweep = self.last_sweep, at
        if at != self.plan.now and not any(
            since is None or since < due <= at for due in self.deadlines
        ):
            return
        closed = settlement_services.sweep(settlement_services.close_windows_batch, now=at)
        expired = settlement_services.sweep(settlement_services.expire_batch, now=at)
        self.unpaid |= bool(closed.get("compensated") or expired.get("expired"))

    def _review(self, at: datetime) -> None:
        """Finance holds the planned compensation once it is scheduled, before it is paid."""
        if self.held or not self.unpaid or self.plan.hold not in self.lines:
            return
        settlement = Settlement.objects.filter(
            boost__line=self.lines[self.plan.hold], status=Settlement.Status.SCHEDULED
        ).first()
        if settlement is not None:
            settlement_services.hold(
                settlement=settlement, actor=self.users["finance"], reason=HOLD_REASON, now=at
            )
            self.held = True

    def _pay(self, at: datetime) -> None:
        if self.unpaid or at == self.plan.now:
            settlement_services.sweep(settlement_services.pay_batch, now=at)
            self.unpaid = False

    def _missed(self) -> list[str]:
        """Boosts whose status (or compensation cap) differs from the plan: a service changed."""
        ended = {
            line_id: (status, cap)
            for line_id, status, cap in Boost.objects.filter(
                line__in=self.lines.values()
            ).values_list("line_id", "status", "settlement__cap_applied")
        }
        missed = []
        for order in self.plan.orders:
            for spec in order.lines:
                if spec.outcome is None:
                    continue
                planned = spec.outcome.status, spec.outcome is Outcome.COMPENSATED_CAPPED
                status, cap = ended[self.lines[order.key, spec.influencer.platform_id].pk]
                if (status, bool(cap)) != planned:
                    missed.append(
                        f"{order.key} {spec.influencer.platform_id}: planned {spec.outcome}, "
                        f"ended {status}{' (capped)' if cap else ''}"
                    )
        return missed


def summary() -> list[tuple[str, object]]:
    """What the database holds after a replay, as (label, value) rows for the command to print."""
    reasons = Counter(
        (quote or {}).get("reason") or "offered"
        for quote in Influencer.objects.values_list("quote", flat=True)
    )
    lines = OrderLine.objects.aggregate(
        total=Count("pk"), boosted=Count("boost"), published=Count("published_at")
    )
    rows = [
        ("Influencers", Influencer.objects.count()),
        *((f"  quote: {reason}", n) for reason, n in sorted(reasons.items())),
        ("History videos", HistoryVideo.objects.count()),
        ("Clients", Client.objects.count()),
        ("Orders", Order.objects.count()),
        ("  lines", lines["total"]),
        ("  lines with a boost", lines["boosted"]),
        ("  lines published", lines["published"]),
        ("View snapshots", ViewSnapshot.objects.count()),
    ]
    statuses = dict(Boost.objects.values_list("status").annotate(n=Count("pk")))
    rows.append(("Boosts", sum(statuses.values())))
    rows += [(f"  {status}", statuses.get(status, 0)) for status in Boost.Status.values]
    settlements = Settlement.objects.values_list("kind", "status").annotate(n=Count("pk"))
    rows.append(("Settlements", sum(n for *_, n in settlements)))
    rows += [(f"  {kind} / {status}", n) for kind, status, n in sorted(settlements)]
    balance = LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] or ZERO
    rows.append(("Ledger balance (all clients)", yuan(balance)))
    return rows
