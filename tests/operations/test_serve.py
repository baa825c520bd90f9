"""bin/serve refuses to start production without PostgreSQL, Redis and a secret key."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/starboost",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-this-test-only-0123456789",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DATABASE_URL": ""}, "set DATABASE_URL to a PostgreSQL database"),
        ({"DATABASE_URL": "sqlite:///var/x.sqlite3"}, "DATABASE_URL must be PostgreSQL"),
        ({"CELERY_BROKER_URL": ""}, "set CELERY_BROKER_URL to a Redis broker"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL must be Redis"),
        ({"SECRET_KEY": ""}, "set SECRET_KEY"),
    ],
)
def test_serve_explains_what_is_missing_and_starts_nothing(change, message):
    env = {k: v for k, v in os.environ.items() if k not in GOOD}
    result = subprocess.run(
        [ROOT / "bin" / "serve"],
        cwd=ROOT,
        env={**env, **GOOD, **change},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
