"""Middleware at the HTTP edge: refuse control characters in requests, keep private pages private.

``RefuseControlCharacters`` answers 400 before any view runs when the path, the query string or
a form body holds a C0 control character (``kernel.text``): a NUL in ``/orders/%00/`` or
``?q=%00`` would otherwise reach a database query, and PostgreSQL refuses NUL in text with an
exception (a 500). The refusal is JSON (``{"error": …}``) for a JSON request and under the
paths of ``settings.JSON_ERROR_PATH_PREFIXES`` (the API documents it), plain text otherwise.
JSON bodies are the API's to refuse (it logs every request it answers, and a
NUL escaped as ``\\u0000`` is only visible once parsed), so they pass here.

``PrivateCache`` marks every response to a logged-in user, and every CSV export, ``private,
no-store``: no shared proxy and no browser history keeps a client's balance or statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .text import has_control_characters

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseControlCharacters:
    """Answer 400 to a request whose path, query string or form fields hold a control character.

    A path with a NUL is a 400 too (not a 404): the request is malformed, whatever it names.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        message = _control_characters_refusal(request)
        if message is None:
            return self.get_response(request)
        json_paths = tuple(getattr(settings, "JSON_ERROR_PATH_PREFIXES", ()))
        if request.content_type == "application/json" or request.path_info.startswith(json_paths):
            return JsonResponse({"error": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _control_characters_refusal(request: HttpRequest) -> str | None:
    """Why ``request`` is refused, or None when it holds no control character."""
    if has_control_characters(request.path_info):
        return _("The address holds a control character (such as NUL); the request was refused.")
    if _any_control_characters(request.GET.lists()):
        return _("The query string holds a control character (such as NUL); nothing was searched.")
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        if _any_control_characters(request.POST.lists()):
            return _("A form field holds a control character (such as NUL); nothing was saved.")
    return None


def _any_control_characters(fields: Iterable[tuple[str, list[str]]]) -> bool:
    return any(
        has_control_characters(name) or any(has_control_characters(value) for value in values)
        for name, values in fields
    )


class PrivateCache:
    """``Cache-Control: private, no-store`` on responses to logged-in users and on CSV exports.

    Directives a view set itself (the admin's ``never_cache``) are kept; ``public`` is dropped.
    Static files never pass through middleware, so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        is_csv = response.get("Content-Type", "").startswith("text/csv")
        if is_csv or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response
