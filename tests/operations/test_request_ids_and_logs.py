"""Request ids in responses and log lines, JSON logs (LOG_FORMAT=json), Sentry only when asked."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from operations.logs import RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]


def _manage_shell(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "SENTRY_DSN"}}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_plain_incoming_request_id_is_kept_and_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-1234abcd")
    assert response["X-Request-ID"] == "proxy-1234abcd"


@pytest.mark.parametrize("incoming", ["", "short", "has space 123456", "x" * 129, "line\nbreak1"])
def test_a_missing_or_unusual_request_id_is_replaced_by_a_new_one(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_the_view_sees_the_id_as_request_id(rf):
    from operations.middleware import RequestIdMiddleware

    seen = {}

    def view(request):
        from django.http import HttpResponse

        seen["id"] = request.id
        seen["logged"] = _filtered(logging.makeLogRecord({"msg": "inside"})).request_id
        return HttpResponse()

    response = RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="abc-12345678"))
    assert seen == {"id": "abc-12345678", "logged": "abc-12345678"}
    assert response["X-Request-ID"] == "abc-12345678"
    assert _filtered(logging.makeLogRecord({"msg": "after"})).request_id == "-"


def _filtered(record: logging.LogRecord) -> logging.LogRecord:
    RequestIdFilter().filter(record)
    return record


def test_a_response_logged_after_the_middleware_carries_the_requests_id(rf):
    request = rf.get("/")
    request.id = "late-123456789"
    record = _filtered(logging.makeLogRecord({"msg": "Forbidden", "request": request}))
    assert record.request_id == "late-123456789"


def test_log_format_json_writes_one_json_object_per_line():
    code = "import logging; logging.getLogger('starboost.probe').warning('hello %s', 'there')"
    result = _manage_shell(code, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello there"
    assert line["level"] == "WARNING"
    assert line["logger"] == "starboost.probe"
    assert line["request_id"] == "-"
    assert "time" in line


def test_sentry_starts_only_when_a_dsn_is_set():
    code = "import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    assert _manage_shell(code).stdout.split()[-1] == "False"
    active = _manage_shell(code, SENTRY_DSN="https://public@sentry.example.invalid/1")
    assert active.returncode == 0, active.stderr
    assert active.stdout.split()[-1] == "True"
