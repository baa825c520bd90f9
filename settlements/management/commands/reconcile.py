"""``manage.py reconcile``: prove the ledger and the settlements agree to the fen (DESIGN §8)."""

from django.core.management.base import BaseCommand, CommandError

from settlements.selectors import reconciliation_differences


class Command(BaseCommand):
    help = "Check ledger credits against paid settlements and boosts; exit 1 on any difference."

    def handle(self, *args, **options) -> None:
        differences = 0
        for difference in reconciliation_differences():
            differences += 1
            self.stdout.write(difference)
        if differences:
            raise CommandError(f"{differences} difference(s) between the ledger and settlements.")
        self.stdout.write(self.style.SUCCESS("Ledger and settlements agree."))
