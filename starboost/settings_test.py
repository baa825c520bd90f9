"""Settings for the test suite: the production settings with a throw-away secret and fast hashing.

The database still comes from ``DATABASE_URL`` (PostgreSQL in CI, SQLite otherwise).
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
