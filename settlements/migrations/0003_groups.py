"""The two staff groups of the back-office and what they may do (DESIGN §7, §8).

Operations sees orders and settlements, maintains influencers, their history videos, client users
and the official calendar. Finance has all of that, sees client ledgers and may act on money:
``settlements.change_settlement`` is the permission the admin checks before a hold, a release, an
adjustment or a settle-with-available-views. Nobody is given delete on settlements, their events,
adjustments or ledger entries: those rows are append-only.

Running it again adds nothing twice; reversing it removes the two groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATIONS = "Operations"
FINANCE = "Finance"

ORDERS_MODELS = (
    "client",
    "clientmembership",
    "influencer",
    "historyvideo",
    "order",
    "orderline",
    "boost",
    "boostevent",
    "viewsnapshot",
)
SETTLEMENTS_MODELS = ("settlement", "settlementevent", "adjustment", "calendarday")

OPERATIONS_PERMISSIONS = (
    *(("orders", f"view_{model}") for model in ORDERS_MODELS),
    *(("settlements", f"view_{model}") for model in SETTLEMENTS_MODELS),
    *(
        ("orders", f"{action}_{model}")
        for model in ("influencer", "historyvideo", "clientmembership")
        for action in ("add", "change")
    ),
    ("settlements", "add_calendarday"),
    ("settlements", "change_calendarday"),
)
FINANCE_PERMISSIONS = (
    *OPERATIONS_PERMISSIONS,
    ("orders", "view_ledgerentry"),
    # "Finance may act on money": hold, release, adjust, settle on available views.
    ("settlements", "change_settlement"),
)


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codename in pairs:
        found.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return found


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); this migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(
            app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias
        )
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, pairs in ((OPERATIONS, OPERATIONS_PERMISSIONS), (FINANCE, FINANCE_PERMISSIONS)):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, pairs))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[OPERATIONS, FINANCE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0002_ledger_append_only"),
        ("settlements", "0002_settlement_immutable"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
