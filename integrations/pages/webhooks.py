"""The webhook pages: endpoints (create, secret shown once, remove), test event, delivery log."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import ClientRequest, client_required, not_found

from .. import selectors, services, signing, tasks
from ..models import WebhookDelivery, WebhookEndpoint
from .forms import EndpointForm
from .shown_once import create_shown_once
from .tabs import render_tab

LOG_PAGE_SIZE = 25


def client_endpoint(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Hand ``view`` the client's endpoint ``pk``; another client's, or none, is not found."""

    @wraps(view)
    def with_endpoint(request: ClientRequest, pk: int, **kwargs: int) -> HttpResponseBase:
        endpoint = selectors.endpoint_of(request.client, pk)
        if endpoint is None:
            return not_found(request)
        return view(request, endpoint, **kwargs)

    return with_endpoint


@require_http_methods(["GET", "POST"])
@client_required
def endpoint_list(request: ClientRequest) -> HttpResponseBase:
    """The client's endpoints and the form to add one; a new one's secret is shown once."""
    form = EndpointForm(request.POST or None)
    shown = create_shown_once(
        request,
        form,
        lambda data: services.create_endpoint(
            client=request.client, now=timezone.now(), created_by=request.user, **data
        ),
        "integrations/secret_once.html",
        lambda endpoint, secret: {
            "title": _("Endpoint added"),
            "endpoint": endpoint,
            "secret": secret,
            "signing": signing,
        },
    )
    if shown is not None:
        return shown
    return render_tab(
        request,
        "integrations/webhooks.html",
        tab="webhooks",
        title=_("Webhooks"),
        endpoints=selectors.endpoints_of(request.client),
        form=form,
    )


@require_http_methods(["GET"])
@client_required
@client_endpoint
def endpoint_detail(request: ClientRequest, endpoint: WebhookEndpoint) -> HttpResponse:
    """An endpoint's delivery log: every delivery with each attempt's status and latency."""
    page = Paginator(selectors.deliveries_of(endpoint), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_tab(
        request,
        "integrations/webhook_detail.html",
        tab="webhooks",
        title=_("Webhook endpoint"),
        endpoint=endpoint,
        page=page,
        deliveries=list(page),
        signing=signing,
    )


def _deliver(request: ClientRequest, delivery: WebhookDelivery, said: str) -> HttpResponseBase:
    """Queue ``delivery`` and go back to its endpoint's log, which will show the attempt."""
    tasks.queue(tasks.deliver_webhook, delivery.pk)
    messages.success(request, said)
    return redirect("integrations:webhook", pk=delivery.endpoint_id)


@require_POST
@client_required
@client_endpoint
def send_test(request: ClientRequest, endpoint: WebhookEndpoint) -> HttpResponseBase:
    """Send a test event to the endpoint now; it shows in the delivery log."""
    delivery = services.send_test(endpoint=endpoint, now=timezone.now())
    return _deliver(request, delivery, _("A test event is on its way; its attempt shows below."))


@require_POST
@client_required
@client_endpoint
def resend(request: ClientRequest, endpoint: WebhookEndpoint, delivery_pk: int) -> HttpResponseBase:
    """Send one delivery again now (its body unchanged, signed anew)."""
    delivery = selectors.delivery_of(endpoint, delivery_pk)
    if delivery is None:
        return not_found(request)
    services.resend(delivery=delivery, now=timezone.now())
    return _deliver(request, delivery, _("The event is sent again; the new attempt shows below."))


@require_POST
@client_required
@client_endpoint
def remove(request: ClientRequest, endpoint: WebhookEndpoint) -> HttpResponseBase:
    """Stop sending to the endpoint; its delivery log is kept for the staff."""
    services.remove_endpoint(endpoint=endpoint, now=timezone.now())
    messages.success(request, _("The endpoint was removed; nothing more is sent to it."))
    return redirect("integrations:webhooks")
