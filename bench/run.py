"""StarBoost benchmarks, each on a freshly migrated PostgreSQL database of its own.

    .venv/bin/python bench/run.py sweep [--n 100000] [--n2 10000]

The database comes from DATABASE_URL, or postgres://postgres@127.0.0.1:5432/starboost_bench by
default. It is dropped and recreated on every run, so its name must contain "bench": the runner
refuses any other, which keeps it away from a development or production database.

Each entry is a module listed in ENTRIES with NAME, HELP, ``add_arguments(parser)`` and
``run(args)``; it becomes a subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/starboost_bench"
ENTRIES = (
    "bench.sweep",
    "bench.ingest",
    "bench.pages",
    "bench.insights",
    "bench.compaction",
    "bench.changelists",
    "bench.load",
    "bench.summary",
)


def database_url() -> str:
    import environ

    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit(f"bench/run.py needs PostgreSQL; DATABASE_URL is {url}")
    if "bench" not in config["NAME"]:
        sys.exit(
            f"Refusing to use the database {config['NAME']!r}: bench/run.py drops and recreates "
            "its database. Point DATABASE_URL at one whose name contains 'bench', or unset it "
            f"for {DEFAULT_DATABASE_URL}."
        )
    return url


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "starboost.settings"
    # DEBUG off: no query log slowing the code under test; a throw-away key is then required.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-for-anything-else-42")

    import django

    django.setup()
    from django.db import connection

    from bench import common

    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    entries = parser.add_subparsers(dest="entry", required=True, metavar="ENTRY")
    for name in ENTRIES:
        entry = importlib.import_module(name)
        sub = entries.add_parser(entry.NAME, help=entry.HELP, description=entry.HELP)
        entry.add_arguments(sub)
        sub.set_defaults(run=entry.run)
    args = parser.parse_args(argv)

    common.fresh_database(connection.settings_dict)
    args.run(args)


if __name__ == "__main__":
    main()
