"""The integrations app's domain error: an action on notifications, webhooks or tokens failed."""

from __future__ import annotations

from kernel.errors import DomainError


class IntegrationError(DomainError):
    """An integrations action was refused; nothing was written."""
