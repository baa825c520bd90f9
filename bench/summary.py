"""``summary``: issue 13's table, each row's figure before (the issue's) beside the one now.

Each row comes from the entry that measures it, through that module's ``headline(args)``: it
loads its own data on this run's database, measures, and returns ``(row label, figure)`` pairs.
It is given its own arguments' defaults (its ``add_arguments`` parsed with nothing) and
``quick``, which ``--quick`` sets for smaller sizes. A module without ``headline`` leaves its rows
"not measured". The "before" column is the issue's text, measured before this work on the same
2-core machine; it is not re-measured.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time

from django.db import connection

from . import common

NAME = "summary"
HELP = "issue 13's table: each row before (the issue's figure) and now (measured in this run)"

# (module, row of the table, the figure the issue gives: measured before this work)
BEFORE = (
    (
        "bench.pages",
        "order page, 50 lines x 336 snapshots",
        "median 606 ms, 386 KB, 24x its SQL (~25 ms, 7 queries)",
    ),
    ("bench.sweep", "close + pay, 10k due boosts", "4.51 s at 5,000 (4.9x the SQL floor)"),
    (
        "bench.sweep",
        "close + pay, 100k due boosts",
        "58.3 s at 50,000 (6.4x the floor; 12.95x the time for 10x the work)",
    ),
    ("bench.ingest", "POST /api/views, 1M snapshots", "18.7 s at 200,000 (8.7x COPY)"),
    ("bench.ingest", "import_views, 1M snapshots", "20.6 s at 200,000 (9.6x COPY)"),
    ("bench.ingest", "/api/publish queries per event", "about 9 queries per event"),
    (
        "bench.load",
        "client pages under concurrency",
        "55 req/s (27/core), p50 892 ms (50 users, gunicorn 3 workers)",
    ),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes in every entry (a quicker look)"
    )


def module_args(module, quick: bool) -> argparse.Namespace:
    """The module's own arguments at their defaults, and ``quick``."""
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    args = parser.parse_args([])
    args.quick = quick
    return args


def rows(quick: bool) -> list[tuple[str, str, str, str]]:
    """(row, before, now, seconds taken) for every row of ``BEFORE``, module by module."""
    table = []
    for name in dict.fromkeys(module for module, _row, _before in BEFORE):
        module = importlib.import_module(name)
        before = [(row, figure) for m, row, figure in BEFORE if m == name]
        headline = getattr(module, "headline", None)
        measured: list[tuple[str, str]] = []
        took = ""
        if headline is not None:
            start = time.perf_counter()
            measured = list(headline(module_args(module, quick)))
            took = f"{time.perf_counter() - start:.0f}"
            print(f"  {name}: measured in {took} s", flush=True)
        for k in range(max(len(before), len(measured))):
            label, old = before[k] if k < len(before) else ("", "")
            label_now, now = measured[k] if k < len(measured) else ("", "not measured")
            table.append((label_now or label, old or "-", now, took))
    return table


def run(args: argparse.Namespace) -> None:
    print(
        f"summary: issue 13's table, {'quick sizes' if args.quick else 'full sizes'}, database "
        f"{connection.settings_dict['NAME']}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}\n",
        flush=True,
    )
    table = rows(args.quick)
    print()
    print(
        common.table(
            ["work", "before (issue 13, measured before)", "now (this run)", "entry s"], table
        )
    )
    print(
        f"\nLoad average at the end {os.getloadavg()[0]:.1f}. The changelist and compaction "
        "benches are their own entries (bench/run.py changelists, ...)."
    )
