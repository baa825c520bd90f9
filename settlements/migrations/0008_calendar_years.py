"""Official calendar years: a year entered by operators is known once marked complete (§7).

Both staff groups see the years and their audit events; marking a year complete or reopening it
needs ``settlements.change_calendarday``, the permission Operations already has for the days.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUPS = ("Operations", "Finance")
VIEWS = ("view_calendaryear", "view_calendaryearevent")


def grant_views(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); the groups need them now.
    app_config = apps.get_app_config("settlements")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    views = Permission.objects.filter(content_type__app_label="settlements", codename__in=VIEWS)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*views)


def revoke_views(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    views = Permission.objects.filter(content_type__app_label="settlements", codename__in=VIEWS)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*views)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("settlements", "0007_quarantined_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="year")),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="marked complete at"),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                (
                    "completed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="marked complete by",
                    ),
                ),
            ],
            options={
                "verbose_name": "official calendar year",
                "verbose_name_plural": "official calendar years",
                "ordering": ["-year"],
            },
        ),
        migrations.CreateModel(
            name="CalendarYearEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("days_entered", "Official days entered"),
                            ("days_removed", "Official days removed"),
                            ("completed", "Marked complete"),
                            ("reopened", "Reopened"),
                        ],
                        max_length=20,
                        verbose_name="event",
                    ),
                ),
                (
                    "actor_name",
                    models.CharField(default="system", max_length=150, verbose_name="actor name"),
                ),
                ("at", models.DateTimeField(verbose_name="at")),
                ("data", models.JSONField(blank=True, default=dict, verbose_name="details")),
                (
                    "key",
                    models.CharField(
                        blank=True, max_length=64, null=True, verbose_name="idempotency key"
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "calendar_year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="settlements.calendaryear",
                        verbose_name="year",
                    ),
                ),
            ],
            options={
                "verbose_name": "official calendar event",
                "verbose_name_plural": "official calendar events",
                "ordering": ["at", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="calendaryear",
            constraint=models.CheckConstraint(
                condition=models.Q(("year__gte", 2000), ("year__lte", 2100)),
                name="calendaryear_year_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="calendaryear",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("completed_at__isnull", False), ("completed_by__isnull", True), _connector="OR"
                ),
                name="calendaryear_completed_by_only_when_complete",
            ),
        ),
        migrations.AddConstraint(
            model_name="calendaryearevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("type__in", ["days_entered", "days_removed", "completed", "reopened"])
                ),
                name="calendaryearevent_type_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="calendaryearevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("key__isnull", False)),
                fields=("key",),
                name="calendaryearevent_key_unique",
            ),
        ),
        migrations.RunPython(grant_views, revoke_views),
    ]
