"""Events in words: the subject and text of each event, in the active language.

Events store codes and parameters only (``ClientEvent.payload``); each channel words them when it
shows or sends them, so a portal notification follows the page's language and an e-mail its
reader's. ``Names`` carries what the payload refers to by id (order code, influencer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kernel.display import grouped, minute, yuan
from orders.models import ClientEvent, ClientEventType


@dataclass(frozen=True)
class Names:
    """What an event's boost is called on the client's pages."""

    order: str = ""
    influencer: str = ""


@dataclass(frozen=True)
class Wording:
    """An event as a reader sees it."""

    subject: str
    text: str


def word(event: ClientEvent, names: Names) -> Wording:
    """The subject and text of ``event`` in the active language."""
    p = _parameters(event.payload, names)
    kind = event.type
    if kind == ClientEventType.BOOST_ACTIVE:
        return Wording(
            _("Boost active: %(influencer)s") % p,
            _(
                "The boost for %(influencer)s in order %(order)s is active: views count until "
                "%(window_end)s."
            )
            % p,
        )
    if kind == ClientEventType.BOOST_AT_RISK:
        if event.payload.get("reason") == "whole_fee":
            text = _(
                "At its current pace the video of %(influencer)s (order %(order)s) would reach "
                "about %(projected_views)s views by day 14, at or below %(threshold_views)s: the "
                "whole boost fee would come back as compensation."
            )
        else:
            text = _(
                "At its current pace the video of %(influencer)s (order %(order)s) would reach "
                "about %(projected_views)s views by day 14, below the expected "
                "%(expected_views)s: the shortfall would be compensated."
            )
        return Wording(_("Boost at risk: %(influencer)s") % p, text % p)
    if kind == ClientEventType.BOOST_SETTLED:
        if event.payload.get("kind") == "compensation":
            return Wording(
                _("Compensation of %(amount)s: %(influencer)s") % p,
                _(
                    "The video of %(influencer)s (order %(order)s) reached %(actual_views)s of "
                    "the expected %(expected_views)s views. A compensation of %(amount)s will be "
                    "credited to your account by %(due_date)s."
                )
                % p,
            )
        return Wording(
            _("Boost succeeded: %(influencer)s") % p,
            _(
                "The video of %(influencer)s (order %(order)s) reached %(actual_views)s of the "
                "expected %(expected_views)s views: the boost succeeded, nothing is owed."
            )
            % p,
        )
    if kind == ClientEventType.BOOST_EXPIRED:
        return Wording(
            _("Boost expired, fee refunded: %(influencer)s") % p,
            _(
                "The video of %(influencer)s (order %(order)s) was not published within one "
                "month. The boost fee of %(amount)s will be refunded by %(due_date)s."
            )
            % p,
        )
    if kind == ClientEventType.BOOST_CANCELLED:
        return Wording(
            _("Boost cancelled, fee refunded: %(influencer)s") % p,
            _(
                "The boost for %(influencer)s (order %(order)s) was cancelled before publish. "
                "The boost fee of %(amount)s will be refunded by %(due_date)s."
            )
            % p,
        )
    if kind == ClientEventType.SETTLEMENT_PAID:
        return Wording(
            _("%(amount)s credited to your account") % p,
            _(
                "%(amount)s for the boost of %(influencer)s (order %(order)s) was credited to "
                "your account."
            )
            % p,
        )
    if kind == ClientEventType.ADJUSTMENT_APPROVED:
        return Wording(
            _("Adjustment of %(amount)s") % p,
            _(
                "An adjustment of %(amount)s for the boost of %(influencer)s (order %(order)s) "
                "was posted to your account: %(note)s"
            )
            % p,
        )
    return Wording(event.get_type_display(), "")


def _parameters(payload: dict[str, Any], names: Names) -> dict[str, str]:
    """The payload's values as a reader reads them: yuan, grouped views, local dates."""
    p = {"order": names.order or "—", "influencer": names.influencer or "—", "note": ""}
    for key, value in payload.items():
        if value is None:
            p[key] = "—"
        elif key == "amount":
            p[key] = yuan(Decimal(value))
        elif key.endswith("_views"):
            p[key] = grouped(int(value))
        elif key in ("window_start", "window_end"):
            p[key] = _local_instant(value)
        elif key == "due_date":
            day = parse_date(value)
            p[key] = day.isoformat() if day else str(value)
        else:
            p[key] = str(value)
    return p


def _local_instant(value: str) -> str:
    instant: datetime | None = parse_datetime(value)
    if instant is None:
        return value
    return minute(instant)
