"""How a client page names the influencers of an order in one line: the first few, then a count."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import ngettext, pgettext

NAMES_SHOWN = 3


def influencer_names(names: Sequence[str], *, shown: int = NAMES_SHOWN) -> str:
    """``["A", "B", "C", "D"]`` → ``"A, B, C and 1 more"`` (``"A、B、C 及另外 1 位达人"``)."""
    separator = pgettext("between names in a list", ", ")
    listed = separator.join(names[:shown])
    rest = len(names) - shown
    if rest <= 0:
        return listed
    text = ngettext("%(names)s and %(count)d more", "%(names)s and %(count)d more", rest)
    return text % {"names": listed, "count": rest}
