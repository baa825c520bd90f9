"""Read queries for clients, influencers and boosts; no writes here."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from .models import ZERO, Client, HistoryVideo, Influencer, LedgerEntry, ViewSnapshot
from .pricing import PricingRules, Quote, quote_from_history


def client_balance(client: Client) -> Decimal:
    """A client's balance: the running balance of its latest ledger entry (DESIGN §8)."""
    return client_balances([client.pk])[client.pk]


def client_balances(client_ids: Iterable[int]) -> dict[int, Decimal]:
    """Balances of many clients in one query.

    Each entry stores the running balance after it, and the posting service appends under a lock on
    the client, so the latest entry's ``balance_after`` equals the sum of all entries; ``reconcile``
    proves it.
    """
    latest = LedgerEntry.objects.filter(client=OuterRef("pk")).order_by("-pk")
    rows = Client.objects.filter(pk__in=list(client_ids)).annotate(
        balance=Subquery(latest.values("balance_after")[:1])
    )
    return {
        pk: ZERO if balance is None else balance
        for pk, balance in rows.values_list("pk", "balance")
    }


def quote_influencers(
    influencers: Sequence[Influencer], *, now: datetime, rules: PricingRules | None = None
) -> dict[int, Quote]:
    """Quote each influencer from its history as of ``now``, with one query for all of them."""
    rules = rules or PricingRules.from_settings()
    history: dict[int, list[HistoryVideo]] = defaultdict(list)
    for video in HistoryVideo.objects.filter(
        influencer__in=influencers,
        published_at__gt=now - timedelta(days=rules.history_days),
        published_at__lte=now,
    ).only("influencer_id", "platform_video_id", "published_at", "views"):
        history[video.influencer_id].append(video)
    quotes = {}
    for influencer in influencers:
        videos = history[influencer.pk]
        quote = quote_from_history(
            influencer.fixed_price,
            [(v.published_at, v.views) for v in videos],
            now,
            boost_enabled=influencer.boost_enabled,
            rules=rules,
        )
        quotes[influencer.pk] = dataclasses.replace(
            quote, video_ids=tuple(v.platform_video_id for v in videos)
        )
    return quotes


def stored_views(keys: Iterable[tuple[int, datetime]]) -> dict[tuple[int, datetime], int]:
    """The stored view counts for the given (order line id, observed_at) pairs."""
    keys = set(keys)
    if not keys:
        return {}
    rows = ViewSnapshot.objects.filter(
        line_id__in={line_id for line_id, _ in keys},
        observed_at__in={at for _, at in keys},
    ).values_list("line_id", "observed_at", "views")
    return {(line_id, at): views for line_id, at, views in rows if (line_id, at) in keys}
