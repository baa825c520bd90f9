"""Admin words for stored data: audit details, boost events and ledger reasons, translated."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from orders.ledger_reasons import ledger_reason
from orders.models import BoostEvent
from settlements.admin.events import format_event_data
from settlements.models import Settlement


def test_settlement_event_details_read_as_words_with_money_formatted():
    data = {
        "kind": "compensation",
        "amount": "1131.63",
        "due_date": "2026-12-10",
        "provisional": False,
    }
    with translation.override("zh-hans"):
        text = format_event_data(data)
    assert text == "类型：赔付，金额：¥1,131.63，到期日：2026-12-10，暂定：否"


def test_boost_event_shows_status_labels_not_codes():
    with translation.override("zh-hans"):
        assert str(BoostEvent(from_status="", to_status="awaiting_publish")) == "— → 待发布"


def test_payout_ledger_reason_reads_in_the_readers_language():
    with translation.override("zh-hans"):
        assert ledger_reason("Settlement 36 (refund)") == "结算 #36（退款）"
        assert ledger_reason("招商银行转账") == "招商银行转账"
    with translation.override("en"):
        assert ledger_reason("Settlement 36 (compensation)") == "Settlement #36 (Compensation)"


def test_settlement_title_shows_yuan_like_every_other_amount():
    with translation.override("zh-hans"):
        title = str(Settlement(kind="compensation", amount=Decimal("1131.63"), boost_id=7))
    assert title == "赔付 ¥1,131.63 · 7"
