"""The notification pages: the user's list (marking read) and their preferences."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import ClientRequest, client_required

from .. import selectors, services
from ..wording import Names, word
from .forms import PreferencesForm
from .tabs import render_tab

PAGE_SIZE = 30


@require_http_methods(["GET"])
@client_required
def notification_list(request: ClientRequest) -> HttpResponse:
    """The user's notifications, newest first, each worded in the page's language."""
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    notifications = list(page)
    names = selectors.names_for([n.event for n in notifications])
    rows = [(n, word(n.event, names.get(n.event.boost_id, Names()))) for n in notifications]
    return render_tab(
        request,
        "integrations/notifications.html",
        tab="notifications",
        title=_("Notifications"),
        page=page,
        rows=rows,
        unread=selectors.unread_count(request.user),
    )


@require_POST
@client_required
def mark_read(request: ClientRequest) -> HttpResponseBase:
    """Mark one notification (``id``) or all of them read."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    services.mark_read(user=request.user, now=timezone.now(), ids=ids)
    return redirect("integrations:notifications")


@require_http_methods(["GET", "POST"])
@client_required
def preferences(request: ClientRequest) -> HttpResponseBase:
    """Which events reach the user by e-mail and in the portal, and the e-mails' language."""
    current = selectors.preference_of(request.user)
    form = PreferencesForm(
        request.POST or None,
        initial={
            "language": current.language,
            "email_types": current.email_types,
            "portal_types": current.portal_types,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.save_preferences(user=request.user, now=timezone.now(), **form.cleaned_data)
        messages.success(request, _("Your notification preferences were saved."))
        return redirect("integrations:preferences")
    return render_tab(
        request,
        "integrations/preferences.html",
        tab="preferences",
        title=_("Notification preferences"),
        form=form,
    )
