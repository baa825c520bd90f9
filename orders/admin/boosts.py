"""Boosts and their audit trail in the admin: the frozen quote, progress and status history.

Status moves only through the services; the change form is view-only. Latest views come from
``selectors.counted_snapshots`` (views count only up to the window end, DESIGN §5).
"""

from __future__ import annotations

import json
from fractions import Fraction

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.display import duration, grouped, minute, percent, yuan
from kernel.paging import LargeTableAdmin

from .. import selectors
from ..models import Boost, BoostEvent, BoostStatus, ViewSnapshot
from ..module import cap_explanation
from .base import (
    RECENT_ROWS,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    change_url,
    changelist_url,
    column,
    explained_quote,
    link,
    local_instants,
    or_empty,
    preformatted,
    status_label,
)


class BoostEventInline(ReadOnlyInline):
    """A boost's status changes, oldest first, with who made them and why."""

    model = BoostEvent
    fields = ["at", "from_status_label", "to_status_label", "actor_name", "note"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("from status"))
    def from_status_label(self, event):
        return status_label(event.from_status)

    @admin.display(description=_("to status"))
    def to_status_label(self, event):
        return status_label(event.to_status)


class BoostAdmin(LargeTableAdmin, admin.ModelAdmin):
    """Boosts with their frozen quote and progress; status moves only through services.

    The change form is view-only (``has_change_permission`` is False for an object) while the
    changelist keeps the change permission, so a subclass (``settlements.admin``) can add actions
    gated by it: extend ``actions`` and ``inlines``, both lists.
    """

    actions: list = []
    inlines: list = [BoostEventInline]
    list_display = [
        "id",
        "order_code",
        "client",
        "influencer",
        "status",
        "expected_views_display",
        "latest_views",
        "progress",
        "days_left",
        "boost_fee_display",
        "premium_ratio_percent",
        "valid_until",
    ]
    list_display_links = ["id", "order_code"]
    list_select_related = ["line__order__client", "line__influencer"]
    # Filters whose choices cost no scan of the boosts (a million and more): fixed choices, date
    # ranges, every client. "Related only" choices would join every boost to find theirs, and the
    # date hierarchy would read every boost's date for its years; an influencer is found by search.
    list_filter = [
        "status",
        ("window_end", admin.DateFieldListFilter),
        ("valid_until", admin.DateFieldListFilter),
        "line__order__client",
    ]
    search_help_text = _(
        "Order code, client or influencer name, influencer platform id, or platform video id"
    )
    search_fields = [
        "line__order__code",
        "line__influencer__name",
        "line__influencer__platform_id",
        "line__platform_video_id",
        "line__order__client__name",
    ]
    fieldsets = [
        (None, {"fields": ["order_code", "client", "influencer", "fixed_price", "video_id"]}),
        (
            _("Status"),
            {
                "fields": [
                    "status",
                    "status_changed_at",
                    "valid_until",
                    "window_start",
                    "window_end",
                    "days_left",
                ]
            },
        ),
        (
            _("Frozen quote"),
            {
                "fields": [
                    "expected_views_display",
                    "premium_ratio_percent",
                    "boost_fee_display",
                    "loss_ratio",
                    "quoted_at",
                    "pricing_model",
                    "cap",
                    "quote_explanation",
                ]
            },
        ),
        (
            _("Shadow quote (never charged)"),
            {
                "classes": ["collapse"],
                "fields": [
                    "shadow_model",
                    "shadow_eligible",
                    "shadow_expected_views",
                    "shadow_premium_ratio",
                    "shadow_boost_fee",
                    "shadow_explanation",
                ],
            },
        ),
        (_("Progress"), {"fields": ["latest_views", "progress", "snapshots"]}),
        (_("Quote inputs"), {"classes": ["collapse"], "fields": ["quote_inputs"]}),
    ]
    # Every field the page shows, and the stored values they are shown from.
    readonly_fields = [
        "line",
        "expected_views",
        "premium_ratio",
        "boost_fee",
        "quote",
        *flatten_fieldsets(fieldsets),
    ]

    def get_queryset(self, request):
        counted = selectors.counted_snapshots(OuterRef("line"), OuterRef("window_end"))
        return (
            super()
            .get_queryset(request)
            .select_related("line__order__client", "line__influencer")
            .annotate(latest_views=Subquery(counted.values("views")[:1]))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("order"), ordering="line__order__code")
    def order_code(self, boost):
        return boost.line.order.code

    @admin.display(description=_("client"), ordering="line__order__client__name")
    def client(self, boost):
        return boost.line.order.client

    @admin.display(description=_("influencer"), ordering="line__influencer__name")
    def influencer(self, boost):
        return boost.line.influencer

    fixed_price = column(_("fixed price"), "line.fixed_price", yuan)
    boost_fee_display = column(_("boost fee"), "boost_fee", yuan)
    expected_views_display = column(_("expected views"), "expected_views", grouped)
    video_id = column(_("platform video id"), "line.platform_video_id", sortable=False)
    premium_ratio_percent = column(_("premium ratio"), "premium_ratio", percent)
    latest_views = column(_("latest views"), "latest_views", grouped)

    @admin.display(description=_("of expected"))
    def progress(self, boost):
        if boost.latest_views is None or not boost.expected_views:
            return or_empty(None)
        return percent(Fraction(boost.latest_views, boost.expected_views), places=1)

    @admin.display(description=_("days left"))
    def days_left(self, boost):
        """Active: until the window ends; awaiting publish: until the boost expires."""
        if boost.status == BoostStatus.ACTIVE and boost.window_end:
            end = boost.window_end
        elif boost.status == BoostStatus.AWAITING_PUBLISH:
            end = boost.valid_until
        else:
            return or_empty(None)
        return duration(end - timezone.now())

    @admin.display(description=_("what the cap means"))
    def cap(self, boost):
        return or_empty(
            cap_explanation(
                expected_views=boost.expected_views,
                fixed_price=boost.line.fixed_price,
                boost_fee=boost.boost_fee,
            )
        )

    quote_explanation = column(
        _("how the quote was reached"), "quote", explained_quote, sortable=False
    )
    shadow_explanation = column(
        _("how the shadow quote was reached"), "shadow_quote", explained_quote, sortable=False
    )

    @admin.display(description=_("quote inputs"))
    def quote_inputs(self, boost):
        return preformatted(json.dumps(local_instants(boost.quote), indent=2, ensure_ascii=False))

    @admin.display(description=_("view snapshots"))
    def snapshots(self, boost):
        rows = list(boost.line.snapshots.order_by("-observed_at")[:RECENT_ROWS])
        if not rows:
            return gettext("No view snapshots yet.")
        counted = set(
            selectors.counted_snapshots(boost.line_id, boost.window_end)
            .filter(pk__in=[s.pk for s in rows])
            .values_list("pk", flat=True)
        )

        def note(snapshot) -> str:
            if snapshot.pk in counted:
                return ""
            if not boost.counts(snapshot.observed_at):
                return gettext("after the window: does not count")
            return gettext("video not live: does not count")

        table = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    minute(s.observed_at),
                    grouped(s.views),
                    note(s),
                )
                for s in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th></th></tr></thead><tbody>{}</tbody>"
            "</table><p>{}</p>",
            gettext("observed at"),
            gettext("views"),
            table,
            link(
                changelist_url(ViewSnapshot, line__id__exact=boost.line_id),
                gettext("All view snapshots of this video"),
            ),
        )


class StatusFilter(admin.SimpleListFilter):
    """Boost events by the status they moved to."""

    title = _("to status")
    parameter_name = "to_status"

    def lookups(self, request, model_admin):
        return BoostStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(to_status=self.value()) if self.value() else queryset


class BoostEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only audit of boost status changes."""

    list_display = ["at", "boost_link", "order_code", "influencer", "change", "actor_name", "note"]
    list_select_related = ["boost__line__order", "boost__line__influencer"]
    list_filter = [StatusFilter]
    search_fields = [
        "boost__line__order__code",
        "boost__line__influencer__name",
        "actor_name",
        "note",
    ]
    date_hierarchy = "at"
    fields = ["at", "boost_link", "order_code", "influencer", "change", "actor_name", "note"]
    readonly_fields = fields

    @admin.display(description=_("boost"), ordering="boost_id")
    def boost_link(self, event):
        return link(
            change_url(Boost, event.boost_id), gettext("boost #%(id)s") % {"id": event.boost_id}
        )

    @admin.display(description=_("order"), ordering="boost__line__order__code")
    def order_code(self, event):
        return event.boost.line.order.code

    @admin.display(description=_("influencer"))
    def influencer(self, event):
        return event.boost.line.influencer

    @admin.display(description=_("status change"))
    def change(self, event):
        return f"{status_label(event.from_status)} → {status_label(event.to_status)}"
