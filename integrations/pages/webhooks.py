"""The webhook pages: endpoints (create, secret shown once, remove), test event, delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import ClientRequest, client_required, not_found, render_page

from .. import selectors, services, signing, tasks
from .forms import EndpointForm
from .shown_once import create_shown_once

LOG_PAGE_SIZE = 25


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
        lambda endpoint, secret: {"endpoint": endpoint, "secret": secret, "signing": signing},
    )
    if shown is not None:
        return shown
    return render_page(
        request,
        "integrations/webhooks.html",
        {
            "title": _("Webhooks"),
            "tab": "webhooks",
            "endpoints": selectors.endpoints_of(request.client),
            "form": form,
        },
        nav="integrations",
    )


@require_http_methods(["GET"])
@client_required
def endpoint_detail(request: ClientRequest, pk: int) -> HttpResponse:
    """An endpoint's delivery log: every delivery with each attempt's status and latency."""
    endpoint = selectors.endpoint_of(request.client, pk)
    if endpoint is None:
        return not_found(request)
    page = Paginator(selectors.deliveries_of(endpoint), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request,
        "integrations/webhook_detail.html",
        {
            "title": _("Webhook endpoint"),
            "tab": "webhooks",
            "endpoint": endpoint,
            "page": page,
            "deliveries": list(page),
            "signing": signing,
        },
        nav="integrations",
    )


@require_POST
@client_required
def send_test(request: ClientRequest, pk: int) -> HttpResponseBase:
    """Send a test event to the endpoint now; it shows in the delivery log."""
    endpoint = selectors.endpoint_of(request.client, pk)
    if endpoint is None:
        return not_found(request)
    delivery = services.send_test(endpoint=endpoint, now=timezone.now())
    tasks.queue(tasks.deliver_webhook, delivery.pk)
    messages.success(request, _("A test event is on its way; its attempt shows below."))
    return redirect("integrations:webhook", pk=endpoint.pk)


@require_POST
@client_required
def resend(request: ClientRequest, pk: int, delivery_pk: int) -> HttpResponseBase:
    """Send one delivery again now (its body unchanged, signed anew)."""
    endpoint = selectors.endpoint_of(request.client, pk)
    delivery = selectors.delivery_of(endpoint, delivery_pk) if endpoint is not None else None
    if endpoint is None or delivery is None:
        return not_found(request)
    services.resend(delivery=delivery, now=timezone.now())
    tasks.queue(tasks.deliver_webhook, delivery.pk)
    messages.success(request, _("The event is sent again; the new attempt shows below."))
    return redirect("integrations:webhook", pk=endpoint.pk)


@require_POST
@client_required
def remove(request: ClientRequest, pk: int) -> HttpResponseBase:
    """Stop sending to the endpoint; its delivery log is kept for the staff."""
    endpoint = selectors.endpoint_of(request.client, pk)
    if endpoint is None:
        return not_found(request)
    services.remove_endpoint(endpoint=endpoint, now=timezone.now())
    messages.success(request, _("The endpoint was removed; nothing more is sent to it."))
    return redirect("integrations:webhooks")
