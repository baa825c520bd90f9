"""The CSV import commands (``import_views``, ``import_video_statuses``) run as an operator runs
them: a file written, the command called on it, what it printed kept for the assertions."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError


class ImportFailed(Exception):
    """The command refused the file (its ``__cause__`` is the ``CommandError``); ``out`` and
    ``err`` are what it printed before it stopped."""

    def __init__(self, out: str, err: str) -> None:
        super().__init__(err)
        self.out, self.err = out, err


def import_csv(command: str, folder: Path, text: str, *args: str) -> tuple[str, str]:
    """Write ``text`` to a CSV file in ``folder`` and run ``manage.py <command>`` on it with
    ``args``: its stdout and stderr, or ``ImportFailed`` when it fails."""
    path = folder / f"{command}.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        raise ImportFailed(out.getvalue(), err.getvalue()) from error
    return out.getvalue(), err.getvalue()
