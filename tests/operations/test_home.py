"""The admin index is the operator home: work queues, sweep heartbeats (red when stale), links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from operations.models import SweepRun
from tests.factories import staff_in

pytestmark = pytest.mark.django_db


def sweep_row(page: str, name: str) -> str:
    match = re.search(rf'<tr class="(\w+)" data-sweep="{name}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


def test_home_shows_work_queues_with_links_to_their_filtered_lists(
    admin_client, all_fresh, frozen_now, english
):
    page = admin_client.get(reverse("admin:index")).content.decode()

    for key in ("awaiting_views", "held", "overdue", "due_soon", "provisional"):
        assert f'data-queue="{key}"' in page
    assert "/admin/settlements/settlement/?status__exact=held" in page
    assert "/admin/orders/boost/?status__exact=awaiting_views" in page
    assert f'href="{reverse("insights:index")}"' in page
    assert f'href="{reverse("insights:backtest")}"' in page
    assert 'class="app-orders module' in page  # the admin's own app list is still there


def test_fresh_sweeps_are_on_time_and_link_to_their_runs(
    admin_client, all_fresh, frozen_now, english
):
    page = admin_client.get(reverse("admin:index")).content.decode()

    for name in ("close_windows", "expire_unpublished", "pay_due", "refresh_quotes"):
        assert sweep_row(page, name) == "fresh"
    assert "a sweep is stale" not in page
    assert "?task_name__exact=settlements.tasks.pay_due" in page


def test_a_heartbeat_older_than_three_periods_turns_the_flag_red(
    admin_client, all_fresh, frozen_now, english
):
    SweepRun.objects.filter(task_name="settlements.tasks.pay_due").update(
        finished_at=frozen_now - timedelta(minutes=46), started_at=frozen_now - timedelta(hours=1)
    )
    page = admin_client.get(reverse("admin:index")).content.decode()

    assert sweep_row(page, "pay_due") == "stale"
    assert sweep_row(page, "close_windows") == "fresh"
    assert "a sweep is stale" in page
    assert "Stale: no success within 3 periods" in page


def test_operations_staff_see_queues_and_heartbeats(client, all_fresh, frozen_now, english):
    client.force_login(staff_in("Operations", "ops"))
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="work-queues"' in page and 'id="sweeps"' in page
    runs = client.get(reverse("admin:operations_sweeprun_changelist"))
    assert runs.status_code == 200


def test_staff_without_permissions_see_neither_queues_nor_runs(client, all_fresh, english):
    from tests.factories import StaffUserFactory

    client.force_login(StaffUserFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="work-queues"' not in page and 'id="sweeps"' not in page
    assert client.get(reverse("admin:operations_sweeprun_changelist")).status_code == 403


def test_sweep_runs_are_read_only_in_the_admin(admin_client, all_fresh, english):
    changelist = admin_client.get(
        reverse("admin:operations_sweeprun_changelist") + "?succeeded__exact=1"
    )
    assert changelist.status_code == 200
    assert "settlements.tasks.close_windows" in changelist.content.decode()
    run = all_fresh[0]
    change = admin_client.get(reverse("admin:operations_sweeprun_change", args=[run.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert admin_client.get(reverse("admin:operations_sweeprun_add")).status_code == 403
    delete = reverse("admin:operations_sweeprun_delete", args=[run.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert SweepRun.objects.filter(pk=run.pk).exists()


def test_finance_staff_see_the_runs_and_the_app_in_the_index(client, all_fresh, english):
    client.force_login(staff_in("Finance", "fin"))
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:operations_sweeprun_changelist") in page
    assert client.get(reverse("admin:operations_sweeprun_changelist")).status_code == 200
