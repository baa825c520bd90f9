"""Mainland China business days and due dates (DESIGN.md §7).

The 2026 dates are the State Council's, as shipped by chinesecalendar 1.11.0: Spring Festival off
Feb 15–23 with Sat Feb 14 and Sat Feb 28 worked; Mid-Autumn off Fri Sep 25; National Day off Oct 1–7
with Sun Sep 20 and Sat Oct 10 worked. The library has no data for 2027.
"""

from datetime import date, datetime

import pytest

from settlements.calendar import (
    DueDate,
    add_business_days,
    contradicts_library,
    due_date,
    is_business_day,
    is_known,
    library_covers,
    library_is_business_day,
)


@pytest.mark.parametrize(
    ("day", "n", "due", "provisional"),
    [
        # Thu Feb 12 → Fri 13 (1), Sat 14 worked (2), 15–23 off, Tue 24–Fri 27 (3–6), Sat 28 (7).
        pytest.param(date(2026, 2, 12), 7, date(2026, 2, 28), False, id="spring-festival"),
        # Wed Sep 30 → Oct 1–7 off, Thu 8–Fri 9 (1–2), Sat 10 worked (3), Sun 11 off, 12–15 (4–7).
        pytest.param(date(2026, 9, 30), 7, date(2026, 10, 15), False, id="national-day"),
        # Wed Dec 30, 2026 → Thu 31 (1), 2027 by Mon–Fri: Fri Jan 1 (2), Mon 4–Fri 8 (3–7).
        pytest.param(date(2026, 12, 30), 7, date(2027, 1, 8), True, id="crossing-into-2027"),
        # Due inside a known year: final even though the years after it are unknown.
        pytest.param(date(2026, 12, 29), 2, date(2026, 12, 31), False, id="inside-2026"),
    ],
)
def test_due_date_skips_the_2026_holidays_and_is_provisional_only_past_known_years(
    day, n, due, provisional
):
    assert due_date(day, n) == DueDate(due, provisional=provisional)


def test_make_up_sunday_counts_and_mid_autumn_friday_does_not():
    # Fri Sep 18 → Sat 19 off, Sun 20 worked (1), 21–24 (2–5), Fri 25 Mid-Autumn off, 28–29 (6–7).
    assert is_business_day(date(2026, 9, 20))
    assert not is_business_day(date(2026, 9, 25))
    assert add_business_days(date(2026, 9, 18), 7) == date(2026, 9, 29)


def test_plain_weeks_skip_weekends():
    # Thu Mar 5 → Fri 6 (1), Mon 9–Fri 13 (2–6), Mon 16 (7).
    assert add_business_days(date(2026, 3, 5), 7) == date(2026, 3, 16)
    assert add_business_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    assert add_business_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # counted from a Saturday


def test_count_starts_strictly_after_the_day():
    assert add_business_days(date(2026, 3, 5), 1) == date(2026, 3, 6)


def test_zero_days_returns_the_day_itself_even_on_a_holiday():
    assert add_business_days(date(2026, 10, 1), 0) == date(2026, 10, 1)
    assert due_date(date(2027, 5, 1), 0) == DueDate(date(2027, 5, 1), provisional=False)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        add_business_days(date(2026, 3, 5), -1)


@pytest.mark.parametrize("n", [1.0, True, "7"])
def test_non_integer_day_counts_are_refused(n):
    with pytest.raises(TypeError, match="n must be an int"):
        add_business_days(date(2026, 3, 5), n)


def test_datetimes_are_refused_so_overrides_cannot_silently_miss():
    with pytest.raises(TypeError, match="Asia/Shanghai"):
        add_business_days(datetime(2026, 3, 5, 12, 0), 7)
    with pytest.raises(TypeError, match="Asia/Shanghai"):
        is_business_day("2026-03-05")


def test_unknown_year_falls_back_to_monday_to_friday_and_is_provisional():
    # Mon Mar 1, 2027 → Tue 2–Fri 5 (1–4), Mon 8–Wed 10 (5–7).
    assert not is_known(date(2027, 3, 1))
    assert is_business_day(date(2027, 3, 1))
    assert not is_business_day(date(2027, 3, 6))
    assert due_date(date(2027, 3, 1), 7) == DueDate(date(2027, 3, 10), provisional=True)


# The three tests below replace ones that encoded the old rule "one entered day makes its year
# known" (issue 17): an override is honoured at once, but the year stays provisional until an
# operator marks it complete (DESIGN §7).


def test_one_override_is_honoured_but_its_year_stays_provisional_until_complete():
    overrides = {date(2027, 1, 1): False}

    assert not is_known(date(2027, 3, 1))
    assert is_known(date(2027, 3, 1), complete_years={2027})
    assert due_date(date(2027, 3, 1), 7, overrides) == DueDate(date(2027, 3, 10), True)
    assert due_date(date(2027, 3, 1), 7, overrides, complete_years={2027}) == DueDate(
        date(2027, 3, 10), False
    )
    # Thu Dec 31, 2026 → Fri Jan 1, 2027 off by override, Mon Jan 4 (1).
    assert due_date(date(2026, 12, 31), 1, overrides) == DueDate(date(2027, 1, 4), True)
    assert due_date(date(2026, 12, 31), 1, overrides, complete_years={2027}) == DueDate(
        date(2027, 1, 4), False
    )


def test_completing_one_year_does_not_make_the_next_year_known():
    overrides = {date(2027, 1, 1): False}

    assert not is_known(date(2028, 1, 3), complete_years={2027})
    assert due_date(date(2027, 12, 30), 2, overrides, complete_years={2027}) == DueDate(
        date(2028, 1, 3), True
    )


def test_make_up_working_day_override_counts_in_an_unknown_year():
    overrides = {date(2027, 2, 6): True}  # a Saturday entered as worked

    assert is_business_day(date(2027, 2, 6), overrides)
    # Fri Feb 5 → Sat 6 worked (1), Mon 8 (2); final only once 2027 is complete.
    assert due_date(date(2027, 2, 5), 2, overrides) == DueDate(date(2027, 2, 8), True)
    assert due_date(date(2027, 2, 5), 2, overrides, complete_years={2027}) == DueDate(
        date(2027, 2, 8), False
    )


def test_override_wins_over_the_library():
    overrides = {
        date(2026, 3, 5): False,  # library workday, entered as a holiday
        date(2026, 2, 16): True,  # library Spring Festival holiday, entered as worked
    }

    assert is_business_day(date(2026, 3, 5)) and not is_business_day(date(2026, 3, 5), overrides)
    assert not is_business_day(date(2026, 2, 16)) and is_business_day(date(2026, 2, 16), overrides)
    # Wed Mar 4 → Thu 5 off by override, Fri 6 (1).
    assert add_business_days(date(2026, 3, 4), 1, overrides) == date(2026, 3, 6)
    # Sun Feb 15 → Mon 16 worked by override (1).
    assert add_business_days(date(2026, 2, 15), 1, overrides) == date(2026, 2, 16)


def test_library_years_are_known_and_years_before_its_range_are_not():
    assert is_known(date(2026, 2, 16))
    assert is_known(date(2004, 1, 1))
    assert not is_known(date(2003, 12, 31))
    assert not is_known(date(2027, 1, 1))


# --- Completed years (issue 17: one entered day no longer makes a year known) ----------------

# Ended Mon Mar 1, 2027; 2027 is beyond the library: Mar 2–5 (1–4), Mar 8–10 (5–7).
END_2027 = date(2027, 3, 1)


def test_a_2027_due_date_stays_provisional_after_one_holiday_and_is_final_once_complete():
    one_holiday = {date(2027, 1, 1): False}

    assert due_date(END_2027, 7) == DueDate(date(2027, 3, 10), provisional=True)
    assert due_date(END_2027, 7, one_holiday) == DueDate(date(2027, 3, 10), provisional=True)
    assert due_date(END_2027, 7, one_holiday, complete_years={2027}) == DueDate(
        date(2027, 3, 10), provisional=False
    )


def test_a_day_entered_inside_the_span_moves_the_due_date_of_a_complete_year():
    holiday_inside = {date(2027, 1, 1): False, date(2027, 3, 4): False}  # Thu Mar 4 off

    assert due_date(END_2027, 7, holiday_inside, complete_years={2027}) == DueDate(
        date(2027, 3, 11), provisional=False
    )
    worked_saturday = {**holiday_inside, date(2027, 3, 6): True}  # Sat Mar 6 worked
    assert due_date(END_2027, 7, worked_saturday, complete_years={2027}) == DueDate(
        date(2027, 3, 10), provisional=False
    )


def test_a_span_reaching_an_incomplete_year_is_provisional_even_from_a_complete_one():
    # Thu Dec 30, 2027 → Fri 31 (1), then 2028, not complete: Mon Jan 3 (2).
    assert due_date(date(2027, 12, 30), 2, complete_years={2027}) == DueDate(
        date(2028, 1, 3), provisional=True
    )
    assert due_date(date(2027, 12, 30), 2, complete_years={2027, 2028}).provisional is False


def test_a_completed_year_needs_no_entries_to_count_monday_to_friday():
    assert due_date(END_2027, 7, complete_years=frozenset({2027})) == DueDate(
        date(2027, 3, 10), provisional=False
    )


def test_completed_years_never_change_a_year_the_library_knows():
    assert due_date(date(2026, 2, 12), 7, complete_years={2026}) == due_date(date(2026, 2, 12), 7)


def test_add_business_days_keeps_its_contract_and_ignores_completeness():
    overrides = {date(2027, 3, 4): False}

    assert add_business_days(END_2027, 7, overrides) == date(2027, 3, 11)
    assert add_business_days(END_2027, 7) == date(2027, 3, 10)


# --- What the library says, and entries that contradict it --------------------------------------


def test_library_says_what_each_2026_day_is_and_nothing_of_2027():
    assert library_is_business_day(date(2026, 10, 1)) is False  # National Day
    assert library_is_business_day(date(2026, 9, 20)) is True  # make-up Sunday
    assert library_is_business_day(date(2026, 3, 7)) is False  # a plain Saturday
    assert library_is_business_day(date(2027, 1, 1)) is None
    assert library_covers(2026) and library_covers(2004)
    assert not library_covers(2027) and not library_covers(2003)


@pytest.mark.parametrize(
    ("day", "is_working_day", "contradicts"),
    [
        (date(2026, 10, 1), True, True),  # National Day entered as worked
        (date(2026, 3, 5), False, True),  # a plain Thursday entered as a holiday
        (date(2026, 9, 20), False, True),  # the make-up Sunday entered as off
        (date(2026, 10, 1), False, False),  # the same as the library
        (date(2026, 3, 7), False, False),  # a Saturday entered as off: redundant, not a conflict
        (date(2027, 10, 1), True, False),  # the library has no 2027
    ],
)
def test_an_entry_contradicts_the_library_only_where_the_library_says_otherwise(
    day, is_working_day, contradicts
):
    assert contradicts_library(day, is_working_day) is contradicts
