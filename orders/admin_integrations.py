"""Admin for the platform's data pipeline: API tokens, the request log, refused publish events,
and recording a publish by hand on an order line.

Imported by ``OrdersConfig.ready()``, after the admin's autodiscovery has registered
``orders.admin``: the order-line admin is replaced here by a subclass with the publish view.
Tokens are created through ``services.create_integration_token``, which returns the raw token once;
it is shown in a message and never again (only its hash is stored). The log and the refusals are
append-only and read-only here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import services
from .admin import OrderLineAdmin, ReadOnlyAdminMixin, _change_url, _changelist_url, _link
from .models import ApiRequestLog, Boost, IntegrationToken, OrderLine, PublishRejection
from .services import OrderError

# Recording a publish moves a boost out of awaiting publish, like cancelling one: same permission.
PUBLISH_PERMISSION = "orders.change_boost"


# --- Tokens ------------------------------------------------------------------------------------


class CreateTokenForm(forms.Form):
    name = forms.CharField(
        label=_("name"),
        max_length=100,
        help_text=_("Who uses the token, e.g. “platform views pipeline (production)”."),
        widget=forms.TextInput(attrs={"size": 50}),
    )


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    """Tokens of the ``/api/`` endpoints. "Add" creates one and shows it once, in a message."""

    list_display = ["name", "prefix_shown", "is_active", "last_used_at", "created_at", "requests"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    fields = ["name", "prefix_shown", "is_active", "created_at", "created_by", "last_used_at"]
    readonly_fields = ["prefix_shown", "created_at", "created_by", "last_used_at"]
    actions = ["deactivate"]

    @admin.display(description=_("token prefix"), ordering="prefix")
    def prefix_shown(self, token):
        return f"{token.prefix}…"

    @admin.display(description=_("requests"))
    def requests(self, token):
        return _link(
            _changelist_url(ApiRequestLog, token__id__exact=token.pk), gettext("Request log")
        )

    @admin.action(description=_("Deactivate selected tokens"), permissions=["change"])
    def deactivate(self, request, queryset):
        n = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(
            request,
            ngettext("%(count)d token deactivated.", "%(count)d tokens deactivated.", n)
            % {"count": n},
            messages.SUCCESS,
        )

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        """Create a token through the service and show it once; there is no other add form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CreateTokenForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                token, raw = services.create_integration_token(
                    name=form.cleaned_data["name"], now=timezone.now(), created_by=request.user
                )
            except OrderError as error:
                form.add_error(None, error.messages)
            else:
                self.log_addition(request, token, [{"added": {}}])
                messages.warning(
                    request,
                    gettext(
                        "Token “%(name)s” created: %(token)s — copy it now, it will not be "
                        "shown again (only its hash is stored)."
                    )
                    % {"name": token.name, "token": raw},
                )
                return HttpResponseRedirect(_change_url(IntegrationToken, token.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Create an API token"),
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/orders/integrationtoken/create_token.html", context)


# --- Request log and refused publish events ----------------------------------------------------


@admin.register(ApiRequestLog)
class ApiRequestLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every request to ``/api/``, refused ones included."""

    list_display = [
        "received_at",
        "method",
        "path",
        "status_code",
        "token",
        "item_count",
        "duration_ms",
        "error",
    ]
    list_select_related = ["token"]
    list_filter = ["status_code", "path", "token"]
    search_fields = ["error", "path"]
    date_hierarchy = "received_at"


@admin.register(PublishRejection)
class PublishRejectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Publish events ``publish`` refused (too late, before the order, boost not awaiting
    publish, video of another line…): nothing of them was stored (DESIGN §5)."""

    list_display = [
        "received_at",
        "line_link",
        "video_id",
        "published_at",
        "valid_until",
        "boost_status",
        "reason",
        "token",
    ]
    list_select_related = ["line__order", "line__influencer", "line__boost", "token"]
    list_filter = ["line__boost__status", "token"]
    search_fields = ["video_id", "line__order__code", "line__influencer__name", "reason"]
    date_hierarchy = "received_at"

    @admin.display(description=_("order line"), ordering="line_id")
    def line_link(self, rejection):
        return _link(_change_url(OrderLine, rejection.line_id), str(rejection.line))

    @admin.display(description=_("valid until"))
    def valid_until(self, rejection):
        boost = getattr(rejection.line, "boost", None)
        return boost.valid_until if boost else None

    @admin.display(description=_("boost status now"))
    def boost_status(self, rejection):
        boost = getattr(rejection.line, "boost", None)
        return boost.get_status_display() if boost else gettext("No boost")


# --- Recording a publish by hand ---------------------------------------------------------------


class PublishForm(forms.Form):
    video_id = forms.CharField(
        label=_("platform video id"),
        max_length=OrderLine._meta.get_field("platform_video_id").max_length,
    )
    published_at = forms.SplitDateTimeField(
        label=_("published at"),
        widget=AdminSplitDateTime,
        help_text=_("When the video went live on the platform (Asia/Shanghai time)."),
    )


class OrderLinePublishAdmin(OrderLineAdmin):
    """The order-line admin of ``orders.admin`` with a "Record publish" page for lines whose
    video is not published yet, calling ``services.publish`` as the signed-in user."""

    def get_urls(self):
        app, model = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name=f"{app}_{model}_publish",
            ),
            *super().get_urls(),
        ]

    def _may_publish(self, request, line: OrderLine) -> bool:
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
            return HttpResponseRedirect(_change_url(OrderLine, line.pk))
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
                messages.success(request, note)
                return HttpResponseRedirect(_change_url(OrderLine, line.pk))
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


admin.site.unregister(OrderLine)
admin.site.register(OrderLine, OrderLinePublishAdmin)
