from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Lower apps first: units ← indicators ← plans ← scoring ← dashboards.
# indicators.demo needs the demo users and units; plans.demo the catalogue.
DEMO_MODULES = ["parc.demo", "units.demo", "indicators.demo", "plans.demo", "scoring.demo"]


class Command(BaseCommand):
    help = "Load the demo units, users, plans and reports. Safe to run twice: the second run changes nothing."

    def handle(self, *args, **options):
        logins = []
        for name in DEMO_MODULES:
            try:
                module = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue  # that app has no demo data yet
            with transaction.atomic():
                summary = module.load(stdout=self.stdout)
            details = ", ".join(f"{k}: {v}" for k, v in summary.items())
            self.stdout.write(f"{name}: {details}")
            logins.extend(getattr(module, "LOGINS", []))
        from parc.demo import DEMO_PASSWORD

        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Demo logins (password {DEMO_PASSWORD}):"))
        for username, purpose in logins:
            self.stdout.write(f"  {username:<16} {purpose}")
