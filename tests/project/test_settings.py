"""Settings come from the environment; production settings pass ``check --deploy``."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "starboost.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-" + "x9Q2#" * 4,
        ALLOWED_HOSTS="starboost.example.com",
        DEBUG="false",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_has_no_secret_default():
    result = _run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_environment_values_are_read():
    probe = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.CELERY_BROKER_URL, s.DATABASES['default']['NAME'])"
    )
    result = _run_manage(
        "shell",
        "--no-imports",
        "-c",
        probe,
        DEBUG="true",
        ALLOWED_HOSTS="a.example,b.example",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="sqlite:////tmp/starboost-settings-probe.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "['a.example',",
        "'b.example']",
        "redis://127.0.0.1:6379/3",
        "/tmp/starboost-settings-probe.sqlite3",
    ]


def test_time_zone_and_celery_agree():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)


def test_migrations_are_committed(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
