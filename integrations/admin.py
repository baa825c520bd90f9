"""Staff's view of client integrations: endpoints, deliveries with their attempts, API tokens.

Endpoints and tokens are created through their services (the secret or token is shown once, in
a message); deliveries, attempts, notifications and the outbox are read-only, and a delivery can
be sent again (``resend``) from its list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.admin.base import ReadOnlyAdminMixin, ReadOnlyInline, change_url
from orders.models import Client, ClientEvent

from . import services, tasks
from .forms import event_types_field
from .models import (
    ClientApiToken,
    EmailDelivery,
    Notification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class CreateEndpointForm(forms.Form):
    client = forms.ModelChoiceField(label=_("client"), queryset=Client.objects.order_by("name"))
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    event_types = event_types_field(_("events"), required=True)


class CreateClientTokenForm(forms.Form):
    client = forms.ModelChoiceField(label=_("client"), queryset=Client.objects.order_by("name"))
    name = forms.CharField(label=_("name"), max_length=100)


# A client's rows are found by the client's name or code.
CLIENT_SEARCH = ["client__name", "client__code"]


class ClientSecretAdmin(admin.ModelAdmin):
    """A client's endpoint or API token: listed by client, and "Add" runs ``create_service``
    and shows the secret it returns once; there is no other add form."""

    list_filter = ["is_active", "client"]
    list_select_related = ["client"]
    create_form: type[forms.Form]
    create_service: Callable[..., tuple[Any, str]]
    create_title = ""
    create_intro = ""

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.create_form(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                obj, secret = self.create_service(
                    now=timezone.now(), created_by=request.user, **form.cleaned_data
                )
            except services.IntegrationError as error:
                form.add_error(None, error.messages)
            else:
                self.log_addition(request, obj, [{"added": {}}])
                messages.warning(
                    request,
                    gettext("Created. Copy it now, it will not be shown again: %(secret)s")
                    % {"secret": secret},
                )
                return HttpResponseRedirect(change_url(obj))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.create_title,
            "intro": self.create_intro,
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/integrations/create_form.html", context)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ClientSecretAdmin):
    list_display = ["url", "client", "is_active", "removed_at", "secret_hint", "created_at"]
    search_fields = ["url", "description", *CLIENT_SEARCH]
    fields = [
        "client",
        "url",
        "description",
        "event_types",
        "is_active",
        "secret_hint",
        "created_at",
        "created_by",
        "removed_at",
    ]
    readonly_fields = [
        "client",
        "url",
        "event_types",
        "secret_hint",
        "created_at",
        "created_by",
        "removed_at",
    ]
    actions = ["send_test_event"]
    create_form = CreateEndpointForm
    create_service = staticmethod(services.create_endpoint)
    create_title = _("Add a webhook endpoint")
    create_intro = _(
        "Events of the client are POSTed to the URL, signed with a new secret. The secret is "
        "shown once, right after the endpoint is created: hand it to the client."
    )

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test_event(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        sent = 0
        for endpoint in queryset.filter(removed_at__isnull=True):
            tasks.queue(
                tasks.deliver_webhook, services.send_test(endpoint=endpoint, now=timezone.now()).pk
            )
            sent += 1
        self.message_user(
            request,
            ngettext("%(count)d test event queued.", "%(count)d test events queued.", sent)
            % {"count": sent},
            messages.SUCCESS,
        )


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = [
        "number",
        "started_at",
        "status_code",
        "succeeded",
        "latency_ms",
        "response_excerpt",
        "error",
    ]
    readonly_fields = fields
    show_change_link = False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Deliveries with their attempts (the delivery log): read-only, but they can be resent."""

    list_display = [
        "created_at",
        "type",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "type"]
    list_select_related = ["endpoint"]
    search_fields = ["endpoint__url", "endpoint__client__name", "body"]
    date_hierarchy = "created_at"
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    def has_resend_permission(self, request: HttpRequest) -> bool:
        # The rows stay read-only: sending again is the one thing the change permission allows.
        return request.user.has_perm("integrations.change_webhookdelivery")

    @admin.action(description=_("Send again now"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = 0
        for delivery in queryset.filter(endpoint__removed_at__isnull=True):
            services.resend(delivery=delivery, now=timezone.now())
            tasks.queue(tasks.deliver_webhook, delivery.pk)
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d delivery sent again.", "%(count)d deliveries sent again.", done)
            % {"count": done},
            messages.SUCCESS,
        )


@admin.register(ClientApiToken)
class ClientApiTokenAdmin(ClientSecretAdmin):
    list_display = ["name", "client", "prefix_shown", "is_active", "last_used_at", "created_at"]
    search_fields = ["name", "prefix", *CLIENT_SEARCH]
    fields = [
        "client",
        "name",
        "prefix_shown",
        "is_active",
        "created_at",
        "created_by",
        "last_used_at",
    ]
    readonly_fields = ["client", "prefix_shown", "created_at", "created_by", "last_used_at"]
    actions = ["revoke"]
    create_form = CreateClientTokenForm
    create_service = staticmethod(services.create_api_token)
    create_title = _("Create a client API token")
    create_intro = _(
        "The client's systems send the token as “Authorization: Bearer <token>” to /api/v1/. It "
        "reads that client's rows only. It is shown once; only its hash is stored."
    )

    @admin.display(description=_("token prefix"), ordering="prefix")
    def prefix_shown(self, token: ClientApiToken) -> str:
        return f"{token.prefix}…"

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ClientApiToken]) -> None:
        n = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", n) % {"count": n},
            messages.SUCCESS,
        )


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "event",
        "address",
        "language",
        "status",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "language"]
    search_fields = ["address", "last_error"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "event", "user", "read_at"]
    list_select_related = ["event", "user"]
    search_fields = ["user__username", "event__key"]
    date_hierarchy = "created_at"


@admin.register(ClientEvent)
class ClientEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox: every fact announced to a client, and when it was fanned out."""

    list_display = ["occurred_at", "type", "client", "key", "dispatched_at"]
    list_filter = ["type", "client"]
    list_select_related = ["client"]
    search_fields = ["key", *CLIENT_SEARCH]
    date_hierarchy = "occurred_at"
