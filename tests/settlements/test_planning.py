"""``planning.index_scans_only``: bitmap and sequential scans, hash and merge joins off inside,
restored after.

PostgreSQL only (a planner setting). The plan it buys on a backlog with stale statistics is
shown by ``bench/run.py sweep`` (the pay selection's EXPLAIN ANALYZE).
"""

import pytest
from django.db import connection, transaction

from settlements.services.planning import index_scans_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _scans() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_bitmapscan'), current_setting('enable_seqscan')"
        )
        return cursor.fetchone()


def test_bitmap_scans_are_off_inside_and_back_after():
    with transaction.atomic():
        with index_scans_only():
            assert _scans() == ("off", "off")
        assert _scans() == ("on", "on")


def test_hash_and_merge_joins_are_off_inside_and_back_after():
    def joins() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')"
            )
            return cursor.fetchone()

    with transaction.atomic():
        with index_scans_only():
            assert joins() == ("off", "off")
        assert joins() == ("on", "on")


def test_a_failing_block_leaves_the_setting_to_the_rollback():
    with pytest.raises(ZeroDivisionError), transaction.atomic(), index_scans_only():
        1 / 0  # noqa: B018
    assert _scans() == ("on", "on")
