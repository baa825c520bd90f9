"""The page of a locked-out login, for both login pages (django-axes' ``AXES_LOCKOUT_CALLABLE``).

After ``AXES_FAILURE_LIMIT`` wrong passwords for one username from one address, every further
attempt, the right password included, gets this page with 429 until the cool-off has passed.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """Say in plain words that logging in is paused, for how long, and what to do meanwhile."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
        # The login page the attempt came from: the portal's or the admin's.
        "login_url": request.path,
    }
    return render(request, "registration/lockout.html", context, status=429)
