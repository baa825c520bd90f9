"""The base of every domain error: a business rule refused the request and nothing was written.

It is a ``ValidationError`` so forms, the admin and the API show its message as a clear 4xx.
Each app subclasses it (``orders.services.OrderError``, ``settlements.services.SettlementError``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A business rule refused the request; nothing was written."""
