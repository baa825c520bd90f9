"""Business actions on settlements (DESIGN §5–§8): one module per family of actions.

Every action is atomic and locks its rows in one order — boosts, then settlements, then clients
(inside ``post_entries``) — re-checks state after the lock and is a no-op when the work is already
done. The sweeps work a batch at a time with a constant number of queries per batch, and a row
that fails on its own is quarantined while the others are processed (``sweeps``, ``quarantine``);
the single-boost actions are the same code with a batch of one, raising their error.

Import from here: ``from settlements import services``; ``services.close_windows_batch`` etc.
"""

from .calendar_days import (
    OfficialDaysEntered,
    YearChange,
    complete_calendar_year,
    enter_calendar_day,
    enter_official_days,
    recompute_due_dates,
    remove_calendar_days,
    reopen_calendar_year,
)
from .closing import close_window, close_windows_batch, settle_with_available_views
from .compaction import compact_batch, compact_snapshots, compaction_cutoff
from .decisions import approve_adjustment, hold, reject_adjustment, release, request_adjustment
from .due_dates import due_dates
from .errors import SettlementError
from .expiry import cancel, expire, expire_batch
from .payouts import PAYOUT_KEY, pay_batch, pay_settlement, payout_key
from .quarantine import open_rows, quarantine, resolve
from .recoveries import (
    approve_recovery_decision,
    propose_recovery_decision,
    reject_recovery_decision,
)
from .sweeps import Batch, DueRows, isolated_batch, sweep

__all__ = [
    "PAYOUT_KEY",
    "Batch",
    "DueRows",
    "OfficialDaysEntered",
    "SettlementError",
    "YearChange",
    "approve_adjustment",
    "approve_recovery_decision",
    "cancel",
    "close_window",
    "close_windows_batch",
    "compact_batch",
    "compact_snapshots",
    "compaction_cutoff",
    "complete_calendar_year",
    "due_dates",
    "enter_calendar_day",
    "enter_official_days",
    "expire",
    "expire_batch",
    "hold",
    "isolated_batch",
    "open_rows",
    "pay_batch",
    "pay_settlement",
    "propose_recovery_decision",
    "payout_key",
    "quarantine",
    "recompute_due_dates",
    "reject_adjustment",
    "reject_recovery_decision",
    "release",
    "remove_calendar_days",
    "reopen_calendar_year",
    "request_adjustment",
    "resolve",
    "settle_with_available_views",
    "sweep",
]
