"""Settings, read once from the environment (django-environ).

Defaults give a zero-setup first look: SQLite, an embedded file-system Celery broker and DEBUG on
only when asked. Production (DEBUG off) has no secret defaults and passes ``check --deploy``.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of the zero-setup defaults: the SQLite file and the file-system broker's queues.
VAR_DIR = Path(os.environ.get("STARBOOST_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
# The development .env that bin/run writes; STARBOOST_DOTENV="" skips it (bin/serve, the tests).
DOTENV = os.environ.get("STARBOOST_DOTENV", str(BASE_DIR / ".env"))
if DOTENV:
    environ.Env.read_env(DOTENV, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = (
    env("SECRET_KEY", default="django-insecure-development-only-key")
    if DEBUG
    else env("SECRET_KEY")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "axes",
    "csp",
    "ninja",
    "orders",
    "settlements",
    "portal",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware, so its 400 speaks the request's language.
    "kernel.http.RefuseControlCharacters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kernel.http.PrivateCache",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "starboost.urls"
WSGI_APPLICATION = "starboost.wsgi.application"
ASGI_APPLICATION = "starboost.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'starboost.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a worker's database connection between requests (checked before reuse): opening one costs
# about 10 ms of a page's 50 on the 2-core machine (bench/run.py load), and the server as much.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite is for a first look; WAL and a busy timeout let web, worker and beat share the file.
    # Transactions take the write lock when they begin: a deferred one that reads, then writes,
    # fails at once with "database is locked" beside another writer instead of waiting.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")

STATICFILES_DIRS = [BASE_DIR / "static"]

# The client portal's account pages (portal.urls); the admin keeps its own login page.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
# Password-reset mail is printed to the console unless a real backend is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# --- Celery -----------------------------------------------------------------------------------
# Default broker: kombu's file-system transport, which works across processes on one machine with
# no server. Use the solo/threads pool with it (a prefork worker hangs on a process-group SIGTERM).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
else:
    # Redis hands an unacknowledged message to a worker again after visibility_timeout seconds: it
    # must outlast the longest sweep (100,000 due boosts take minutes, see bench/), or a sweep still
    # running would be started a second time (harmless, being idempotent, but wasted work).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)
    }
# Every task is idempotent (row locks, re-checked state, unique constraints; DESIGN §9), so it is
# acknowledged only once it has run, and a killed worker's task is delivered again and re-run
# safely: at-least-once, never lost. One reserved message per pool slot: none waits behind a sweep.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
# No result backend, so no results to expire: keeps beat from adding a celery.backend_cleanup task.
CELERY_RESULT_EXPIRES = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Product rules (DESIGN §4, §7); defaults are the spec's --------------------------------------
STARBOOST_PRICING = {
    "history_days": env.int("BOOST_HISTORY_DAYS", default=45),
    "half_life_days": env.int("BOOST_HALF_LIFE_DAYS", default=15),
    "target_loss_ratio": Decimal(env("BOOST_TARGET_LOSS_RATIO", default="0.30")),
    "min_history_videos": env.int("BOOST_MIN_HISTORY_VIDEOS", default=3),
    "min_expected_views": env.int("BOOST_MIN_EXPECTED_VIEWS", default=1000),
    "min_ratio": Decimal(env("BOOST_MIN_RATIO", default="0.10")),
    "max_ratio": Decimal(env("BOOST_MAX_RATIO", default="0.50")),
}
BOOST_WINDOW_DAYS = 14
BOOST_VALIDITY_MONTHS = 1
SETTLEMENT_DUE_BUSINESS_DAYS = 7
# A closing snapshot older than window_end minus this many hours is stale (DESIGN §5).
SNAPSHOT_FRESHNESS_HOURS = 24
# Snapshots of settled boosts observed before this many days ago (from the start of that Shanghai
# day) are reduced to one a day by the compaction sweep (settlements.services.compaction).
SNAPSHOT_COMPACTION_DAYS = env.int("SNAPSHOT_COMPACTION_DAYS", default=90)
# A snapshot above this multiple of the count taken within the hour before is flagged (§5); the
# earlier count is taken as at least the floor, so a new video's first views are no jump.
SUSPICIOUS_JUMP_MULTIPLE = env.float("SUSPICIOUS_JUMP_MULTIPLE", default=10.0)
SUSPICIOUS_JUMP_FLOOR_VIEWS = env.int("SUSPICIOUS_JUMP_FLOOR_VIEWS", default=1000)
# Days an influencer is offered no boost after a creator-caused shortfall (DESIGN §5).
BOOST_SUSPENSION_DAYS = env.int("BOOST_SUSPENSION_DAYS", default=30)
# Most items (publish events or view snapshots) one /api/ request may carry; more is a 413.
INGEST_MAX_BATCH = env.int("INGEST_MAX_BATCH", default=10_000)
# Ledger ceilings, far below numeric(14,2)'s 999,999,999,999.99 so no posting can overflow it.
LEDGER_MAX_ENTRY = Decimal("1000000000.00")
LEDGER_MAX_BALANCE = Decimal("10000000000.00")

# Refusals at the HTTP edge (kernel.http) are JSON under these paths, as the API documents.
JSON_ERROR_PATH_PREFIXES = ["/api/"]

# --- Client integrations: notifications, webhooks (integrations app) ----------------------------
# A failed e-mail or webhook is tried again after base, 2 × base, 4 × base … seconds (at most the
# ceiling), and given up after the last allowed attempt.
INTEGRATIONS_MAX_ATTEMPTS = env.int("INTEGRATIONS_MAX_ATTEMPTS", default=6)
INTEGRATIONS_RETRY_BASE_SECONDS = env.int("INTEGRATIONS_RETRY_BASE_SECONDS", default=60)
INTEGRATIONS_RETRY_CEILING_SECONDS = env.int("INTEGRATIONS_RETRY_CEILING_SECONDS", default=6 * 3600)
# How long a claimed attempt keeps others off its delivery: longer than any one attempt lasts.
INTEGRATIONS_ATTEMPT_LEASE_SECONDS = 120
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=5)
# Endpoints are typed in by clients: https only, and never an address inside our own network,
# unless development (or an on-premise receiver) needs them.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="StarBoost <no-reply@starboost.localhost>")

# --- Login throttling (django-axes), on the portal's and the admin's login alike --------------
# AxesStandaloneBackend first: it refuses a locked-out username + address before any password is
# checked. The count is per username and client address (REMOTE_ADDR: behind a reverse proxy that
# is the proxy's, so the lock is then per username), kept in the database so every web process
# sees it. A successful login resets it; an attempt while locked out starts the cool-off again;
# an operator unlocks early (``manage.py axes_reset_username NAME`` or the admin's Access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kernel.lockout.lockout_response"

# --- Content-Security-Policy (django-csp) ------------------------------------------------------
# Nothing inline: every script and style is a static file, so neither needs 'unsafe-inline'
# (values that vary per page, like a progress bar's width, are set from data attributes by JS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Production operations (operations app): static files, probes, metrics, sweeps ---------------
INSTALLED_APPS += ["django_prometheus", "operations"]
# Request and database metrics wrap everything; the request id is set before any other middleware
# may log; whitenoise serves static files right after SecurityMiddleware (its documented place).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "operations.middleware.RequestIdMiddleware",
    *MIDDLEWARE[: _security + 1],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_security + 1 :],
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed file names in production (collectstatic writes them; whitenoise serves
    # them with a far-future cache header); plain files while developing.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Probes and scrapes come over plain HTTP from inside the network, not through the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; with no token it is a 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# One Redis can serve several deployments (or test runs) when each uses its own queue name.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")

# --- Production hardening (DEBUG off) ---------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logs and errors: text or JSON lines with the request id; Sentry when SENTRY_DSN is set -------
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "operations.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
# Celery replaces the root logger's handlers unless told not to: JSON lines in worker and beat too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from operations.error_reporting import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
