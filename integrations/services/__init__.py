"""Business actions of the integrations app: fan-out, deliveries, endpoints, tokens, preferences.

Import from here: ``from integrations import services``. Each concern lives in its own module.
"""

from .at_risk import flag_at_risk_batch
from .attempts import due
from .dispatch import dispatch_batch, event_body
from .email import compose, send_email
from .endpoints import create_endpoint, remove_endpoint
from .errors import IntegrationError
from .preferences import mark_read, save_preferences
from .tokens import authenticate_api_token, create_api_token, revoke_api_token
from .webhooks import TEST_EVENT, attempt_webhook, resend, send_test

__all__ = [
    "TEST_EVENT",
    "IntegrationError",
    "attempt_webhook",
    "authenticate_api_token",
    "compose",
    "create_api_token",
    "create_endpoint",
    "dispatch_batch",
    "due",
    "event_body",
    "flag_at_risk_batch",
    "mark_read",
    "remove_endpoint",
    "resend",
    "revoke_api_token",
    "save_preferences",
    "send_email",
    "send_test",
]
