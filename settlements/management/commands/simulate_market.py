"""``manage.py simulate_market``: price a simulated market with v1 and v2, settle, compare.

Draws the market of ``settlements.market`` from ``--seed``, prices every boost with both pricing
models (``settlements.market_backtest``) and prints, per volatility band and history-size band,
the realized loss ratio of each model beside the target T, and each model's calibration light.
Needs no database rows and writes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandParser

from orders.pricing import PricingRules
from settlements import calibration, market_backtest
from settlements.market import simulate_market

DEFAULT_SEED = 20260101


class Command(BaseCommand):
    help = (
        "Simulate a creator market (deterministic for a seed), price its boosts with pricing "
        "models v1 and v2, settle them on their simulated views and print the realized loss "
        "ratio per volatility and history-size band beside the target."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--boosts", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--details",
            action="store_true",
            help="also print premium bands, predicted loss ratios and deciles",
        )

    def handle(self, *args, boosts: int, seed: int, details: bool, **options) -> None:
        rules = PricingRules.from_settings()
        market = simulate_market(boosts=boosts, seed=seed)
        observations = market_backtest.observations(
            market_backtest.price_market(market, rules=rules)
        )
        target = rules.target_loss_ratio
        rows = market_backtest.comparison(observations, target=target)
        write = self.stdout.write
        write(
            f"Simulated market: seed {seed}, {len(market.boosts):,} boosts, "
            f"{len(market.influencers):,} influencers, {market.order_days} order days; "
            f"target loss ratio T = {target}."
        )
        write(
            "Realized loss ratio = compensation / fees of the boosts each model offered; v2 is "
            f"judged within ±{market_backtest.TOLERANCE * 100:.0f} pp of T in bands with at "
            f"least {market_backtest.MIN_BAND_BOOSTS} boosts.\n"
        )
        write(_table(rows, target))
        judged = [row for row in rows if row.judged and row.dimension != "all"]
        verdict = "yes" if judged and all(row.within for row in judged) else "NO"
        write(f"\nv2 within ±3 pp of T in every judged band: {verdict}\n")
        report = calibration.report(
            observations,
            {"premium": (), **market_backtest.DIMENSIONS},
        )
        write(_lights(report))
        if details:
            write(_details(report))


def _table(rows: list[market_backtest.ComparisonRow], target: Decimal) -> str:
    lines = [
        f"{'band':<20}{'v1 boosts':>10}{'v1 LR':>8}{'v2 boosts':>11}{'v2 LR':>8}"
        f"{'T':>6}{'v2 - T':>10}  judged"
    ]
    for row in rows:
        v1, v2 = row.figures.get("v1"), row.figures.get("v2")
        gap = ""
        if v2 is not None and v2.realized_loss_ratio is not None:
            gap = f"{(v2.realized_loss_ratio - target) * 100:+.1f} pp"
        verdict = ("within" if row.within else "OUTSIDE") if row.judged else "-"
        lines.append(
            f"{row.dimension + ' ' + row.band:<20}{_boosts(v1):>10}{_ratio(v1):>8}"
            f"{_boosts(v2):>11}{_ratio(v2):>8}{target:>6}{gap:>10}  {verdict}"
        )
    return "\n".join(lines)


def _boosts(row: calibration.BandRow | None) -> str:
    return f"{row.boosts:,}" if row else "-"


def _ratio(row: calibration.BandRow | None) -> str:
    return str(row.realized_loss_ratio) if row and row.realized_loss_ratio is not None else "-"


def _lights(report: dict[str, calibration.ModelReport]) -> str:
    lines = ["Shortfall calibration (Kupiec POF): model, boosts, predicted, realized, LR, light"]
    for model, r in report.items():
        k = r.kupiec
        realized = k.shortfalls / k.boosts if k.boosts else 0.0
        lines.append(
            f"  {model}: {k.boosts:,} boosts, predicted {k.expected_rate:.3f}, realized "
            f"{realized:.3f}, LR {k.statistic:.2f} (p = {k.p_value:.3f}): {k.light}"
        )
    return "\n".join(lines)


def _details(report: dict[str, calibration.ModelReport]) -> str:
    lines = []
    for model, r in report.items():
        lines.append(f"\n{model}: predicted / realized loss ratio by band")
        for dimension, bands in r.bands.items():
            cells = ", ".join(
                f"{b.band} {b.boosts:,}: {b.predicted_loss_ratio} / {b.realized_loss_ratio}"
                for b in bands
            )
            lines.append(f"  {dimension}: {cells}")
        deciles = ", ".join(f"{d.predicted:.2f}/{d.realized:.2f}" for d in r.deciles)
        lines.append(f"  shortfall probability by decile (predicted/realized): {deciles}")
    return "\n".join(lines)
