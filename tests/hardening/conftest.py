"""Hardening helpers: a JSON call to the pipeline API; the fixtures are tests/conftest.py's."""

from __future__ import annotations

import json

from django.urls import reverse

from tests.factories import MEMBER_PASSWORD

PASSWORD = MEMBER_PASSWORD  # tests.factories.member_of's


def call_api(client, endpoint: str, body: object = None, token: str = "", *, raw: bytes | str = ""):
    """POST ``body`` as JSON (or ``raw`` as it is) to ``/api/<endpoint>`` with the bearer token."""
    return client.post(
        reverse(f"api:{endpoint}"),
        data=raw if raw else json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
