"""Fixtures shared by every test package: a fixed instant, frozen time, an English UI, a client
with a user logged in to the portal, and a pipeline token."""

import importlib
import os
from datetime import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import Client as HttpClient

from orders import services
from tests import factories
from tests.factories import T0, member_of

pytest_plugins = ["tests.browser"]  # the browser and shots fixtures

CI_BROKER = "redis://127.0.0.1:6379/15"

# The rows the migrations seed: (migration module, its seeding functions).
SEEDED_BY_MIGRATIONS = (
    ("orders.migrations.0001_squashed_0008", ("create_the_setting",)),
    ("settlements.migrations.0001_squashed_0012", ("create_groups", "install_schedule")),
    ("integrations.migrations.0001_squashed_0002", ("install_schedule",)),
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the migrations' rows (groups, beat schedules, the pricing setting) again.

    A transactional test flushes every table, so a database kept by ``--reuse-db`` would start
    the next run without them. Each seeding function adds only what is missing.
    """
    with django_db_blocker.unblock():
        editor = SimpleNamespace(connection=connection)
        for module_name, functions in SEEDED_BY_MIGRATIONS:
            module = importlib.import_module(module_name)
            for function in functions:
                getattr(module, function)(apps, editor)


@pytest.fixture
def now() -> datetime:
    """A fixed aware instant: pass it to services as ``now`` so no result depends on the clock."""
    return T0


@pytest.fixture
def frozen_now(now):
    """Stop the clock at ``now`` for code that reads ``timezone.now()`` itself (views, admin)."""
    with time_machine.travel(now, tick=False):
        yield now


@pytest.fixture
def english(settings):
    """Render pages in English (the source strings), whatever translations exist.

    The site defaults to Simplified Chinese; tests that look for words in a page use this so they
    keep passing when translations are added. The test client sends no Accept-Language header, so
    ``LocaleMiddleware`` falls back to ``LANGUAGE_CODE``.
    """
    settings.LANGUAGE_CODE = "en"
    return settings


@pytest.fixture
def clock():
    """The clock stopped at T0, for code that reads it itself (the APIs); tests move it."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def account(db):
    return factories.client(balance="100000.00")


@pytest.fixture
def member(account):
    return member_of(account, "alice")


@pytest.fixture
def portal(member, english) -> HttpClient:
    """The test client, logged in as ``member`` of ``account``, English UI."""
    http = HttpClient()
    http.force_login(member)
    return http


@pytest.fixture
def operations_user(db):
    return factories.staff_in("Operations", "ops")


@pytest.fixture
def finance_user(db):
    return factories.staff_in("Finance", "finance1")


@pytest.fixture
def second_finance_user(db):
    """The four-eyes rule's other finance user: approves what ``finance_user`` requested."""
    return factories.staff_in("Finance", "finance2")


@pytest.fixture
def raw_token(clock) -> str:
    """A raw token of the platform pipeline for ``/api/``."""
    _token, raw = services.create_integration_token(name="pipeline", now=T0)
    return raw


@pytest.fixture
def broker_url() -> str:
    """The Redis broker the worker and production tests need (skipped where none answers)."""
    from kombu import Connection

    url = os.environ.get("CELERY_BROKER_URL") or CI_BROKER
    if not url.startswith(("redis://", "rediss://")):
        pytest.skip(f"needs a Redis broker (redelivery after a lost worker); got {url}")
    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no Redis here"
        pytest.skip(f"Redis does not answer at {url}: {exc}")
    return url
