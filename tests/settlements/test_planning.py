"""``planning.walking_the_index``: bitmap scans off inside the block, the setting restored after.

PostgreSQL only (a planner setting). The plan it buys on a backlog with stale statistics is
shown by ``bench/run.py sweep`` (the pay selection's EXPLAIN ANALYZE).
"""

import pytest
from django.db import connection, transaction

from settlements.services.planning import walking_the_index

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _bitmap_scans() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        return cursor.fetchone()[0]


def test_bitmap_scans_are_off_inside_and_back_after():
    with transaction.atomic():
        with walking_the_index():
            assert _bitmap_scans() == "off"
        assert _bitmap_scans() == "on"


def test_a_failing_block_leaves_the_setting_to_the_rollback():
    with pytest.raises(ZeroDivisionError), transaction.atomic(), walking_the_index():
        1 / 0  # noqa: B018
    assert _bitmap_scans() == "on"
