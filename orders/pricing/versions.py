"""The pricing model versions (DESIGN §4b): pricing with either, repricing a record, the shadow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from .quote import Quote
from .quoting import quote_from_history
from .rules import PricingRules

MODELS = ("v1", "v2")


def quote_with_model(
    model: str,
    fixed_price: Decimal,
    history: list[tuple[datetime, int]],
    as_of: datetime,
    *,
    boost_enabled: bool = True,
    peer_histories: Sequence[list[tuple[datetime, int]]] = (),
    peer_prices: Sequence[Decimal] = (),
    peers: Any = None,
    rules: PricingRules | None = None,
    suspended_until: datetime | None = None,
) -> Quote:
    """Price with pricing model ``model``; ``"v1"`` is exactly ``quote_from_history``.

    ``peer_histories`` are other influencers' histories as of the same instant, ``peer_prices``
    their fixed prices in the same order (optional), or ``peers`` their ready
    ``pricing_v2_peers.PeerGroup``; v1 ignores them all.
    """
    if model == "v1":
        return quote_from_history(
            fixed_price, history, as_of, boost_enabled, rules, suspended_until=suspended_until
        )
    if model == "v2":
        # Imported here: the v2 modules build on this one.
        from .. import pricing_v2, pricing_v2_peers

        if rules is None:
            rules = PricingRules.from_settings()
        if peers is None:
            peers = pricing_v2_peers.peer_group(peer_histories, as_of, rules, peer_prices)
        return pricing_v2.quote_v2(
            fixed_price,
            history,
            as_of,
            boost_enabled=boost_enabled,
            peers=peers,
            rules=rules,
            suspended_until=suspended_until,
        )
    raise ValueError(f"unknown pricing model {model!r}; known: {', '.join(MODELS)}")


def reprice(record: Mapping[str, Any]) -> Quote:
    """The quote a stored record (``Quote.as_dict()``) was, priced again from its own inputs.

    A quote records every input its model read (v1: the window's videos; v2: also its spread
    window and peer group), so a frozen quote can be checked or explained years later.
    """
    rules = PricingRules.from_mapping(record["rules"])
    price, as_of = Decimal(record["fixed_price"]), datetime.fromisoformat(record["as_of"])
    enabled = record["boost_enabled"]
    suspended = record.get("suspended_until")
    suspended_until = datetime.fromisoformat(suspended) if suspended else None
    if record["model"] == "v1":
        history = [
            (datetime.fromisoformat(v["published_at"]), v["views"]) for v in record["inputs"]
        ]
        return quote_from_history(
            price, history, as_of, enabled, rules, suspended_until=suspended_until
        )
    from .. import pricing_v2_peers  # builds on this module

    history = [(datetime.fromisoformat(at), views) for at, views in record["history"]]
    peers = pricing_v2_peers.PeerGroup(tuple(record["peer_group"]))
    return quote_with_model(
        record["model"],
        price,
        history,
        as_of,
        boost_enabled=enabled,
        peers=peers,
        rules=rules,
        suspended_until=suspended_until,
    )


def shadow_model(live: str) -> str:
    """The model a boost's shadow quote uses: the one that is not live (DESIGN §4b)."""
    return next(model for model in MODELS if model != live)
