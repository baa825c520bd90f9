"""Both staff groups (Operations, Finance; settlements 0003) may view the sweep heartbeats.

The rows are written by the worker only, so nobody is given add, change or delete. Running it again
adds nothing twice; reversing it takes the permission away again.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Operations", "Finance")


def _view_permission(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); this migration needs it now.
    app_config = apps.get_app_config("operations")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = models_module
    return apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="operations", codename="view_sweeprun"
    )


def grant(apps, schema_editor):
    permission = _view_permission(apps, schema_editor)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = _view_permission(apps, schema_editor)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_initial"),
        ("settlements", "0003_groups"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
