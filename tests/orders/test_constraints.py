"""Each named database constraint rejects a bad row (and every boost status is valid).

They run on SQLite too; the append-only trigger exists only on PostgreSQL.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders import models

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def line():
    client = models.Client.objects.create(code="c1", name="Client")
    influencer = models.Influencer.objects.create(
        platform_id="dy_1", name="达人", fixed_price=Decimal("1000.00")
    )
    order = models.Order.objects.create(
        code="SB1", client=client, idempotency_key="k", placed_at=NOW
    )
    return models.OrderLine.objects.create(
        order=order, influencer=influencer, fixed_price=Decimal("1000.00")
    )


def boost_row(line, **changes) -> models.Boost:
    values = {
        "line": line,
        "status": models.BoostStatus.AWAITING_PUBLISH,
        "expected_views": 10_000,
        "premium_ratio": Decimal("0.20"),
        "boost_fee": Decimal("200.00"),
        "loss_ratio": Decimal("0.3000"),
        "quote": {},
        "quoted_at": NOW,
        "valid_until": NOW + timedelta(days=30),
        "status_changed_at": NOW,
    }
    return models.Boost(**(values | changes))


def rejected(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.parametrize("status", models.BoostStatus.values)
def test_every_boost_status_is_valid(line, status):
    window = (
        {}
        if status in models.Boost.UNPUBLISHED
        else {"window_start": NOW, "window_end": NOW + timedelta(days=14)}
    )
    boost_row(line, status=status, **window).save()


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "lost"},
        {"boost_fee": Decimal("-0.01")},
        {"expected_views": -1},
        {"premium_ratio": Decimal("0.09")},
        {"premium_ratio": Decimal("0.51")},
        {"status": models.BoostStatus.ACTIVE},  # published without a window
        {"status": models.BoostStatus.ACTIVE, "window_start": NOW, "window_end": NOW},
    ],
    ids=["status", "fee", "views", "ratio-low", "ratio-high", "no-window", "empty-window"],
)
def test_boost_constraints_reject_bad_rows(line, changes):
    rejected(lambda: boost_row(line, **changes).save())


def test_one_boost_per_line(line):
    boost_row(line).save()
    rejected(lambda: boost_row(line).save())


def test_premium_ratio_band_edges_are_accepted(line):
    boost_row(line, premium_ratio=Decimal("0.10")).save()
    models.Boost.objects.filter(line=line).update(premium_ratio=Decimal("0.50"))


def test_prices_must_be_positive(line):
    rejected(lambda: models.Influencer.objects.create(platform_id="x", name="x", fixed_price=0))
    rejected(lambda: models.OrderLine.objects.filter(pk=line.pk).update(fixed_price=Decimal("-1")))


def test_views_are_never_negative(line):
    influencer = line.influencer
    rejected(
        lambda: models.HistoryVideo.objects.create(
            influencer=influencer, platform_video_id="h", published_at=NOW, views=-1
        )
    )
    rejected(
        lambda: models.ViewSnapshot.objects.create(
            line=line, observed_at=NOW, views=-1, received_at=NOW
        )
    )


def test_one_snapshot_per_video_and_instant(line):
    models.ViewSnapshot.objects.create(line=line, observed_at=NOW, views=1, received_at=NOW)
    rejected(
        lambda: models.ViewSnapshot.objects.create(
            line=line, observed_at=NOW, views=1, received_at=NOW
        )
    )


def test_one_line_per_influencer_per_order(line):
    rejected(
        lambda: models.OrderLine.objects.create(
            order=line.order, influencer=line.influencer, fixed_price=Decimal("1")
        )
    )


def test_order_idempotency_key_is_unique_per_client(line):
    order = line.order
    rejected(
        lambda: models.Order.objects.create(
            code="SB2", client=order.client, idempotency_key="k", placed_at=NOW
        )
    )


def entry(client, **changes) -> models.LedgerEntry:
    values = {
        "client": client,
        "kind": models.LedgerKind.TOP_UP,
        "amount": Decimal("10.00"),
        "balance_after": Decimal("10.00"),
        "idempotency_key": "top-up-1",
        "created_at": NOW,
    }
    return models.LedgerEntry(**(values | changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "gift"},
        {"kind": models.LedgerKind.TOP_UP, "amount": Decimal("-10.00")},
        {"kind": models.LedgerKind.REFUND, "amount": Decimal("0.00")},
        {"kind": models.LedgerKind.BOOST_FEE, "amount": Decimal("10.00")},
        {"kind": models.LedgerKind.ORDER_CHARGE, "amount": Decimal("10.00")},
        {"kind": models.LedgerKind.ADJUSTMENT, "amount": Decimal("0.00")},
        {"balance_after": Decimal("-0.01")},
    ],
    ids=["kind", "top-up-sign", "zero-refund", "fee-sign", "charge-sign", "zero-adj", "negative"],
)
def test_ledger_constraints_reject_bad_rows(line, changes):
    rejected(lambda: entry(line.order.client, **changes).save())


def test_ledger_idempotency_key_is_unique(line):
    entry(line.order.client).save()
    rejected(lambda: entry(line.order.client).save())


@pytest.mark.postgres
def test_ledger_rows_cannot_be_updated_or_deleted_even_in_raw_sql(line):
    saved = entry(line.order.client)
    saved.save()
    rejected(lambda: models.LedgerEntry.objects.filter(pk=saved.pk).update(amount=Decimal("99.00")))
    rejected(lambda: models.LedgerEntry.objects.filter(pk=saved.pk).delete())
