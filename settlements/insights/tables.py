"""Tables of the staff pages: HTML and CSV from one definition of columns.

A ``Table`` lists its ``Column``s once; the page shows the ``html`` columns formatted for people
(``kernel.display``), the CSV has the ``csv`` columns as plain values, every text cell
formula-safe (``kernel.exports``). Pure formatting: no models, no queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from kernel.display import grouped, percent, yuan
from kernel.exports import csv_lines, safe_cell
from kernel.money import half_up

INT, MONEY, RATIO, TEXT, BOOL = "int", "money", "ratio", "text", "bool"
DASH = "—"
BOM = "\ufeff"


def ratio_percent(value: Decimal) -> str:
    """A 4-place ratio as a percent with 2 places (``0.2750`` → ``27.50 %``): no second rounding."""
    return percent(value, 2)


def format_html_value(value: Any, kind: str) -> str:
    """A cell as people read it on the page (and in the command's table)."""
    if value is None:
        return DASH
    if kind == MONEY:
        return yuan(value)
    if kind == RATIO:
        return ratio_percent(value)
    if kind == INT:
        return grouped(value)
    if kind == BOOL:
        return _("yes") if value else ""
    return str(value)


def csv_value(value: Any, kind: str) -> Any:
    """A cell as the CSV holds it: numbers stay numbers, text is made formula-safe.

    Numbers are passed on as numbers so the formula guard never touches a negative amount.
    """
    if value is None:
        return ""
    if kind == MONEY:
        return half_up(value)
    if kind == BOOL:
        return "true" if value else "false"
    if kind in (INT, RATIO):
        return value
    return safe_cell(str(value))


def format_csv_value(value: Any, kind: str) -> str:
    """The text of one CSV cell, exactly as the file shows it."""
    return str(csv_value(value, kind))


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT
    html: bool = True  # shown on the page
    csv: bool = True  # in the CSV
    href: str = ""  # attribute holding a link for the page


@dataclass
class Table:
    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Any]
    footer: Sequence[Any] = ()
    flagged: Callable[[Any], bool] = lambda row: False
    note: str = ""
    csv_url: str = ""

    @property
    def headers(self) -> list[Column]:
        return [c for c in self.columns if c.html]

    def html_rows(self) -> list[dict[str, Any]]:
        return [self._html_row(row) for row in self.rows]

    def html_footer(self) -> list[dict[str, Any]]:
        return [self._html_row(row) for row in self.footer]

    def _html_row(self, row: Any) -> dict[str, Any]:
        cells = []
        for column in self.headers:
            value = _value(row, column.key)
            cells.append(
                {
                    "text": format_html_value(value, column.kind),
                    "href": _value(row, column.href) if column.href else "",
                    "numeric": column.kind in (INT, MONEY, RATIO),
                }
            )
        return {"cells": cells, "flagged": self.flagged(row)}

    def csv_rows(self) -> Iterator[list[Any]]:
        """The header, the rows and the footer, as CSV cells."""
        columns = [c for c in self.columns if c.csv]
        yield [str(c.label) for c in columns]
        for row in [*self.rows, *self.footer]:
            yield [csv_value(_value(row, c.key), c.kind) for c in columns]

    def csv_text(self) -> str:
        """The table as CSV text, without the byte-order mark only spreadsheets need."""
        return "".join(csv_lines(self.csv_rows())).removeprefix(BOM)


def _value(row: Any, key: str) -> Any:
    return row[key] if isinstance(row, dict) else getattr(row, key)


def table_csv_response(table: Table, filename: str) -> HttpResponse:
    """One table as a CSV download (with the byte-order mark spreadsheets need for Chinese)."""
    response = HttpResponse(
        "".join(csv_lines(table.csv_rows())), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
