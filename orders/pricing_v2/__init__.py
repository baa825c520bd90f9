"""Pricing model v2 (DESIGN §4b): credibility-weighted views, the fee priced to the target.

v1 reads expected views and the loss ratio straight off an influencer's few recent videos, so a
short or volatile history is under-priced. v2 treats the next video's 14-day views as lognormal
and estimates its level and spread by Bühlmann–Straub credibility: the influencer's own figures,
trusted as far as its history goes, shrunk toward its peer group's (other influencers' histories
as of the same instant, summarized by ``orders.pricing_v2_peers``). Step by step:

1. **Age.** Most views arrive in a video's first days, so each history video is first put on the
   14-day scale by the peers' age profile; a video whose age the peers cannot place is left out,
   and a young video weighs less in the level by the noise its age adds.
2. **Level**: μ = Z·x̄ + (1 − Z)·μ_peers(P), with Z = n_eff / (n_eff + k), n_eff = W² / Σw²
   under the §4 recency weights, and k = v / a: the peers' within variance over the between
   variance of their levels about μ_peers(P), the peers' straight line of log views per yuan
   on log fixed price (credibility in Hachemeister's regression form).
3. **Spread.** The log of the influencer's variance (settled videos of the longer spread window,
   about their trend) is shrunk the same way toward the peers' mean log variance:
   Z_σ = τ² / (τ² + Var(log s²)). What stays uncertain about it is integrated over (5-point
   Gauss–Hermite), and the level's own uncertainty Z·σ² / n_eff is added.
4. **Trend.** The slope of log views over the spread window, shrunk toward the peers' mean
   slope by the same credibility (their between variance of slopes against its sampling
   variance), moves the level to the expected publish time (the mean age of the level's videos
   plus one publishing gap); what stays uncertain about it adds variance.
5. **E** = the predictive median, lowered only when even the top of the band cannot bring the
   expected loss ratio down to T (then E is the largest that can).
6. **r\\*** = the first whole percent in the band whose expected loss ratio E[min(F, comp)] / F
   is ≤ T, in closed form under each lognormal; F = P × r\\* rounded half-up to 0.01.

The §4 gates apply unchanged. Deterministic and pure: floats for the statistics, Decimal for the
fee, no database, and nothing about the boost being priced beyond its history.
"""

from .credibility import MODEL, Credibility, CredibilityQuote
from .distribution import Predictive, lognormal_loss_ratio
from .explanations import explain_v2
from .quoting import quote_v2

__all__ = [
    "Credibility",
    "CredibilityQuote",
    "MODEL",
    "Predictive",
    "explain_v2",
    "lognormal_loss_ratio",
    "quote_v2",
]
