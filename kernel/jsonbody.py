"""Reading a JSON request body from outside within bounds: its size and its nesting depth.

``json.loads`` recurses once per level of nesting, so ``[[[[…]]]]`` 100,000 deep ends in a
``RecursionError`` (a 500), and a huge body costs memory and time before any rule is checked.
``load_json`` measures both first: the depth by scanning the brackets outside strings, in one
pass of two regular expressions, without parsing anything.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext as _

# Deep enough for any body this project reads (the API's is 3 levels); far below the recursion
# limit of Python's JSON parser.
MAX_DEPTH = 64

# A JSON string: quote, then runs of plain characters or escapes, then the closing quote (or the
# end of the text, for an unterminated string). Possessive, so it never backtracks: linear time.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")


class JsonRefused(ValueError):
    """A body that is not read: malformed, too deep or too large. Nothing was parsed."""


class JsonTooLarge(JsonRefused):
    """The body is over the size bound (answer 413)."""


class JsonTooDeep(JsonRefused):
    """The body nests arrays and objects deeper than the depth bound (answer 400)."""


def load_json(
    body: bytes | str, *, max_depth: int = MAX_DEPTH, max_bytes: int | None = None
) -> Any:
    """``body`` parsed as strict JSON, refused first when over ``max_bytes`` or ``max_depth``.

    Bytes are decoded as ``json.loads`` would (UTF-8, -16 or -32). ``NaN`` and ``Infinity`` are
    refused: they are not JSON. Every refusal is a ``ValueError`` (``JsonRefused`` or the
    parser's own), so a caller catching ``ValueError`` answers a malformed body.
    """
    size = len(body) if isinstance(body, bytes) else len(body.encode("utf-8", "surrogatepass"))
    if max_bytes is not None and size > max_bytes:
        raise JsonTooLarge(
            _("The body has %(size)s bytes; at most %(max)s are accepted.")
            % {"size": size, "max": max_bytes}
        )
    if isinstance(body, bytes):
        body = body.decode(json.detect_encoding(body), "surrogatepass")
    if nesting_depth(body, stop_after=max_depth) > max_depth:
        raise JsonTooDeep(
            _("The JSON nests arrays and objects deeper than %(max)s levels.") % {"max": max_depth}
        )
    return json.loads(body, parse_constant=_refuse_constant)


def nesting_depth(text: str, *, stop_after: int | None = None) -> int:
    """How deep the arrays and objects of JSON ``text`` nest (brackets inside strings aside).

    Counting stops once past ``stop_after``: the answer is then ``stop_after + 1``.
    """
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if stop_after is not None and deepest > stop_after:
                break
    return deepest


def _refuse_constant(name: str) -> None:
    raise JsonRefused(_("%(name)s is not a JSON value.") % {"name": name})
