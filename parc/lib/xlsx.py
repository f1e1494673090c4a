"""Writing spreadsheets people will open in Excel, safely.

A text cell that starts with = + - @ (or a tab or carriage return) would be read by Excel as a
formula ("CSV/formula injection"); such cells are written as text, never as formulas.
"""

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="8A1C1C")


def write_cell(ws, row, column, value, number_format=None):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Decimal):
        value = float(round(value, 4))
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
        width = max([len(str(header))] + [len(str(v[column - 1])) for v in rows if v[column - 1] is not None])
        ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)


def workbook_bytes(workbook: Workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
