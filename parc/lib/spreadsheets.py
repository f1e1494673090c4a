"""Reading the spreadsheets people bring: xlsx (python-calamine: Rust, about ten times faster
than openpyxl) and csv (UTF-8 with or without BOM, ";" or "," separated).

Before anything is parsed, a file is refused when it is larger than allowed or, for xlsx, when
its zip directory says it unpacks to far more than its size (a zip bomb): only the directory is
read for that, never the content. Rows come back numbered as the sheet numbers them (the header
is row 1), so an error can say "row 7" and the user finds row 7 in Excel.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from parc.lib.numbers import format_number

ZIP_RATIO_LIMIT = 100  # unpacked / packed; real xlsx files are around 5–15
ZIP_UNPACKED_LIMIT = 1024 * 1024 * 1024


class SpreadsheetError(ValueError):
    """A file that cannot be read at all (wrong format, too large, no header row, bad encoding)."""


@dataclass
class Sheet:
    headers: list
    rows: list  # (row number, [values])
    merged: list = field(default_factory=list)  # ((first row, first column), (last row, last column)), 1-based
    sheet_names: list = field(default_factory=list)
    name: str = ""

    def records(self):
        return [(number, dict(zip(self.headers, values, strict=False))) for number, values in self.rows]


def normalise_header(value):
    return str(value or "").strip().lower().replace(" ", "_")


def _size(fileobj):
    size = getattr(fileobj, "size", None)
    if size is None:
        position = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(position)
    return size


def check_zip(fileobj, packed_size):
    """Refuse an xlsx whose content would unpack to far more than the file (reads the zip
    directory only)."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(_("This is not a readable .xlsx file.")) from exc
    finally:
        fileobj.seek(0)
    if unpacked > ZIP_UNPACKED_LIMIT or unpacked > ZIP_RATIO_LIMIT * max(packed_size, 1):
        raise SpreadsheetError(
            _("This file unpacks to far more than its size (%(mb)s MB): it is refused for safety.")
            % {"mb": unpacked // (1024 * 1024)}
        )


def open_sheet(fileobj, filename, *, sheet=None, max_bytes=None, max_rows=None):
    """Check and read one sheet (the first unless `sheet` names another)."""
    max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SpreadsheetError(_("Only .xlsx and .csv files can be imported (got “%(name)s”).") % {"name": filename})
    size = _size(fileobj)
    if size > max_bytes:
        raise SpreadsheetError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": format_number(Decimal(size) / 1048576, 1), "limit": format_number(Decimal(max_bytes) / 1048576)}
        )
    if suffix == ".xlsx":
        check_zip(fileobj, size)
        result = _xlsx(fileobj, sheet, max_rows)
    else:
        result = _csv(fileobj, max_rows)
    if not result.headers or not any(result.headers):
        raise SpreadsheetError(_("The file is empty: the first row must name the columns."))
    return result


def _too_many(rows, max_rows):
    if rows > max_rows + 1:
        raise SpreadsheetError(
            _("The file has %(rows)s rows; the limit is %(limit)s.") % {"rows": rows - 1, "limit": max_rows}
        )


def _clean(values):
    return [v.strip() if isinstance(v, str) else v for v in values]


def _xlsx(fileobj, sheet_name, max_rows):
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(fileobj)
    except Exception as exc:  # calamine raises its own errors for broken files
        raise SpreadsheetError(_("This is not a readable .xlsx file.")) from exc
    names = list(workbook.sheet_names)
    if sheet_name and sheet_name not in names:
        raise SpreadsheetError(
            _("There is no sheet “%(name)s” in this file (sheets: %(names)s).")
            % {"name": sheet_name, "names": ", ".join(names)}
        )
    sheet = workbook.get_sheet_by_name(sheet_name) if sheet_name else workbook.get_sheet_by_index(0)
    _too_many(sheet.height, max_rows)
    start_row = sheet.start[0] if sheet.start else 0
    data = sheet.to_python(skip_empty_area=False)
    if not data:
        raise SpreadsheetError(_("The file is empty: the first row must name the columns."))
    headers = [normalise_header(h) for h in data[0]]
    rows = []
    for offset, values in enumerate(data[1:], start=2):
        if all(v in (None, "") for v in values):
            continue
        rows.append((offset + start_row, _clean(values)))
    merged = [((r0 + 1, c0 + 1), (r1 + 1, c1 + 1)) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
    return Sheet(headers, rows, merged, names, sheet.name)


def _csv(fileobj, max_rows):
    raw = fileobj.read()
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(_("The csv file is not in UTF-8. Save it as “CSV UTF-8” and try again.")) from exc
    _too_many(text.count("\n"), max_rows)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        headers = [normalise_header(h) for h in next(reader)]
    except StopIteration:
        raise SpreadsheetError(_("The file is empty: the first row must name the columns.")) from None
    rows = [(number, _clean(values)) for number, values in enumerate(reader, start=2) if any(v.strip() for v in values)]
    return Sheet(headers, rows, [], [], "")


def cell_text(value):
    """A cell as text: Excel stores a typed 1 or 991 as 1.0 / 991.0, which reads back as "1" /
    "991"; None reads as ""; surrounding spaces go."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_records(fileobj, filename, **limits):
    """(headers, [(row number, {header: value})]) of the first sheet."""
    sheet = open_sheet(fileobj, filename, **limits)
    return sheet.headers, sheet.records()
