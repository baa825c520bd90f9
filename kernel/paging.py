"""Admin changelists that answer in constant time on tables of millions of rows (issue 13).

Django's changelist counts its whole result to number the pages (``SELECT COUNT(*)``), and once
more unfiltered for "(N total)": on ten million view snapshots each is a scan of the table on every
page view. ``CappedCountPaginator`` never counts more than ``COUNT_CAP`` + 1 rows:

- unfiltered on PostgreSQL, when the planner's estimate of the table's rows (``pg_class.reltuples``,
  kept by ANALYZE and autovacuum) is at least ``COUNT_CAP``: that estimate, one catalogue lookup;
- otherwise (a filter or a search, a small table, SQLite): the rows counted up to the cap, in a
  ``LIMIT`` subquery. A result of more than ``COUNT_CAP`` rows counts as ``COUNT_CAP``, so its
  pages past the cap are not offered: narrow the filter to reach them.

``LargeTableAdmin`` puts it on a ModelAdmin with ``show_full_result_count = False``.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def planner_estimate(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's estimate of the rows of the queryset's table; None elsewhere or unknown."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    # -1: never analysed yet (PostgreSQL 14+).
    return int(row[0]) if row and row[0] >= 0 else None


def unfiltered(queryset: QuerySet[Any]) -> bool:
    """True when the queryset is every row of its table (joins for display do not filter)."""
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator


def capped_count(queryset: QuerySet[Any], cap: int) -> int:
    """The queryset's rows, counted up to ``cap``: ``cap`` when there are more."""
    return min(cap, queryset.order_by().values("pk")[: cap + 1].count())


class CappedCountPaginator(Paginator):  # type: ignore[type-arg]  # not generic at run time
    """A paginator whose count costs at most ``COUNT_CAP`` rows (see the module docstring)."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        if unfiltered(rows):
            estimate = planner_estimate(rows)
            if estimate is not None and estimate >= COUNT_CAP:
                return estimate
        return capped_count(rows, COUNT_CAP)


class LargeTableAdmin:
    """ModelAdmin mixin for a table of millions of rows: no full count on any changelist."""

    paginator = CappedCountPaginator
    show_full_result_count = False
