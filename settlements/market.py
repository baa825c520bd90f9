"""A simulated creator market: who publishes what, how views grow, and how boosts turn out.

The backtest and the pricing models need outcomes no real data set has in quantity yet, so this
module draws a whole market from one seed (``random.Random(seed)``; same seed, same market):

* **Influencers** with a volatility band (the spread of log views from video to video: low
  0.20-0.35, medium 0.40-0.60, high 0.70-1.00), a publishing rate (rare: a video every ~11
  days, regular: ~4 days, frequent: ~2 days; gamma-distributed gaps), a base level (14-day views
  log-uniform between 3,000 and 300,000), a trend (log level drifting ±0.5 %/day, one s.d.), a
  random walk on top of it, and a fixed price from a CPM of ¥15-40.
* **Videos** whose 14-day views are the influencer's level at publish time times a lognormal
  surprise; 1.5 % go viral (+0.7 to +2.0 in log views) and 1.5 % flop (−0.7 to −1.5).
* **View curves**: a video gathers most of its views in its first days (a fast component with a
  time constant of ~1.2 days) and a slow tail (10-25 % of the total over 10-30 days), so a
  history video's latest count depends on its age, as the platform's export does.
* **Boosts**: an order at noon (Asia/Shanghai) on a random order day for a random influencer
  with at least three videos in the pricing window; the ordered video is the influencer's next
  video not yet ordered, published at least half a day and less than a month later (else no
  sale), and its realized views are its views 14 days after publishing. Sponsored videos are
  part of the stream, so later orders see them in their history like any other.

Nothing here prices a boost: the market only supplies the history as of an order instant, the
peers' histories as of the same instant, and the realized views, so a model can never see the
outcome it prices. Pure Python, no database.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 3, 3, tzinfo=SHANGHAI)
WINDOW_DAYS = 14
LOOKBACK_DAYS = 45  # the pricing window, for the "enough history" gate
HISTORY_DAYS = 120  # how far back the platform's export of an influencer's videos goes
MIN_HISTORY_VIDEOS = 3

VOLATILITY = {"low": (0.20, 0.35), "medium": (0.40, 0.60), "high": (0.70, 1.00)}
PUBLISHING = {"rare": 11.0, "regular": 4.0, "frequent": 2.0}  # mean days between videos
VIRAL_CHANCE, VIRAL_LIFT = 0.015, (0.7, 2.0)
FLOP_CHANCE, FLOP_DROP = 0.015, (0.7, 1.5)
LEVEL_VIEWS = (3_000, 300_000)
TREND_SD = 0.005  # per day, in log views
WALK_SD = (0.005, 0.02)  # per sqrt(day), in log views
CPM_YUAN = (15, 40)
# Orders are placed on ``order_days`` consecutive days after a warm-up long enough to fill the
# history; published boosts need 14 more days to settle.
WARM_UP_DAYS = HISTORY_DAYS + 15
MIN_PUBLISH_LAG_DAYS = 0.5
VALID_DAYS = 30


@dataclass(frozen=True)
class ViewCurve:
    """Cumulative views of one video by age: a fast launch and a slow tail, 14-day total fixed."""

    views_14d: float
    launch_days: float
    tail_share: float
    tail_days: float

    def share(self, age_days: float) -> float:
        """Views at ``age_days`` as a share of the views at 14 days."""
        return self._cumulative(age_days) / self._cumulative(WINDOW_DAYS)

    def views_at(self, age_days: float) -> int:
        if age_days <= 0:
            return 0
        return math.floor(self.views_14d * self.share(age_days))

    def _cumulative(self, age_days: float) -> float:
        fast = 1 - math.exp(-age_days / self.launch_days)
        slow = 1 - math.exp(-age_days / self.tail_days)
        return (1 - self.tail_share) * fast + self.tail_share * slow


@dataclass(frozen=True)
class Video:
    published_at: datetime
    curve: ViewCurve

    def views_as_of(self, instant: datetime) -> int:
        return self.curve.views_at((instant - self.published_at).total_seconds() / 86400)


@dataclass(frozen=True)
class Profile:
    """What the market knows about an influencer and the pricing models do not (bar the price)."""

    influencer_id: int
    volatility: str
    sigma: float
    publishing: str
    mean_gap_days: float
    level_views: float
    trend_per_day: float
    walk_sd: float
    fixed_price: Decimal


@dataclass
class Influencer:
    profile: Profile
    levels: list[float]  # log level by whole day since START - WARM_UP_DAYS
    videos: list[Video] = field(default_factory=list)
    _published: list[datetime] = field(default_factory=list)

    def add(self, video: Video) -> None:
        """Append the next video of the stream (drawn in publishing order)."""
        self._published.append(video.published_at)
        self.videos.append(video)

    def first_video_after(self, instant: datetime) -> int:
        """Index in ``videos`` of the first video published at or after ``instant``."""
        return bisect.bisect_left(self._published, instant)

    def history(self, as_of: datetime, days: int = HISTORY_DAYS) -> list[tuple[datetime, int]]:
        """``(published_at, views as of as_of)`` of the videos of the last ``days`` days."""
        low = bisect.bisect_right(self._published, as_of - timedelta(days=days))
        high = bisect.bisect_right(self._published, as_of)
        return [(video.published_at, video.views_as_of(as_of)) for video in self.videos[low:high]]


@dataclass(frozen=True)
class SimulatedBoost:
    """One sold boost: ordered at noon on an order day, published later, settled on real views."""

    influencer: Profile
    ordered_at: datetime
    published_at: datetime
    actual_views: int


@dataclass
class Market:
    seed: int
    influencers: list[Influencer]
    boosts: list[SimulatedBoost]
    order_days: int

    def history(self, influencer_id: int, as_of: datetime) -> list[tuple[datetime, int]]:
        return self.influencers[influencer_id].history(as_of)

    def histories_as_of(self, as_of: datetime) -> dict[int, list[tuple[datetime, int]]]:
        """Every influencer's history as of ``as_of``: the peer group of each of them."""
        return {i.profile.influencer_id: i.history(as_of) for i in self.influencers}

    def order_instants(self) -> list[datetime]:
        return sorted({boost.ordered_at for boost in self.boosts})


def order_instant(day: int) -> datetime:
    """Noon (Asia/Shanghai) of order day ``day`` (0-based)."""
    return START + timedelta(days=day, hours=12)


def simulate_market(
    *, boosts: int, seed: int, influencers: int | None = None, order_days: int = 90
) -> Market:
    """Draw a market and ``boosts`` sold boosts from ``seed``; deterministic."""
    if boosts < 0 or order_days < 1:
        raise ValueError("boosts must be >= 0 and order_days >= 1")
    count = influencers if influencers is not None else max(30, boosts // 5)
    rng = random.Random(f"starboost-market:{seed}")
    total_days = WARM_UP_DAYS + order_days + VALID_DAYS + WINDOW_DAYS
    people = [_influencer(rng, index, total_days) for index in range(count)]
    for person in people:
        _publish_stream(rng, person, total_days)
    sold = _boosts(rng, people, boosts, order_days)
    return Market(seed=seed, influencers=people, boosts=sold, order_days=order_days)


def _influencer(rng: random.Random, index: int, total_days: int) -> Influencer:
    volatility = ("low", "medium", "high")[index % 3]
    publishing = ("rare", "regular", "frequent")[(index // 3) % 3]
    low, high = LEVEL_VIEWS
    level_views = math.exp(rng.uniform(math.log(low), math.log(high)))
    cpm = Decimal(rng.randint(*CPM_YUAN))
    price = max(Decimal(100), (Decimal(level_views) / 1000 * cpm / 10).quantize(Decimal(1)) * 10)
    profile = Profile(
        influencer_id=index,
        volatility=volatility,
        sigma=rng.uniform(*VOLATILITY[volatility]),
        publishing=publishing,
        mean_gap_days=PUBLISHING[publishing],
        level_views=level_views,
        trend_per_day=rng.gauss(0, TREND_SD),
        walk_sd=rng.uniform(*WALK_SD),
        fixed_price=price,
    )
    # The level is anchored at the first order day, so trends do not drift it out of range.
    levels = [0.0] * total_days
    for day in range(1, total_days):
        levels[day] = levels[day - 1] + profile.trend_per_day + rng.gauss(0, profile.walk_sd)
    anchor = levels[WARM_UP_DAYS]
    levels = [math.log(level_views) + value - anchor for value in levels]
    return Influencer(profile=profile, levels=levels)


def _publish_stream(rng: random.Random, person: Influencer, total_days: int) -> None:
    first = START - timedelta(days=WARM_UP_DAYS)
    mean_gap = person.profile.mean_gap_days
    offset = rng.uniform(0, mean_gap)
    while offset < total_days:
        person.add(_video(rng, person, first + timedelta(days=offset)))
        offset += rng.gammavariate(2.0, mean_gap / 2)


def _video(rng: random.Random, person: Influencer, published_at: datetime) -> Video:
    first = START - timedelta(days=WARM_UP_DAYS)
    day = min(len(person.levels) - 1, int((published_at - first).total_seconds() // 86400))
    surprise = rng.gauss(0, person.profile.sigma)
    luck = rng.random()
    if luck < VIRAL_CHANCE:
        surprise += rng.uniform(*VIRAL_LIFT)
    elif luck < VIRAL_CHANCE + FLOP_CHANCE:
        surprise -= rng.uniform(*FLOP_DROP)
    curve = ViewCurve(
        views_14d=math.exp(person.levels[day] + surprise),
        launch_days=rng.lognormvariate(math.log(1.2), 0.4),
        tail_share=rng.uniform(0.10, 0.25),
        tail_days=rng.uniform(10, 30),
    )
    return Video(published_at=published_at, curve=curve)


def _boosts(
    rng: random.Random, people: Sequence[Influencer], count: int, order_days: int
) -> list[SimulatedBoost]:
    """Orders for random (influencer, day) pairs; each claims the next video not yet ordered."""
    sold: list[SimulatedBoost] = []
    claimed: set[tuple[int, int]] = set()
    attempts = 0
    while len(sold) < count:
        attempts += 1
        if attempts > 20 * count + 1000:
            raise ValueError("the market cannot sell that many boosts; add influencers or days")
        person = people[rng.randrange(len(people))]
        ordered_at = order_instant(rng.randrange(order_days))
        if len(person.history(ordered_at, LOOKBACK_DAYS)) < MIN_HISTORY_VIDEOS:
            continue
        earliest = ordered_at + timedelta(days=MIN_PUBLISH_LAG_DAYS)
        index = person.first_video_after(earliest)
        while (person.profile.influencer_id, index) in claimed:
            index += 1
        if index == len(person.videos):
            continue
        video = person.videos[index]
        if video.published_at >= ordered_at + timedelta(days=VALID_DAYS):
            continue  # not published within the month: the boost would expire, no window
        claimed.add((person.profile.influencer_id, index))
        sold.append(
            SimulatedBoost(
                influencer=person.profile,
                ordered_at=ordered_at,
                published_at=video.published_at,
                actual_views=video.curve.views_at(WINDOW_DAYS),
            )
        )
    return sold
