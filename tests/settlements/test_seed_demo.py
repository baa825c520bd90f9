"""``seed_demo``: a demo data set in every state, created once, the same for a seed and `now`."""

import io
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from orders.models import (
    Boost,
    Client,
    HistoryVideo,
    Influencer,
    LedgerEntry,
    Order,
    OrderLine,
    SnapshotFlag,
    VideoStatus,
    VideoStatusEvent,
    ViewSnapshot,
)
from orders.pricing import IneligibleReason
from settlements import demo
from settlements.models import RecoveryCase, Settlement
from tests.factories import SHANGHAI

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 15, 30, tzinfo=SHANGHAI)


def seed(**options) -> str:
    """Run the command; it warns on stderr when a boost did not end in its planned status."""
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", now=NOW.isoformat(), stdout=out, stderr=err, **options)
    assert err.getvalue() == ""
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("orders").get_models(),
        *apps.get_app_config("settlements").get_models(),
        get_user_model(),
    ]
    return {model._meta.label: model.objects.count() for model in models}


def fingerprint() -> dict[str, list[tuple]]:
    """The data by natural keys: primary keys and order codes (random by design) left out."""
    line = ("line__order__idempotency_key", "line__influencer__platform_id")
    return {
        "influencers": sorted(
            Influencer.objects.values_list("platform_id", "name", "fixed_price", "boost_enabled")
        ),
        "quotes": sorted(
            (platform_id, str(quote))
            for platform_id, quote in Influencer.objects.values_list("platform_id", "quote")
        ),
        "history": sorted(
            HistoryVideo.objects.values_list("platform_video_id", "published_at", "views")
        ),
        "orders": sorted(Order.objects.values_list("idempotency_key", "client__code", "placed_at")),
        "lines": sorted(
            OrderLine.objects.values_list(
                "order__idempotency_key",
                "influencer__platform_id",
                "fixed_price",
                "platform_video_id",
                "published_at",
            )
        ),
        "boosts": sorted(
            Boost.objects.values_list(
                *line, "status", "expected_views", "premium_ratio", "boost_fee", "window_end"
            )
        ),
        "snapshots": sorted(
            ViewSnapshot.objects.values_list(
                "line__platform_video_id", "observed_at", "views", "received_at"
            )
        ),
        "ledger": sorted(
            LedgerEntry.objects.values_list(
                "client__code", "created_at", "kind", "amount", "balance_after"
            )
        ),
        "settlements": sorted(
            Settlement.objects.values_list(
                *(f"boost__{field}" for field in line),
                "kind",
                "status",
                "amount",
                "cap_applied",
                "actual_views",
                "due_date",
                "computed_at",
            )
        ),
    }


def seeded_fingerprint(**options) -> dict[str, list[tuple]]:
    """Seed inside a savepoint, read the data, then roll it back for the next run."""
    with transaction.atomic():
        seed(**options)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


def test_same_seed_and_now_give_the_same_data():
    assert seeded_fingerprint() == seeded_fingerprint()


def test_an_unreadable_now_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("seed_demo", now="yesterday", stdout=io.StringIO())
    assert not Client.objects.exists()


def test_the_seed_changes_the_plan():
    tz = timezone.get_default_timezone()
    plan = demo.build_plan(seed=demo.DEFAULT_SEED, now=NOW, tz=tz)
    assert demo.build_plan(seed=demo.DEFAULT_SEED, now=NOW, tz=tz) == plan
    assert demo.build_plan(seed=7, now=NOW, tz=tz) != plan


@pytest.fixture(scope="class")
def summary(django_db_setup, django_db_blocker):
    """The demo, seeded once for the read-only checks of a class and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


class TestDemoDataSet:
    def test_has_every_boost_status_settlement_kind_and_ineligibility_reason(self, summary):
        assert set(Boost.objects.values_list("status", flat=True)) == set(Boost.Status.values)
        assert Influencer.objects.count() >= 45
        assert 8 <= Client.objects.count() <= 12
        kinds = set(Settlement.objects.values_list("kind", flat=True))
        assert kinds == set(Settlement.Kind.values)
        compensations = Settlement.objects.filter(kind=Settlement.Kind.COMPENSATION)
        assert set(compensations.values_list("cap_applied", flat=True)) == {True, False}
        reasons = {quote["reason"] for quote in Influencer.objects.values_list("quote", flat=True)}
        assert reasons == {None, *IneligibleReason.values}
        assert OrderLine.objects.filter(boost__isnull=True).exists()
        assert "awaiting_views" in summary and "Ledger balance" in summary

    def test_one_video_is_removed_by_its_creator_and_its_compensation_is_recovered(self, summary):
        removed = VideoStatusEvent.objects.get()
        assert removed.status == VideoStatus.REMOVED_BY_CREATOR
        settlement = Settlement.objects.get(boost__line=removed.line)
        assert (settlement.cause, settlement.cap_applied) == ("creator_caused", True)
        assert settlement.snapshot_observed_at < removed.at
        case = RecoveryCase.objects.get()
        assert (case.settlement, case.amount, case.status) == (
            settlement,
            settlement.amount,
            "open",
        )
        assert removed.line.influencer.quote["reason"] == IneligibleReason.SUSPENDED
        assert not SnapshotFlag.objects.exists()

    def test_settled_boosts_are_paid_but_one_held_for_finance(self, summary):
        assert Settlement.objects.filter(status=Settlement.Status.HELD).count() == 1
        assert Settlement.objects.filter(status=Settlement.Status.PAID).exists()
        assert not Settlement.objects.filter(status=Settlement.Status.SCHEDULED).exists()

    def test_boosts_awaiting_views_have_no_fresh_snapshot(self, summary):
        for boost in Boost.objects.filter(status=Boost.Status.AWAITING_VIEWS):
            last = boost.line.snapshots.filter(observed_at__lte=boost.window_end).last()
            assert last is None or last.observed_at < boost.window_end - timedelta(hours=24)

    def test_snapshots_never_go_down_and_stop_at_window_end(self, summary):
        previous: dict[int, int] = {}
        for line_id, views in ViewSnapshot.objects.order_by("line", "observed_at").values_list(
            "line", "views"
        ):
            assert views >= previous.get(line_id, 0)
            previous[line_id] = views
        assert not ViewSnapshot.objects.filter(
            line__boost__window_end__lt=F("observed_at")
        ).exists()

    def test_ledgers_chain_to_their_balances_and_agree_with_settlements(self, summary):
        for client in Client.objects.all():
            entries = LedgerEntry.objects.filter(client=client)
            latest = entries.order_by("-pk").first()
            assert latest.balance_after >= 0
            assert entries.aggregate(total=Sum("amount"))["total"] == latest.balance_after
            times = list(entries.order_by("pk").values_list("created_at", flat=True))
            assert times == sorted(times), "entries were posted in the order they happened"
        call_command("reconcile", stdout=io.StringIO())

    def test_second_run_adds_nothing(self, summary):
        before = row_counts()

        again = seed()

        assert "already present" in again
        assert row_counts() == before
