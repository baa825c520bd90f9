"""The client portal (DESIGN §9): account and statement, the 视频助推 order module, order progress.

Every page belongs to the client of the logged-in user (``ClientMembership``) and reads only that
client's rows: another client's order answers exactly like an order that does not exist (404).
Anonymous visitors go to the login page, staff without a client to the admin, anyone else gets a
plain 403 page. Views are thin: reads come from ``selectors``, money moves only through
``services.place_order``, the chart and projection maths live in ``charts``.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from . import charts, selectors, services
from .forms import MAX_ORDER_LINES, ModuleLineFormSet, OrderFilterForm, OrderKeyForm
from .models import Boost, BoostStatus, LedgerEntry, LedgerKind, Order, OrderLine
from .pricing import IneligibleReason
from .services import IdempotencyConflict, InsufficientBalance, LineRequest, OrderError

STATEMENT_PAGE_SIZE = 50
ORDERS_PAGE_SIZE = 20
PICK_PAGE_SIZE = 20

# CSS class of each boost status's badge.
BADGES = {
    BoostStatus.AWAITING_PUBLISH: "badge-waiting",
    BoostStatus.ACTIVE: "badge-active",
    BoostStatus.AWAITING_VIEWS: "badge-pending",
    BoostStatus.SUCCEEDED: "badge-success",
    BoostStatus.COMPENSATED: "badge-compensated",
    BoostStatus.EXPIRED: "badge-closed",
    BoostStatus.CANCELLED: "badge-closed",
}


# --- Display -----------------------------------------------------------------------------------
# Money and counts are grouped by thousands in every language: Django's zh-hans number format has
# no thousands separator, and "¥189000.00" next to "¥1,000.00" in the same table reads badly.


def yuan(amount: Decimal | None) -> str:
    """``Decimal("189000")`` → ``"¥189,000.00"``."""
    return "" if amount is None else f"¥{amount:,.2f}"


def signed_yuan(amount: Decimal) -> str:
    """A ledger amount with its sign: ``"+¥1,000.00"`` or ``"−¥1,000.00"``."""
    return f"{'−' if amount < 0 else '+'}{yuan(abs(amount))}"


def grouped(count: int | None) -> str:
    """``20000`` → ``"20,000"``."""
    return "" if count is None else f"{count:,}"


# --- Access ------------------------------------------------------------------------------------


def client_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let in users who belong to a client and set ``request.client``; route everyone else."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = selectors.membership_of(request.user)
        if membership is None:
            if request.user.is_staff:
                return redirect("admin:index")
            return TemplateResponse(request, "portal/no_client.html", status=403)
        request.client = membership.client
        return view(request, *args, **kwargs)

    return wrapper


def _render(request: HttpRequest, template: str, context: dict, *, nav: str = "") -> HttpResponse:
    """Render a portal page with the client and its balance in the header."""
    context = {
        "portal_client": request.client,
        "portal_balance": yuan(selectors.client_balance(request.client)),
        "nav": nav,
        **context,
    }
    return TemplateResponse(request, template, context)


@require_GET
@client_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("portal:order_list")


# --- Account and statement ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatementRow:
    """One ledger entry as the statement shows it."""

    entry: LedgerEntry
    order: Order | None
    influencer_name: str
    note: str

    @property
    def amount(self) -> str:
        return signed_yuan(self.entry.amount)

    @property
    def balance_after(self) -> str:
        return yuan(self.entry.balance_after)


def _statement_row(entry: LedgerEntry) -> StatementRow:
    boost = entry.boost
    order = entry.order or (boost.line.order if boost else None)
    # Top-up and adjustment reasons are written for the client (e.g. the bank transfer reference);
    # the other kinds say it all with their kind and reference.
    note = entry.reason if entry.kind in (LedgerKind.TOP_UP, LedgerKind.ADJUSTMENT) else ""
    return StatementRow(
        entry=entry,
        order=order,
        influencer_name=boost.line.influencer.name if boost else "",
        note=note,
    )


@require_GET
@client_required
def account(request: HttpRequest) -> HttpResponse:
    """Balance (星图账户余额) and the ledger statement, newest first, 50 entries a page."""
    page = Paginator(selectors.statement_entries(request.client), STATEMENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "portal/account.html",
        {
            "page": page,
            "rows": [_statement_row(entry) for entry in page],
            "entry_count": grouped(page.paginator.count),
        },
        nav="account",
    )


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming a CSV."""

    def write(self, value: str) -> str:
        return value


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with one of these as a formula; text never should.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@client_required
def statement_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The whole statement as CSV, oldest first so the running balance reads downwards."""
    client = request.client
    entries = selectors.statement_entries(client).order_by("pk")
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff"  # a byte-order mark, so spreadsheet programs read the UTF-8 as UTF-8
        yield writer.writerow(
            [
                _("Date"),
                _("Kind"),
                _("Amount"),
                _("Balance after"),
                pgettext("purchase order", "Order"),
                _("Influencer"),
                _("Note"),
            ]
        )
        for entry in entries.iterator(chunk_size=2000):
            row = _statement_row(entry)
            yield writer.writerow(
                [
                    timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                    entry.get_kind_display(),
                    f"{entry.amount:.2f}",
                    f"{entry.balance_after:.2f}",
                    row.order.code if row.order else "",
                    _cell(row.influencer_name),
                    _cell(row.note),
                ]
            )

    filename = f"statement-{client.code}-{timezone.localdate():%Y%m%d}.csv"
    return StreamingHttpResponse(
        rows(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- Orders list -------------------------------------------------------------------------------


@require_GET
@client_required
def order_list(request: HttpRequest) -> HttpResponse:
    """The client's orders with their boosts' progress, filtered by boost stage, 20 a page."""
    form = OrderFilterForm(request.GET)
    group = form.cleaned_data["boosts"] if form.is_valid() else ""
    page = Paginator(
        selectors.client_orders(request.client, boost_group=group), ORDERS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return _render(
        request,
        "portal/order_list.html",
        {
            "form": form,
            "group": group,
            "filters": form.fields["boosts"].choices,
            "page": page,
            "rows": [
                {"order": order, "prices": yuan(order.total_prices), "fees": yuan(order.total_fees)}
                for order in page
            ],
            "page_query": urlencode({"boosts": group}) if group else "",
        },
        nav="orders",
    )


# --- New order: pick influencers, then the 视频助推 module ---------------------------------------


def _selected_ids(values: list[str]) -> list[int]:
    """The picked influencer ids from the query string, in order, without junk or repeats."""
    ids: list[int] = []
    for value in values:
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids[:MAX_ORDER_LINES]


def _percent(ratio: Decimal | str | None) -> str:
    if ratio is None:
        return ""
    return f"{Decimal(ratio) * 100:.0f} %"


def _fen(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


@require_http_methods(["GET", "POST"])
@client_required
def order_new(request: HttpRequest) -> HttpResponse:
    """Place an order in two steps, as in the seed article's first step.

    Step 1 picks influencers (search, pages; the picks travel in the query string). Step 2 is the
    视频助推 module: a fresh re-quote of every picked influencer from ``services.preview_order``,
    a box to tick per available boost, the totals and the balance after. Its form carries the
    prices shown and a key minted when the page was rendered; confirming calls
    ``services.place_order`` with both, so a changed price is refused and a double submit places
    one order.
    """
    if request.method == "POST":
        return _module_post(request)
    selected = _selected_ids(request.GET.getlist("i"))
    if request.GET.get("step") == "module":
        if selected:
            return _render_module(
                request, [LineRequest(influencer_id=pk) for pk in selected], key=uuid.uuid4()
            )
        messages.error(request, _("Pick at least one influencer."))
    return _render_pick(request, selected)


def _render_pick(request: HttpRequest, selected: list[int]) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.influencers_for_picking(query), PICK_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    on_page = {influencer.pk for influencer in page}
    rows = []
    for influencer in page:
        quote = influencer.quote or {}
        reason = quote.get("reason")
        rows.append(
            {
                "influencer": influencer,
                "selected": influencer.pk in selected,
                "quoted": bool(quote),
                "eligible": bool(quote.get("eligible")),
                "reason": IneligibleReason(reason).label
                if reason in IneligibleReason.values
                else "",
                "price": yuan(influencer.fixed_price),
                "expected_views": grouped(quote.get("expected_views")),
                "premium_ratio": _percent(quote.get("premium_ratio")),
                "boost_fee": yuan(Decimal(quote["boost_fee"])) if quote.get("boost_fee") else "",
            }
        )
    return _render(
        request,
        "portal/order_pick.html",
        {
            "query": query,
            "page": page,
            "rows": rows,
            "kept": [pk for pk in selected if pk not in on_page],
            "selected_count": len(selected),
        },
        nav="new",
    )


def _pick_url(ids: list[int]) -> str:
    url = reverse("portal:order_new")
    return f"{url}?{urlencode([('i', pk) for pk in ids])}" if ids else url


def _render_module(
    request: HttpRequest,
    requests: list[LineRequest],
    *,
    key: uuid.UUID,
    errors: list[str] | None = None,
) -> HttpResponse:
    """The 视频助推 module for the picked lines, re-quoted now; ticks kept where still available."""
    now = timezone.now()
    client = request.client
    ids = [r.influencer_id for r in requests]
    ticked = {r.influencer_id for r in requests if r.boost}
    try:
        # Always fresh numbers: after "the price changed" the client sees the new ones.
        preview = services.preview_module(client=client, influencer_ids=ids, ticked=ticked, now=now)
    except OrderError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_pick_url([]))
    formset = ModuleLineFormSet(
        prefix="lines",
        initial=[
            {
                "influencer_id": influencer.pk,
                "fixed_price": influencer.fixed_price,
                "boost_fee": quote.boost_fee,
                "boost": line.boost,
            }
            for influencer, line, quote in preview.lines
        ],
    )
    rows = []
    for form, (influencer, line, quote) in zip(formset, preview.lines, strict=True):
        if not quote.eligible:
            form.fields["boost"].widget.attrs["disabled"] = True
        form.fields["boost"].widget.attrs.update(
            {"data-fee-fen": _fen(quote.boost_fee), "class": "boost-tick"}
        )
        rows.append(
            {
                "form": form,
                "influencer": influencer,
                "quote": quote,
                "ticked": line.boost,
                "price": yuan(influencer.fixed_price),
                "expected_views": grouped(quote.expected_views),
                "boost_fee": yuan(quote.boost_fee),
                "reason": quote.reason.label if quote.reason else "",
                "premium_ratio": _percent(quote.premium_ratio),
                "threshold": charts.whole_fee_threshold(
                    quote.expected_views, influencer.fixed_price, quote.boost_fee
                )
                if quote.eligible
                else None,
            }
        )
    missing = -preview.balance_after if preview.balance_after < 0 else None
    return _render(
        request,
        "portal/order_module.html",
        {
            "preview": preview,
            "rows": rows,
            "formset": formset,
            "key_form": OrderKeyForm(initial={"idempotency_key": key}),
            "errors": errors or [],
            "missing": yuan(missing),
            "totals": {
                "fixed": yuan(preview.total_fixed),
                "fees": yuan(preview.total_fees),
                "total": yuan(preview.total),
                "balance": yuan(preview.balance),
                "after": yuan(preview.balance_after),
            },
            "available_count": sum(quote.eligible for _i, _r, quote in preview.lines),
            "pick_url": _pick_url(ids),
            "totals_fen": {
                "fixed": _fen(preview.total_fixed),
                "balance": _fen(preview.balance),
            },
        },
        nav="new",
    )


def _module_post(request: HttpRequest) -> HttpResponse:
    key_form = OrderKeyForm(request.POST)
    formset = ModuleLineFormSet(request.POST, prefix="lines")
    if not (key_form.is_valid() and formset.is_valid()):
        messages.error(
            request, _("The order form was incomplete; please pick the influencers again.")
        )
        return redirect(_pick_url([]))
    requests = [form.line_request() for form in formset]
    key = key_form.cleaned_data["idempotency_key"]
    client = request.client
    if "confirm" not in request.POST:
        # "Update totals": check the ticks against fresh quotes, then show the totals.
        try:
            services.preview_order(client=client, lines=requests, now=timezone.now())
        except OrderError as error:
            return _render_module(request, requests, key=key, errors=error.messages)
        return _render_module(request, requests, key=key)
    now = timezone.now()
    # Only for the message below: place_order itself returns the first order for a repeated key.
    already_placed = selectors.client_order_with_key(client, str(key)) is not None
    try:
        order = services.place_order(
            client=client,
            lines=requests,
            idempotency_key=str(key),
            now=now,
            placed_by=request.user,
        )
    except InsufficientBalance:
        return _render_module(
            request, requests, key=key, errors=[_insufficient_message(client, requests, now)]
        )
    except IdempotencyConflict as error:
        # This page already placed an order with other ticks (e.g. after "back"): a new page, a
        # new key, so the client can place the new choice deliberately.
        return _render_module(request, requests, key=uuid.uuid4(), errors=error.messages)
    except OrderError as error:
        return _render_module(request, requests, key=key, errors=error.messages)
    if already_placed:
        messages.info(
            request,
            _("Order %(code)s was already placed; nothing was charged again.")
            % {"code": order.code},
        )
    else:
        messages.success(
            request,
            _("Order %(code)s is placed and paid. Your balance is now %(balance)s.")
            % {"code": order.code, "balance": yuan(selectors.client_balance(client))},
        )
    return redirect("portal:order_detail", code=order.code)


def _insufficient_message(client, requests: list[LineRequest], now: datetime) -> str:
    """Say how much is missing, in plain words; nothing was written."""
    try:
        preview = services.preview_order(client=client, lines=requests, now=now)
    except OrderError as error:
        return " ".join(error.messages)
    return _(
        "Your balance is not enough: this order costs %(total)s and your balance is "
        "%(balance)s, so %(missing)s is missing. Nothing was charged. Please top up your "
        "account and confirm again."
    ) % {
        "total": yuan(preview.total),
        "balance": yuan(preview.balance),
        "missing": yuan(max(Decimal("0.00"), -preview.balance_after)),
    }


# --- Order detail: one progress card per line --------------------------------------------------


@dataclass
class LineCard:
    """Everything one line's card shows, worked out once so the template only lays it out."""

    line: OrderLine
    boost: Boost | None = None
    badge: str = ""
    settlement: object | None = None
    current_views: int | None = None
    observed_at: datetime | None = None
    progress: float = 0.0  # share of the expected views reached, in %, capped at 100 for the bar
    reached_percent: float = 0.0  # the same, uncapped
    threshold: charts.WholeFeeThreshold | None = None
    projection: charts.Projection | None = None
    projection_percent: float | None = None
    chart: str = ""
    window_over: bool = False
    validity_over: bool = False
    formula: str = ""

    @property
    def reached(self) -> bool:
        return self.boost is not None and (self.current_views or 0) >= self.boost.expected_views

    @property
    def threshold_progress(self) -> float:
        return float(self.threshold.share * 100) if self.threshold else 0.0

    # Display strings (see ``yuan``).
    @property
    def price(self) -> str:
        return yuan(self.line.fixed_price)

    @property
    def fee(self) -> str:
        return yuan(self.boost.boost_fee) if self.boost else ""

    @property
    def premium(self) -> str:
        return _percent(self.boost.premium_ratio) if self.boost else ""

    @property
    def expected(self) -> str:
        return grouped(self.boost.expected_views) if self.boost else ""

    @property
    def views(self) -> str:
        return grouped(self.current_views)

    @property
    def threshold_views(self) -> str:
        return grouped(self.threshold.views) if self.threshold else ""

    @property
    def projected(self) -> str:
        return grouped(self.projection.views) if self.projection else ""

    @property
    def amount(self) -> str:
        return yuan(self.settlement.amount) if self.settlement is not None else ""


def _line_card(line: OrderLine, now: datetime) -> LineCard:
    boost: Boost | None = getattr(line, "boost", None)
    card = LineCard(line=line, boost=boost)
    if boost is None:
        return card
    card.badge = BADGES.get(boost.status, "")
    card.settlement = getattr(boost, "settlement", None)
    card.threshold = charts.whole_fee_threshold(
        boost.expected_views, line.fixed_price, boost.boost_fee
    )
    if boost.status == BoostStatus.AWAITING_PUBLISH:
        card.validity_over = boost.valid_until <= now
    if boost.window_start is None:
        return card
    # Views after the window end never count (DESIGN §5), so they are not shown as progress.
    counted = [s for s in line.snapshots.all() if s.observed_at <= boost.window_end]
    if counted:
        card.current_views, card.observed_at = counted[-1].views, counted[-1].observed_at
    if card.settlement is not None and card.settlement.actual_views is not None:
        card.current_views = card.settlement.actual_views
        card.observed_at = card.settlement.snapshot_observed_at
    if card.current_views is not None and boost.expected_views:
        card.reached_percent = 100.0 * card.current_views / boost.expected_views
        card.progress = min(100.0, card.reached_percent)
    card.window_over = boost.window_end <= now
    points = charts.days_since(boost.window_start, [(s.observed_at, s.views) for s in counted])
    if boost.status == BoostStatus.ACTIVE and not card.window_over:
        card.projection = charts.project_views(points)
        if card.projection is not None and boost.expected_views:
            card.projection_percent = 100.0 * card.projection.views / boost.expected_views
    now_day = (now - boost.window_start).total_seconds() / charts.SECONDS_PER_DAY
    card.chart = mark_safe(  # progress_chart escapes every text it writes
        charts.progress_chart(
            points,
            expected_views=boost.expected_views,
            projection=card.projection,
            whole_fee_views=card.threshold.views if card.threshold else None,
            now_day=now_day if not card.window_over else None,
        )
    )
    explanation = card.settlement.explanation if card.settlement is not None else None
    if explanation is not None:
        card.formula = explanation.describe()
    return card


@require_GET
@client_required
def order_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One order with a progress card per line; a constant number of queries for any size."""
    order = selectors.client_order(request.client, code)
    if order is None:
        # The same answer for another client's order and for no order at all: nothing tells the
        # two apart, not even a CSRF token (the page has no form).
        return TemplateResponse(
            request, "portal/not_found.html", {"portal_client": request.client}, status=404
        )
    now = timezone.now()
    cards = [_line_card(line, now) for line in order.lines.all()]
    boosts = [card.boost for card in cards if card.boost is not None]
    settlements = [card.settlement for card in cards if card.settlement is not None]
    return _render(
        request,
        "portal/order_detail.html",
        {
            "order": order,
            "cards": cards,
            "now": now,
            "total_prices": yuan(sum((card.line.fixed_price for card in cards), Decimal("0.00"))),
            "total_fees": yuan(sum((boost.boost_fee for boost in boosts), Decimal("0.00"))),
            "total_returned": yuan(
                sum((s.amount for s in settlements if s.paid_at is not None), Decimal("0.00"))
            ),
            "boost_count": len(boosts),
        },
        nav="orders",
    )
