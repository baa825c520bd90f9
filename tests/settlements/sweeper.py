"""A sweep run in its own process, for the PostgreSQL concurrency and crash tests.

Usage: python -m tests.settlements.sweeper NOW BATCH [die-after-N-payout-batches]
Prints the counts of close_windows and pay_due as JSON. With a third argument the process kills
itself with SIGKILL inside the N-th payout batch, after locking its rows and before committing.
"""

import json
import os
import signal
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "starboost.settings_test")
django.setup()

from kernel.instants import parse_now  # noqa: E402
from settlements import services  # noqa: E402
from settlements.services import payouts  # noqa: E402


def main(now: str, batch: str, die_after: str | None = None) -> None:
    if die_after is not None:
        real, calls = payouts.post_entries, []

        def dying_post_entries(**kwargs):
            calls.append(1)
            if len(calls) == int(die_after):
                real(**kwargs)  # write the credits, then die before the batch commits
                os.kill(os.getpid(), signal.SIGKILL)
            return real(**kwargs)

        payouts.post_entries = dying_post_entries
    at = parse_now(now)
    closed = services.sweep(services.close_windows_batch, now=at, limit=int(batch))
    paid = services.sweep(services.pay_batch, now=at, limit=int(batch))
    print(json.dumps({"closed": closed, "paid": paid}))


if __name__ == "__main__":
    main(*sys.argv[1:])
