"""The account views of ``django.contrib.auth`` as the portal shows them.

The password pages keep the portal's header and balance, and logging out says so on the login
page it leads to.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ..access import user_frame


class FramedPageMixin:
    """Adds the portal's header (client, balance) for a user who belongs to a client."""

    request: HttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **user_frame(self.request)}  # type: ignore[misc]


class PasswordChangeView(FramedPageMixin, auth_views.PasswordChangeView):
    template_name = "registration/portal_password_change_form.html"


class PasswordChangeDoneView(FramedPageMixin, auth_views.PasswordChangeDoneView):
    template_name = "registration/portal_password_change_done.html"


class LogoutView(auth_views.LogoutView):
    """Log out, then tell the user so on the page that follows (the login page)."""

    next_page = "login"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            # The session is gone by now; the message travels in the messages cookie.
            messages.info(request, _("You are logged out."))
        return response
