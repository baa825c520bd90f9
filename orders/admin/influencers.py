"""Influencers and their history videos in the admin: the pricing inputs and cached quotes.

Any change to an influencer or its history re-quotes it through ``services.refresh_quotes``, so
the cached quote the listing pages read follows its inputs.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kernel.display import grouped, yuan

from .. import services
from ..models import HistoryVideo
from ..module import cached_quote
from .base import changelist_url, explained_quote, link, or_empty


class QuoteFilter(admin.SimpleListFilter):
    """Influencers by their cached quote: boost available, not available, or not quoted yet."""

    title = _("boost available")
    parameter_name = "quote"

    def lookups(self, request, model_admin):
        return [
            ("eligible", _("Yes")),
            ("ineligible", _("No")),
            ("none", _("Not quoted yet")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "eligible":
            return queryset.filter(quote__eligible=True)
        if self.value() == "ineligible":
            return queryset.filter(quote__eligible=False)
        if self.value() == "none":
            return queryset.filter(quote__isnull=True)
        return queryset


# The cached quote as the change form shows it: written by ``services.refresh_quotes`` only.
QUOTE_FIELDS = [
    "quoted_at",
    "boost_available",
    "expected_views",
    "premium_ratio",
    "boost_fee",
    "quote_explanation",
    "history_link",
]


class InfluencerAdmin(admin.ModelAdmin):
    """Influencers with their cached current quote; saving one re-quotes it."""

    list_display = [
        "name",
        "platform_id",
        "fixed_price_display",
        "boost_enabled",
        "boost_available",
        "expected_views",
        "premium_ratio",
        "boost_fee",
        "quoted_at",
    ]
    search_fields = ["name", "platform_id"]
    list_filter = ["boost_enabled", QuoteFilter]
    date_hierarchy = "created_at"
    actions = ["refresh_quotes"]
    fieldsets = [
        (None, {"fields": ["name", "platform_id", "fixed_price", "boost_enabled"]}),
        (
            _("Current quote"),
            {"fields": QUOTE_FIELDS},
        ),
    ]
    readonly_fields = QUOTE_FIELDS

    @admin.display(description=_("boost available"))
    def boost_available(self, influencer):
        quote = cached_quote(influencer)
        if not quote["quoted"]:
            return gettext("Not quoted yet")
        return gettext("Yes") if quote["eligible"] else quote["reason"]

    @admin.display(description=_("expected views"))
    def expected_views(self, influencer):
        return or_empty(grouped(cached_quote(influencer)["expected_views"]))

    @admin.display(description=_("fixed price"), ordering="fixed_price")
    def fixed_price_display(self, influencer):
        return yuan(influencer.fixed_price)

    @admin.display(description=_("premium ratio"))
    def premium_ratio(self, influencer):
        return or_empty(cached_quote(influencer)["premium_ratio"])

    @admin.display(description=_("boost fee"))
    def boost_fee(self, influencer):
        fee = cached_quote(influencer)["boost_fee"]
        return or_empty(yuan(Decimal(fee)) if fee else None)

    @admin.display(description=_("how the quote was reached"))
    def quote_explanation(self, influencer):
        return or_empty(explained_quote(influencer.quote))

    @admin.display(description=_("history videos"))
    def history_link(self, influencer):
        if influencer.pk is None:
            return or_empty(None)
        return link(
            changelist_url(HistoryVideo, influencer__id__exact=influencer.pk),
            gettext("History videos of this influencer"),
        )

    @admin.action(description=_("Refresh quotes"), permissions=["change"])
    def refresh_quotes(self, request, queryset):
        count = services.refresh_quotes(
            now=timezone.now(), influencer_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            ngettext("Refreshed %(count)d quote.", "Refreshed %(count)d quotes.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The price or the boost flag may have changed: the cached quote must follow.
        services.refresh_quotes(now=timezone.now(), influencer_ids=[obj.pk])


class HistoryVideoAdmin(admin.ModelAdmin):
    """Pricing inputs; any change re-quotes the influencers it touches."""

    list_display = ["platform_video_id", "influencer", "published_at", "views", "updated_at"]
    list_select_related = ["influencer"]
    search_fields = ["platform_video_id", "influencer__name", "influencer__platform_id"]
    list_filter = ["influencer__boost_enabled"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["influencer"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        touched = {obj.influencer_id}
        if change and "influencer" in form.changed_data:
            touched.add(form.initial["influencer"])
        services.refresh_quotes(now=timezone.now(), influencer_ids=sorted(touched))

    def delete_model(self, request, obj):
        influencer_id = obj.influencer_id
        super().delete_model(request, obj)
        services.refresh_quotes(now=timezone.now(), influencer_ids=[influencer_id])

    def delete_queryset(self, request, queryset):
        influencer_ids = sorted(set(queryset.values_list("influencer_id", flat=True)))
        super().delete_queryset(request, queryset)
        services.refresh_quotes(now=timezone.now(), influencer_ids=influencer_ids)
