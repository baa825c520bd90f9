"""Text from outside: which control characters are refused, and how such text is shown back.

A NUL byte cannot be stored in a PostgreSQL text column (the driver raises), and the other C0
control characters have no business in a name, an id or a search. Tab, carriage return and line
feed are ordinary text (a pasted note, a textarea) and pass.
"""

from __future__ import annotations

import re

# C0 controls (U+0000–U+001F) except tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character no field of this project accepts (e.g. NUL)."""
    # A printable text has no control character at all; ``isprintable`` answers that for most
    # texts faster than the expression (an API batch asks it ten thousand times).
    return not text.isprintable() and CONTROL_CHARACTERS.search(text) is not None


def shown(value: object, limit: int = 40) -> str:
    """``value`` cut to ``limit`` characters, control characters written as ``\\x00``.

    For echoing a refused value in an error message, which may itself be stored (the API's
    request log) or shown: the echo must never carry the character that was refused.
    """
    return CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", str(value)[:limit])
