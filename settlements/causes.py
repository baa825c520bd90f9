"""Why a boost fell short (DESIGN §5): natural, creator-caused or platform-caused. Pure.

The video's status history decides it: a shortfall while the creator had removed or hidden the
video at any moment of the window is creator-caused (the influencer owes the compensation back);
otherwise, while the platform had taken it down, platform-caused; otherwise natural. Statuses are
the pipeline's codes (``orders.models.VideoStatus``); before its first event a video is live.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

NATURAL = "natural"
CREATOR_CAUSED = "creator_caused"
PLATFORM_CAUSED = "platform_caused"

CREATOR_STATUSES = frozenset({"removed_by_creator", "private"})
PLATFORM_STATUSES = frozenset({"taken_down"})


NOT_LIVE = CREATOR_STATUSES | PLATFORM_STATUSES


def status_at(events: Sequence[tuple[datetime, str]], instant: datetime) -> str:
    """The status in force at ``instant``: the latest event at or before it, else live."""
    before = [(at, status) for at, status in events if at <= instant]
    return max(before)[1] if before else "live"


def offline_periods(
    events: Sequence[tuple[datetime, str]], *, until: datetime
) -> list[tuple[datetime, datetime, str]]:
    """The (start, end, status) periods a video was not live, from its (at, status) events.

    A period still open at ``until`` ends there.
    """
    ordered = sorted(events)
    periods = []
    for n, (at, status) in enumerate(ordered):
        if status in NOT_LIVE:
            end = ordered[n + 1][0] if n + 1 < len(ordered) else max(until, at)
            periods.append((at, end, status))
    return periods


def shortfall_cause(
    events: Sequence[tuple[datetime, str]], *, window_start: datetime, window_end: datetime
) -> str:
    """The cause of a shortfall whose window ran from ``window_start`` to ``window_end``.

    Only time inside the window matters: a video hidden and restored before publish, or hidden
    after the window ended, changes nothing.
    """
    inside = [
        status
        for start, end, status in offline_periods(events, until=window_end)
        if start < window_end and end > window_start
    ]
    if any(status in CREATOR_STATUSES for status in inside):
        return CREATOR_CAUSED
    if inside:
        return PLATFORM_CAUSED
    return NATURAL
