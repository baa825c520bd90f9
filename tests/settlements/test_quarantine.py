"""One bad row never stops a sweep (issue 11, item 1; STYLE 11), on any database.

A failure is injected for one row by monkeypatching the per-row step of each sweep; the batch it
belongs to falls back to one row at a time, the row is quarantined with its error, the others are
processed, and later runs retry it until it goes through. The same on PostgreSQL with real
unreadable data: ``tests/hardening/test_poison_rows.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse

from orders import services as order_services
from orders.models import Boost, Influencer
from settlements import insights, services, tasks
from settlements.models import QuarantinedRow, Settlement
from settlements.services import closing, expiry, payouts
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db
PUBLISHED = T0 + timedelta(hours=1)
END = PUBLISHED + timedelta(days=14)
AFTER = (END + timedelta(minutes=1)).isoformat()


class Injected(RuntimeError):
    """The failure a test injects into one row."""


@pytest.fixture
def due():
    """Five boosts whose windows ended at END, each owed ¥550.00, in id order."""
    factories.due_boosts(5, published=PUBLISHED)
    return list(Boost.objects.order_by("pk"))


@pytest.fixture
def poisoned(monkeypatch, due):
    """The third boost fails whenever its window is closed; ``heal()`` removes the failure."""
    bad = due[2]
    real = closing._window_outcome

    def outcome(boost, snapshot, **kwargs):
        if boost.pk == bad.pk:
            raise Injected(f"cannot read boost {boost.pk}")
        return real(boost, snapshot, **kwargs)

    monkeypatch.setattr(closing, "_window_outcome", outcome)
    bad.heal = lambda: monkeypatch.setattr(closing, "_window_outcome", real)
    return bad


def failing_payout(monkeypatch, bad: Settlement, error: str) -> Callable[[], None]:
    """Paying ``bad`` fails with ``error`` (the others are paid); the call returned heals it."""
    real = payouts.post_entries

    def post_entries(*, entries, **kwargs):
        if any(e.idempotency_key == payouts.payout_key(bad) for e in entries):
            raise Injected(error)
        return real(entries=entries, **kwargs)

    monkeypatch.setattr(payouts, "post_entries", post_entries)
    return lambda: monkeypatch.setattr(payouts, "post_entries", real)


def open_rows() -> list[QuarantinedRow]:
    return list(QuarantinedRow.objects.filter(resolved_at__isnull=True))


def test_a_failing_boost_is_quarantined_and_the_rest_of_its_batch_settles(due, poisoned):
    counts = tasks.close_windows(AFTER)
    assert counts["quarantined"] == 1 and counts["compensated"] == 4
    assert Settlement.objects.count() == 4
    assert not Settlement.objects.filter(boost=poisoned).exists()
    assert Boost.objects.get(pk=poisoned.pk).status == Boost.Status.ACTIVE
    (row,) = open_rows()
    assert (row.sweep, row.object_model, row.object_id) == (
        "close_windows",
        "orders.boost",
        poisoned.pk,
    )
    assert row.error_class.endswith("Injected") and f"boost {poisoned.pk}" in row.error_message
    assert (row.attempts, row.first_failed_at, row.last_failed_at) == (
        1,
        END + timedelta(minutes=1),
        END + timedelta(minutes=1),
    )


def test_every_count_key_is_a_plain_string(due, poisoned):
    counts = tasks.close_windows(AFTER)
    assert all(type(key) is str for key in counts), counts


def test_a_second_run_retries_the_quarantined_row_once_and_changes_nothing_else(due, poisoned):
    tasks.close_windows(AFTER)
    before = factories.row_counts()
    assert tasks.close_windows(AFTER) == {"batches": 0, "quarantined": 1}
    assert factories.row_counts() == before
    (row,) = open_rows()
    assert row.attempts == 2


def test_a_healed_row_goes_through_on_the_next_run_and_is_resolved(due, poisoned):
    tasks.close_windows(AFTER)
    poisoned.heal()
    assert tasks.close_windows(AFTER) == {
        "batches": 0,
        "compensated": 1,
        "resolved": 1,
    }
    assert Settlement.objects.filter(boost=poisoned).get().amount == 550
    row = QuarantinedRow.objects.get()
    assert (row.resolved_at, row.resolution) == (END + timedelta(minutes=1), "retried")
    assert tasks.close_windows(AFTER) == {"batches": 0}


def test_a_row_quarantined_in_a_run_is_not_retried_in_the_same_run(due, poisoned):
    tasks.close_windows(AFTER)
    assert QuarantinedRow.objects.get().attempts == 1


def test_a_sweep_replayed_before_the_row_was_due_leaves_its_quarantine_open(due, poisoned):
    tasks.close_windows(AFTER)
    poisoned.heal()
    assert tasks.close_windows((END - timedelta(days=1)).isoformat()) == {"batches": 0}
    assert [r.attempts for r in open_rows()] == [1]


def test_an_operator_closing_one_boost_sees_its_error(due, poisoned):
    with pytest.raises(Injected):
        services.close_window(boost=poisoned, now=END + timedelta(minutes=1))
    assert not QuarantinedRow.objects.exists()


def test_a_row_another_action_settled_is_resolved_as_no_longer_due(due, poisoned, monkeypatch):
    tasks.close_windows(AFTER)
    poisoned.heal()
    services.close_window(boost=poisoned, now=END + timedelta(minutes=2))
    assert tasks.close_windows(AFTER) == {"batches": 0, "resolved": 1}
    assert QuarantinedRow.objects.get().resolution == "not_due"


def test_a_failing_payout_is_quarantined_and_the_others_are_paid(due, monkeypatch):
    tasks.close_windows(AFTER)
    bad = Settlement.objects.order_by("pk")[1]
    heal = failing_payout(monkeypatch, bad, "numeric field overflow")
    assert tasks.pay_due(AFTER) == {"batches": 1, "paid": 4, "quarantined": 1}
    assert set(Settlement.objects.values_list("status", flat=True)) == {"paid", "scheduled"}
    assert Settlement.objects.get(status="scheduled") == bad
    row = QuarantinedRow.objects.get()
    assert (row.sweep, row.object_model, row.object_id) == (
        "pay_due",
        "settlements.settlement",
        bad.pk,
    )
    assert tasks.pay_due(AFTER) == {"batches": 0, "quarantined": 1}

    heal()
    assert tasks.pay_due(AFTER) == {"batches": 0, "paid": 1, "resolved": 1}
    assert not Settlement.objects.exclude(status="paid").exists()


def test_a_quarantined_payout_finance_holds_is_resolved_and_a_release_pays_it(due, monkeypatch):
    tasks.close_windows(AFTER)
    bad = Settlement.objects.order_by("pk")[0]
    heal = failing_payout(monkeypatch, bad, "no")
    tasks.pay_due(AFTER)
    finance = factories.staff_in("Finance", "finance-q")
    services.hold(settlement=bad, actor=finance, reason="check the account", now=END)
    assert tasks.pay_due(AFTER) == {"batches": 0, "resolved": 1}
    assert QuarantinedRow.objects.get().resolution == "not_due"
    heal()
    services.release(settlement=bad, actor=finance, reason="checked", now=END)
    assert tasks.pay_due(AFTER) == {"batches": 1, "paid": 1}


def test_a_failing_expiry_is_quarantined_and_the_others_expire(monkeypatch):
    boosts = [factories.boost() for _ in range(3)]
    bad = boosts[1]
    real = expiry.record_outcomes

    def record_outcomes(outcomes, **kwargs):
        if any(o.boost.pk == bad.pk for o in outcomes):
            raise Injected("expiry")
        return real(outcomes, **kwargs)

    monkeypatch.setattr(expiry, "record_outcomes", record_outcomes)
    later = (bad.valid_until + timedelta(minutes=1)).isoformat()
    assert tasks.expire_unpublished(later) == {"batches": 1, "expired": 2, "quarantined": 1}
    assert Boost.objects.get(pk=bad.pk).status == Boost.Status.AWAITING_PUBLISH
    assert QuarantinedRow.objects.get().sweep == "expire_unpublished"


def test_batches_leave_a_quarantined_row_out_and_stay_set_based(due, poisoned, caplog):
    """Once quarantined, the row is retried alone; the main pass's batches no longer fail."""
    tasks.close_windows(AFTER)
    factories.due_boosts(3, published=PUBLISHED + timedelta(hours=1))
    caplog.clear()
    counts = tasks.close_windows((END + timedelta(hours=2)).isoformat())
    assert counts == {"batches": 1, "compensated": 3, "awaiting_views": 0, "quarantined": 1}
    assert "one by one" not in caplog.text


# --- The quarantine record ---------------------------------------------------------------------


def test_one_object_has_at_most_one_open_quarantine_row():
    services.quarantine(sweep="pay_due", model=Settlement, object_id=7, error=Injected("a"), now=T0)
    services.quarantine(
        sweep="pay_due", model=Settlement, object_id=7, error=Injected("b"), now=END
    )
    row = QuarantinedRow.objects.get()
    assert (row.attempts, row.error_message, row.first_failed_at, row.last_failed_at) == (
        2,
        "b",
        T0,
        END,
    )
    with pytest.raises(IntegrityError):
        QuarantinedRow.objects.create(
            sweep="pay_due",
            object_model="settlements.settlement",
            object_id=7,
            error_class="x",
            first_failed_at=T0,
            last_failed_at=T0,
        )


def test_a_resolved_row_needs_its_resolution_and_a_new_failure_opens_a_new_row():
    services.quarantine(sweep="pay_due", model=Settlement, object_id=7, error=Injected("a"), now=T0)
    services.resolve(sweep="pay_due", object_ids=[7], resolution="retried", now=END)
    services.quarantine(
        sweep="pay_due", model=Settlement, object_id=7, error=Injected("b"), now=END
    )
    assert QuarantinedRow.objects.filter(object_id=7).count() == 2
    with pytest.raises(IntegrityError):
        QuarantinedRow.objects.filter(resolved_at__isnull=False).update(resolution="")


def test_an_error_message_is_kept_short_and_without_control_characters():
    services.quarantine(
        sweep="pay_due", model=Settlement, object_id=7, error=Injected("\x00" + "x" * 5000), now=T0
    )
    message = QuarantinedRow.objects.get().error_message
    assert len(message) == 1000 and message.startswith("\\x00x")


# --- Operators see it ---------------------------------------------------------------------------


def test_quarantined_rows_are_a_work_queue_whose_link_lists_them(due, poisoned, admin_client):
    tasks.close_windows(AFTER)
    queue = {q.key: q for q in insights.work_queues(today=END.date())}["quarantined"]
    assert (queue.count, queue.urgent) == (1, True)
    response = admin_client.get(queue.url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    boost_url = reverse("admin:orders_boost_change", args=[poisoned.pk])
    assert boost_url in response.content.decode()


def test_the_quarantine_admin_is_read_only_and_filters_open_and_resolved(
    admin_client, due, poisoned
):
    tasks.close_windows(AFTER)
    poisoned.heal()
    tasks.close_windows(AFTER)
    url = reverse("admin:settlements_quarantinedrow_changelist")
    assert admin_client.get(url, {"state": "open"}).context["cl"].result_count == 0
    assert admin_client.get(url, {"state": "resolved"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"sweep__exact": "close_windows"}).context["cl"].result_count == 1
    row = QuarantinedRow.objects.get()
    assert admin_client.get(reverse("admin:settlements_quarantinedrow_add")).status_code == 403
    change = reverse("admin:settlements_quarantinedrow_change", args=[row.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"attempts": 9}).status_code == 403
    delete = reverse("admin:settlements_quarantinedrow_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert QuarantinedRow.objects.get().attempts == 1


def test_both_staff_groups_may_view_the_quarantine_list(client, due, poisoned):
    tasks.close_windows(AFTER)
    url = reverse("admin:settlements_quarantinedrow_changelist")
    for group in ("Operations", "Finance"):
        client.force_login(factories.staff_in(group, f"{group.lower()}-q"))
        assert client.get(url).status_code == 200


# --- orders: the daily quote refresh --------------------------------------------------------------


def test_the_daily_quote_refresh_skips_an_influencer_that_fails_and_refreshes_the_rest(monkeypatch):
    from orders import selectors
    from orders import tasks as order_tasks

    people = [factories.influencer(now=T0) for _ in range(4)]
    bad = people[1]
    real = selectors.quote_influencers

    def quote_influencers(batch, **kwargs):
        if any(p.pk == bad.pk for p in batch):
            raise Injected("history unreadable")
        return real(batch, **kwargs)

    before = Influencer.objects.get(pk=bad.pk).quoted_at
    monkeypatch.setattr(selectors, "quote_influencers", quote_influencers)
    later = T0 + timedelta(days=1)
    assert order_tasks.refresh_quotes(later.isoformat()) == {"refreshed": 3, "failed": 1}
    quoted = dict(Influencer.objects.values_list("pk", "quoted_at"))
    assert quoted[bad.pk] == before
    assert all(quoted[p.pk] == later for p in people if p != bad)
    with pytest.raises(Injected):
        order_services.refresh_quotes(now=later, influencer_ids=[bad.pk])
