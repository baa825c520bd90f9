"""The periodic sweeps, installed as django-celery-beat rows so ``migrate`` is all it takes (§9).

| name                      | task                                   | when                       |
| ------------------------- | -------------------------------------- | -------------------------- |
| Close ended boost windows | settlements.tasks.close_windows        | every 5 minutes            |
| Expire unpublished boosts | settlements.tasks.expire_unpublished   | every 5 minutes            |
| Pay due settlements       | settlements.tasks.pay_due              | every 15 minutes           |
| Refresh influencer quotes | orders.tasks.refresh_quotes            | 03:00 daily, Asia/Shanghai |

Each message expires after one period (``expire_seconds``): when workers fall behind or are down,
the queue never fills with copies of the same sweep; a worker drops the stale ones and the next
tick does the work (one sweep covers everything due, so nothing is lost).

Idempotent: a row that already exists under its name is left as it is, so an operator's change
in the admin (a longer interval, a disabled task) survives a re-run. Reversing removes the four
tasks and any of their schedules that no other task uses.
"""

from django.db import migrations
from django.utils import timezone

EVERY_5_MINUTES = {"every": 5, "period": "minutes"}
EVERY_15_MINUTES = {"every": 15, "period": "minutes"}
DAILY_AT_3 = {
    "minute": "0",
    "hour": "3",
    "day_of_month": "*",
    "month_of_year": "*",
    "day_of_week": "*",
    "timezone": "Asia/Shanghai",
}

# (name, task, interval or None, crontab or None, expire_seconds, description)
SCHEDULE = (
    (
        "Close ended boost windows",
        "settlements.tasks.close_windows",
        EVERY_5_MINUTES,
        None,
        5 * 60,
        "Settle boosts whose 14-day window has ended, or park them awaiting views (DESIGN §5).",
    ),
    (
        "Expire unpublished boosts",
        "settlements.tasks.expire_unpublished",
        EVERY_5_MINUTES,
        None,
        5 * 60,
        "Expire boosts still unpublished one month after ordering and schedule refunds (§5).",
    ),
    (
        "Pay due settlements",
        "settlements.tasks.pay_due",
        EVERY_15_MINUTES,
        None,
        15 * 60,
        "Pay every scheduled settlement with exactly one ledger credit (DESIGN §8).",
    ),
    (
        "Refresh influencer quotes",
        "orders.tasks.refresh_quotes",
        None,
        DAILY_AT_3,
        24 * 60 * 60,
        "Re-quote every influencer from its history for the order pages (DESIGN §4).",
    ),
)
NAMES = [row[0] for row in SCHEDULE]


def _first_or_create(model, fields):
    # The schedule tables have no unique constraint, so get_or_create could find several rows.
    return model.objects.filter(**fields).order_by("pk").first() or model.objects.create(**fields)


def _schedule_changed(apps):
    # Historical models skip PeriodicTask.save()'s signal: bump the change marker ourselves so a
    # running beat (DatabaseScheduler) reloads the schedule.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def install_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    created = False
    for name, task, interval, crontab, expire_seconds, description in SCHEDULE:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        PeriodicTask.objects.create(
            name=name,
            task=task,
            interval=_first_or_create(IntervalSchedule, interval) if interval else None,
            crontab=_first_or_create(CrontabSchedule, crontab) if crontab else None,
            expire_seconds=expire_seconds,
            description=description,
        )
        created = True
    if created:
        _schedule_changed(apps)


def remove_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    deleted, _by_model = PeriodicTask.objects.filter(name__in=NAMES).delete()
    for fields in (EVERY_5_MINUTES, EVERY_15_MINUTES):
        IntervalSchedule.objects.filter(**fields, periodictask__isnull=True).delete()
    CrontabSchedule.objects.filter(**DAILY_AT_3, periodictask__isnull=True).delete()
    if deleted:
        _schedule_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("settlements", "0003_groups"),
        # 0012 adds PeriodicTask.expire_seconds; 0016 makes the crontab time zone a zoneinfo key.
        ("django_celery_beat", "0012_periodictask_expire_seconds"),
        ("django_celery_beat", "0016_alter_crontabschedule_timezone"),
    ]
    operations = [migrations.RunPython(install_schedule, remove_schedule)]
