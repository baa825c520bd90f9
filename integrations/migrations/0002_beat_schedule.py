"""The integrations' periodic tasks, installed as django-celery-beat rows (like settlements' 0004).

| name                      | task                                       | when             |
| ------------------------- | ------------------------------------------ | ---------------- |
| Dispatch client events    | integrations.tasks.dispatch_events         | every minute     |
| Retry due deliveries      | integrations.tasks.retry_deliveries        | every minute     |
| Flag boosts at risk       | integrations.tasks.flag_boosts_at_risk     | every 30 minutes |

Events are normally fanned out as soon as their transaction commits; the minute sweep catches
what a lost message missed, and the retry sweep what a lost retry missed. Each message expires
after one period, so a stopped worker never comes back to a queue of copies. Idempotent: a row
already there under its name is left as an operator may have changed it. Reversing removes the
three tasks and their schedules when no other task uses them.
"""

from django.db import migrations
from django.utils import timezone

EVERY_MINUTE = {"every": 1, "period": "minutes"}
EVERY_30_MINUTES = {"every": 30, "period": "minutes"}

# (name, task, interval, expire_seconds, description)
SCHEDULE = (
    (
        "Dispatch client events",
        "integrations.tasks.dispatch_events",
        EVERY_MINUTE,
        60,
        "Fan new client events out to portal notifications, e-mails and webhooks.",
    ),
    (
        "Retry due deliveries",
        "integrations.tasks.retry_deliveries",
        EVERY_MINUTE,
        60,
        "Queue the e-mails and webhooks whose next attempt is due (exponential backoff).",
    ),
    (
        "Flag boosts at risk",
        "integrations.tasks.flag_boosts_at_risk",
        EVERY_30_MINUTES,
        30 * 60,
        "Tell clients when a boost's day-14 projection falls below its expected views.",
    ),
)
NAMES = [row[0] for row in SCHEDULE]


def _schedule_changed(apps):
    # Historical models skip PeriodicTask.save()'s signal: a running beat reloads on this marker.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def install_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    created = False
    for name, task, interval, expire_seconds, description in SCHEDULE:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        # The schedule table has no unique constraint: reuse the first matching row.
        schedule = IntervalSchedule.objects.filter(**interval).order_by("pk").first()
        PeriodicTask.objects.create(
            name=name,
            task=task,
            interval=schedule or IntervalSchedule.objects.create(**interval),
            expire_seconds=expire_seconds,
            description=description,
        )
        created = True
    if created:
        _schedule_changed(apps)


def remove_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    deleted, _by_model = PeriodicTask.objects.filter(name__in=NAMES).delete()
    for fields in (EVERY_MINUTE, EVERY_30_MINUTES):
        IntervalSchedule.objects.filter(**fields, periodictask__isnull=True).delete()
    if deleted:
        _schedule_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
        ("django_celery_beat", "0012_periodictask_expire_seconds"),
    ]
    operations = [migrations.RunPython(install_schedule, remove_schedule)]
