"""The snapshot compaction sweep, installed as a django-celery-beat row (like 0004).

| name                     | task                                 | when                       |
| ------------------------ | ------------------------------------ | -------------------------- |
| Compact old snapshots    | settlements.tasks.compact_snapshots  | 04:30 daily, Asia/Shanghai |

Once a day is enough: a snapshot becomes old a whole Shanghai day at a time. The message expires
after a day, so a stopped worker never comes back to copies. Idempotent: a row already there
under its name is left as an operator may have changed it. Reversing removes the task and its
schedule when no other task uses it.
"""

from django.db import migrations
from django.utils import timezone

NAME = "Compact old snapshots"
DAILY_AT_4_30 = {
    "minute": "30",
    "hour": "4",
    "day_of_month": "*",
    "month_of_year": "*",
    "day_of_week": "*",
    "timezone": "Asia/Shanghai",
}


def _schedule_changed(apps):
    # Historical models skip PeriodicTask.save()'s signal: a running beat reloads on this marker.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def install_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    # The schedule table has no unique constraint: reuse the first matching row.
    crontab = CrontabSchedule.objects.filter(**DAILY_AT_4_30).order_by("pk").first()
    PeriodicTask.objects.create(
        name=NAME,
        task="settlements.tasks.compact_snapshots",
        crontab=crontab or CrontabSchedule.objects.create(**DAILY_AT_4_30),
        expire_seconds=24 * 60 * 60,
        description=(
            "Thin the snapshots of settled boosts older than SNAPSHOT_COMPACTION_DAYS to the last "
            "of each day, keeping the closing snapshot and those settlements reference."
        ),
    )
    _schedule_changed(apps)


def remove_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    deleted, _by_model = PeriodicTask.objects.filter(name=NAME).delete()
    CrontabSchedule.objects.filter(**DAILY_AT_4_30, periodictask__isnull=True).delete()
    if deleted:
        _schedule_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("settlements", "0009_adjustment_client_note"),
        ("django_celery_beat", "0016_alter_crontabschedule_timezone"),
    ]
    operations = [migrations.RunPython(install_schedule, remove_schedule)]
