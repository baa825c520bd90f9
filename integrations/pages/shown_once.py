"""Creating something whose secret the client sees once: a token, a webhook signing secret."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpResponse

from portal.access import ClientRequest, render_page

from .. import services


def create_shown_once(
    request: ClientRequest,
    form: forms.Form,
    create: Callable[[dict[str, Any]], tuple[Any, str]],
    template: str,
    context: Callable[[Any, str], dict[str, Any]],
) -> HttpResponse | None:
    """On a valid POST, ``create`` from the form's data and answer the page that shows the new
    secret; None (the form carrying any refusal) for the list page to be shown instead.

    Answered, not redirected: the secret is in this one page, never in a cookie or a URL.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        created, secret = create(form.cleaned_data)
    except services.IntegrationError as error:
        form.add_error(None, error.messages)
        return None
    return render_page(request, template, context(created, secret), nav="integrations")
