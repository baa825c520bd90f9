"""Reading a year's official days pasted from the State Council notice (DESIGN §7).

One line per day or range of days::

    DATES [NAME] KIND          # text after "#" is a comment; blank lines are skipped

- ``DATES``: a date ``2027-01-01`` (or ``2027/1/1``, ``2027年1月1日``); a range, its two
  ends joined by ``..``, ``至``, ``到``, ``–``, ``—``, ``~`` or ``～``
  (``2027-02-06..2027-02-13``), where the end may leave out the year or the month
  (``2027年2月6日至13日``, ``2027-02-06至02-13``); or several of these separated by ``、`` or a
  comma. A weekday in brackets after a date, as the notice writes it (``2月14日（周六）``), is
  checked against the date.
- ``NAME``: optional, kept as the day's note (``元旦``, ``春节``).
- ``KIND``: the end of the line: ``休``, ``休息``, ``放假``, ``放假调休``, ``off`` or
  ``holiday`` for days off (法定节假日); ``上班``, ``调休上班``, ``补班``, ``班``, ``work`` or
  ``working`` for make-up working days (调休上班). ``调休`` alone is refused: it is read both ways.

Examples::

    2027-01-01 元旦 休
    2027-02-06..2027-02-13 春节 放假
    2027-02-14、2027-02-20 调休上班

Any bad line is reported with its number and nothing is taken from the paste (the caller writes
nothing): a partial notice entered by mistake would silently move due dates. A date given twice
is an error even with the same kind, so an overlapping range is noticed. Pure: no database.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from django.utils.translation import gettext as _

MAX_RANGE_DAYS = 31
NOTE_MAX_LENGTH = 200

_WEEKDAYS = "一二三四五六日"  # Monday … Sunday; 天 is also Sunday
_FULL = r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日"
_END = rf"{_FULL}|\d{{1,2}}[-/]\d{{1,2}}|\d{{1,2}}月\d{{1,2}}日|\d{{1,2}}日"
_WEEKDAY = r"\s*[（(]\s*(?:周|星期)(?P<{}>[一二三四五六日天])\s*[）)]"
_ITEM = re.compile(
    rf"(?P<start>{_FULL})(?:{_WEEKDAY.format('start_wd')})?"
    rf"(?:\s*(?:\.\.|至|到|–|—|~|～)\s*(?P<end>{_END})(?:{_WEEKDAY.format('end_wd')})?)?"
)
_SEPARATOR = re.compile(r"\s*[、,，]\s*")
_NUMBERS = re.compile(r"\d+")

# Longest first, so that 调休上班 is read before 上班 and 放假调休 before 休.
_KINDS: tuple[tuple[str, bool], ...] = tuple(
    sorted(
        [
            ("放假调休", False),
            ("放假", False),
            ("休息", False),
            ("休", False),
            ("holiday", False),
            ("off", False),
            ("调休上班", True),
            ("上班", True),
            ("补班", True),
            ("班", True),
            ("working", True),
            ("work", True),
        ],
        key=lambda kind: -len(kind[0]),
    )
)


class NoticeDay(NamedTuple):
    """One official day read from the paste, with the line it came from."""

    date: date
    is_working_day: bool
    note: str
    line: int


class LineError(NamedTuple):
    """Why line ``line`` (1-based) of the paste could not be read."""

    line: int
    text: str
    message: str


class Notice(NamedTuple):
    """The days read from a paste, by date, and every bad line; use the days only if no errors."""

    days: tuple[NoticeDay, ...]
    errors: tuple[LineError, ...]


class _BadLine(Exception):
    pass


def parse_notice(text: str) -> Notice:
    """Read the pasted official days (module docstring); every bad line becomes a ``LineError``."""
    days: dict[date, NoticeDay] = {}
    errors: list[LineError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].split("＃", 1)[0].strip()
        if not line:
            continue
        try:
            dates, note, working = _read_line(line)
            for day in dates:
                if day in days:
                    raise _BadLine(
                        _("%(date)s is already given on line %(line)d.")
                        % {"date": day.isoformat(), "line": days[day].line}
                    )
        except _BadLine as error:
            errors.append(LineError(number, raw.strip(), str(error)))
            continue
        for day in dates:
            days[day] = NoticeDay(day, working, note, number)
    return Notice(tuple(days[d] for d in sorted(days)), tuple(errors))


def _read_line(line: str) -> tuple[list[date], str, bool]:
    dates: list[date] = []
    pos = 0
    while True:
        match = _ITEM.match(line, pos)
        if match is None:
            raise _BadLine(
                _("Start the line with a date such as 2027-01-01 or 2027年1月1日.")
                if not dates
                else _("Put a date after the separator.")
            )
        dates.extend(_item_dates(match))
        pos = match.end()
        separator = _SEPARATOR.match(line, pos)
        if separator is None:
            break
        pos = separator.end()
    rest = line[pos:].strip()
    working, kind = _kind(rest)
    note = rest[: len(rest) - len(kind)].strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise _BadLine(_("The name is longer than %(max)d characters.") % {"max": NOTE_MAX_LENGTH})
    return dates, note, working


def _item_dates(match: re.Match[str]) -> list[date]:
    start = _date(match["start"], None)
    _check_weekday(start, match["start_wd"])
    if match["end"] is None:
        return [start]
    end = _date(match["end"], start)
    _check_weekday(end, match["end_wd"])
    if end < start:
        raise _BadLine(
            _("The range %(start)s to %(end)s ends before it starts.")
            % {"start": start.isoformat(), "end": end.isoformat()}
        )
    length = (end - start).days + 1
    if length > MAX_RANGE_DAYS:
        raise _BadLine(
            _("The range %(start)s to %(end)s is %(days)d days long; official ranges are shorter.")
            % {"start": start.isoformat(), "end": end.isoformat(), "days": length}
        )
    return [start + timedelta(days=i) for i in range(length)]


def _date(text: str, start: date | None) -> date:
    """A date; a range's end without a year (or month) takes them from the range's start."""
    numbers = [int(n) for n in _NUMBERS.findall(text)]
    if start is not None and len(numbers) == 2:
        numbers = [start.year, *numbers]
    elif start is not None and len(numbers) == 1:
        numbers = [start.year, start.month, *numbers]
    try:
        return date(*numbers)
    except ValueError:
        raise _BadLine(_("%(text)s is not a date.") % {"text": text}) from None


def _check_weekday(day: date, written: str | None) -> None:
    if written is None:
        return
    weekday = 6 if written == "天" else _WEEKDAYS.index(written)
    if weekday != day.weekday():
        raise _BadLine(
            _("%(date)s is a 周%(actual)s, not 周%(written)s.")
            % {"date": day.isoformat(), "actual": _WEEKDAYS[day.weekday()], "written": written}
        )


def _kind(rest: str) -> tuple[bool, str]:
    """(is a working day, the keyword as written) from the end of the line."""
    lowered = rest.lower()
    for keyword, working in _KINDS:
        if not lowered.endswith(keyword):
            continue
        before = lowered[: len(lowered) - len(keyword)]
        if keyword.isascii() and before and not before[-1].isspace():
            continue  # "homework" is not "work"
        if keyword == "休" and before.endswith("调"):
            raise _BadLine(_("调休 alone reads both ways: write 休 (a holiday) or 调休上班."))
        return working, rest[len(rest) - len(keyword) :]
    raise _BadLine(
        _(
            "End the line with 休 or 放假 (a holiday) or with 上班 or 调休上班 "
            "(a make-up working day)."
        )
    )
