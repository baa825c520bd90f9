"""The settlement and boost lists as Chinese operators read them: money, counts, dates, states."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _list(client, model: str, app: str = "settlements") -> str:
    return client.get(reverse(f"admin:{app}_{model}_changelist")).content.decode()


def test_settlement_list_shows_yuan_awaiting_payment_and_nothing_to_pay(admin_client):
    factories.refund(name="Refund Zhao")
    factories.compensation(views_at_end=25_000, name="Enough Qian")
    page = _list(admin_client, "settlement")
    assert "¥1,000.00" in page
    assert "待支付" in page
    assert "无需支付" in page
    assert "已支付: 尚未支付" not in page


def test_settlement_change_form_groups_views_and_says_when_paid(admin_client):
    settlement = factories.compensation(views_at_end=19_000)
    url = reverse("admin:settlements_settlement_change", args=[settlement.pk])
    page = admin_client.get(url).content.decode()
    assert "20,000" in page and "19,000" in page
    assert "¥550.00" in page
    assert "待支付" in page


def test_boost_list_shows_money_views_and_days_left_in_words(admin_client, frozen_now):
    factories.active_boost(now=frozen_now - timedelta(days=1, hours=5), name="Star Li")
    page = _list(admin_client, "boost", app="orders")
    assert "¥1,000.00" in page
    assert "20,000" in page
    assert "12 天 20 小时" in page and "12.8" not in page


def test_influencer_and_order_lists_show_yuan(admin_client, frozen_now):
    factories.boost(now=frozen_now, name="Star Li")
    assert "¥10,000.00" in _list(admin_client, "influencer", app="orders")
    orders = _list(admin_client, "order", app="orders")
    assert "¥1,000.00" in orders and "¥11,000.00" in orders
    assert "¥10,000.00" in _list(admin_client, "orderline", app="orders")


def test_finance_csv_headers_read_in_the_users_language_and_cells_keep_codes(admin_client):
    factories.refund(name="Refund Zhao")
    response = admin_client.get(reverse("admin:settlements_settlement_export_csv"))
    header, row = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("结算编号,订单编号,客户,达人,类型（代码）,状态（代码）")
    assert ",refund,scheduled," in row


def test_record_publish_says_until_when_the_boost_is_active(admin_client, frozen_now):
    line = factories.boost(now=frozen_now).line
    response = admin_client.post(
        reverse("admin:orders_orderline_publish", args=[line.pk]),
        {"video_id": "v-new-1", "published_at_0": "2026-03-10", "published_at_1": "10:00:00"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["已记录 v-new-1 的发布。助推服务生效至 2026-03-24 10:00。"]


def test_boost_list_search_says_what_it_covers(admin_client):
    assert "订单编号、客户或达人名称" in _list(admin_client, "boost", app="orders")
