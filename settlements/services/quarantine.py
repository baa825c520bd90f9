"""Quarantine: recording the due rows a sweep could not process alone, and resolving them.

Each write is its own small transaction, outside the failed work's (which was rolled back), so the
record survives whatever made the row fail. Rows are never deleted: resolving sets ``resolved_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, QuerySet

from kernel.text import shown

from ..models import QuarantinedRow


def open_rows(sweep: str) -> QuerySet[QuarantinedRow]:
    """The sweep's quarantined rows not yet resolved."""
    return QuarantinedRow.objects.filter(sweep=sweep, resolved_at__isnull=True)


def quarantine(
    *, sweep: str, model: type[models.Model], object_id: int, error: Exception, now: datetime
) -> None:
    """Keep one failed row out of the sweep's batches, with its error; a repeat bumps attempts.

    Safe against a concurrent run quarantining the same row: the partial unique constraint lets
    only one open row exist, and the loser of that race bumps the winner's row instead.
    """
    failure = {
        "error_class": _fit(
            f"{type(error).__module__}.{type(error).__qualname__}",
            QuarantinedRow.ERROR_CLASS_LENGTH,
        ),
        "error_message": _fit(_message(error), QuarantinedRow.ERROR_MESSAGE_LENGTH),
        "last_failed_at": now,
    }
    with transaction.atomic():
        if (
            open_rows(sweep)
            .filter(object_id=object_id)
            .update(attempts=F("attempts") + 1, **failure)
        ):
            return
        try:
            with transaction.atomic():
                QuarantinedRow.objects.create(
                    sweep=sweep,
                    object_model=model._meta.label_lower,
                    object_id=object_id,
                    first_failed_at=now,
                    **failure,
                )
        except IntegrityError:
            open_rows(sweep).filter(object_id=object_id).update(
                attempts=F("attempts") + 1, **failure
            )


def resolve(*, sweep: str, object_ids: Iterable[int], resolution: str, now: datetime) -> int:
    """Close the open quarantine of these rows (processed on a retry, or no longer due)."""
    return (
        open_rows(sweep)
        .filter(object_id__in=list(object_ids))
        .update(resolved_at=now, resolution=resolution)
    )


def _fit(text: str, length: int) -> str:
    """``text`` with control characters escaped, cut to fit its column (escaping lengthens it)."""
    return shown(text, length)[:length]


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
