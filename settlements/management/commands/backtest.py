"""``manage.py backtest``: re-price the boosts settled in a period under current or candidate rules.

Prints the comparison by re-priced premium-ratio band (see ``settlements.insights.backtest``), or
the table as CSV with ``--csv`` (``--csv boosts`` for one row per boost). Reads only; writes
nothing. It shares the page's tables (``insights.pages``), never its views.
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser

from settlements.insights import backtest
from settlements.insights.pages import backtest_tables
from settlements.insights.periods import Period
from settlements.insights.tables import format_html_value


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _decimal(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ArgumentTypeError(f"not a number: {value!r}")
    return number


class Command(BaseCommand):
    help = (
        "Re-price the boosts whose windows were settled between --from and --to (Asia/Shanghai "
        "dates, both included) from the history their influencers had at order time, and compare "
        "fees and loss ratios by premium-ratio band. Rules not given keep their current values."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, type=_date, metavar="DATE")
        parser.add_argument("--to", dest="end", required=True, type=_date, metavar="DATE")
        parser.add_argument("--history-days", type=int, metavar="N")
        parser.add_argument("--half-life", type=int, metavar="N", help="half-life in days")
        parser.add_argument("--target", type=_decimal, metavar="T", help="target loss ratio")
        parser.add_argument("--min-ratio", type=_decimal, metavar="R")
        parser.add_argument("--max-ratio", type=_decimal, metavar="R")
        parser.add_argument(
            "--csv",
            nargs="?",
            const="bands",
            choices=["bands", "boosts"],
            help="write CSV instead of a table: by band (default) or one row per boost",
        )

    def handle(self, *args, **options) -> None:
        try:
            period = Period(options["start"], options["end"])
            rules = backtest.candidate_rules(
                {
                    "history_days": options["history_days"],
                    "half_life_days": options["half_life"],
                    "target_loss_ratio": options["target"],
                    "min_ratio": options["min_ratio"],
                    "max_ratio": options["max_ratio"],
                }
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        result = backtest.run_backtest(period=period, rules=rules)
        tables = backtest_tables(result)
        if options["csv"]:
            self.stdout.write(tables[options["csv"]].csv_text(), ending="")
            return
        self.stdout.write(
            f"Backtest of {len(result.rows)} settled boost(s), {period.start} to {period.end}; "
            f"rules: history {rules.history_days} d, half-life {rules.half_life_days} d, "
            f"T = {rules.target_loss_ratio}, ratio {rules.min_ratio}–{rules.max_ratio}."
        )
        table = tables["bands"]
        columns = table.headers
        lines = [[str(c.label) for c in columns]]
        for row in [*table.rows, *table.footer]:
            lines.append([format_html_value(getattr(row, c.key), c.kind) for c in columns])
        widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
        for n, line in enumerate(lines):
            cells = [
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write(
            "Approximate: history videos keep only their latest view count, so quotes rebuilt "
            "for boosts whose history changed since they were ordered differ from the frozen ones."
        )
