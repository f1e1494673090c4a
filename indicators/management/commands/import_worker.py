from django.core.management.base import BaseCommand

from indicators.jobs import work


class Command(BaseCommand):
    help = "Run spreadsheet imports queued from the portal (keep one or more running beside the app)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the waiting jobs, then stop.")

    def handle(self, *args, once, **options):
        count = work(once=once)
        if once:
            self.stdout.write(f"{count} job(s) run.")
