"""CSV formula injection (issue 11, item 5): every export writes hostile names as plain text.

Every CSV goes through ``kernel.exports`` (``safe_cell``): the settlement export of the filtered
list and of the selected rows, the client statement, each insights table, each backtest table on
the page and from the command. Each is fed clients and influencers named like spreadsheet
formulas; a cell holding one of those names must come out with the leading apostrophe that
spreadsheets hide, and no cell may start a formula unless it is a plain number (a negative
amount keeps its minus sign).
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from kernel.exports import FORMULA_STARTS
from orders import services as order_services
from settlements import services
from settlements.admin.exports import CSV_COLUMNS
from settlements.models import Settlement
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db

HOSTILE = ('=HYPERLINK("x")', "+1", "-1", "@SUM(A1)")
PERIOD = {"from": "2026-03-01", "to": "2026-04-30"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hostile(db) -> list[Settlement]:
    """One settled window per hostile name, its client and its influencer both so named, each
    client with a top-up reason and an approved adjustment note written the same way."""
    finance = [factories.staff_in("Finance", f"finance{n}") for n in (1, 2)]
    settled = []
    for name in HOSTILE:
        account = factories.client()
        account.name = name
        account.save(update_fields=["name"])
        order_services.top_up(
            client=account,
            amount=Decimal("1.00"),
            reason=name,
            idempotency_key=f"hostile-top-up:{account.pk}",
            now=T0,
        )
        published = factories.active_boost(name=name, account=account)
        factories.settle_window(published, views_at_end=19_000)
        settlement = Settlement.objects.get(boost=published)
        adjustment = factories.adjustment(
            settlement, "1.00", actor=finance[0], reason=name, client_note=name
        )
        services.approve_adjustment(adjustment=adjustment, actor=finance[1], now=T0)
        settled.append(settlement)
    return settled


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True


def assert_neutralised(rows: list[list[str]], *, names: tuple[str, ...] = HOSTILE) -> None:
    """Each name appears, only as plain text; no other cell starts a formula."""
    cells = [cell for row in rows for cell in row]
    for name in names:
        assert f"'{name}" in cells, name
        assert name not in cells, name
    for cell in cells:
        if cell.startswith(FORMULA_STARTS) and cell not in {f"'{n}" for n in names}:
            assert is_number(cell), cell


def streamed(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_settlement_csv_of_the_filtered_list(admin_client, hostile):
    text = streamed(admin_client.get(reverse("admin:settlements_settlement_export_csv")))
    _header, *rows = rows_of(text)  # the header is in the reader's language; columns are fixed
    assert len(rows) == len(HOSTILE)
    assert_neutralised(rows)
    by_column = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows]
    assert {(row["client"], row["influencer"]) for row in by_column} == {
        (f"'{name}", f"'{name}") for name in HOSTILE
    }


def test_the_settlement_csv_of_the_selected_rows(admin_client, hostile):
    response = admin_client.post(
        reverse("admin:settlements_settlement_changelist"),
        {
            "action": "export_selected_csv",
            "_selected_action": [s.pk for s in hostile],
            "index": "0",
        },
    )
    _header, *rows = rows_of(streamed(response))
    assert len(rows) == len(HOSTILE)
    assert_neutralised(rows)


def test_the_client_statement_csv(client, english, hostile):
    for n, settlement in enumerate(hostile):
        name = settlement.boost.line.influencer.name
        client.force_login(factories.member_of(settlement.boost.line.order.client, f"member{n}"))
        _header, *rows = rows_of(streamed(client.get(reverse("portal:statement_csv"))))
        # The influencer of the boost rows, the top-up's reason and the adjustment's note.
        assert_neutralised(rows, names=(name,))
        notes = {row[1]: row[-1] for row in rows if row[1] in ("Top-up", "Adjustment")}
        assert notes == {"Top-up": f"'{name}", "Adjustment": f"'{name}"}


def insights_csv(http, page: str, table: str, **query: str):
    return http.get(
        reverse(f"insights:{page}"), {**PERIOD, **query, "format": "csv", "table": table}
    )


@pytest.mark.parametrize("table", ["periods", "bands", "influencers", "queues"])
def test_each_insights_csv(admin_client, hostile, table):
    response = insights_csv(admin_client, "index", table, group="week")
    assert response.status_code == 200
    rows = rows_of(response.content.decode("utf-8"))
    if table == "influencers":
        assert_neutralised(rows)
    else:
        assert_neutralised(rows, names=())


@pytest.mark.parametrize("table", ["bands", "boosts"])
def test_each_backtest_csv_on_the_page(admin_client, hostile, table):
    response = insights_csv(admin_client, "backtest", table)
    assert response.status_code == 200
    rows = rows_of(response.content.decode("utf-8"))
    assert_neutralised(rows, names=HOSTILE if table == "boosts" else ())


def test_the_backtest_command_csv(hostile):
    out = io.StringIO()
    call_command(
        "backtest", "--from", PERIOD["from"], "--to", PERIOD["to"], "--csv", "boosts", stdout=out
    )
    assert_neutralised(rows_of(out.getvalue()))


def test_no_module_writes_csv_but_kernel_exports():
    """The one formula-safe writer: any other ``csv.writer`` would bypass ``safe_cell``."""
    writers = re.compile(r"\bcsv\.(writer|DictWriter)\b")
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("kernel", "orders", "settlements", "portal", "starboost")
        for path in (ROOT / package).rglob("*.py")
        if writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == ["kernel/exports.py"]
