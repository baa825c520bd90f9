"""Settings for the test suite: the production settings with a throw-away secret and fast hashing.

The database still comes from ``DATABASE_URL`` (PostgreSQL in CI, SQLite otherwise).
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# A developer's .env (written by bin/run) must not change what the tests see.
os.environ["STARBOOST_DOTENV"] = ""

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Pages render, and whitenoise serves static files, straight from the sources: no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
