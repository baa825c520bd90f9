"""The hand-built data set of the insights and backtest tests: every amount known to the fen.

It is made by the real services with chosen views. Fixed price P, premium ratio r, fee F,
expected views E = 20,000 throughout:

=====  ========  ======  ======  ===========  ==================================================
boost  placed    P       r / F   views A      outcome (settled at window end, or expired)
=====  ========  ======  ======  ===========  ==================================================
b1     Mar 10    10,000  10 % /  1,000  19,000  compensated: 1,000 · 11,000/20,000 = 550.00
b2     Mar 10    10,000  10 % /  1,000  10,000  capped: raw 5,500.00 → 1,000.00, saved 4,500.00
b3     Mar 10    10,000  10 % /  1,000  25,000  succeeded (nothing owed)
b4     Mar 10    10,000  25 % /  2,500  18,000  compensated: 2,000 · 12,500/20,000 = 1,250.00
b5     Mar 10     8,000  37 % /  2,960  20,000  succeeded (A = E)
b6     Mar 10    10,000  10 % /  1,000  —       expired Apr 10: refund 1,000.00
b7     Feb 20     6,000  10 % /    600  15,000  capped (Mar 6): raw 1,650.00 → 600.00, saved 1,050
b8     Apr 20     5,000  10 % /    500  —       still awaiting publish
b9     Mar 10    10,000  43 % /  4,300   5,000  capped: raw 10,725.00 → 4,300.00, saved 6,425.00
=====  ========  ======  ======  ===========  ==================================================

Windows of the Mar 10 boosts end Mar 24 11:00 and close at 11:01 (week of Mar 23); b7's closes
Mar 6 (week of Mar 2). Paid: b1, b2, b7 on Mar 25; b9 on Apr 2; b6's refund on Apr 13; b4 stays
scheduled. The period is 2026-03-01 … 2026-04-30, so b7 was sold outside it but settled inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from orders.models import Boost
from settlements import services
from settlements.insights import Period
from settlements.models import Settlement

from .clients import client
from .influencers import influencer
from .orders import order, publish
from .settlements import PUBLISH_DELAY, settle_window
from .time import SHANGHAI, T0

PERIOD = Period(date(2026, 3, 1), date(2026, 4, 30))
FEB = datetime(2026, 2, 20, 10, 0, tzinfo=SHANGHAI)
APR_20 = datetime(2026, 4, 20, 10, 0, tzinfo=SHANGHAI)
# History giving r* = 25 %, 37 %, 43 % (two of five equal-weight videos short of E = 20,000).
HISTORY = {
    "0.10": (20_000,) * 5,
    "0.25": (17_000, 17_000, 20_000, 20_000, 20_000),
    "0.37": (16_000, 16_000, 20_000, 20_000, 20_000),
    "0.43": (15_500, 15_500, 20_000, 20_000, 20_000),
}


@dataclass
class DataSet:
    boosts: dict[str, Boost]

    def settlement(self, name: str) -> Settlement:
        return Settlement.objects.get(boost=self.boosts[name])


def place(price: str, ratio: str, now: datetime, name: str) -> Boost:
    """A boost of influencer ``name`` quoted at ``ratio`` with E = 20,000, ordered at ``now``."""
    person = influencer(price=price, views=HISTORY[ratio], now=now, name=name)
    placed = order(client(now=now), [person], now=now)
    boost = Boost.objects.get(line__order=placed)
    assert (boost.premium_ratio, boost.expected_views) == (Decimal(ratio), 20_000)
    return boost


def settle(boost: Boost, views: int) -> Settlement:
    """Publish an hour after the order, observe ``views`` an hour before the window end, close."""
    settlement = settle_window(
        publish(boost, at=boost.quoted_at + PUBLISH_DELAY), views_at_end=views
    )
    assert settlement is not None
    return settlement


def pay(settlement: Settlement, at: datetime) -> None:
    paid = services.pay_settlement(settlement=settlement, now=at)
    assert paid.status == Settlement.Status.PAID


def hand_built() -> DataSet:
    """The data set of the module docstring."""
    b = {
        "b1": place("10000.00", "0.10", T0, "Alpha"),
        "b2": place("10000.00", "0.10", T0, "Bravo"),
        "b3": place("10000.00", "0.10", T0, "Charlie"),
        "b4": place("10000.00", "0.25", T0, "Delta"),
        "b5": place("8000.00", "0.37", T0, "Echo"),
        "b6": place("10000.00", "0.10", T0, "Foxtrot"),
        "b7": place("6000.00", "0.10", FEB, "Golf"),
        "b8": place("5000.00", "0.10", APR_20, "Hotel"),
        "b9": place("10000.00", "0.43", T0, "India"),
    }
    s7 = settle(b["b7"], 15_000)
    settled = {
        name: settle(b[name], views)
        for name, views in (
            ("b1", 19_000),
            ("b2", 10_000),
            ("b3", 25_000),
            ("b4", 18_000),
            ("b5", 20_000),
            ("b9", 5_000),
        )
    }
    s6 = services.expire(boost=b["b6"], now=b["b6"].valid_until)
    assert s6 is not None
    for s in (settled["b1"], settled["b2"], s7):
        pay(s, datetime(2026, 3, 25, 10, 0, tzinfo=SHANGHAI))
    pay(settled["b9"], datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI))
    pay(s6, datetime(2026, 4, 13, 10, 0, tzinfo=SHANGHAI))
    return DataSet(b)
