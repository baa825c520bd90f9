"""Error reporting to Sentry, started from the settings only when ``SENTRY_DSN`` is set."""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Report unhandled errors of web, worker and beat; beat's sweeps become Sentry cron monitors.

    No personal data is sent (``send_default_pii`` stays off): client names and balances stay here.
    """
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=True)],
    )
