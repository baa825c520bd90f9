"""Notification e-mails: one event to one user, in the user's language (Django's mail framework).

Sent after the fan-out committed, never inside a money transaction; a failure (the mail server
down) is retried with backoff by ``attempts``.
"""

from __future__ import annotations

from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .. import selectors
from ..models import EmailDelivery
from ..wording import Names, word
from . import attempts


def compose(delivery: EmailDelivery) -> tuple[str, str]:
    """The subject and text of a delivery's e-mail, in its language."""
    event = delivery.event
    names = selectors.names_for([event]).get(event.boost_id, Names())
    with translation.override(delivery.language):
        wording = word(event, names)
        footer = _(
            "You receive this e-mail as a user of %(client)s on StarBoost. Choose which events "
            "reach you by e-mail under Notifications → Preferences in the portal."
        ) % {"client": event.client.name}
        return f"[{_('StarBoost')}] {wording.subject}", f"{wording.text}\n\n-- \n{footer}\n"


def send_email(*, delivery_id: int, now: datetime) -> EmailDelivery | None:
    """Send one due e-mail delivery; None when it was not due (sent, failed or taken)."""
    if not attempts.claim(EmailDelivery, delivery_id, now=now):
        return None
    delivery = EmailDelivery.objects.select_related("event__client").get(pk=delivery_id)
    subject, text = compose(delivery)
    error = ""
    try:
        send_mail(subject, text, None, [delivery.address])
    except Exception as failure:  # any backend error is this attempt's failure, retried later
        error = f"{type(failure).__name__}: {failure}"
    with transaction.atomic():
        return attempts.record(EmailDelivery, delivery_id, now=now, error=error)
