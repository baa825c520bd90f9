"""Probe and scrape endpoints: ``/healthz``, ``/readyz`` (JSON, no auth) and ``/metrics``.

The probes say only "ok" or "failing" per check: no counts, names or error text leave the server.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health
from .metrics import CONTENT_TYPE, exposition


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers; touches neither the database nor the broker."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when database, broker, migrations and every sweep are fine, else 503."""
    checks = health.readiness(now=timezone.now())
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {name: "ok" if ok else "failing" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text for ``Authorization: Bearer <METRICS_TOKEN>``; 404 when no token is set."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponseForbidden()
    return HttpResponse(exposition(now=timezone.now()), content_type=CONTENT_TYPE)
