from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
        parser.add_argument(
            "--user", metavar="USERNAME", help="The administrator the unit history names as having made the import."
        )

    def handle(self, *args, file, dry_run, user=None, **options):
        if user is not None:
            try:
                user = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"{user}: no such user") from exc
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
        try:
            outcome = units_import(
                user=user, records=records, dry_run=dry_run, reason=_("imported from %(name)s") % {"name": path.name}
            )
        except PermissionDenied as exc:
            raise CommandError(f"{user}: {exc}") from exc
        report_outcome(self, outcome, path.name)
