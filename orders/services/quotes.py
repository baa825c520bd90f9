"""Refreshing influencers' cached quotes (DESIGN §4), so listing pages need not re-quote."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .. import selectors
from ..models import Influencer


def refresh_quotes(
    *, now: datetime, influencer_ids: Sequence[int] | None = None, batch_size: int = 500
) -> int:
    """Re-quote influencers from their history and cache it on the row (DESIGN §4).

    Listing pages read the cache, so they cost a constant number of queries; ordering always
    re-quotes. A batch costs two queries whatever its size. Returns how many were refreshed.
    """
    influencers = Influencer.objects.order_by("pk")
    if influencer_ids is not None:
        influencers = influencers.filter(pk__in=influencer_ids)
    refreshed, after = 0, 0
    while batch := list(influencers.filter(pk__gt=after)[:batch_size]):
        quotes = selectors.quote_influencers(batch, now=now)
        for influencer in batch:
            influencer.quote, influencer.quoted_at = quotes[influencer.pk].as_dict(), now
        Influencer.objects.bulk_update(batch, ["quote", "quoted_at"])
        refreshed, after = refreshed + len(batch), batch[-1].pk
    return refreshed
