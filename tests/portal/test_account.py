"""The account page: balance, the ledger statement (50 a page) and its CSV download (DESIGN §8)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from orders import selectors, services
from settlements import services as settlement_services
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db


def top_ups(account, n: int, *, reason: str = "Bank transfer") -> None:
    for i in range(n):
        services.top_up(
            client=account,
            amount=Decimal("10.00"),
            reason=f"{reason} {i}",
            idempotency_key=f"acct-{account.pk}-{i}",
            now=T0 + timedelta(minutes=i + 1),
        )


def csv_rows(portal) -> list[list[str]]:
    response = portal.get(reverse("portal:statement_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="statement-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_account_shows_the_balance_and_the_statement(portal, account):
    order = factories.order(account, [factories.influencer(price="10000.00")])
    html = portal.get(reverse("portal:account")).content.decode()
    assert selectors.client_balance(account) == Decimal("89000.00")
    assert 'id="balance">¥89,000.00<' in html
    assert "Boost fee" in html and "−¥1,000.00" in html and "¥89,000.00" in html
    assert "Order charge" in html and "−¥10,000.00" in html and "¥90,000.00" in html
    assert "Top-up" in html and "+¥100,000.00" in html and "test top-up" in html
    assert f'href="/orders/{order.code}/"' in html
    assert "boost for 达人" in html


def test_statement_pages_hold_50_entries_newest_first(portal, account):
    top_ups(account, 60)  # 61 entries with the opening top-up
    first = portal.get(reverse("portal:account"))
    rows = first.context["rows"]
    assert len(rows) == 50
    assert rows[0].entry.reason == "Bank transfer 59"
    second = portal.get(reverse("portal:account"), {"page": 2})
    assert len(second.context["rows"]) == 11
    assert second.context["rows"][-1].entry.reason == "test top-up"
    assert "Page 2 of 2" in second.content.decode()


def test_statement_csv_lists_every_entry_oldest_first(portal, account):
    order = factories.order(account, [factories.influencer(price="10000.00")])
    rows = csv_rows(portal)
    assert rows[0] == [
        "Date",
        "Kind",
        "Amount",
        "Balance after",
        "Order",
        "Influencer",
        "Note",
    ]
    assert rows[1] == [
        "2026-03-10T10:00:00+08:00",
        "Top-up",
        "100000.00",
        "100000.00",
        "",
        "",
        "test top-up",
    ]
    kinds = sorted((r[1], r[2], r[4]) for r in rows[2:])
    assert kinds == [
        ("Boost fee", "-1000.00", order.code),
        ("Order charge", "-10000.00", order.code),
    ]
    assert rows[-1][3] == "89000.00"


def test_statement_csv_is_not_limited_to_one_page(portal, account):
    top_ups(account, 120)
    assert len(csv_rows(portal)) == 1 + 121


def test_statement_csv_neutralises_spreadsheet_formulas(portal, account):
    factories.top_up(
        account, Decimal("1.00"), reason='=HYPERLINK("http://evil")', now=T0 + timedelta(hours=1)
    )
    assert csv_rows(portal)[-1][-1] == '\'=HYPERLINK("http://evil")'


def test_payouts_appear_on_the_statement_with_their_order(portal, account):
    boost = factories.boost(account=account)
    settlement = settlement_services.expire(
        boost=boost, now=boost.valid_until + timedelta(minutes=1)
    )
    settlement_services.pay_settlement(
        settlement=settlement, now=boost.valid_until + timedelta(days=1)
    )
    rows = csv_rows(portal)
    assert rows[-1][1:5] == ["Refund", "1000.00", "90000.00", boost.line.order.code]
    html = portal.get(reverse("portal:account")).content.decode()
    assert "Refund" in html and "+¥1,000.00" in html
