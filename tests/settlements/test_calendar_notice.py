"""Reading a year's official days pasted from the State Council notice (DESIGN §7, issue 17).

Pure: no database. Each syntax the page documents is read here, and every kind of bad line is
reported with its line number (the caller then writes nothing).
"""

from datetime import date, timedelta

import pytest
from django.utils import translation

from settlements.calendar_notice import LineError, NoticeDay, parse_notice


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in their source language (the site defaults to Chinese)."""
    with translation.override("en"):
        yield


def days_of(text: str) -> list[tuple[date, bool]]:
    notice = parse_notice(text)
    assert notice.errors == ()
    return [(d.date, d.is_working_day) for d in notice.days]


def span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_a_line_gives_its_date_kind_name_and_line_number():
    notice = parse_notice("\n2027-01-01 元旦 休\n")

    assert notice == ((NoticeDay(date(2027, 1, 1), False, "元旦", 2),), ())


@pytest.mark.parametrize("written", ["2027-01-01", "2027-1-1", "2027/1/1", "2027年1月1日"])
def test_every_date_form_reads_the_same_day(written):
    assert days_of(f"{written} 休") == [(date(2027, 1, 1), False)]


@pytest.mark.parametrize("joiner", ["..", " .. ", "至", " 至 ", "到", "–", "—", "~", "～"])
def test_every_range_joiner_reads_the_whole_range(joiner):
    days = days_of(f"2027-02-06{joiner}2027-02-13 春节 放假")

    assert days == [(d, False) for d in span(date(2027, 2, 6), date(2027, 2, 13))]


@pytest.mark.parametrize(
    "written",
    ["2027-02-06..02-13", "2027-02-06至2-13", "2027年2月6日至2月13日", "2027年2月6日至13日"],
)
def test_a_range_end_may_leave_out_the_year_or_the_month(written):
    assert [d for d, _ in days_of(f"{written} 休")] == span(date(2027, 2, 6), date(2027, 2, 13))


def test_a_range_may_cross_into_the_next_month_and_year():
    assert [d for d, _ in days_of("2026-12-31..2027-01-02 元旦 休")] == span(
        date(2026, 12, 31), date(2027, 1, 2)
    )


@pytest.mark.parametrize("separator", ["、", ",", "，", " , "])
def test_several_dates_and_ranges_on_one_line(separator):
    text = f"2027-02-14{separator}2027-02-20..2027-02-21 调休上班"

    assert days_of(text) == [
        (date(2027, 2, 14), True),
        (date(2027, 2, 20), True),
        (date(2027, 2, 21), True),
    ]


@pytest.mark.parametrize(
    ("kind", "working"),
    [
        ("休", False),
        ("休息", False),
        ("放假", False),
        ("放假调休", False),
        ("off", False),
        ("Holiday", False),
        ("上班", True),
        ("调休上班", True),
        ("补班", True),
        ("班", True),
        ("work", True),
        ("WORKING", True),
    ],
)
def test_every_kind_word(kind, working):
    notice = parse_notice(f"2027-02-14 春节 {kind}")

    assert notice.errors == ()
    assert (notice.days[0].is_working_day, notice.days[0].note) == (working, "春节")


def test_chinese_kind_words_need_no_space_and_the_name_is_optional():
    notice = parse_notice("2027-01-01元旦休\n2027-02-14 上班")

    assert [(d.note, d.is_working_day) for d in notice.days] == [("元旦", False), ("", True)]


def test_weekdays_in_brackets_as_the_notice_writes_them_are_accepted():
    text = "2027年2月14日（周日）上班\n2027-02-20 (星期六) 上班\n2027-02-21(星期天) 上班"

    assert [d for d, _ in days_of(text)] == [
        date(2027, 2, 14),
        date(2027, 2, 20),
        date(2027, 2, 21),
    ]


def test_comments_and_blank_lines_are_skipped_and_line_numbers_stay_physical():
    notice = parse_notice("# 2027 notice\n\n   \n2027-01-01 休  # 元旦\n＃ full-width comment")

    assert [(d.date, d.line, d.note) for d in notice.days] == [(date(2027, 1, 1), 4, "")]
    assert notice.errors == ()


def test_days_come_back_in_date_order_whatever_the_order_of_the_lines():
    notice = parse_notice("2027-10-01 休\n2027-01-01 休\n2027-05-01 休")

    assert [d.date for d in notice.days] == [date(2027, 1, 1), date(2027, 5, 1), date(2027, 10, 1)]
    assert [d.line for d in notice.days] == [2, 3, 1]


def test_a_whole_notice_in_the_state_councils_layout():
    # The 2026 notice's days, as an operator would paste them (chinesecalendar has the same).
    notice = parse_notice(
        """
        2026年1月1日至3日 元旦 放假
        2026年1月4日（周日） 上班
        2026年2月15日至23日 春节 放假调休
        2026年2月14日（周六）、2026年2月28日（周六） 上班
        2026年10月1日至7日 国庆节 放假
        2026年9月20日（周日）、2026年10月10日（周六） 调休上班
        """
    )

    assert notice.errors == ()
    holidays = [d.date for d in notice.days if not d.is_working_day]
    working = [d.date for d in notice.days if d.is_working_day]
    assert len(holidays) == 3 + 9 + 7
    assert working == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("元旦 2027-01-01 休", "Start the line with a date"),
        ("hello", "Start the line with a date"),
        ("2027-02-30 休", "2027-02-30 is not a date."),
        ("2027-13-01 休", "2027-13-01 is not a date."),
        ("2027-02-06..02-30 休", "02-30 is not a date."),
        ("2027-03-10..2027-03-01 休", "ends before it starts"),
        ("2027-01-01..2027-03-01 休", "is 60 days long"),
        ("2027-01-01 元旦", "End the line with 休 or 放假"),
        ("2027-01-01", "End the line with 休 or 放假"),
        ("2027-03-02 homework", "End the line with 休 or 放假"),
        ("2027-03-01 调休", "调休 alone reads both ways"),
        ("2027-04-04, 休", "Put a date after the separator."),
        ("2027-02-14（周六） 上班", "2027-02-14 is a 周日, not 周六."),
        ("2027-01-01 " + "节" * 201 + " 休", "longer than 200 characters"),
    ],
)
def test_a_bad_line_is_reported_with_its_number_and_gives_no_day(line, message):
    notice = parse_notice(f"2027-05-01 劳动节 休\n{line}")

    assert [d.date for d in notice.days] == [date(2027, 5, 1)]
    (error,) = notice.errors
    assert (error.line, error.text) == (2, line)
    assert message in error.message


def test_a_date_given_twice_names_the_line_that_gave_it_first():
    notice = parse_notice("2027-02-06..2027-02-13 休\n2027-02-13 休\n2027-02-14 上班")

    assert notice.errors == (
        LineError(2, "2027-02-13 休", "2027-02-13 is already given on line 1."),
    )
    assert date(2027, 2, 14) in [d.date for d in notice.days]


def test_every_bad_line_is_reported_not_only_the_first():
    notice = parse_notice("2027-02-30 休\n2027-01-01 休\nnope\n2027-01-02 元旦")

    assert [e.line for e in notice.errors] == [1, 3, 4]
