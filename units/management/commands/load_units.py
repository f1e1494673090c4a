from django.core.management.base import BaseCommand

from units.management.commands._report import report_outcome
from units.registers import REGISTERS
from units.services import units_import


class Command(BaseCommand):
    help = "Load a built-in unit register (vn-2025: the 34 provinces and 3,321 communes of 1 July 2025)."

    def add_arguments(self, parser):
        parser.add_argument("--register", required=True, choices=sorted(REGISTERS))
        parser.add_argument("--dry-run", action="store_true", help="Check and count, save nothing.")

    def handle(self, *args, register, dry_run, **options):
        outcome = units_import(
            user=None, records=REGISTERS[register](), dry_run=dry_run, reason=f"loaded register {register} (load_units)"
        )
        report_outcome(self, outcome, register)
