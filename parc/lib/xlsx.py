"""Writing spreadsheets people will open in Excel or LibreOffice, safely.

A text cell that starts with = + - @ (or a tab or carriage return) would be read as a formula
("CSV/formula injection": =HYPERLINK(…) sending data away, DDE commands). Every download the
portal builds goes through here:

- xlsx (`write_cell`, `write_table`, and the admin's export format `XLSX`): such text is written
  as a text cell (an inline string, never a formula) with the cell's quote-prefix flag set, the
  flag Excel and LibreOffice set themselves when a user types an apostrophe first. Both show the
  text exactly as it was entered, without an apostrophe, and keep it text if it is edited. Numbers
  and dates stay numbers and dates (a negative number is a number, not text).
- csv (the admin's export format `CSV`): a csv has no cell types, so such text gets a leading
  apostrophe (OWASP's advice); spreadsheet programs show the apostrophe. A field that is only a
  number ("-5", "-1,5") is left alone: it is read as a number, not a formula.
"""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from typing import NamedTuple

import tablib
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="8A1C1C")
_CELL_TYPES = (str, int, float, bool, date, datetime, time, timedelta)
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?\Z")


class Number(NamedTuple):
    """A number with the format Excel shows it in ("0" for a count, "0.00" for a percentage),
    when the format belongs to the value rather than to its column (a column of figures of
    different indicators). indicators.display.figure_cell makes them."""

    value: Decimal | int | float | None
    number_format: str


def write_cell(ws, row, column, value, number_format=None):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Number):
        value, number_format = value.value, value.number_format
    if isinstance(value, Decimal):
        value = float(round(value, 4))
    elif value is not None and not isinstance(value, _CELL_TYPES):
        value = str(value)  # lazy translations, UUIDs …: written as their text
    if isinstance(value, str):
        # Control characters are not allowed in xlsx; openpyxl would refuse the whole file.
        value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # stored as a string: Excel shows it, never evaluates it
        cell.quotePrefix = True
    if number_format and isinstance(value, (int, float)):
        cell.number_format = number_format
    return cell


def write_table(ws, headers, rows, start_row=1, number_formats=None):
    """Headers in bold on the portal's colour, then the rows; columns sized to their content."""
    number_formats = number_formats or {}
    for column, header in enumerate(headers, start=1):
        cell = write_cell(ws, start_row, column, str(header))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows, start=start_row + 1):
        for column, value in enumerate(values, start=1):
            write_cell(ws, r, column, value, number_formats.get(column))
    for column, header in enumerate(headers, start=1):
        shown = (v[column - 1].value if isinstance(v[column - 1], Number) else v[column - 1] for v in rows)
        width = max([len(str(header))] + [len(str(v)) for v in shown if v is not None])
        ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)


def workbook_bytes(workbook: Workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_safe(value):
    """The csv field for `value`: text that a spreadsheet would run as a formula gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


# The admin's export formats (settings.EXPORT_FORMATS). django-import-export's own escaping
# (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, 4.4.3) only removes one leading "=" (so "==1+1"
# still becomes a formula, and + - @ tab CR pass), and turns every cell into str() first: numbers
# and dates become text, an empty cell the word "None". These two escape always instead.


class XLSX(base_formats.XLSX):
    """import-export's xlsx, written through write_table: formula-like text is a text cell."""

    def export_data(self, dataset, **kwargs):
        wb = Workbook()
        ws = wb.active
        ws.title = (dataset.title or "Sheet1")[:31]
        write_table(ws, list(dataset.headers or []), [list(row) for row in dataset])
        return workbook_bytes(wb)


# import-export gives native values (numbers, dates) only to formats whose exact class is in
# BINARY_FORMATS (admin.get_export_data); without this our xlsx would get every number as text.
if XLSX not in base_formats.BINARY_FORMATS:
    base_formats.BINARY_FORMATS.append(XLSX)


class CSV(base_formats.CSV):
    """import-export's csv, every field through csv_safe."""

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(
            *[[csv_safe(v) for v in row] for row in dataset],
            headers=[csv_safe(h) for h in dataset.headers] if dataset.headers else None,
        )
        return safe.export(self.get_title(), **kwargs)
