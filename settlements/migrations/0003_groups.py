"""The two staff groups of the back-office and what they may do (DESIGN §7, §8).

Operations sees every orders and settlements model except client ledgers and the pipeline's
credentials, maintains influencers, their history videos, client users and the official calendar,
places orders for clients (``orders.add_order``) and may cancel a boost before publish
(``orders.change_boost``; the boost form itself stays read-only). Finance has all of that, sees
client ledgers, tops them up and may act on money: ``settlements.change_settlement`` is the
permission the admin checks before a hold, a release, an adjustment or a
settle-with-available-views. Nobody is given delete on settlements, their events,
adjustments or ledger entries: those rows are append-only.

Running it again adds nothing twice; reversing it removes the two groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATIONS = "Operations"
FINANCE = "Finance"

# Client money is Finance's; integration tokens are credentials, managed by superusers.
NOT_VIEWED_BY_OPERATIONS = {("orders", "ledgerentry"), ("orders", "integrationtoken")}
OPERATIONS_EDITS = (
    ("orders", "influencer"),
    ("orders", "historyvideo"),
    ("orders", "clientmembership"),
    ("settlements", "calendarday"),
)
FINANCE_EXTRA = (
    ("orders", "view_ledgerentry"),
    # Credit money received from a client (the orders admin's top-up page; no ledger form exists).
    ("orders", "add_ledgerentry"),
    # "Finance may act on money": hold, release, adjust, settle on available views.
    ("settlements", "change_settlement"),
)


def operations_permissions(apps) -> list[tuple[str, str]]:
    views = [
        (app_label, f"view_{model._meta.model_name}")
        for app_label in ("orders", "settlements")
        for model in apps.get_app_config(app_label).get_models()
        if (app_label, model._meta.model_name) not in NOT_VIEWED_BY_OPERATIONS
    ]
    edits = [
        (app_label, f"{action}_{model}")
        for app_label, model in OPERATIONS_EDITS
        for action in ("add", "change")
    ]
    # Cancel a boost before publish (its fee is refunded); only admin actions use it. Place an
    # order for a client (the orders admin's place-order page; orders are never edited).
    return [*views, *edits, ("orders", "change_boost"), ("orders", "add_order")]


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in pairs
    ]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); this migration needs them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = models_module
    operations = operations_permissions(apps)
    Group = apps.get_model("auth", "Group")
    for name, pairs in ((OPERATIONS, operations), (FINANCE, [*operations, *FINANCE_EXTRA])):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, pairs))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[OPERATIONS, FINANCE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0003_ingestion"),
        ("settlements", "0002_settlement_immutable"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
