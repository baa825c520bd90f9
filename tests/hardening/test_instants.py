"""``kernel.instants.parse_instant`` reads only ASCII ISO 8601 with an offset, within a sane range.

Pure: no database. A value outside the range is one PostgreSQL would store as a BC instant (or
past year 9999 after the offset) and then fail to read back, stopping every sweep that loads it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kernel.errors import DomainError
from kernel.instants import EARLIEST, LATEST, parse_instant


def refusal(value, **bounds) -> str:
    with pytest.raises(DomainError) as caught:
        parse_instant(value, **bounds)
    return " ".join(caught.value.messages)


def test_an_iso_instant_with_an_offset_is_read():
    assert parse_instant("2026-03-10T10:00:00+08:00") == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    assert parse_instant("2026-03-10T02:00:00Z") == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "２０２６-03-10T10:00:00+08:00",  # full-width digits
        "2026-03-１0T10:00:00+08:00",  # one full-width digit
        "٢٠٢٦-03-10T10:00:00+08:00",  # Arabic-Indic digits
        "2026-03-10T10:00:00＋08:00",  # full-width plus sign
    ],
)
def test_non_ascii_digits_are_refused_with_a_clear_message(value):
    assert "ASCII digits 0–9" in refusal(value)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+14:00",  # a BC instant in UTC
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "1999-12-31T23:59:59.999999+00:00",
        "2101-01-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00",  # past year 9999 in UTC
    ],
)
def test_instants_outside_the_years_2000_to_2100_are_refused(value):
    assert "outside the accepted range" in refusal(value)


@pytest.mark.parametrize(
    "value", ["2000-01-01T00:00:00Z", "2000-01-01T08:00:00+08:00", "2100-12-31T23:59:59Z"]
)
def test_the_edges_of_the_default_range_are_accepted(value):
    assert EARLIEST <= parse_instant(value) <= LATEST


def test_a_local_time_that_is_in_range_only_in_utc_is_judged_in_utc():
    # 2000-01-01 07:59 in Shanghai is still 1999 in UTC.
    assert "outside" in refusal("2000-01-01T07:59:59+08:00")


def test_a_caller_narrows_the_range():
    placed = datetime(2026, 3, 10, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    before = "2026-03-10T09:59:59+08:00"
    assert "outside the accepted range 2026-03-10T10:00:00+08:00" in refusal(
        before, earliest=placed
    )
    assert parse_instant("2026-03-10T10:00:00+08:00", earliest=placed) == placed
    assert "outside" in refusal("2026-03-11T00:00:00Z", latest=placed + timedelta(hours=1))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-03-10T10:00:00", "no UTC offset"),
        ("2026-13-10T10:00:00Z", "Not an ISO 8601"),
        ("yesterday", "Not an ISO 8601"),
        (20260310, "Not an ISO 8601"),
        (None, "Not an ISO 8601"),
    ],
)
def test_malformed_values_keep_their_messages(value, message):
    assert message in refusal(value)


def test_a_refused_value_is_echoed_without_its_control_characters():
    message = refusal("2026-03-10\x00T10:00:00Z")
    assert "\x00" not in message and "2026-03-10\\x00T10" in message
