"""The 视频助推 order flow as screens show it, built once for the admin and the client portal.

Step 1 picks influencers (search, pages of ``PICK_PAGE_SIZE`` with ``?page=``, the picks in
``?i=``); step 2 (``?step=module``) is the 视频助推 module: every picked line re-quoted now by
``services.preview_module`` — availability or why not, expected views, premium ratio, boost fee,
what the cap means, the ticks — with the totals and the balance after, and the formset that posts
the prices shown back to ``services.place_order``. The admin review and the portal module render
the same view-model, so what operators and clients see cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.forms import BaseFormSet
from django.utils.translation import gettext

from kernel.display import grouped, percent, yuan
from kernel.money import ZERO, to_fen
from kernel.replay import FORM_PARAM

from . import selectors, services
from .forms import MAX_ORDER_LINES, ModuleLineFormSet
from .models import Client, Influencer
from .pricing import IneligibleReason, Quote, WholeFeeThreshold, whole_fee_threshold
from .services import LineRequest, OrderPreview

# The query parameters of the flow, the same on both sites (and ``kernel.replay.FORM_PARAM``).
PICK_PARAM = "i"
PAGE_PARAM = "page"
STEP_PARAM = "step"
MODULE_STEP = "module"

# Influencers per page on step 1.
PICK_PAGE_SIZE = 25


def picked_ids(values: Sequence[str]) -> list[int]:
    """The picked influencer ids from the query string, in order, without junk or repeats."""
    ids: list[int] = []
    for value in values:
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids[:MAX_ORDER_LINES]


def flow_url(base: str, *, token: str, ids: Sequence[int] = (), step: str = "") -> str:
    """``base`` with the flow's query: the form instance, the step, the picks."""
    query: list[tuple[str, str | int]] = [(FORM_PARAM, token)] if token else []
    query += [(STEP_PARAM, step)] if step else []
    query += [(PICK_PARAM, pk) for pk in ids]
    return f"{base}?{urlencode(query)}" if query else base


def cap_explanation(*, expected_views: int, fixed_price: Decimal, boost_fee: Decimal) -> str:
    """Say in words where the compensation cap binds (DESIGN §6), from ``whole_fee_threshold``.

    The whole fee comes back as soon as the actual views fall to ⌊E·P/(P + F)⌋ — for a 10 % ratio
    about 91 % of the expected views, a shortfall of only about 9 %. Operators must see this
    before they sell or settle a boost. Empty when no fee can be owed.
    """
    threshold = whole_fee_threshold(expected_views, fixed_price, boost_fee)
    if threshold is None:
        return ""
    return gettext(
        "Below about %(percent)s %% of the expected views (%(views)s of %(expected)s) the whole "
        "boost fee comes back; between that and the expected views, part of it; at or above the "
        "expected views, nothing."
    ) % {
        "percent": threshold.percent,
        "views": grouped(threshold.views),
        "expected": grouped(expected_views),
    }


def cached_quote(influencer: Influencer) -> dict[str, Any]:
    """The influencer's cached quote (``Influencer.quote``) as display values."""
    quote = influencer.quote or {}
    reason = quote.get("reason")
    return {
        "quoted": bool(quote),
        "eligible": bool(quote.get("eligible")),
        "reason": IneligibleReason(reason).label if reason in IneligibleReason.values else "",
        "expected_views": quote.get("expected_views"),
        "premium_ratio": percent(quote.get("premium_ratio")),
        "boost_fee": quote.get("boost_fee"),
    }


# -- step 1: pick --


@dataclass(frozen=True)
class PickPage:
    """One page of step 1: the rows, and the picks that are not on this page."""

    query: str
    page: Page
    rows: list[dict[str, Any]]
    elsewhere: list[Influencer]
    selected_count: int


def pick_page(*, query: str, page_number: str | None, selected: Sequence[int]) -> PickPage:
    """Step 1 with the cached quotes (the module re-quotes every line as of now)."""
    query = query.strip()[:100]
    page = Paginator(selectors.influencers_for_picking(query), PICK_PAGE_SIZE).get_page(page_number)
    chosen = set(selected)
    rows = []
    for influencer in page:
        shown = cached_quote(influencer)
        fee = shown["boost_fee"]
        rows.append(
            {
                "influencer": influencer,
                "selected": influencer.pk in chosen,
                "price": yuan(influencer.fixed_price),
                "views": grouped(shown["expected_views"]),
                "fee": yuan(Decimal(fee)) if fee else "",
                **shown,
            }
        )
    elsewhere = chosen - {influencer.pk for influencer in page}
    return PickPage(
        query=query,
        page=page,
        rows=rows,
        elsewhere=list(Influencer.objects.filter(pk__in=elsewhere).order_by("name", "pk")),
        selected_count=len(chosen),
    )


# -- step 2: the module --


class ModuleRow(TypedDict):
    """One line of the module as shown: raw values for the admin, formatted ones for clients."""

    form: Any
    influencer: Influencer
    quote: Quote
    ticked: bool
    reason: str
    fixed_price: Decimal
    price: str
    boost_fee: Decimal | None
    fee: str
    expected_views: str
    premium_ratio: str
    threshold: WholeFeeThreshold | None
    cap: str


@dataclass(frozen=True)
class Totals:
    """The preview's totals (``OrderPreview`` sums them) in fen; ``shown`` in yuan for the page,
    ``fen`` for its script."""

    fixed: Decimal
    fees: Decimal
    total: Decimal
    balance: Decimal
    after: Decimal

    @classmethod
    def of(cls, preview: OrderPreview) -> Totals:
        return cls(
            fixed=to_fen(preview.total_fixed),
            fees=to_fen(preview.total_fees),
            total=to_fen(preview.total),
            balance=to_fen(preview.balance),
            after=to_fen(preview.balance_after),
        )

    @property
    def missing(self) -> Decimal | None:
        """How much the balance lacks for this order, or None when it is enough."""
        return -self.after if self.after < ZERO else None

    @property
    def shown(self) -> dict[str, str]:
        return {
            "fixed": yuan(self.fixed),
            "fees": yuan(self.fees),
            "total": yuan(self.total),
            "balance": yuan(self.balance),
            "after": yuan(self.after),
            "missing": yuan(self.missing),
        }

    @property
    def fen(self) -> dict[str, int]:
        return {"fixed": in_fen(self.fixed), "balance": in_fen(self.balance)}


@dataclass(frozen=True)
class Module:
    """The 视频助推 module for one set of picked lines, as of one instant."""

    preview: OrderPreview
    rows: list[ModuleRow]
    formset: BaseFormSet
    totals: Totals

    @property
    def ids(self) -> list[int]:
        return [row["influencer"].pk for row in self.rows]


def build_module(*, client: Client, lines: Sequence[LineRequest], now: datetime) -> Module:
    """The module for ``lines`` re-quoted as of ``now``; a tick stays only where still available.

    Raises ``OrderError`` when a picked influencer is unknown or picked twice.
    """
    ticked = {line.influencer_id for line in lines if line.boost}
    preview = services.preview_module(
        client=client, influencer_ids=[line.influencer_id for line in lines], ticked=ticked, now=now
    )
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
    rows = [
        _row(form, influencer, line, quote)
        for form, (influencer, line, quote) in zip(formset, preview.lines, strict=True)
    ]
    return Module(preview=preview, rows=rows, formset=formset, totals=Totals.of(preview))


def _row(form: Any, influencer: Influencer, line: LineRequest, quote: Quote) -> ModuleRow:
    box = form.fields["boost"].widget.attrs
    box.update({"class": "boost-tick", "data-fee-fen": in_fen(quote.boost_fee)})
    if not quote.eligible:
        box["disabled"] = True
    # What the cap means, only where a boost is offered (an ineligible quote has no fee).
    fee = quote.boost_fee if quote.eligible else None
    return {
        "form": form,
        "influencer": influencer,
        "quote": quote,
        "ticked": line.boost,
        "reason": str(quote.reason.label) if quote.reason else "",
        "fixed_price": influencer.fixed_price,
        "price": yuan(influencer.fixed_price),
        "boost_fee": quote.boost_fee,
        "fee": yuan(quote.boost_fee),
        "expected_views": grouped(quote.expected_views) if quote.expected_views else "",
        "premium_ratio": percent(quote.premium_ratio),
        "threshold": None
        if fee is None
        else whole_fee_threshold(quote.expected_views, influencer.fixed_price, fee),
        "cap": ""
        if fee is None
        else cap_explanation(
            expected_views=quote.expected_views, fixed_price=influencer.fixed_price, boost_fee=fee
        ),
    }


def posted_lines(data: Mapping[str, Any]) -> list[LineRequest] | None:
    """What a posted module asks for, with the prices it showed; None when it is incomplete."""
    formset = ModuleLineFormSet(data, prefix="lines")
    if not formset.is_valid() or not formset.forms:
        return None
    return [form.line_request() for form in formset]


def in_fen(amount: Decimal | None) -> int:
    """An amount as a whole number of fen, for the page script's running totals."""
    return int(to_fen(amount).scaleb(2))
