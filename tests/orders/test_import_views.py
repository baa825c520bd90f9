"""``manage.py import_views``: a CSV of view snapshots checked by record_views's rules, stored in
all-or-nothing chunks; errors name their line; a repeated import stores nothing new."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from orders.models import ViewSnapshot
from tests import factories
from tests.csv_imports import ImportFailed, import_csv
from tests.factories import T0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NOW = T0 + timedelta(days=1)
HEADER = "video_id,observed_at,views\n"


@pytest.fixture(autouse=True)
def published():
    """Videos v1 and v2 published at T0; the command runs one day later."""
    factories.publish(factories.boost(), at=T0, video_id="v1")
    factories.publish(factories.boost(), at=T0, video_id="v2")
    with time_machine.travel(NOW, tick=False):
        yield


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def run(tmp_path, text: str, *args: str) -> tuple[str, str]:
    return import_csv("import_views", tmp_path, text, *args)


GOOD = HEADER + f"v1,{at(1)},100\nv1,{at(2)},250\nv2,{at(1)},40\n"


def test_a_good_file_is_stored(tmp_path):
    out, err = run(tmp_path, GOOD)
    assert "Stored 3 new snapshot(s) from 3 row(s)" in out
    assert err == ""
    stored = ViewSnapshot.objects.order_by("line__platform_video_id", "observed_at")
    assert [(s.line.platform_video_id, s.views) for s in stored] == [
        ("v1", 100),
        ("v1", 250),
        ("v2", 40),
    ]
    assert all(s.received_at == NOW for s in stored)


def test_columns_may_come_in_any_order_and_with_a_bom(tmp_path):
    run(tmp_path, f"\ufeffviews,video_id,observed_at,note\n100,v1,{at(1)},first\n")
    assert ViewSnapshot.objects.get().views == 100


def test_importing_the_same_file_again_stores_nothing_new(tmp_path):
    run(tmp_path, GOOD)
    before = factories.row_counts()
    out, _err = run(tmp_path, GOOD)
    assert "Stored 0 new snapshot(s) from 3 row(s) (3 already stored)" in out
    assert factories.row_counts() == before


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"nope,{at(3)},1", "Unknown video nope"),
        (f"v1,{at(3)},-1", "whole number"),
        (f"v1,{at(3)},1.5", "whole number"),
        (f"v1,{at(3)},", "whole number"),
        (f"v1,{at(3)},{2**63}", "too large"),
        ("v1,2026-03-10 12:00,1", "UTC offset"),
        ("v1,tomorrow,1", "ISO 8601"),
        (f"v1,{(NOW + timedelta(minutes=6)).isoformat()},1", "future"),
        (f",{at(3)},1", "video_id is empty"),
        (f"v1,{at(3)}", "as many fields"),
        (f"v1,{at(3)},1,extra", "as many fields"),
        (f"v1,{at(1)},101", "Conflicts with the stored count 100"),
    ],
)
def test_a_bad_row_fails_the_import_naming_its_line(tmp_path, row, message):
    run(tmp_path, HEADER + f"v1,{at(1)},100\n")
    before = factories.row_counts()
    text = HEADER + f"v2,{at(1)},40\nv2,{at(2)},50\n{row}\n"
    with pytest.raises(ImportFailed) as failed:
        run(tmp_path, text)
    [error] = failed.value.err.splitlines()
    assert error.startswith("line 4: ")
    assert message in error
    assert "Stored 0 new snapshot(s) from 0 row(s)" in failed.value.out
    assert factories.row_counts() == before


def test_chunks_before_the_bad_one_are_stored_and_counted(tmp_path):
    text = HEADER + f"v1,{at(1)},100\nv1,{at(2)},200\nv1,{at(3)},300\nnope,{at(4)},1\n"
    with pytest.raises(ImportFailed) as failed:
        run(tmp_path, text, "--chunk-size", "2")
    assert "line 5: Unknown video nope" in failed.value.err
    assert "Stored 2 new snapshot(s) from 2 row(s)" in failed.value.out
    assert sorted(ViewSnapshot.objects.values_list("views", flat=True)) == [100, 200]
    # Fixed and imported again: the stored rows are skipped, the rest is stored.
    out, _err = run(tmp_path, text.replace("nope", "v2"), "--chunk-size", "2")
    assert "Stored 2 new snapshot(s) from 4 row(s) (2 already stored)" in out
    assert ViewSnapshot.objects.count() == 4


def test_every_error_of_the_failing_chunk_is_listed(tmp_path):
    text = HEADER + f"nope,{at(1)},1\nv1,{at(2)},-5\nv1,yesterday,1\n"
    with pytest.raises(ImportFailed) as failed:
        run(tmp_path, text)
    lines = failed.value.err.splitlines()
    assert [line.split(":")[0] for line in lines] == ["line 2", "line 3", "line 4"]
    assert ViewSnapshot.objects.count() == 0


def test_a_missing_header_is_refused(tmp_path):
    with pytest.raises(ImportFailed) as failed:
        run(tmp_path, f"v1,{at(1)},100\n")
    assert "line 1" in str(failed.value.__cause__)
    assert ViewSnapshot.objects.count() == 0


def test_dry_run_writes_nothing(tmp_path):
    before = factories.row_counts()
    out, err = run(tmp_path, GOOD, "--dry-run")
    assert "Dry run: 3 row(s) in valid chunks, 3 of them new; nothing was stored." in out
    assert err == ""
    assert factories.row_counts() == before


def test_dry_run_checks_every_chunk_and_fails_on_errors(tmp_path):
    text = HEADER + f"nope,{at(1)},1\nv1,{at(2)},2\nv1,{at(3)},-1\n"
    with pytest.raises(ImportFailed) as failed:
        run(tmp_path, text, "--dry-run", "--chunk-size", "1")
    assert failed.value.err.splitlines() == [
        "line 2: Unknown video nope.",
        "line 4: Views must be a whole number ≥ 0.",
    ]
    assert ViewSnapshot.objects.count() == 0


def test_dry_run_sees_a_conflict_between_two_chunks(tmp_path):
    text = HEADER + f"v1,{at(1)},1\nv1,{at(1)},2\n"
    with pytest.raises(ImportFailed) as failed:
        run(tmp_path, text, "--dry-run", "--chunk-size", "1")
    assert "line 3: Conflicts with the stored count 1" in failed.value.err
    assert ViewSnapshot.objects.count() == 0


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_views", str(tmp_path / "missing.csv"))


def test_blank_lines_are_skipped_and_other_columns_ignored(tmp_path):
    text = f"note,views,observed_at,video_id\nx,40,{at(1)},v2\n\ny,50,{at(2)},v2\n"
    out, _err = run(tmp_path, text)
    assert "Stored 2 new snapshot(s) from 2 row(s)" in out
    assert sorted(ViewSnapshot.objects.values_list("views", flat=True)) == [40, 50]
