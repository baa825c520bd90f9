"""The account pages: the balance (星图账户余额) and the ledger statement, on screen and as CSV."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from kernel.display import grouped, minute, signed_yuan, yuan
from kernel.exports import csv_response
from kernel.money import half_up
from orders import selectors
from orders.models import LedgerEntry, LedgerKind
from settlements import selectors as settlement_selectors

from ..access import ClientRequest, client_required, render_page
from ..filters import StatementFilterForm

STATEMENT_PAGE_SIZE = 50
CSV_CHUNK = 2000


@dataclass(frozen=True)
class StatementRow:
    """One ledger entry as the statement shows it (``selectors.with_references`` annotated it)."""

    entry: LedgerEntry
    kind: str
    order_url: str
    influencer_name: str
    note: str

    @property
    def date(self) -> str:
        return minute(self.entry.created_at)

    @property
    def sign(self) -> str:
        return "neg" if self.entry.amount < 0 else "pos"

    @property
    def amount(self) -> str:
        return signed_yuan(self.entry.amount)

    @property
    def balance_after(self) -> str:
        return yuan(self.entry.balance_after)

    @property
    def reference(self) -> str:
        """The influencer after the order code: a boost's, or the one an order charge paid."""
        if self.entry.boost_id and self.influencer_name:
            return _("boost for %(name)s") % {"name": self.influencer_name}
        return self.influencer_name


def _statement_rows(
    entries: Sequence[LedgerEntry], client_notes: dict[int, str]
) -> list[StatementRow]:
    """The rows of ``entries``; ``client_notes`` maps adjustment entries to the note finance wrote
    for the client. One query for any number of entries, and the kind labels and one URL per
    order looked up once: a ``{% url %}``, a filter and a translation per cell were most of the
    page's time."""
    paid_for = selectors.charged_influencers(entries)
    kinds = {kind: str(label) for kind, label in LedgerKind.choices}
    urls = {
        code: reverse("portal:order_detail", args=[code])
        for code in {entry.order_code for entry in entries if entry.order_code}
    }
    return [
        StatementRow(
            entry=entry,
            kind=kinds.get(entry.kind, entry.kind),
            order_url=urls.get(entry.order_code, ""),
            influencer_name=(
                entry.boost_influencer
                if entry.boost_id
                else paid_for.get(entry.idempotency_key, "")
                if entry.kind == LedgerKind.ORDER_CHARGE
                else ""
            ),
            note=_note(entry, client_notes),
        )
        for entry in entries
    ]


def _note(entry: LedgerEntry, client_notes: dict[int, str]) -> str:
    """A top-up's reason is written for the client (e.g. the bank transfer reference); an
    adjustment's reason is finance's internal one, so the client reads its client note instead;
    the other kinds say it all with their kind and reference."""
    if entry.kind == LedgerKind.TOP_UP:
        return entry.reason
    if entry.kind == LedgerKind.ADJUSTMENT:
        return client_notes.get(entry.pk, "")
    return ""


def _filtered_entries(request: ClientRequest) -> tuple[StatementFilterForm, QuerySet[LedgerEntry]]:
    """The statement filter of the request and the entries it keeps."""
    form = StatementFilterForm(request.GET)
    period = form.period()
    entries = selectors.statement_entries(
        request.client, kind=form.kind_value(), since=period.since, before=period.before
    )
    return form, entries


def _kind_totals(entries: QuerySet[LedgerEntry]) -> list[dict[str, object]]:
    """One row per kind present in ``entries``: its label, number of entries and sum, in the
    order of ``LedgerKind``."""
    totals = selectors.statement_totals(entries)
    return [
        {
            "kind": kind,
            "label": label,
            "count": grouped(totals[kind][0]),
            "sum": signed_yuan(totals[kind][1]),
        }
        for kind, label in LedgerKind.choices
        if kind in totals
    ]


@require_GET
@client_required
def account(request: ClientRequest) -> HttpResponse:
    """Balance and the ledger statement, newest first, 50 entries a page, filtered by kind and
    days, with the number and sum of each kind over the whole filtered statement."""
    form, entries = _filtered_entries(request)
    page = Paginator(selectors.with_references(entries), STATEMENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    client_notes = settlement_selectors.adjustment_client_notes(request.client)
    return render_page(
        request,
        "portal/account.html",
        {
            "title": _("Account"),
            "page": page,
            "rows": _statement_rows(list(page), client_notes),
            "entry_count": grouped(page.paginator.count),
            "form": form,
            "kind_totals": _kind_totals(entries),
            "page_query": form.query(),
        },
        nav="account",
    )


@require_GET
@client_required
def statement_csv(request: ClientRequest) -> StreamingHttpResponse:
    """The statement as CSV, oldest first so the running balance reads downwards: the whole of
    it, or what the page's filter keeps."""
    _form, entries = _filtered_entries(request)
    filename = f"statement-{request.client.code}-{timezone.localdate():%Y%m%d}.csv"
    client_notes = settlement_selectors.adjustment_client_notes(request.client)
    return csv_response(_statement_lines(entries, client_notes), filename)


def _statement_lines(
    entries: QuerySet[LedgerEntry], client_notes: dict[int, str]
) -> Iterator[Sequence[object]]:
    """The header, then one row per entry, read in chunks so a long ledger streams."""
    yield [
        _("Date"),
        _("Kind"),
        _("Amount"),
        _("Balance after"),
        pgettext("purchase order", "Order"),
        _("Influencer"),
        _("Note"),
    ]
    listed = selectors.with_references(entries.order_by("pk")).iterator(chunk_size=CSV_CHUNK)
    while chunk := list(islice(listed, CSV_CHUNK)):
        for row in _statement_rows(chunk, client_notes):
            entry = row.entry
            yield [
                timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                row.kind,
                half_up(entry.amount),  # numbers, so the formula guard leaves the minus sign alone
                half_up(entry.balance_after),
                entry.order_code or "",
                row.influencer_name,
                row.note,
            ]
