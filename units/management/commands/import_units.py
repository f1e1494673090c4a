from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parc.lib.spreadsheets import SpreadsheetError, read_records
from units.management.commands._report import report_outcome
from units.services import REQUIRED_COLUMNS, units_import


class Command(BaseCommand):
    help = (
        "Import units from an .xlsx or .csv file with the columns code, name, level, kind, parent_code, "
        "valid_from, valid_to. All or nothing: any bad row and nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, save nothing.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            with path.open("rb") as fh:
                columns, records = read_records(fh, path.name)
        except SpreadsheetError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise CommandError(f"{path.name}: missing column(s): {', '.join(missing)}")
        outcome = units_import(records=records, dry_run=dry_run)
        report_outcome(self, outcome, path.name)
