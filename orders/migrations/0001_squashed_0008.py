"""The orders schema, squashed from 0001_initial ... 0008_snapshot_line_views_index.

Folded into one migration before the first production release: the eight were near-identical
CreateModel, index and trigger blocks that every fresh database replayed. ``replaces`` names them
all, so a database that applied the whole old chain counts this one as applied and gets nothing
run. A database part-way through the old chain must first be migrated to
0008_snapshot_line_views_index by the code before this squash: those files are gone.

Beside the tables: on PostgreSQL the database itself refuses to update or delete a ledger entry
(DESIGN §8), and the live pricing model starts as v1, the DESIGN §4 default.
"""

from decimal import Decimal

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from orders.migrations._shared import on_postgresql

LEDGER_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION orders_ledgerentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entry % is append-only: % refused', OLD.id, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON orders_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION orders_ledgerentry_append_only();
"""
DROP_LEDGER_APPEND_ONLY = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON orders_ledgerentry;
DROP FUNCTION IF EXISTS orders_ledgerentry_append_only();
"""


def create_the_setting(apps, schema_editor):
    """The live model starts as v1 until an operator switches it."""
    apps.get_model("orders", "PricingSetting").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    initial = True
    replaces = [
        ("orders", "0001_initial"),
        ("orders", "0002_ledger_append_only"),
        ("orders", "0003_ingestion"),
        ("orders", "0004_client_events"),
        ("orders", "0005_api_request_id"),
        ("orders", "0006_pricing_models_and_shadow_quotes"),
        ("orders", "0007_video_status_events_snapshot_flags_boost_suspension"),
        ("orders", "0008_snapshot_line_views_index"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Influencer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "platform_id",
                    models.CharField(max_length=64, unique=True, verbose_name="platform id"),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "fixed_price",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="fixed price"
                    ),
                ),
                (
                    "boost_enabled",
                    models.BooleanField(default=True, verbose_name="boost service enabled"),
                ),
                (
                    "quote",
                    models.JSONField(
                        blank=True, editable=False, null=True, verbose_name="current quote"
                    ),
                ),
                (
                    "quoted_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="quoted at"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "boost_suspended_until",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="boost suspended until"
                    ),
                ),
            ],
            options={
                "verbose_name": "influencer",
                "verbose_name_plural": "influencers",
                "ordering": ["name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("fixed_price__gt", 0)),
                        name="influencer_fixed_price_positive",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Client",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=32, unique=True, verbose_name="client code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "contact_email",
                    models.EmailField(blank=True, max_length=254, verbose_name="contact e-mail"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "client",
                "verbose_name_plural": "clients",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Order",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=32, unique=True, verbose_name="order code")),
                (
                    "idempotency_key",
                    models.CharField(max_length=120, verbose_name="idempotency key"),
                ),
                ("placed_at", models.DateTimeField(verbose_name="placed at")),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="orders.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "placed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="placed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "order",
                "verbose_name_plural": "orders",
                "ordering": ["-placed_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("client", "idempotency_key"),
                        name="order_idempotency_key_unique_per_client",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OrderLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "fixed_price",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="fixed price"
                    ),
                ),
                (
                    "platform_video_id",
                    models.CharField(
                        blank=True,
                        max_length=64,
                        null=True,
                        unique=True,
                        verbose_name="platform video id",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
                (
                    "influencer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="order_lines",
                        to="orders.influencer",
                        verbose_name="influencer",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="orders.order",
                        verbose_name="order",
                    ),
                ),
            ],
            options={
                "verbose_name": "order line",
                "verbose_name_plural": "order lines",
                "ordering": ["order", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("order", "influencer"), name="order_line_one_per_influencer"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("fixed_price__gt", 0)),
                        name="order_line_fixed_price_positive",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Boost",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("awaiting_publish", "Awaiting publish"),
                            ("active", "Active"),
                            ("awaiting_views", "Awaiting views data"),
                            ("succeeded", "Succeeded"),
                            ("compensated", "Compensated"),
                            ("expired", "Expired"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="awaiting_publish",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("expected_views", models.BigIntegerField(verbose_name="expected views")),
                (
                    "premium_ratio",
                    models.DecimalField(
                        decimal_places=2, max_digits=3, verbose_name="premium ratio"
                    ),
                ),
                (
                    "boost_fee",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="boost fee"),
                ),
                (
                    "loss_ratio",
                    models.DecimalField(
                        decimal_places=4, max_digits=5, verbose_name="expected loss ratio"
                    ),
                ),
                ("quote", models.JSONField(verbose_name="quote inputs")),
                ("quoted_at", models.DateTimeField(verbose_name="quoted at")),
                ("valid_until", models.DateTimeField(verbose_name="valid until")),
                (
                    "window_start",
                    models.DateTimeField(blank=True, null=True, verbose_name="window start"),
                ),
                (
                    "window_end",
                    models.DateTimeField(blank=True, null=True, verbose_name="window end"),
                ),
                ("status_changed_at", models.DateTimeField(verbose_name="status changed at")),
                (
                    "line",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="boost",
                        to="orders.orderline",
                        verbose_name="order line",
                    ),
                ),
                (
                    "pricing_model",
                    models.CharField(
                        choices=[
                            ("v1", "v1: weighted lower median (DESIGN §4)"),
                            ("v2", "v2: credibility toward the peer group"),
                        ],
                        default="v1",
                        max_length=10,
                        verbose_name="pricing model",
                    ),
                ),
                (
                    "shadow_boost_fee",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="shadow boost fee",
                    ),
                ),
                (
                    "shadow_eligible",
                    models.BooleanField(blank=True, null=True, verbose_name="shadow quote offered"),
                ),
                (
                    "shadow_expected_views",
                    models.BigIntegerField(
                        blank=True, null=True, verbose_name="shadow expected views"
                    ),
                ),
                (
                    "shadow_model",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("v1", "v1: weighted lower median (DESIGN §4)"),
                            ("v2", "v2: credibility toward the peer group"),
                        ],
                        max_length=10,
                        verbose_name="shadow pricing model",
                    ),
                ),
                (
                    "shadow_premium_ratio",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=3,
                        null=True,
                        verbose_name="shadow premium ratio",
                    ),
                ),
                (
                    "shadow_quote",
                    models.JSONField(blank=True, null=True, verbose_name="shadow quote inputs"),
                ),
            ],
            options={
                "verbose_name": "boost",
                "verbose_name_plural": "boosts",
                "ordering": ["-id"],
                "indexes": [
                    models.Index(
                        fields=["status", "window_end"], name="orders_boos_status_94fd84_idx"
                    ),
                    models.Index(
                        fields=["status", "valid_until"], name="orders_boos_status_8fb45a_idx"
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "awaiting_publish",
                                    "active",
                                    "awaiting_views",
                                    "succeeded",
                                    "compensated",
                                    "expired",
                                    "cancelled",
                                ],
                            )
                        ),
                        name="boost_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("boost_fee__gte", 0)), name="boost_fee_non_negative"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("expected_views__gte", 0)),
                        name="boost_expected_views_non_negative",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("premium_ratio__gte", Decimal("0.10")),
                            ("premium_ratio__lte", Decimal("0.50")),
                        ),
                        name="boost_premium_ratio_in_band",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["awaiting_publish", "expired", "cancelled"]),
                            models.Q(
                                ("window_end__gt", models.F("window_start")),
                                ("window_start__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="boost_published_has_window",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("pricing_model__in", ["v1", "v2"])),
                        name="boost_pricing_model_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="BoostEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "from_status",
                    models.CharField(blank=True, max_length=20, verbose_name="from status"),
                ),
                ("to_status", models.CharField(max_length=20, verbose_name="to status")),
                (
                    "actor_name",
                    models.CharField(default="system", max_length=150, verbose_name="actor name"),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("at", models.DateTimeField(verbose_name="at")),
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
                    "boost",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="orders.boost",
                        verbose_name="boost",
                    ),
                ),
            ],
            options={
                "verbose_name": "boost event",
                "verbose_name_plural": "boost events",
                "ordering": ["at", "id"],
            },
        ),
        migrations.CreateModel(
            name="ClientMembership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="orders.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="client_membership",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "client user",
                "verbose_name_plural": "client users",
            },
        ),
        migrations.CreateModel(
            name="LedgerEntry",
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
                            ("top_up", "Top-up"),
                            ("order_charge", "Order charge"),
                            ("boost_fee", "Boost fee"),
                            ("compensation", "Compensation"),
                            ("refund", "Refund"),
                            ("adjustment", "Adjustment"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="amount"),
                ),
                (
                    "balance_after",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="balance after"
                    ),
                ),
                (
                    "idempotency_key",
                    models.CharField(max_length=120, unique=True, verbose_name="idempotency key"),
                ),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="reason")),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                (
                    "boost",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="orders.boost",
                        verbose_name="boost",
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="orders.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="orders.order",
                        verbose_name="order",
                    ),
                ),
            ],
            options={
                "verbose_name": "ledger entry",
                "verbose_name_plural": "ledger entries",
                "ordering": ["-id"],
                "indexes": [
                    models.Index(fields=["client", "id"], name="orders_ledg_client__ef43dc_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "top_up",
                                    "order_charge",
                                    "boost_fee",
                                    "compensation",
                                    "refund",
                                    "adjustment",
                                ],
                            )
                        ),
                        name="ledger_entry_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("amount__gt", 0),
                                ("kind__in", ["top_up", "compensation", "refund"]),
                            ),
                            models.Q(
                                ("amount__lt", 0), ("kind__in", ["order_charge", "boost_fee"])
                            ),
                            models.Q(
                                ("kind", "adjustment"), models.Q(("amount", 0), _negated=True)
                            ),
                            _connector="OR",
                        ),
                        name="ledger_entry_amount_sign_matches_kind",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("balance_after__gte", 0)),
                        name="ledger_entry_balance_never_negative",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ViewSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("observed_at", models.DateTimeField(verbose_name="observed at")),
                ("views", models.BigIntegerField(verbose_name="views")),
                ("received_at", models.DateTimeField(verbose_name="received at")),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="snapshots",
                        to="orders.orderline",
                        verbose_name="order line",
                    ),
                ),
            ],
            options={
                "verbose_name": "view snapshot",
                "verbose_name_plural": "view snapshots",
                "ordering": ["line", "observed_at"],
                "indexes": [
                    models.Index(fields=["line", "views"], name="view_snapshot_line_views")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("line", "observed_at"),
                        name="view_snapshot_unique_per_video_instant",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("views__gte", 0)),
                        name="view_snapshot_views_non_negative",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoryVideo",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "platform_video_id",
                    models.CharField(max_length=64, unique=True, verbose_name="platform video id"),
                ),
                ("published_at", models.DateTimeField(verbose_name="published at")),
                ("views", models.BigIntegerField(verbose_name="views")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "influencer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="history_videos",
                        to="orders.influencer",
                        verbose_name="influencer",
                    ),
                ),
            ],
            options={
                "verbose_name": "history video",
                "verbose_name_plural": "history videos",
                "ordering": ["-published_at"],
                "indexes": [
                    models.Index(
                        fields=["influencer", "published_at"], name="orders_hist_influen_093f40_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("views__gte", 0)),
                        name="history_video_views_non_negative",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="IntegrationToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "prefix",
                    models.CharField(editable=False, max_length=8, verbose_name="token prefix"),
                ),
                (
                    "token_hash",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="token hash"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(editable=False, verbose_name="created at")),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last used at"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
            ],
            options={
                "verbose_name": "integration token",
                "verbose_name_plural": "integration tokens",
                "ordering": ["name", "id"],
            },
        ),
        migrations.CreateModel(
            name="ApiRequestLog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("path", models.CharField(max_length=200, verbose_name="path")),
                ("method", models.CharField(max_length=10, verbose_name="method")),
                ("status_code", models.PositiveSmallIntegerField(verbose_name="status code")),
                ("item_count", models.PositiveIntegerField(default=0, verbose_name="items")),
                (
                    "error",
                    models.CharField(blank=True, max_length=300, verbose_name="error summary"),
                ),
                ("received_at", models.DateTimeField(verbose_name="received at")),
                ("duration_ms", models.PositiveIntegerField(verbose_name="duration (ms)")),
                (
                    "token",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="requests",
                        to="orders.integrationtoken",
                        verbose_name="token",
                    ),
                ),
                (
                    "request_id",
                    models.CharField(blank=True, max_length=64, verbose_name="request id"),
                ),
            ],
            options={
                "verbose_name": "API request",
                "verbose_name_plural": "API requests",
                "ordering": ["-received_at", "-id"],
                "indexes": [
                    models.Index(fields=["received_at"], name="orders_apir_receive_2a02e2_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="PublishRejection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("video_id", models.CharField(max_length=64, verbose_name="platform video id")),
                ("published_at", models.DateTimeField(verbose_name="published at")),
                ("reason", models.CharField(max_length=300, verbose_name="reason")),
                ("received_at", models.DateTimeField(verbose_name="received at")),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="publish_rejections",
                        to="orders.orderline",
                        verbose_name="order line",
                    ),
                ),
                (
                    "token",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="publish_rejections",
                        to="orders.integrationtoken",
                        verbose_name="token",
                    ),
                ),
            ],
            options={
                "verbose_name": "refused publish event",
                "verbose_name_plural": "refused publish events",
                "ordering": ["-received_at", "-id"],
                "indexes": [
                    models.Index(fields=["received_at"], name="orders_publ_receive_8fc308_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="ClientEvent",
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
                            ("boost.active", "Boost active"),
                            ("boost.at_risk", "Boost at risk"),
                            ("boost.settled", "Boost settled"),
                            ("boost.expired", "Boost expired, fee refunded"),
                            ("boost.cancelled", "Boost cancelled, fee refunded"),
                            ("settlement.paid", "Settlement paid"),
                            ("adjustment.approved", "Adjustment approved"),
                        ],
                        max_length=40,
                        verbose_name="event",
                    ),
                ),
                ("key", models.CharField(max_length=120, unique=True, verbose_name="fact key")),
                (
                    "settlement_id",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="settlement id"
                    ),
                ),
                (
                    "payload",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="details",
                    ),
                ),
                ("occurred_at", models.DateTimeField(verbose_name="occurred at")),
                (
                    "dispatched_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="dispatched at"),
                ),
                (
                    "boost",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="client_events",
                        to="orders.boost",
                        verbose_name="boost",
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="orders.client",
                        verbose_name="client",
                    ),
                ),
            ],
            options={
                "verbose_name": "client event",
                "verbose_name_plural": "client events",
                "ordering": ["-occurred_at", "-id"],
                "indexes": [
                    models.Index(fields=["client", "occurred_at"], name="client_event_client_time"),
                    models.Index(
                        condition=models.Q(("dispatched_at__isnull", True)),
                        fields=["id"],
                        name="client_event_pending",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "type__in",
                                [
                                    "boost.active",
                                    "boost.at_risk",
                                    "boost.settled",
                                    "boost.expired",
                                    "boost.cancelled",
                                    "settlement.paid",
                                    "adjustment.approved",
                                ],
                            )
                        ),
                        name="client_event_type_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PricingModelChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "from_model",
                    models.CharField(
                        choices=[
                            ("v1", "v1: weighted lower median (DESIGN §4)"),
                            ("v2", "v2: credibility toward the peer group"),
                        ],
                        max_length=10,
                        verbose_name="from model",
                    ),
                ),
                (
                    "to_model",
                    models.CharField(
                        choices=[
                            ("v1", "v1: weighted lower median (DESIGN §4)"),
                            ("v2", "v2: credibility toward the peer group"),
                        ],
                        max_length=10,
                        verbose_name="to model",
                    ),
                ),
                (
                    "actor_name",
                    models.CharField(default="system", max_length=150, verbose_name="actor name"),
                ),
                ("reason", models.CharField(max_length=300, verbose_name="reason")),
                ("changed_at", models.DateTimeField(verbose_name="changed at")),
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
            ],
            options={
                "verbose_name": "pricing model change",
                "verbose_name_plural": "pricing model changes",
                "ordering": ["-changed_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="PricingSetting",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "live_model",
                    models.CharField(
                        choices=[
                            ("v1", "v1: weighted lower median (DESIGN §4)"),
                            ("v2", "v2: credibility toward the peer group"),
                        ],
                        default="v1",
                        max_length=10,
                        verbose_name="live pricing model",
                    ),
                ),
                (
                    "changed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="changed at"),
                ),
            ],
            options={
                "verbose_name": "pricing setting",
                "verbose_name_plural": "pricing settings",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="pricing_setting_singleton"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("live_model__in", ["v1", "v2"])),
                        name="pricing_live_model_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SnapshotFlag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("decrease", "Lower than an earlier count"),
                            ("jump", "Implausible jump within an hour"),
                        ],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                ("compared_views", models.BigIntegerField(verbose_name="earlier views")),
                ("flagged_at", models.DateTimeField(verbose_name="flagged at")),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="snapshot_flags",
                        to="orders.orderline",
                        verbose_name="order line",
                    ),
                ),
                (
                    "snapshot",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="flag",
                        to="orders.viewsnapshot",
                        verbose_name="snapshot",
                    ),
                ),
            ],
            options={
                "verbose_name": "flagged snapshot",
                "verbose_name_plural": "flagged snapshots",
                "ordering": ["-flagged_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("reason__in", ["decrease", "jump"])),
                        name="snapshot_flag_reason_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="VideoStatusEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("live", "Live"),
                            ("removed_by_creator", "Removed by the creator"),
                            ("private", "Made private by the creator"),
                            ("taken_down", "Taken down by the platform"),
                            ("restored", "Restored"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="at")),
                ("received_at", models.DateTimeField(verbose_name="received at")),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="status_events",
                        to="orders.orderline",
                        verbose_name="order line",
                    ),
                ),
            ],
            options={
                "verbose_name": "video status event",
                "verbose_name_plural": "video status events",
                "ordering": ["line", "at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("line", "at"), name="video_status_event_unique_per_video_instant"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                ["live", "removed_by_creator", "private", "taken_down", "restored"],
                            )
                        ),
                        name="video_status_event_status_valid",
                    ),
                ],
            },
        ),
        on_postgresql(LEDGER_APPEND_ONLY, DROP_LEDGER_APPEND_ONLY),
        migrations.RunPython(create_the_setting, migrations.RunPython.noop),
    ]
