"""The settlements app's models, one module per model family, all re-exported (Django finds them).

A ``Settlement`` is inserted once per terminal boost with every input of its calculation and is
never updated in its money fields (the model refuses it, and on PostgreSQL a trigger does too).
Corrections are ``Adjustment`` rows; every state change is a ``SettlementEvent``. A due row a
sweep could not process is kept out of its batches as a ``QuarantinedRow`` until a retry succeeds.
"""

from .calendars import CalendarDay, CalendarYear, CalendarYearEvent
from .corrections import Adjustment, RecoveryCase, RecoveryStatus
from .quarantine import QuarantinedRow, QuarantineResolution, QuarantineSweep
from .settlements import (
    ImmutableFieldError,
    Settlement,
    SettlementEvent,
    SettlementKind,
    SettlementQuerySet,
    SettlementStatus,
    ShortfallCause,
    overdue_q,
)

__all__ = [
    "Adjustment",
    "CalendarDay",
    "CalendarYear",
    "CalendarYearEvent",
    "ImmutableFieldError",
    "QuarantineResolution",
    "QuarantineSweep",
    "QuarantinedRow",
    "RecoveryCase",
    "RecoveryStatus",
    "Settlement",
    "SettlementEvent",
    "SettlementKind",
    "SettlementQuerySet",
    "SettlementStatus",
    "ShortfallCause",
    "overdue_q",
]
