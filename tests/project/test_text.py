"""``kernel.text``: which characters text from outside may not hold. Pure."""

import pytest

from kernel.text import has_control_characters, shown


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("video-123", False),
        ("视频 123", False),
        ("", False),
        ("a\tb\r\nc", False),  # tab, CR and LF are ordinary text
        ("zero\u200bwidth", False),  # not printable, yet no control character
        ("del\x7f", False),  # outside C0
        ("nul\x00", True),
        ("\x1f", True),
        ("tab\tthen\x0b", True),  # a refused one after an allowed one
        ("\u200b\x08", True),
    ],
)
def test_control_characters_are_the_c0_ones_but_tab_and_line_breaks(text, refused):
    assert has_control_characters(text) is refused


def test_shown_writes_a_refused_character_as_its_escape():
    assert shown("a\x00b\tc") == "a\\x00b\tc"
