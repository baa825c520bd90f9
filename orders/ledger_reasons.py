"""How a ledger entry's stored reason reads: system notes are codes, worded for the reader.

Payouts store ``Settlement <id> (<kind>)`` (settlements.services.payouts); what a person typed
(a top-up's bank reference, an adjustment's reason) is shown as written.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

from .models import LedgerKind

_PAYOUT = re.compile(r"Settlement (?P<id>\d+) \((?P<kind>compensation|refund)\)")


def ledger_reason(reason: str) -> str:
    """``"Settlement 36 (refund)"`` → ``"结算 #36（退款）"``; any other reason unchanged."""
    payout = _PAYOUT.fullmatch(reason)
    if payout is None:
        return reason
    return gettext("Settlement #%(id)s (%(kind)s)") % {
        "id": payout["id"],
        "kind": LedgerKind(payout["kind"]).label,
    }
