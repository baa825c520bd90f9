"""The Simplified Chinese catalogue: complete, compiled, and what a request gets by default."""

from __future__ import annotations

import gettext as stdlib_gettext
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from settlements.calculations import explain_compensation

LC_MESSAGES = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    quoted = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], quoted)


def _po_entries() -> list[dict[str, str]]:
    """Each entry of django.po as {"msgctxt", "msgid", "msgid_plural", "msgstr", …, "flags"}."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    field = ""
    for raw in (LC_MESSAGES / "django.po").read_bytes().decode("utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, field = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += _unquote(line)
        else:
            field = line.split(" ", 1)[0]
            entry[field] = _unquote(line)
    return [e for e in entries if e.get("msgid")]


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _po_entries()
    assert len(entries) > 600
    for entry in entries:
        assert "fuzzy" not in entry.get("flags", ""), entry["msgid"]
        translated = entry.get("msgstr", entry.get("msgstr[0]", ""))
        assert translated, f"untranslated: {entry['msgid']!r}"


def test_the_committed_mo_file_matches_the_po_file():
    """Fresh machines may lack gettext, so django.mo is committed: it must match the .po."""
    with (LC_MESSAGES / "django.mo").open("rb") as mo:
        catalog = stdlib_gettext.GNUTranslations(mo)
    for entry in _po_entries():
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            assert catalog.pgettext(entry["msgctxt"], msgid) == entry["msgstr"], msgid
        elif "msgid_plural" in entry:
            assert catalog.ngettext(msgid, entry["msgid_plural"], 1) == entry["msgstr[0]"], msgid
        else:
            assert catalog.gettext(msgid) == entry["msgstr"], msgid


def test_the_seed_vocabulary_is_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Video boost") == "视频助推"
        assert translation.gettext("Boost fee") == "助推费用"
        assert translation.gettext("Expected views") == "预期播放量"
        assert translation.gettext("Fixed price") == "一口价"
        assert translation.pgettext("purchase order", "Order") == "订单"
        assert (
            translation.ngettext("%(count)d boost settled.", "%(count)d boosts settled.", 3)
            % {"count": 3}
            == "已结算 3 个助推。"
        )


@pytest.mark.parametrize(
    ("actual", "english", "chinese"),
    [
        (95_000, "cap ¥1,000.00", "上限 ¥1,000.00"),
        (0, "cap ¥1,000.00 applied → ¥1,000.00", "上限 ¥1,000.00，已封顶 → ¥1,000.00"),
    ],
)
def test_the_filled_in_formula_speaks_the_active_language(actual, english, chinese):
    explanation = explain_compensation(100_000, actual, Decimal("10000.00"), Decimal("1000.00"))
    assert explanation.describe().endswith(english)
    with translation.override("zh-hans"):
        assert explanation.describe().endswith(chinese)
    with translation.override("zh-hans"):
        met = explain_compensation(90_000, 95_000, Decimal("10000.00"), Decimal("1000.00"))
        assert met.describe() == "95,000 ≥ 预期 90,000：无需赔付"


def test_pages_are_in_simplified_chinese_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page and "忘记密码？" in page
