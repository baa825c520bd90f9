"""Hardening fixtures: an API token on a stopped clock, a client user logged in to the portal."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from orders import services
from tests import factories
from tests.factories import T0
from tests.portal.conftest import member_of

PASSWORD = "s3cret-Pass!"  # tests.portal.conftest.member_of's


@pytest.fixture
def clock():
    """The API reads the clock itself: it starts at T0."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def raw_token(clock) -> str:
    _token, raw = services.create_integration_token(name="pipeline", now=T0)
    return raw


def call_api(client, endpoint: str, body: object = None, token: str = "", *, raw: bytes | str = ""):
    """POST ``body`` as JSON (or ``raw`` as it is) to ``/api/<endpoint>`` with the bearer token."""
    return client.post(
        reverse(f"api:{endpoint}"),
        data=raw if raw else json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def account(db):
    return factories.client(balance="100000.00")


@pytest.fixture
def member(account):
    return member_of(account, "alice")


@pytest.fixture
def portal(member, english) -> HttpClient:
    """The test client, logged in as a user of ``account``, English UI."""
    http = HttpClient()
    http.force_login(member)
    return http
