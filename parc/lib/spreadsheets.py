"""Reading the spreadsheets people bring: xlsx (openpyxl, read-only) and csv (UTF-8 with or
without BOM, ";" or "," separated). Rows come back numbered as the sheet numbers them, so an
error can say "row 7" and the user finds row 7 in Excel."""

import csv
import io
from pathlib import Path

from django.utils.translation import gettext as _


class SpreadsheetError(ValueError):
    """A file that cannot be read at all (wrong format, no header row, bad encoding)."""


def normalise_header(value):
    return str(value or "").strip().lower().replace(" ", "_")


def read_records(fileobj, filename):
    """(row number, {header: value}) for each non-empty data row; the header is row 1."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(fileobj)
    elif suffix == ".csv":
        rows = _csv_rows(fileobj)
    else:
        raise SpreadsheetError(_("Only .xlsx and .csv files can be imported (got “%(name)s”).") % {"name": filename})
    try:
        header = next(rows)
    except StopIteration:
        raise SpreadsheetError(_("The file is empty: the first row must name the columns.")) from None
    names = [normalise_header(h) for h in header]
    records = []
    for number, values in enumerate(rows, start=2):
        if all(v in (None, "") for v in values):
            continue
        records.append((number, dict(zip(names, values, strict=False))))
    return names, records


def _xlsx_rows(fileobj):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError(_("This is not a readable .xlsx file.")) from exc
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield [v.strip() if isinstance(v, str) else v for v in row]


def _csv_rows(fileobj):
    raw = fileobj.read()
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(_("The csv file is not in UTF-8. Save it as “CSV UTF-8” and try again.")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        yield [v.strip() for v in row]
