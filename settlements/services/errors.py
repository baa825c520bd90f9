"""The settlements app's domain error: a settlement action was refused."""

from __future__ import annotations

from kernel.errors import DomainError


class SettlementError(DomainError):
    """A settlement action was refused; nothing was written."""
