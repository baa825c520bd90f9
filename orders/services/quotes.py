"""Refreshing influencers' cached quotes (DESIGN §4), so listing pages need not re-quote.

A refresh prices with the live model (DESIGN §4b), read once per run with v2's peer groups, so
every batch of a run is priced the same way.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from .. import selectors
from ..models import Influencer, PricingModel
from ..pricing_v2_peers import PeerGroup

logger = logging.getLogger(__name__)


def refresh_quotes(
    *, now: datetime, influencer_ids: Sequence[int] | None = None, batch_size: int = 500
) -> int:
    """Re-quote influencers from their history and cache it on the row (DESIGN §4).

    Listing pages read the cache, so they cost a constant number of queries; ordering always
    re-quotes. A batch costs two queries whatever its size. Returns how many were refreshed; an
    error is raised (an operator asked for these influencers).
    """
    influencers = Influencer.objects.order_by("pk")
    if influencer_ids is not None:
        influencers = influencers.filter(pk__in=influencer_ids)
    refreshed, after = 0, 0
    pricing = _Pricing.live(now)
    while batch := list(influencers.filter(pk__gt=after)[:batch_size]):
        _store_quotes(batch, now=now, pricing=pricing)
        refreshed, after = refreshed + len(batch), batch[-1].pk
    return refreshed


def refresh_all_quotes(*, now: datetime, batch_size: int = 500) -> dict[str, int]:
    """The daily re-quote of every influencer, one bad row never stopping the others (STYLE 11).

    Batch by batch as ``refresh_quotes``; when a batch fails it is re-run one influencer at a
    time, and one that fails alone keeps its previous cached quote, is logged with its error and
    counted as ``failed`` (orders cannot use the settlements quarantine; the next run retries it
    anyway, since every influencer is re-quoted daily). Returns ``refreshed`` and ``failed``.
    """
    counts: Counter[str] = Counter(refreshed=0)
    after = 0
    pricing = _Pricing.live(now)
    # Ids only: the row that made a batch fail may hold a value that cannot be read.
    ids_after = Influencer.objects.order_by("pk").values_list("pk", flat=True)
    while ids := list(ids_after.filter(pk__gt=after)[:batch_size]):
        try:
            counts["refreshed"] += _refresh_ids(ids, now=now, pricing=pricing)
        except Exception:
            logger.warning("refresh_quotes: a batch after id %s failed; one by one", after)
            for pk in ids:
                try:
                    counts["refreshed"] += _refresh_ids([pk], now=now, pricing=pricing)
                except Exception:
                    logger.exception("refresh_quotes: influencer %s could not be re-quoted", pk)
                    counts["failed"] += 1
        after = ids[-1]
    return {key: n for key, n in counts.items() if n or key == "refreshed"}


@dataclass(frozen=True)
class _Pricing:
    """The live model and, for v2, the market's peer groups, as of the run's instant."""

    model: str
    peers: Mapping[int, PeerGroup] | None

    @classmethod
    def live(cls, now: datetime) -> _Pricing:
        model = selectors.live_model()
        peers = selectors.peer_groups(now=now) if model == PricingModel.V2 else None
        return cls(model, peers)


def suspend_boosts(*, influencer_ids: Sequence[int], until: datetime, now: datetime) -> int:
    """Offer no boost of these influencers before ``until`` (DESIGN §5: after a creator-caused
    shortfall), then re-quote them so listing pages say why. A later suspension is never
    shortened; returns how many influencers were suspended longer."""
    with transaction.atomic():
        changed = (
            Influencer.objects.filter(pk__in=list(influencer_ids))
            .filter(Q(boost_suspended_until__isnull=True) | Q(boost_suspended_until__lt=until))
            .update(boost_suspended_until=until)
        )
        refresh_quotes(now=now, influencer_ids=influencer_ids)
    return changed


def _refresh_ids(ids: Sequence[int], *, now: datetime, pricing: _Pricing) -> int:
    with transaction.atomic():
        batch = list(Influencer.objects.filter(pk__in=ids).order_by("pk"))
        _store_quotes(batch, now=now, pricing=pricing)
    return len(batch)


def _store_quotes(batch: list[Influencer], *, now: datetime, pricing: _Pricing) -> None:
    """Quote a batch with one history query and store it with one bulk update."""
    quotes = selectors.quote_influencers(batch, now=now, model=pricing.model, peers=pricing.peers)
    for influencer in batch:
        influencer.quote, influencer.quoted_at = quotes[influencer.pk].as_dict(), now
    Influencer.objects.bulk_update(batch, ["quote", "quoted_at"])
