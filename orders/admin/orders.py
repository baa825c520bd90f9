"""Orders and their lines in the admin: read-only, placed through the client's "Place an order"
view; a line's publish can be recorded by hand through ``services.publish`` (DESIGN §5)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.display import minute, yuan
from kernel.money import to_fen

from .. import services
from ..models import Boost, LedgerEntry, OrderLine
from ..services import OrderError
from .base import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    admin_view_path,
    change_url,
    changelist_url,
    column,
    link,
    or_empty,
)
from .snapshots import VideoStatusEventInline
from .visibility import VIEW_LEDGER

# Recording a publish moves a boost out of awaiting publish, like cancelling one: same permission.
PUBLISH_PERMISSION = "orders.change_boost"


def summed_yuan(total: Decimal | None) -> str:
    """A sum over an order's lines (None over no rows) in yuan."""
    return yuan(to_fen(total))


class OrderLineInline(ReadOnlyInline):
    """An order's lines with their boost, if any."""

    model = OrderLine
    fields = [
        "influencer",
        "fixed_price_display",
        "platform_video_id",
        "published_at",
        "boost_link",
        "boost_status",
        "boost_fee",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("influencer", "boost")

    fixed_price_display = column(_("fixed price"), "fixed_price", yuan, sortable=False)

    @admin.display(description=_("boost"))
    def boost_link(self, line):
        if not hasattr(line, "boost"):
            return gettext("No boost")
        return link(change_url(line.boost), gettext("boost #%(id)s") % {"id": line.boost.pk})

    @admin.display(description=_("boost status"))
    def boost_status(self, line):
        return or_empty(line.boost.get_status_display() if hasattr(line, "boost") else None)

    @admin.display(description=_("boost fee"))
    def boost_fee(self, line):
        return or_empty(yuan(line.boost.boost_fee) if hasattr(line, "boost") else None)


class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders are placed through the client's "Place an order" view, never edited."""

    list_display = [
        "code",
        "client",
        "placed_at",
        "placed_by",
        "line_count",
        "total_fixed",
        "total_fees",
        "total",
    ]
    list_select_related = ["client", "placed_by"]
    search_fields = ["code", "client__name", "client__code", "idempotency_key"]
    list_filter = ["client"]
    date_hierarchy = "placed_at"
    fields = [
        "code",
        "client",
        "placed_at",
        "placed_by",
        "idempotency_key",
        "line_count",
        "total_fixed",
        "total_fees",
        "total",
        "ledger_link",
    ]
    readonly_fields = fields
    field_permissions = {"ledger_link": VIEW_LEDGER}
    inlines = [OrderLineInline]

    def get_queryset(self, request):
        # One join over lines (boost is one-to-one with a line), so the sums are not multiplied.
        return (
            super()
            .get_queryset(request)
            .annotate(
                line_count=Count("lines"),
                fixed_sum=Sum("lines__fixed_price"),
                fees_sum=Sum("lines__boost__boost_fee"),
            )
        )

    line_count = column(_("lines"), "line_count")
    total_fixed = column(_("fixed prices"), "fixed_sum", summed_yuan)
    total_fees = column(_("boost fees"), "fees_sum", summed_yuan)

    @admin.display(description=_("total"))
    def total(self, order):
        return yuan(to_fen(order.fixed_sum) + to_fen(order.fees_sum))

    @admin.display(description=_("ledger"))
    def ledger_link(self, order):
        return link(
            changelist_url(LedgerEntry, order__id__exact=order.pk),
            gettext("Ledger entries of this order"),
        )


class PublishForm(forms.Form):
    """The publish an operator records by hand: the platform's video id and when it went live."""

    video_id = forms.CharField(
        label=_("platform video id"),
        max_length=OrderLine._meta.get_field("platform_video_id").max_length,
    )
    published_at = forms.SplitDateTimeField(
        label=_("published at"),
        widget=AdminSplitDateTime,
        help_text=_("When the video went live on the platform (Asia/Shanghai time)."),
    )


class OrderLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Order lines, read-only, with a "Record publish" page for a line whose video is not
    published yet, calling ``services.publish`` as the signed-in user."""

    list_display = [
        "__str__",
        "client",
        "influencer",
        "fixed_price_display",
        "platform_video_id",
        "published_at",
        "boost_status",
    ]
    list_select_related = ["order__client", "influencer", "boost"]
    search_fields = [
        "order__code",
        "influencer__name",
        "influencer__platform_id",
        "platform_video_id",
    ]
    list_filter = ["boost__status"]
    date_hierarchy = "order__placed_at"
    fields = [
        "order",
        "influencer",
        "fixed_price_display",
        "platform_video_id",
        "published_at",
        "boost_status",
    ]
    readonly_fields = fields
    inlines = [VideoStatusEventInline]

    @admin.display(description=_("client"), ordering="order__client__name")
    def client(self, line):
        return line.order.client

    fixed_price_display = column(_("fixed price"), "fixed_price", yuan)

    @admin.display(description=_("boost status"), ordering="boost__status")
    def boost_status(self, line):
        return or_empty(line.boost.get_status_display() if hasattr(line, "boost") else None)

    def get_urls(self):
        return [
            admin_view_path(self, "<path:object_id>/publish/", self.publish_view, "publish"),
            *super().get_urls(),
        ]

    def _may_publish(self, request, line: OrderLine) -> bool:
        """Whether the user may record this line's publish (it moves the line's boost)."""
        return self.has_view_permission(request, line) and request.user.has_perm(PUBLISH_PERMISSION)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        line = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "can_publish": line is not None
            and line.published_at is None
            and self._may_publish(request, line),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _published_message(note: str, line: OrderLine) -> str:
        """The note, and until when the boost now runs, so the operator sees the window start."""
        boost = Boost.objects.filter(line=line, status=Boost.Status.ACTIVE).first()
        if boost is None or boost.window_end is None:
            return note
        until = minute(boost.window_end)
        return gettext("%(note)s. The boost is active until %(until)s.") % {
            "note": note,
            "until": until,
        }

    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record that the line's video went live (DESIGN §5), through ``services.publish``."""
        line = self.get_object(request, unquote(object_id))
        if line is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self._may_publish(request, line):
            raise PermissionDenied
        if line.published_at is not None:
            messages.info(
                request,
                gettext("This video was already published as %(video)s at %(at)s.")
                % {"video": line.platform_video_id, "at": timezone.localtime(line.published_at)},
            )
            return HttpResponseRedirect(change_url(OrderLine, line.pk))
        form = PublishForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.publish(
                    line=line,
                    video_id=form.cleaned_data["video_id"],
                    published_at=form.cleaned_data["published_at"],
                    now=timezone.now(),
                    actor=request.user,
                )
            except OrderError as error:
                form.add_error(None, error.messages)
            else:
                note = gettext("Recorded publish of %(video)s") % {
                    "video": form.cleaned_data["video_id"]
                }
                self.log_change(request, line, note)
                messages.success(request, self._published_message(note, line))
                return HttpResponseRedirect(change_url(OrderLine, line.pk))
        boost = Boost.objects.filter(line=line).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": line,
            "line": line,
            "boost": boost,
            "title": gettext("Record the publish of %(line)s") % {"line": line},
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/orders/orderline/publish.html", context)
