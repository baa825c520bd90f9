"""``manage.py import_views FILE.csv``: store view snapshots from a CSV file (DESIGN §5, §10).

The file has a header row naming the columns ``video_id,observed_at,views`` (in any order; other
columns are ignored); ``observed_at`` is ISO 8601 with a UTC offset, e.g.
``2026-03-10T10:00:00+08:00``. Rows go through ``services.record_views`` in chunks, each chunk all
or nothing and committed on its own, so a file is checked by the same rules as the API. A row
stored before is skipped, so a file can be imported again once fixed. The first chunk with an
error stops the import: its errors are listed as ``line N: message`` and the command exits
non-zero. ``--dry-run`` checks the whole file and stores nothing.
"""

from __future__ import annotations

import contextlib
import csv
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import DomainError
from kernel.instants import parse_instant_text
from orders import services
from orders.services import OrderError, SnapshotIn

COLUMNS = ("video_id", "observed_at", "views")
WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class Command(BaseCommand):
    help = "Import view snapshots from a CSV file with the columns video_id,observed_at,views."
    # What a subclass for another all-or-nothing batch (``import_video_statuses``) replaces.
    columns: tuple[str, ...] = COLUMNS

    def parse_row(self, fields: tuple[str, ...]) -> object:
        """One row's stripped ``columns``, as the service's item; raises ``DomainError``."""
        return _snapshot(fields)

    def store(self, items: list, *, now: datetime) -> int:
        """Store one chunk's items through the service; returns how many were new."""
        return services.record_views(items=items, now=now)

    stored_text = gettext_lazy(
        "Stored %(new)s new snapshot(s) from %(rows)s row(s) (%(old)s already stored)."
    )

    def stored_message(self, *, new: int, rows: int) -> str:
        """The closing line: ``stored_text`` with how many rows were new and already stored."""
        return str(self.stored_text) % {"new": new, "rows": rows, "old": rows - new}

    def add_arguments(self, parser) -> None:
        parser.add_argument("csv_file", help="path of the CSV file (UTF-8), or - for stdin")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and store nothing"
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=5000,
            help="rows per all-or-nothing chunk (default 5000)",
        )

    def handle(self, *args, csv_file: str, dry_run: bool, chunk_size: int, **options) -> None:
        if chunk_size < 1:
            raise CommandError(_("--chunk-size must be at least 1."))
        now = timezone.now()
        if csv_file == "-":
            self._import(sys.stdin, now=now, dry_run=dry_run, chunk_size=chunk_size)
            return
        try:
            handle = Path(csv_file).open(encoding="utf-8-sig", newline="")
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": csv_file, "error": error.strerror}
            ) from None
        with handle:
            self._import(handle, now=now, dry_run=dry_run, chunk_size=chunk_size)

    def _import(self, handle, *, now: datetime, dry_run: bool, chunk_size: int) -> None:
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [column for column in self.columns if column not in header]
        if missing:
            raise CommandError(
                _("line 1: the header must name the columns %(columns)s; missing: %(missing)s")
                % {"columns": ",".join(self.columns), "missing": ", ".join(missing)}
            )
        rows = new = 0
        failed = False
        # A dry run checks every chunk inside one transaction that is then rolled back, so a later
        # chunk is checked against the earlier ones as in a real import, which commits each chunk.
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            # A plain reader and the columns' positions: a dict per row would cost more than
            # storing it does.
            positions = tuple(header.index(column) for column in self.columns)
            for chunk in _chunks(reader, chunk_size):
                stored, errors = self._import_chunk(chunk, positions, len(header), now=now)
                for line_number, message in errors:
                    self.stderr.write(
                        _("line %(line)s: %(message)s") % {"line": line_number, "message": message}
                    )
                if errors:
                    failed = True
                    if not dry_run:
                        break
                else:
                    rows, new = rows + len(chunk), new + stored
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write(
                _(
                    "Dry run: %(rows)s row(s) in valid chunks, %(new)s of them new; "
                    "nothing was stored."
                )
                % {"rows": rows, "new": new}
            )
        else:
            self.stdout.write(self.stored_message(new=new, rows=rows))
        if failed and dry_run:
            raise CommandError(_("The file has errors."))
        if failed:
            raise CommandError(
                _(
                    "The file has errors; the chunk with them and the rows after it were not "
                    "stored. Fix the file and import it again: stored rows are skipped."
                )
            )

    def _import_chunk(
        self,
        chunk: list[tuple[int, list[str]]],
        positions: tuple[int, ...],
        width: int,
        *,
        now: datetime,
    ) -> tuple[int, list[tuple[int, str]]]:
        """Store one chunk, all or nothing: (how many were new, [(line number, message)])."""
        items, numbers, errors = [], [], []
        for line_number, row in chunk:
            try:
                if len(row) != width:
                    raise OrderError(_("The row does not have as many fields as the header."))
                items.append(
                    self.parse_row(tuple([row[position].strip() for position in positions]))
                )
                numbers.append(line_number)
            except DomainError as error:
                errors.append((line_number, " ".join(error.messages)))
        with transaction.atomic():
            try:
                stored = self.store(items, now=now)
            except OrderError as refusal:
                stored = 0
                errors.extend(
                    (numbers[int(n)], " ".join(messages))
                    for n, messages in refusal.message_dict.items()
                )
            if errors:
                # The well-formed rows of a chunk with a malformed one are checked, never kept.
                transaction.set_rollback(True)
        return stored, sorted(errors)


def _chunks(reader, size: int) -> Iterator[list[tuple[int, list[str]]]]:
    """(line number, row) pairs in lists of ``size``; the line number is the row's last line.

    Blank lines are skipped, as ``csv.DictReader`` skips them."""
    numbered = ((reader.line_num, row) for row in reader if row)
    while chunk := list(islice(numbered, size)):
        yield chunk


def _snapshot(fields: tuple[str, ...]) -> SnapshotIn:
    video, observed, views = fields
    if not video:
        raise OrderError(_("video_id is empty."))
    observed_at = parse_instant_text(observed)
    # A whole number is passed on as an int, anything else as text, for record_views to refuse
    # with its own message: its rule, not this parser's, says what a view count may be. ASCII
    # digits alone are the common case, tested without the expression.
    whole = (views.isascii() and views.isdigit()) or WHOLE_NUMBER.fullmatch(views)
    count: int | str = int(views) if whole else views
    if isinstance(count, int) and count > services.MAX_VIEWS:
        raise OrderError(_("views is too large."))
    return SnapshotIn(video, observed_at, count)
