"""The integrations schema and periodic tasks, squashed from 0001_initial and 0002_beat_schedule.

Folded into one migration before the first production release, with those of orders and
settlements. ``replaces`` names both, so a database that applied the old chain counts this one
as applied and gets nothing run. A database with only 0001_initial applied must first be
migrated to 0002_beat_schedule by the code before this squash: those files are gone.

The periodic tasks, installed as django-celery-beat rows like the settlement sweeps: events are
normally fanned out as soon as their transaction commits; the minute sweep catches what a lost
message missed, and the retry sweep what a lost retry missed. Each message expires after one
period, so a stopped worker never comes back to a queue of copies.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import integrations.models
from orders.migrations._shared import (
    PeriodicTaskRow,
    install_periodic_tasks,
    remove_periodic_tasks,
)

EVERY_MINUTE = ("interval", {"every": 1, "period": "minutes"})
EVERY_30_MINUTES = ("interval", {"every": 30, "period": "minutes"})
SCHEDULE = (
    PeriodicTaskRow(
        "Dispatch client events",
        "integrations.tasks.dispatch_events",
        EVERY_MINUTE,
        60,
        "Fan new client events out to portal notifications, e-mails and webhooks.",
    ),
    PeriodicTaskRow(
        "Retry due deliveries",
        "integrations.tasks.retry_deliveries",
        EVERY_MINUTE,
        60,
        "Queue the e-mails and webhooks whose next attempt is due (exponential backoff).",
    ),
    PeriodicTaskRow(
        "Flag boosts at risk",
        "integrations.tasks.flag_boosts_at_risk",
        EVERY_30_MINUTES,
        30 * 60,
        "Tell clients when a boost's day-14 projection falls below its expected views.",
    ),
)


def install_schedule(apps, schema_editor):
    """Idempotent: a row already there under its name is left as an operator may have changed it."""
    install_periodic_tasks(apps, SCHEDULE)


def remove_schedule(apps, schema_editor):
    """Removes the three tasks and their schedules when no other task uses them."""
    remove_periodic_tasks(apps, SCHEDULE)


class Migration(migrations.Migration):
    initial = True
    replaces = [("integrations", "0001_initial"), ("integrations", "0002_beat_schedule")]

    dependencies = [
        ("orders", "0001_squashed_0008"),
        ("django_celery_beat", "0012_periodictask_expire_seconds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "prefix",
                    models.CharField(editable=False, max_length=12, verbose_name="token prefix"),
                ),
                (
                    "token_hash",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="token hash"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(editable=False, verbose_name="created at")),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last used at"
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to="orders.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
            ],
            options={
                "verbose_name": "client API token",
                "verbose_name_plural": "client API tokens",
                "ordering": ["client", "name", "id"],
            },
        ),
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=500, verbose_name="URL")),
                (
                    "description",
                    models.CharField(blank=True, max_length=200, verbose_name="description"),
                ),
                (
                    "secret",
                    models.CharField(editable=False, max_length=80, verbose_name="signing secret"),
                ),
                (
                    "event_types",
                    models.JSONField(
                        default=integrations.models.every_event_type, verbose_name="events"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(editable=False, verbose_name="created at")),
                (
                    "removed_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="removed at"
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="webhook_endpoints",
                        to="orders.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook endpoint",
                "verbose_name_plural": "webhook endpoints",
                "ordering": ["client", "-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("delivered", "Delivered"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                (
                    "give_up_after",
                    models.PositiveSmallIntegerField(verbose_name="attempts allowed"),
                ),
                (
                    "next_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next attempt at"),
                ),
                (
                    "last_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last attempt at"),
                ),
                (
                    "delivered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="delivered at"),
                ),
                (
                    "last_error",
                    models.CharField(blank=True, max_length=300, verbose_name="last error"),
                ),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("type", models.CharField(max_length=40, verbose_name="event type")),
                ("body", models.TextField(verbose_name="body")),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.clientevent",
                        verbose_name="event",
                    ),
                ),
                (
                    "endpoint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="integrations.webhookendpoint",
                        verbose_name="endpoint",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook delivery",
                "verbose_name_plural": "webhook deliveries",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
                    models.Index(fields=["endpoint", "created_at"], name="webhook_delivery_log"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "endpoint"),
                        name="webhook_delivery_once_per_event_and_endpoint",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "delivered", "failed"])),
                        name="webhook_delivery_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("delivered_at__isnull", False), ("status", "delivered")),
                            models.Q(
                                models.Q(("status", "delivered"), _negated=True),
                                ("delivered_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="webhook_delivery_delivered_has_time",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="EmailDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("delivered", "Delivered"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                (
                    "give_up_after",
                    models.PositiveSmallIntegerField(verbose_name="attempts allowed"),
                ),
                (
                    "next_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next attempt at"),
                ),
                (
                    "last_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last attempt at"),
                ),
                (
                    "delivered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="delivered at"),
                ),
                (
                    "last_error",
                    models.CharField(blank=True, max_length=300, verbose_name="last error"),
                ),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("address", models.EmailField(max_length=254, verbose_name="address")),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "Simplified Chinese"), ("en", "English")],
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.clientevent",
                        verbose_name="event",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "e-mail delivery",
                "verbose_name_plural": "e-mail deliveries",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["status", "next_attempt_at"], name="email_delivery_due")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "user"), name="email_delivery_once_per_event_and_user"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "delivered", "failed"])),
                        name="email_delivery_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("delivered_at__isnull", False), ("status", "delivered")),
                            models.Q(
                                models.Q(("status", "delivered"), _negated=True),
                                ("delivered_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="email_delivery_delivered_has_time",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read at")),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.clientevent",
                        verbose_name="event",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["user", "read_at"], name="notification_user_unread")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "user"), name="notification_once_per_event_and_user"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "Simplified Chinese"), ("en", "English")],
                        default="zh-hans",
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                (
                    "email_types",
                    models.JSONField(
                        blank=True,
                        default=integrations.models.every_event_type,
                        verbose_name="events by e-mail",
                    ),
                ),
                (
                    "portal_types",
                    models.JSONField(
                        blank=True,
                        default=integrations.models.every_event_type,
                        verbose_name="events in the portal",
                    ),
                ),
                ("updated_at", models.DateTimeField(verbose_name="updated at")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_preference",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification preference",
                "verbose_name_plural": "notification preferences",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("language__in", ["zh-hans", "en"])),
                        name="notification_language_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WebhookAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField(verbose_name="attempt")),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                (
                    "status_code",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="HTTP status"
                    ),
                ),
                ("succeeded", models.BooleanField(verbose_name="succeeded")),
                ("latency_ms", models.PositiveIntegerField(verbose_name="latency (ms)")),
                (
                    "response_excerpt",
                    models.CharField(blank=True, max_length=500, verbose_name="response excerpt"),
                ),
                ("error", models.CharField(blank=True, max_length=300, verbose_name="error")),
                (
                    "delivery",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attempt_log",
                        to="integrations.webhookdelivery",
                        verbose_name="delivery",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook attempt",
                "verbose_name_plural": "webhook attempts",
                "ordering": ["delivery", "number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("delivery", "number"), name="webhook_attempt_number_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(install_schedule, remove_schedule),
    ]
