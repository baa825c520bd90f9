"""What the squashed migrations of orders, settlements and integrations share.

Not a migration: Django's loader skips modules whose name starts with "_". It imports no model;
the functions take the historical ``apps`` their migration is given, so they keep working as the
models change. orders holds it because the apps above orders may import it (.importlinter).
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import migrations
from django.utils import timezone

# A django-celery-beat schedule: the PeriodicTask field and model it goes in, and its fields.
SCHEDULE_MODELS = {"interval": "IntervalSchedule", "crontab": "CrontabSchedule"}


class PeriodicTaskRow(NamedTuple):
    name: str
    task: str
    schedule: tuple[str, dict[str, Any]]  # ("interval" or "crontab", the schedule's fields)
    expire_seconds: int
    description: str


def on_postgresql(create: str, drop: str) -> migrations.RunPython:
    """Run ``create`` forwards and ``drop`` backwards on PostgreSQL only (a SQLite database has
    no triggers: there the model layer alone refuses the change)."""

    def run(sql: str) -> Callable[[Any, Any], None]:
        def execute(apps, schema_editor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(sql)  # no parameters: the "%" in RAISE is not a placeholder

        return execute

    return migrations.RunPython(run(create), run(drop))


def _schedule_changed(apps) -> None:
    # Historical models skip PeriodicTask.save()'s signal: bump the change marker ourselves so a
    # running beat (DatabaseScheduler) reloads the schedule.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def install_periodic_tasks(apps, rows: tuple[PeriodicTaskRow, ...]) -> None:
    """Create each row's task unless one already exists under its name: an operator's change in
    the admin (a longer interval, a disabled task) survives a re-run."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    created = False
    for row in rows:
        if PeriodicTask.objects.filter(name=row.name).exists():
            continue
        field, fields = row.schedule
        model = apps.get_model("django_celery_beat", SCHEDULE_MODELS[field])
        # The schedule tables have no unique constraint, so get_or_create could find several rows.
        schedule = model.objects.filter(**fields).order_by("pk").first()
        PeriodicTask.objects.create(
            name=row.name,
            task=row.task,
            expire_seconds=row.expire_seconds,
            description=row.description,
            **{field: schedule or model.objects.create(**fields)},
        )
        created = True
    if created:
        _schedule_changed(apps)


def remove_periodic_tasks(apps, rows: tuple[PeriodicTaskRow, ...]) -> None:
    """Delete the rows' tasks, and their schedules where no other task uses them."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    deleted, _by_model = PeriodicTask.objects.filter(name__in=[row.name for row in rows]).delete()
    for field, fields in (row.schedule for row in rows):
        model = apps.get_model("django_celery_beat", SCHEDULE_MODELS[field])
        model.objects.filter(**fields, periodictask__isnull=True).delete()
    if deleted:
        _schedule_changed(apps)
