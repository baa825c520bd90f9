"""Quarantined rows: the due rows a sweep could not process alone, kept for operators to see.

Both staff groups may view them (the work queue links to their list); nobody may add, change or
delete one from the admin: only the sweeps write them. Reversing removes the permission grant
with the model.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUPS = ("Operations", "Finance")


def grant_view(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); the grant needs them now.
    app_config = apps.get_app_config("settlements")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(
        content_type__app_label="settlements", codename="view_quarantinedrow"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(view)


class Migration(migrations.Migration):
    dependencies = [
        ("settlements", "0006_period_indexes"),
        ("settlements", "0003_groups"),
    ]

    operations = [
        migrations.CreateModel(
            name="QuarantinedRow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "sweep",
                    models.CharField(
                        choices=[
                            ("close_windows", "Close windows"),
                            ("expire_unpublished", "Expire unpublished boosts"),
                            ("pay_due", "Pay due settlements"),
                        ],
                        max_length=30,
                        verbose_name="sweep",
                    ),
                ),
                ("object_model", models.CharField(max_length=100, verbose_name="model")),
                ("object_id", models.BigIntegerField(verbose_name="object id")),
                ("error_class", models.CharField(max_length=200, verbose_name="error")),
                (
                    "error_message",
                    models.CharField(blank=True, max_length=1000, verbose_name="error message"),
                ),
                ("attempts", models.PositiveIntegerField(default=1, verbose_name="attempts")),
                ("first_failed_at", models.DateTimeField(verbose_name="first failed at")),
                ("last_failed_at", models.DateTimeField(verbose_name="last failed at")),
                (
                    "resolved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resolved at"),
                ),
                (
                    "resolution",
                    models.CharField(
                        blank=True,
                        choices=[("retried", "Processed on a retry"), ("not_due", "No longer due")],
                        max_length=20,
                        verbose_name="resolution",
                    ),
                ),
            ],
            options={
                "verbose_name": "quarantined row",
                "verbose_name_plural": "quarantined rows",
                "ordering": ["-last_failed_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("resolved_at__isnull", True)),
                        fields=("sweep", "object_id"),
                        name="quarantine_one_open_row_per_object",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("sweep__in", ["close_windows", "expire_unpublished", "pay_due"])
                        ),
                        name="quarantine_sweep_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("resolution", ""), ("resolved_at__isnull", True)),
                            models.Q(
                                ("resolution__in", ["retried", "not_due"]),
                                ("resolved_at__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="quarantine_resolved_has_resolution",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("attempts__gte", 1)),
                        name="quarantine_attempts_positive",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant_view, migrations.RunPython.noop),
    ]
