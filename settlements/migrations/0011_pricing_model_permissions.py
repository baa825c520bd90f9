"""The live pricing model (DESIGN §4b): both staff groups see the setting and its switches;
Finance may switch it (``orders.change_pricingsetting``)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Operations", "Finance")
VIEWS = ("view_pricingsetting", "view_pricingmodelchange")
SWITCH = "change_pricingsetting"


def grant(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); the groups need them now.
    app_config = apps.get_app_config("orders")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    views = Permission.objects.filter(content_type__app_label="orders", codename__in=VIEWS)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*views)
    switch = Permission.objects.filter(content_type__app_label="orders", codename=SWITCH)
    for group in Group.objects.filter(name="Finance"):
        group.permissions.add(*switch)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    granted = Permission.objects.filter(
        content_type__app_label="orders", codename__in=(*VIEWS, SWITCH)
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*granted)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("orders", "0006_pricing_models_and_shadow_quotes"),
        ("settlements", "0010_compaction_schedule"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
