"""The errors the orders services raise when a business rule refuses a request."""

from __future__ import annotations

from collections.abc import Iterable

from kernel.errors import DomainError


class OrderError(DomainError):
    """A rule of clients, orders, boosts or views refused the request; nothing was written."""


class InsufficientBalance(OrderError):
    """The client's balance does not cover what the posting or order would debit."""


class IdempotencyConflict(OrderError):
    """An idempotency key already used for different content: a retry must repeat the request."""


class BatchRefused(OrderError):
    """Items of an all-or-nothing batch were refused; ``message_dict`` is keyed by item index.

    ``conflict`` is True when every refused item contradicts data already stored (a different
    publish of the line, a video of another line, another count for the same instant) rather than
    being wrong in itself: the API answers 409 then, 400 otherwise.
    """

    def __init__(self, errors: dict[int, str], *, conflicts: Iterable[int] = ()):
        super().__init__({str(n): [errors[n]] for n in sorted(errors)})
        self.conflict = set(conflicts) == set(errors)
