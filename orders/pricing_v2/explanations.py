"""The wording of a v2 quote's explanation, credibility step by step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from kernel import display

from ..pricing import PricingRules, explanation_of, video_words
from ..pricing_v2_peers import SPREAD_DAYS


def explain_v2(record: Mapping[str, Any]) -> str:
    """The words of a recorded v2 quote in the active language (as ``pricing.explain`` for v1)."""
    rules = PricingRules.from_mapping(record["rules"])
    c = record.get("credibility")
    inputs = record["inputs"]
    shifts = c["age_shifts"] if c else [None] * len(inputs)
    videos = []
    for video, shift in zip(inputs, shifts, strict=True):
        scale = (
            gettext("left out (no peer age profile)")
            if shift is None
            else gettext("age shift %(shift)+.3f") % {"shift": shift}
        )
        videos.append(
            gettext(
                "  #%(index)s %(published)s: %(views)s views, age %(age).2f d, "
                "weight %(weight).4f, %(scale)s"
            )
            % {**video_words(video), "scale": scale}
        )
    return explanation_of(
        record,
        rules,
        heading=gettext("Quote (pricing model v2) as of %(as_of)s for fixed price %(price)s."),
        history=gettext(
            "History: %(count)s video(s) from the last %(days)s days, weight "
            "0.5^(age/%(half_life)s d), put on the 14-day scale by the peers' age profile:"
        ),
        videos=videos,
        figures=_credibility_lines(c, record["expected_views"], rules) if c is not None else [],
        premium=gettext(
            "Premium ratio r* = %(ratio)s: the first whole percent in %(band)s whose expected "
            "loss ratio E[min(F, compensation)]/F is ≤ %(target)s; at r* it is %(loss)s."
        ),
    )


def _credibility_lines(c: Mapping[str, Any], expected: int, rules: PricingRules) -> list[str]:
    if c["level_k"] is None:
        level = gettext(
            "Level: own %(own).3f log views from n_eff = %(n).2f videos, not shrunk (fewer than "
            "the needed peers with a fixed price)."
        ) % {"own": c["own_level"], "n": c["effective_videos"]}
    else:
        level = gettext(
            "Level: own %(own).3f log views from n_eff = %(n).2f videos; at this price "
            "%(peers)s peers' line gives %(prior).3f (log views per yuan = %(a).3f + %(b).3f × "
            "log price; between variance %(between).4f, within %(within).4f), so k = %(k).3f, "
            "Z = %(z).3f and the level is %(level).3f (median %(median)s views)."
        ) % {
            "own": c["own_level"],
            "n": c["effective_videos"],
            "peers": c["level_peers"],
            "prior": c["peer_level"],
            "a": c["level_intercept"],
            "b": c["level_slope"],
            "between": c["between_variance"],
            "within": c["within_variance"],
            "k": c["level_k"],
            "z": c["level_credibility"],
            "level": c["level"],
            "median": display.grouped(c["median_views"]),
        }
    own = gettext("none") if c["own_log_variance"] is None else f"{c['own_log_variance']:.3f}"
    peers = (
        gettext("fallback")
        if c["spread_fallback"]
        else gettext("%(n)s peers") % {"n": c["spread_peers"]}
    )
    lines = [
        level,
        gettext(
            "Spread: own log variance %(own)s (n_eff = %(n).2f settled videos over %(days)s "
            "days, about their trend); %(peers)s: %(peer).3f (between %(between).4f); "
            "Z = %(z).3f, log s.d. %(sd).3f, uncertainty %(uncertainty).4f."
        )
        % {
            "own": own,
            "n": c["spread_videos"],
            "days": SPREAD_DAYS,
            "peers": peers,
            "peer": c["peer_log_variance"],
            "between": c["log_variance_between"],
            "z": c["spread_credibility"],
            "sd": c["log_sd"],
            "uncertainty": c["log_variance_uncertainty"],
        },
    ]
    own_slope = gettext("none") if c["own_slope"] is None else f"{c['own_slope']:+.4f}"
    lines.append(
        gettext(
            "Trend: own slope %(own)s log views per day of age, credibility %(z).3f against the "
            "%(peers)s peers' spread of slopes, so %(slope)+.4f; over %(days).1f days (the "
            "level's mean age plus one publishing gap) it moves the level to %(level).3f, "
            "adding variance %(drift).4f."
        )
        % {
            "own": own_slope,
            "z": c["slope_credibility"],
            "peers": c["slope_peers"],
            "slope": c["slope"],
            "days": c["staleness_days"],
            "level": c["predicted_level"],
            "drift": c["drift_variance"],
        }
    )
    words = {
        "expected": display.grouped(expected),
        "median": display.grouped(c["median_views"]),
        "target": display.percent(rules.target_loss_ratio),
    }
    if expected < c["median_views"]:
        lines.append(
            gettext(
                "Expected views E = %(expected)s, lowered from the median %(median)s: at the top "
                "of the band the median's expected loss ratio exceeds %(target)s."
            )
            % words
        )
    else:
        lines.append(gettext("Expected views E = %(expected)s: the predictive median.") % words)
    if c["shortfall_probability"] is not None:
        lines.append(
            gettext("Predicted shortfall probability P(A < E) = %(p).1f %%.")
            % {"p": 100 * c["shortfall_probability"]}
        )
    return lines
