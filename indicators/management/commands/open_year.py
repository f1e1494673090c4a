from django.core.management.base import BaseCommand, CommandError

from indicators.services import periods_open_year


class Command(BaseCommand):
    help = "Create the four reporting quarters of a year on the Home Affairs calendar (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year}: not a plausible year")
        created = periods_open_year(year=year)
        self.stdout.write(f"{year}: {created} quarter(s) created, {4 - created} already there.")
