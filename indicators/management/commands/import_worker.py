from django.core.management.base import BaseCommand

from indicators.jobs import recover_stale, work


class Command(BaseCommand):
    help = (
        "Run spreadsheet imports queued from the portal (keep one or more running beside the app, on one "
        "machine or several: they share the queue in the database and never run a job twice)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the waiting jobs, then stop.")
        parser.add_argument(
            "--recover", action="store_true", help="Only look for jobs whose worker stopped, and queue or fail them."
        )

    def handle(self, *args, once, recover, **options):
        if recover:
            self.stdout.write(str(recover_stale()))
            return
        count = work(once=once)
        if once:
            self.stdout.write(f"{count} job(s) run.")
