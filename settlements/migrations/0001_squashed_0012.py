"""The settlements schema and seed rows, squashed from 0001_initial ... 0012.

Folded into one migration before the first production release: the twelve were near-identical
CreateModel, index, permission-grant and schedule blocks that every fresh database replayed.
``replaces`` names them all, so a database that applied the whole old chain counts this one as
applied and gets nothing run. A database part-way through the old chain must first be migrated
to 0012_shortfall_cause_and_recovery_cases by the code before this squash: those files are gone.
(0012's back-fill of ``cause`` on past compensations had rows to change only on such databases.)

Beside the tables it installs:

- on PostgreSQL, a trigger that keeps a settlement's money fields and its shortfall cause from
  changing and refuses any delete; the model layer refuses the same, the trigger also stops a raw
  UPDATE (DESIGN §8);
- the two staff groups and what they may do (DESIGN §7, §8), see ``create_groups``;
- the periodic sweeps as django-celery-beat rows, so ``migrate`` is all it takes (§9), see
  ``SCHEDULE``.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from orders.migrations._shared import (
    PeriodicTaskRow,
    install_periodic_tasks,
    on_postgresql,
    remove_periodic_tasks,
)

# The inputs of a settlement's outcome: none changes after insert.
IMMUTABLE_FIELDS = (
    "boost_id, kind, expected_views, actual_views, snapshot_id, snapshot_observed_at, fixed_price, "
    "boost_fee, expected_cpm, raw_amount, cap_applied, amount, formula_version, computed_at, "
    "service_ended_at, cause"
)
OLD = ", ".join(f"OLD.{f.strip()}" for f in IMMUTABLE_FIELDS.split(","))
NEW = ", ".join(f"NEW.{f.strip()}" for f in IMMUTABLE_FIELDS.split(","))
SETTLEMENT_IMMUTABLE = f"""
CREATE OR REPLACE FUNCTION settlements_settlement_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'settlement % cannot be deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF ROW({NEW}) IS DISTINCT FROM ROW({OLD}) THEN
        RAISE EXCEPTION 'settlement % money fields are immutable; add an adjustment', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER settlement_immutable BEFORE UPDATE OR DELETE ON settlements_settlement
    FOR EACH ROW EXECUTE FUNCTION settlements_settlement_immutable();
"""
DROP_SETTLEMENT_IMMUTABLE = """
DROP TRIGGER IF EXISTS settlement_immutable ON settlements_settlement;
DROP FUNCTION IF EXISTS settlements_settlement_immutable();
"""

# --- Staff groups -------------------------------------------------------------------------------
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
    # "Finance may act on money": hold, release, adjust, settle on available views, decide a
    # recovery case.
    ("settlements", "change_settlement"),
    # Switch the live pricing model (DESIGN §4b).
    ("orders", "change_pricingsetting"),
)


def operations_permissions(apps) -> list[tuple[str, str]]:
    """Operations sees every orders and settlements model but client ledgers and the pipeline's
    credentials; it maintains influencers, their history videos, client users and the official
    calendar (a year is marked complete with ``change_calendarday``), places orders for clients
    and may cancel a boost before publish (the boost form itself stays read-only)."""
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
    return [*views, *edits, ("orders", "change_boost"), ("orders", "add_order")]


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in pairs
    ]


def create_groups(apps, schema_editor):
    """Finance has all of Operations and acts on money. Nobody is given delete on settlements,
    their events, adjustments or ledger entries: those rows are append-only. Running it again
    adds nothing twice."""
    # Permissions are normally created after migrate (post_migrate); the groups need them now.
    for label in ("orders", "settlements"):
        app_config = apps.get_app_config(label)
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


# --- Periodic sweeps ----------------------------------------------------------------------------
# Each message expires after one period (``expire_seconds``): when workers fall behind or are
# down, the queue never fills with copies of the same sweep; a worker drops the stale ones and the
# next tick does the work (one sweep covers everything due, so nothing is lost). Snapshot
# compaction runs once a day: a snapshot becomes old a whole Shanghai day at a time.
EVERY_5_MINUTES = ("interval", {"every": 5, "period": "minutes"})
EVERY_15_MINUTES = ("interval", {"every": 15, "period": "minutes"})


def daily_in_shanghai(hour: str, minute: str) -> tuple[str, dict[str, str]]:
    return (
        "crontab",
        {
            "minute": minute,
            "hour": hour,
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "*",
            "timezone": "Asia/Shanghai",
        },
    )


COMPACTION = "Compact old snapshots"
SCHEDULE = (
    PeriodicTaskRow(
        "Close ended boost windows",
        "settlements.tasks.close_windows",
        EVERY_5_MINUTES,
        5 * 60,
        "Settle boosts whose 14-day window has ended, or park them awaiting views (DESIGN §5).",
    ),
    PeriodicTaskRow(
        "Expire unpublished boosts",
        "settlements.tasks.expire_unpublished",
        EVERY_5_MINUTES,
        5 * 60,
        "Expire boosts still unpublished one month after ordering and schedule refunds (§5).",
    ),
    PeriodicTaskRow(
        "Pay due settlements",
        "settlements.tasks.pay_due",
        EVERY_15_MINUTES,
        15 * 60,
        "Pay every scheduled settlement with exactly one ledger credit (DESIGN §8).",
    ),
    PeriodicTaskRow(
        "Refresh influencer quotes",
        "orders.tasks.refresh_quotes",
        daily_in_shanghai("3", "0"),
        24 * 60 * 60,
        "Re-quote every influencer from its history for the order pages (DESIGN §4).",
    ),
    PeriodicTaskRow(
        COMPACTION,
        "settlements.tasks.compact_snapshots",
        daily_in_shanghai("4", "30"),
        24 * 60 * 60,
        "Thin the snapshots of settled boosts older than SNAPSHOT_COMPACTION_DAYS to the last "
        "of each day, keeping the closing snapshot and those settlements reference.",
    ),
)
NAMES = [row.name for row in SCHEDULE]


def install_schedule(apps, schema_editor):
    """Idempotent: a row already there under its name is left as an operator may have changed it."""
    install_periodic_tasks(apps, SCHEDULE)


def remove_schedule(apps, schema_editor):
    """Removes the tasks and any of their schedules that no other task uses."""
    remove_periodic_tasks(apps, SCHEDULE)


class Migration(migrations.Migration):
    initial = True
    replaces = [
        ("settlements", "0001_initial"),
        ("settlements", "0002_settlement_immutable"),
        ("settlements", "0003_groups"),
        ("settlements", "0004_beat_schedule"),
        ("settlements", "0005_scheduled_index"),
        ("settlements", "0006_period_indexes"),
        ("settlements", "0007_quarantined_rows"),
        ("settlements", "0008_calendar_years"),
        ("settlements", "0009_adjustment_client_note"),
        ("settlements", "0010_compaction_schedule"),
        ("settlements", "0011_pricing_model_permissions"),
        ("settlements", "0012_shortfall_cause_and_recovery_cases"),
    ]

    dependencies = [
        ("orders", "0001_squashed_0008"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        # 0016 makes the crontab time zone a zoneinfo key; it comes after 0012, which adds
        # PeriodicTask.expire_seconds.
        ("django_celery_beat", "0016_alter_crontabschedule_timezone"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(unique=True, verbose_name="date")),
                (
                    "is_working_day",
                    models.BooleanField(
                        help_text="Ticked: a make-up working day (调休上班). Unticked: a holiday.",
                        verbose_name="working day",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "source",
                    models.CharField(
                        help_text="Where the day comes from, e.g. the State Council notice.",
                        max_length=200,
                        verbose_name="source",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="entered at")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
                    ),
                ),
            ],
            options={
                "verbose_name": "official calendar day",
                "verbose_name_plural": "official calendar days",
                "ordering": ["-date"],
            },
        ),
        migrations.CreateModel(
            name="Settlement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("none", "Nothing owed"),
                            ("compensation", "Compensation"),
                            ("refund", "Refund"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("scheduled", "Scheduled"),
                            ("held", "Held"),
                            ("paid", "Paid"),
                            ("closed", "Closed, nothing to pay"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("expected_views", models.BigIntegerField(verbose_name="expected views")),
                (
                    "actual_views",
                    models.BigIntegerField(blank=True, null=True, verbose_name="actual views"),
                ),
                (
                    "snapshot_observed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="snapshot observed at"
                    ),
                ),
                (
                    "fixed_price",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="fixed price"
                    ),
                ),
                (
                    "boost_fee",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="boost fee"),
                ),
                (
                    "expected_cpm",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="expected CPM",
                    ),
                ),
                (
                    "raw_amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=22,
                        null=True,
                        verbose_name="raw amount",
                    ),
                ),
                ("cap_applied", models.BooleanField(default=False, verbose_name="cap applied")),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="amount"),
                ),
                (
                    "formula_version",
                    models.CharField(max_length=10, verbose_name="formula version"),
                ),
                ("computed_at", models.DateTimeField(verbose_name="computed at")),
                ("service_ended_at", models.DateTimeField(verbose_name="service ended at")),
                ("due_date", models.DateField(verbose_name="due date")),
                (
                    "due_date_provisional",
                    models.BooleanField(default=False, verbose_name="due date provisional"),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("paid_at", models.DateTimeField(blank=True, null=True, verbose_name="paid at")),
                (
                    "boost",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="settlement",
                        to="orders.boost",
                        verbose_name="boost",
                    ),
                ),
                (
                    "ledger_entry",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="settlement",
                        to="orders.ledgerentry",
                        verbose_name="ledger entry",
                    ),
                ),
                (
                    "snapshot",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.viewsnapshot",
                        verbose_name="closing snapshot",
                    ),
                ),
                (
                    "cause",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("natural", "Natural"),
                            ("creator_caused", "Creator-caused"),
                            ("platform_caused", "Platform-caused"),
                        ],
                        max_length=20,
                        verbose_name="shortfall cause",
                    ),
                ),
            ],
            options={
                "verbose_name": "settlement",
                "verbose_name_plural": "settlements",
                "ordering": ["-computed_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["status", "due_date"], name="settlements_status_aacf8a_idx"
                    ),
                    models.Index(
                        condition=models.Q(("status", "scheduled")),
                        fields=["id"],
                        name="settlement_scheduled_id",
                    ),
                    models.Index(fields=["computed_at"], name="settlement_computed_at"),
                    models.Index(fields=["paid_at"], name="settlement_paid_at"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["none", "compensation", "refund"])),
                        name="settlement_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["scheduled", "held", "paid", "closed"])),
                        name="settlement_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("amount__gte", 0), ("boost_fee__gte", 0), ("fixed_price__gte", 0)
                        ),
                        name="settlement_money_non_negative",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("amount__lte", models.F("boost_fee"))),
                        name="settlement_amount_within_fee",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("amount", 0), ("status", "closed")),
                            models.Q(
                                ("amount__gt", 0), models.Q(("status", "closed"), _negated=True)
                            ),
                            _connector="OR",
                        ),
                        name="settlement_nothing_to_pay_is_closed",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "none"), _negated=True),
                            ("amount", 0),
                            _connector="OR",
                        ),
                        name="settlement_none_pays_nothing",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("ledger_entry__isnull", False),
                                ("paid_at__isnull", False),
                                ("status", "paid"),
                            ),
                            models.Q(
                                models.Q(("status", "paid"), _negated=True),
                                ("ledger_entry__isnull", True),
                                ("paid_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="settlement_paid_has_ledger_entry",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("cause__in", ["natural", "creator_caused", "platform_caused"]),
                                ("kind", "compensation"),
                            ),
                            models.Q(
                                models.Q(("kind", "compensation"), _negated=True), ("cause", "")
                            ),
                            _connector="OR",
                        ),
                        name="settlement_compensation_has_cause",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Adjustment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="amount"),
                ),
                ("reason", models.CharField(max_length=300, verbose_name="reason")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("requested", "Requested"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                        ],
                        default="requested",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("requested_at", models.DateTimeField(verbose_name="requested at")),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "ledger_entry",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adjustment",
                        to="orders.ledgerentry",
                        verbose_name="ledger entry",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "settlement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adjustments",
                        to="settlements.settlement",
                        verbose_name="settlement",
                    ),
                ),
                (
                    "client_note",
                    models.CharField(
                        help_text="Shown to the client once approved; the reason stays internal.",
                        max_length=300,
                        verbose_name="note for the client",
                    ),
                ),
            ],
            options={
                "verbose_name": "adjustment",
                "verbose_name_plural": "adjustments",
                "ordering": ["-requested_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["requested", "approved", "rejected"])),
                        name="adjustment_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("amount", 0), _negated=True),
                        name="adjustment_amount_non_zero",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("decided_by__isnull", True),
                            models.Q(("decided_by", models.F("requested_by")), _negated=True),
                            _connector="OR",
                        ),
                        name="adjustment_four_eyes",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("ledger_entry__isnull", False), ("status", "approved")),
                            models.Q(
                                models.Q(("status", "approved"), _negated=True),
                                ("ledger_entry__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="adjustment_approved_has_ledger_entry",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SettlementEvent",
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
                            ("scheduled", "Scheduled"),
                            ("closed", "Closed"),
                            ("held", "Held"),
                            ("released", "Released"),
                            ("paid", "Paid"),
                            ("due_date_recomputed", "Due date recomputed"),
                            ("adjustment_requested", "Adjustment requested"),
                            ("adjusted", "Adjusted"),
                            ("adjustment_rejected", "Adjustment rejected"),
                            ("recovery_opened", "Recovery case opened"),
                            ("recovery_proposed", "Recovery decision proposed"),
                            ("recovery_decided", "Recovery decided"),
                            ("recovery_proposal_rejected", "Recovery proposal rejected"),
                        ],
                        max_length=30,
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
                    "settlement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="settlements.settlement",
                        verbose_name="settlement",
                    ),
                ),
            ],
            options={
                "verbose_name": "settlement event",
                "verbose_name_plural": "settlement events",
                "ordering": ["at", "id"],
            },
        ),
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
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 2000), ("year__lte", 2100)),
                        name="calendaryear_year_plausible",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("completed_at__isnull", False),
                            ("completed_by__isnull", True),
                            _connector="OR",
                        ),
                        name="calendaryear_completed_by_only_when_complete",
                    ),
                ],
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
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("type__in", ["days_entered", "days_removed", "completed", "reopened"])
                        ),
                        name="calendaryearevent_type_valid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("key__isnull", False)),
                        fields=("key",),
                        name="calendaryearevent_key_unique",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RecoveryCase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="amount"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("recovered", "Recovered"),
                            ("waived", "Waived"),
                        ],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("opened_at", models.DateTimeField(verbose_name="opened at")),
                (
                    "proposed_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("open", "Open"),
                            ("recovered", "Recovered"),
                            ("waived", "Waived"),
                        ],
                        max_length=20,
                        verbose_name="proposed decision",
                    ),
                ),
                (
                    "proposed_reason",
                    models.CharField(blank=True, max_length=300, verbose_name="reason"),
                ),
                (
                    "proposed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="proposed at"),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "influencer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recovery_cases",
                        to="orders.influencer",
                        verbose_name="influencer",
                    ),
                ),
                (
                    "proposed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="proposed by",
                    ),
                ),
                (
                    "settlement",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recovery",
                        to="settlements.settlement",
                        verbose_name="settlement",
                    ),
                ),
            ],
            options={
                "verbose_name": "recovery case",
                "verbose_name_plural": "recovery cases",
                "ordering": ["-opened_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["open", "recovered", "waived"])),
                        name="recovery_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="recovery_amount_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("proposed_status__in", ["", "recovered", "waived"])),
                        name="recovery_proposed_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("decided_at__isnull", True), ("status", "open")),
                            models.Q(
                                models.Q(("status", "open"), _negated=True),
                                ("decided_at__isnull", False),
                                ("proposed_status", models.F("status")),
                            ),
                            _connector="OR",
                        ),
                        name="recovery_decided_as_proposed",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("decided_by__isnull", True),
                            models.Q(("decided_by", models.F("proposed_by")), _negated=True),
                            _connector="OR",
                        ),
                        name="recovery_four_eyes",
                    ),
                ],
            },
        ),
        on_postgresql(SETTLEMENT_IMMUTABLE, DROP_SETTLEMENT_IMMUTABLE),
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(install_schedule, remove_schedule),
    ]
