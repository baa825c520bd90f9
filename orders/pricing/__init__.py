"""Boost pricing (DESIGN.md §4): expected views E, premium ratio r* and boost fee F.

Pure rules with no database access: the caller passes an influencer's history in and stores
``Quote.as_dict()`` on the boost, so every quote can be explained later. Weighted sums and the
ratio search use ``fractions.Fraction`` (float weights convert to it exactly), so ties - half the
weight reached exactly, LR(r) exactly at the target - are decided the same way on every machine.
One module per concern: the rules, the quote, the v1 maths, the wording, the payback threshold and
the model versions.
"""

from .explanations import explain, explanation_of, video_words
from .payback import WholeFeeThreshold, whole_fee_threshold
from .quote import Quote, WeightedVideo
from .quoting import _check_inputs, gated_quote, history_window, quote_from_history
from .rules import CENT, FORMULA_VERSION, SECONDS_PER_DAY, IneligibleReason, PricingRules
from .versions import MODELS, quote_with_model, reprice, shadow_model

__all__ = [
    "CENT",
    "FORMULA_VERSION",
    "IneligibleReason",
    "MODELS",
    "PricingRules",
    "Quote",
    "SECONDS_PER_DAY",
    "WeightedVideo",
    "WholeFeeThreshold",
    "_check_inputs",
    "explain",
    "explanation_of",
    "gated_quote",
    "history_window",
    "quote_from_history",
    "quote_with_model",
    "reprice",
    "shadow_model",
    "video_words",
    "whole_fee_threshold",
]
