"""Fixtures shared by every test package: a fixed instant, frozen time and an English UI."""

from datetime import datetime

import pytest
import time_machine

from tests.factories import T0


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
