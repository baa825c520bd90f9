"""bin/dev-env (run by bin/run) writes a development .env, so the README's manage.py lines work."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_ENV = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "STARBOOST_DOTENV"}


def _clean_env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}, **extra}


def _dev_env(tmp_path: Path, **extra: str) -> Path:
    (tmp_path / "bin").mkdir(exist_ok=True)
    shutil.copy(ROOT / "bin" / "dev-env", tmp_path / "bin" / "dev-env")
    if not (tmp_path / ".venv").exists():
        (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run(
        [tmp_path / "bin" / "dev-env"], env=_clean_env(**extra), check=True, capture_output=True
    )
    return tmp_path / ".env"


def _values(dotenv: Path) -> dict[str, str]:
    lines = dotenv.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_first_run_writes_debug_and_a_secret_readable_only_by_its_owner(tmp_path):
    dotenv = _dev_env(tmp_path)

    values = _values(dotenv)
    assert values["DEBUG"] == "true"
    assert len(values["SECRET_KEY"]) >= 50
    assert "DATABASE_URL" not in values and "CELERY_BROKER_URL" not in values  # the defaults
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600


def test_an_existing_env_file_is_left_alone(tmp_path):
    first = _dev_env(tmp_path).read_text()
    assert _dev_env(tmp_path).read_text() == first


def test_the_first_runs_database_and_broker_are_kept(tmp_path):
    dotenv = _dev_env(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/starboost",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    values = _values(dotenv)
    assert values["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/starboost"
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"


def test_manage_py_works_with_the_written_env_and_nothing_exported(tmp_path):
    dotenv = _dev_env(tmp_path)
    probe = "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", probe],
        cwd=ROOT,
        env=_clean_env(STARBOOST_DOTENV=str(dotenv), DJANGO_SETTINGS_MODULE="starboost.settings"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", _values(dotenv)["SECRET_KEY"]]
