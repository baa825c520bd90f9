"""The wording of a v1 quote's explanation, and how every model's explanation is laid out
(heading, history videos, r*, fee, why a boost is not offered)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from kernel import display

from .rules import IneligibleReason, PricingRules


def explain(record: Mapping[str, Any]) -> str:
    """The words of a recorded quote (``Quote.as_dict()``) in the active language.

    Worded from the record rather than stored as a sentence, so a quote frozen in one language
    reads in the reader's; instants read in the project's time zone, numbers as everywhere else.
    """
    if record.get("model", "v1") != "v1":
        from ..pricing_v2 import explain_v2  # builds on this module

        return explain_v2(record)
    rules = PricingRules.from_mapping(record["rules"])
    inputs = record["inputs"]
    figures = []
    if inputs:
        figures.append(
            gettext(
                "Expected views E = %(expected)s: the lowest views value at which the cumulative "
                "weight (views ascending) reaches W/2."
            )
            % {"expected": display.grouped(record["expected_views"])}
        )
    if not record["target_met"]:
        premium = gettext(
            "Premium ratio r* = %(ratio)s: no whole percent in %(band)s brings the loss ratio "
            "LR(r) to ≤ %(target)s, so the cap applies; LR(r*) = %(loss)s."
        )
    else:
        premium = gettext(
            "Premium ratio r* = %(ratio)s: the first whole percent in %(band)s with loss ratio "
            "LR(r) ≤ %(target)s; LR(r*) = %(loss)s."
        )
    return explanation_of(
        record,
        rules,
        heading=gettext("Quote as of %(as_of)s for fixed price %(price)s."),
        history=gettext(
            "History: %(count)s video(s) from the last %(days)s days, weight "
            "0.5^(age/%(half_life)s d), total W = %(total).4f:"
        ),
        videos=[
            gettext(
                "  #%(index)s %(published)s: %(views)s views, age %(age).2f d, weight %(weight).4f"
            )
            % video_words(video)
            for video in sorted(inputs, key=lambda video: video["views"])
        ],
        figures=figures,
        premium=premium,
    )


def explanation_of(
    record: Mapping[str, Any],
    rules: PricingRules,
    *,
    heading: str,
    history: str,
    videos: list[str],
    figures: list[str],
    premium: str,
) -> str:
    """How every model's explanation reads: ``heading`` and ``history`` filled with the instant,
    the fixed price and the window, a line a history video, the model's ``figures``, then why the
    boost is not offered, or r* in the words of ``premium`` and the fee it makes."""
    words = _heading_words(record, rules)
    lines = [heading % words, history % words, *videos, *figures]
    if not record["eligible"]:
        lines.append(_not_offered(record, rules))
    else:
        lines += [premium % _premium_words(record, rules), _fee_line(record)]
    return "\n".join(lines)


def _local(instant: str) -> str:
    """An ISO 8601 instant of the record in the project's time zone, to the minute."""
    return display.minute(datetime.fromisoformat(instant))


def _heading_words(record: Mapping[str, Any], rules: PricingRules) -> dict[str, Any]:
    """What every model's explanation opens with: the instant, the fixed price and the window."""
    return {
        "as_of": _local(record["as_of"]),
        "price": display.yuan(Decimal(record["fixed_price"])),
        "count": len(record["inputs"]),
        "days": rules.history_days,
        "half_life": rules.half_life_days,
        "total": record["total_weight"],
    }


def video_words(video: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of one recorded history video, as every model's history line shows them."""
    return {
        "index": video["index"],
        "published": _local(video["published_at"]),
        "views": display.grouped(video["views"]),
        "age": video["age_days"],
        "weight": video["weight"],
    }


def _premium_words(record: Mapping[str, Any], rules: PricingRules) -> dict[str, str]:
    """r*, the band it was searched in, the target T and the loss ratio at r*, as shown."""
    return {
        "ratio": display.percent(Decimal(record["premium_ratio"])),
        "band": f"{display.percent(rules.min_ratio)}–{display.percent(rules.max_ratio)}",
        "target": display.percent(rules.target_loss_ratio),
        "loss": display.percent(Decimal(record["loss_ratio"]), places=2),
    }


def _fee_line(record: Mapping[str, Any]) -> str:
    """How an offered quote's boost fee follows from the fixed price and r* (every model)."""
    return gettext("Boost fee F = %(price)s × %(ratio)s = %(fee)s (rounded half-up to 0.01).") % {
        "price": display.yuan(Decimal(record["fixed_price"])),
        "ratio": display.percent(Decimal(record["premium_ratio"])),
        "fee": display.yuan(Decimal(record["boost_fee"])),
    }


def _not_offered(record: Mapping[str, Any], rules: PricingRules) -> str:
    """Why a recorded quote was not offered: its failing gate and the figures behind it."""
    reason = IneligibleReason(record["reason"])
    return gettext("Not offered (%(reason)s): %(detail)s.") % {
        "reason": reason.label,
        "detail": _ineligible_detail(reason, record, rules),
    }


def _ineligible_detail(
    reason: IneligibleReason, record: Mapping[str, Any], rules: PricingRules
) -> str:
    if reason == IneligibleReason.DISABLED:
        return gettext("the influencer has not enabled the boost service")
    if reason == IneligibleReason.SUSPENDED:
        return gettext(
            "a boosted video fell short while its creator had removed or hidden it; boosts are "
            "offered again from %(until)s"
        ) % {"until": _local(record["suspended_until"])}
    if reason == IneligibleReason.NOT_ENOUGH_HISTORY:
        return gettext(
            "%(count)s video(s) in the last %(days)s days, at least %(needed)s needed"
        ) % {
            "count": len(record["inputs"]),
            "days": rules.history_days,
            "needed": rules.min_history_videos,
        }
    return gettext("E = %(expected)s is below the minimum of %(minimum)s") % {
        "expected": display.grouped(record["expected_views"]),
        "minimum": display.grouped(rules.min_expected_views),
    }
