"""The platform pipeline in the admin: API tokens, the request log and refused publish events.

Tokens are created through ``services.create_integration_token``, which returns the raw token once;
it is shown in a message and never again (only its hash is stored). The log and the refusals are
append-only and read-only here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import ApiRequestLog, IntegrationToken, OrderLine
from ..services import OrderError
from .base import ReadOnlyAdminMixin, change_url, changelist_url, link


class CreateTokenForm(forms.Form):
    """The one field of a new token: who uses it; the token itself is generated."""

    name = forms.CharField(
        label=_("name"),
        max_length=100,
        help_text=_("Who uses the token, e.g. “platform views pipeline (production)”."),
        widget=forms.TextInput(attrs={"size": 50}),
    )


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
        return link(
            changelist_url(ApiRequestLog, token__id__exact=token.pk), gettext("Request log")
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
                return HttpResponseRedirect(change_url(IntegrationToken, token.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Create an API token"),
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/orders/integrationtoken/create_token.html", context)


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
        return link(change_url(OrderLine, rejection.line_id), str(rejection.line))

    @admin.display(description=_("valid until"))
    def valid_until(self, rejection):
        boost = getattr(rejection.line, "boost", None)
        return boost.valid_until if boost else None

    @admin.display(description=_("boost status now"))
    def boost_status(self, rejection):
        boost = getattr(rejection.line, "boost", None)
        return boost.get_status_display() if boost else gettext("No boost")
