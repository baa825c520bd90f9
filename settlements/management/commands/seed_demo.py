"""``manage.py seed_demo``: a realistic demo data set, created once, through the real services.

The data is drawn by ``settlements.demo.build_plan`` (pure, deterministic for a seed and ``now``)
and replayed by ``settlements.demo.replay.Replay`` in time order; this command only parses the
options, refuses to seed twice, and prints what was made.
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from kernel.instants import parse_now
from orders.models import Client
from settlements import demo
from settlements.demo.replay import Replay, summary


class Command(BaseCommand):
    help = (
        "Create a realistic demo data set (influencers, clients, orders, boosts in every status, "
        "settlements) through the real services. Deterministic for a seed and --now; does nothing "
        "when the demo clients exist already."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="ISO 8601 instant the demo history ends at (default: now)"
        )
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)

    def handle(self, *args, now: str | datetime | None = None, seed: int, **options) -> None:
        try:
            now = now if isinstance(now, datetime) else parse_now(now)
        except ValueError as error:
            raise CommandError(str(error)) from None
        codes = demo.CLIENT_CODES
        if Client.objects.filter(code__in=codes).exists():
            self.stdout.write(
                f"Demo data already present (clients {codes[0]}…{codes[-1]}); nothing added."
            )
            return
        plan = demo.build_plan(seed=seed, now=now, tz=timezone.get_default_timezone())
        # One transaction: a failure half way leaves no partial demo behind the "already
        # present" check.
        with transaction.atomic():
            missed = Replay(plan).run()
        for message in missed:
            self.stderr.write(self.style.WARNING(message))
        out = self.stdout.write
        out(f"StarBoost demo data · seed {plan.seed} · as of {plan.now:%Y-%m-%d %H:%M %Z}")
        for label, value in summary():
            out(f"{label:<30}{value:>16}")
        out(
            f"Users: operator, finance, {plan.clients[0].username}…{plan.clients[-1].username} "
            "(no passwords set)"
        )
