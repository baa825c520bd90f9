"""What pricing reads: the live model, the peer groups and influencers' histories, quoted."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from ..models import HistoryVideo, Influencer, PricingModel, PricingSetting
from ..pricing import PricingRules, Quote, quote_with_model
from ..pricing_v2_peers import PEER_COUNT, PeerGroup, nearest_by_price, spread_rules, summarize_peer


def live_model() -> str:
    """The pricing model that prices new quotes (DESIGN §4b): v1 until an operator switches it."""
    live = PricingSetting.objects.filter(pk=PricingSetting.SINGLETON).values_list(
        "live_model", flat=True
    )
    return live.first() or PricingModel.V1


def peer_groups(*, now: datetime, rules: PricingRules | None = None) -> dict[int, PeerGroup]:
    """Every influencer's v2 peer group as of ``now``: the influencers nearest in fixed price.

    Two queries for the whole market (its histories over v2's spread window); a caller quoting
    many batches at one instant builds it once.
    """
    rules = rules or PricingRules.from_settings()
    prices = dict(Influencer.objects.values_list("pk", "fixed_price"))
    history = _histories(now=now, days=spread_rules(rules).history_days)
    singles = [
        (pk, price, PeerGroup.of_one(summarize_peer(history[pk], now, rules, price)))
        for pk, price in prices.items()
    ]
    return nearest_by_price(singles, PEER_COUNT)


def quote_influencers(
    influencers: Sequence[Influencer],
    *,
    now: datetime,
    rules: PricingRules | None = None,
    model: str | None = None,
    peers: Mapping[int, PeerGroup] | None = None,
) -> dict[int, Quote]:
    """Quote each influencer as of ``now`` with ``model`` (the live one when None).

    One query for the histories of all of them; v2 also needs the ``peers`` (``peer_groups``,
    read here when not given).
    """
    rules = rules or PricingRules.from_settings()
    model = model or live_model()
    if model == PricingModel.V2 and peers is None:
        peers = peer_groups(now=now, rules=rules)
    days = spread_rules(rules).history_days if model == PricingModel.V2 else rules.history_days
    history = _history_videos([i.pk for i in influencers], now=now, days=days)
    quotes = {}
    for influencer in influencers:
        videos = history[influencer.pk]
        quote = quote_with_model(
            model,
            influencer.fixed_price,
            [(v.published_at, v.views) for v in videos],
            now,
            boost_enabled=influencer.boost_enabled,
            peers=(peers or {}).get(influencer.pk),
            rules=rules,
            suspended_until=influencer.boost_suspended_until,
        )
        quotes[influencer.pk] = dataclasses.replace(
            quote, video_ids=tuple(v.platform_video_id for v in videos)
        )
    return quotes


def _history_videos(
    influencer_ids: Iterable[int], *, now: datetime, days: int
) -> dict[int, list[HistoryVideo]]:
    """The influencers' history videos published in (now − days, now], newest first."""
    history: dict[int, list[HistoryVideo]] = defaultdict(list)
    for video in HistoryVideo.objects.filter(
        influencer__in=list(influencer_ids),
        published_at__gt=now - timedelta(days=days),
        published_at__lte=now,
    ).only("influencer_id", "platform_video_id", "published_at", "views"):
        history[video.influencer_id].append(video)
    return history


def _histories(*, now: datetime, days: int) -> dict[int, list[tuple[datetime, int]]]:
    """Every influencer's ``(published_at, views)`` in (now − days, now]."""
    history: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for influencer_id, published_at, views in (
        HistoryVideo.objects.filter(
            published_at__gt=now - timedelta(days=days), published_at__lte=now
        )
        .order_by("influencer_id", "published_at", "pk")
        .values_list("influencer_id", "published_at", "views")
    ):
        history[influencer_id].append((published_at, views))
    return history
