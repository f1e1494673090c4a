"""Reading the spreadsheets people bring: xlsx (python-calamine: Rust, about ten times faster
than openpyxl) and csv (UTF-8 with or without BOM, or UTF-16; ";", "," or tab separated).

A web request only checks an upload's name, size and first bytes (check_upload). Reading
happens in a child process (parc/lib/sheetguard.py) under a memory cap and a CPU-time limit,
after a streaming pre-scan of the file's declared and actual extent: a hostile file (a cell at
XFD150000, a shared-string count of two billion, a zip bomb or a zip lying about its sizes,
XML entities) is refused at once or ends only that child, and the caller gets a
SpreadsheetError in the user's language. Rows come back numbered as the sheet numbers them (the
header is row 1), so an error can say "row 7" and the user finds row 7 in Excel.
"""

import io
import logging
import pickle
import signal
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from parc.lib.numbers import format_number
from parc.lib.sheetguard import normalise_header  # one rule, in the child and here  # noqa: F401

ZIP_UNPACKED_LIMIT = 1024 * 1024 * 1024
log = logging.getLogger(__name__)


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


def _size(fileobj):
    size = getattr(fileobj, "size", None)
    if size is None:
        position = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(position)
    return size


def _head(fileobj, count=8):
    position = fileobj.tell() if hasattr(fileobj, "tell") else 0
    head = fileobj.read(count)
    fileobj.seek(position)
    return head if isinstance(head, bytes) else head.encode("utf-8", "replace")


def check_upload(fileobj, filename, *, max_bytes=None):
    """What the web request checks before storing an upload: its kind and size, from its name
    and its first bytes only — never by parsing it. Raises SpreadsheetError; returns the kind."""
    max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
    suffix = Path(filename or "").suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SpreadsheetError(_("Only .xlsx and .csv files can be imported (got “%(name)s”).") % {"name": filename})
    size = _size(fileobj)
    if size == 0:
        raise SpreadsheetError(_("The file is empty: the first row must name the columns."))
    if size > max_bytes:
        raise SpreadsheetError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": format_number(Decimal(size) / 1048576, 1), "limit": format_number(Decimal(max_bytes) / 1048576)}
        )
    head = _head(fileobj)
    if head.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            _("This is an old Excel file (.xls) or a password-protected one: save it as .xlsx without a password.")
        )
    if suffix == ".xlsx" and not head.startswith(ZIP_MAGIC):
        raise SpreadsheetError(_("This is not a readable .xlsx file."))
    if suffix == ".csv" and head.startswith(ZIP_MAGIC):
        raise SpreadsheetError(_("This file is an .xlsx renamed to .csv: upload it with its .xlsx name."))
    return suffix[1:]


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def limits():
    """The limits a file is read under (settings IMPORT_*), as the child process takes them."""
    return {
        "rows": settings.IMPORT_MAX_ROWS,
        "columns": settings.IMPORT_MAX_COLUMNS,
        "cells": settings.IMPORT_MAX_CELLS,
        "strings": settings.IMPORT_MAX_CELLS,
        "cell_chars": settings.IMPORT_MAX_CELL_CHARS,
        "unpacked": ZIP_UNPACKED_LIMIT,
    }


def open_sheet(fileobj, filename, *, sheet=None, max_bytes=None, max_rows=None, columns=None):
    """Check and read one sheet (the first unless `sheet` names another). `columns`: the only
    columns the caller reads (by normalised header); the others come back empty, which keeps a
    wide file's rows small in memory.

    The file is read in a child process (parc/lib/sheetguard.py) under a memory cap and a time
    limit, after a streaming pre-scan of its extent: a hostile file can end only that child, and
    comes back as a SpreadsheetError in the user's language."""
    kind = check_upload(fileobj, filename, max_bytes=max_bytes)
    bounds = limits()
    if max_rows:
        bounds["rows"] = max_rows
        bounds["cells"] = bounds["strings"] = max(bounds["cells"], max_rows * bounds["columns"])
    answer = read_in_child(fileobj, kind, sheet or "", bounds, columns)
    if not answer.get("ok"):
        raise SpreadsheetError(refusal_message(answer.get("code"), answer.get("params") or {}))
    headers = [normalise_header(h) for h in answer["headers"]]
    if not headers or not any(headers):
        raise SpreadsheetError(_("The file is empty: the first row must name the columns."))
    # Cleaned by the child already: no second copy of a large file's rows here.
    return Sheet(headers, answer.pop("rows"), answer["merged"], answer["sheet_names"], answer["name"])


def read_in_child(fileobj, kind, sheet, bounds, columns=None):
    """Copy the upload to a temporary file and read it with `python -m parc.lib.sheetguard`."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="parc-sheet-") as folder:
        source = Path(folder) / f"in.{kind}"
        target = Path(folder) / "out.pickle"
        position = fileobj.tell() if hasattr(fileobj, "tell") else 0
        with source.open("wb") as out:
            while chunk := fileobj.read(1024 * 1024):
                out.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
        fileobj.seek(position)
        command = [
            sys.executable, "-m", "parc.lib.sheetguard", str(source), str(target), kind, sheet,
            *(str(bounds[k]) for k in ("rows", "columns", "cells", "strings", "cell_chars", "unpacked")),
            str(settings.IMPORT_CHILD_MEMORY_MB), str(settings.IMPORT_CHILD_SECONDS), ",".join(columns or ()),
        ]  # fmt: skip
        try:
            finished = subprocess.run(
                command,
                cwd=settings.BASE_DIR,
                capture_output=True,
                timeout=settings.IMPORT_CHILD_SECONDS + 5,
                env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(settings.BASE_DIR), "PYTHONHASHSEED": "0"},
            )
        except subprocess.TimeoutExpired:
            return {"ok": False, "code": "time", "params": {}}
        if finished.returncode != 0 or not target.exists():
            log.warning("sheet reader ended with %s: %s", finished.returncode, finished.stderr[-2000:])
            code = "time" if finished.returncode in (-signal.SIGXCPU, -signal.SIGKILL) else "memory"
            return {"ok": False, "code": code, "params": {}}
        with target.open("rb") as fh:
            return _SafeUnpickler(fh).load()


class _SafeUnpickler(pickle.Unpickler):
    """The child's answer holds plain values only: refuse any other class."""

    ALLOWED = {
        ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
        ("datetime", "timezone"), ("builtins", "set"), ("builtins", "frozenset"),
    }  # fmt: skip

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def refusal_message(code, params):
    """A refusal of the child reader, in the user's language."""
    number = {k: format_number(v) if isinstance(v, int) else v for k, v in params.items()}
    messages = {
        "not_xlsx": _("This is not a readable .xlsx file."),
        "not_csv": _("This file is an .xlsx renamed to .csv: upload it with its .xlsx name."),
        "damaged": _("The file is damaged or incomplete: open it in Excel, save it again and upload that copy."),
        "encrypted": _("The file is protected by a password: save a copy without a password and upload that."),
        "doctype": _("The file contains XML that spreadsheets never hold (a DOCTYPE): it is refused for safety."),
        "bomb": _("This file unpacks to far more than its size (%(mb)s MB): it is refused for safety."),
        "rows": _("The file has more than %(limit)s rows (or says it has): split it into smaller files."),
        "columns": _("The file has cells beyond column %(limit)s: keep only the template's columns."),
        "cells": _("The file has more than %(limit)s cells: split it into smaller files."),
        "merges": _("The file has more than %(limit)s merged ranges: unmerge the cells and try again."),
        "strings": _("The file declares more than %(limit)s pieces of text: it is refused for safety."),
        "cell_too_long": _("Row %(row)s has a cell longer than %(limit)s characters."),
        "encoding": _(
            "The csv file is not in UTF-8 (nor UTF-16). Save it as “CSV UTF-8” in Excel (not “CSV” with a Vietnamese code page) and try again."
        ),
        "empty": _("The file is empty: the first row must name the columns."),
        "no_sheet": _("There is no sheet “%(name)s” in this file (sheets: %(names)s)."),
        "memory": _("The file needs more memory to read than allowed: split it into smaller files."),
        "time": _("Reading the file took longer than allowed: split it into smaller files."),
    }
    template = messages.get(code) or messages["damaged"]
    try:
        return template % number if "%(" in template else template
    except (KeyError, TypeError, ValueError):
        return messages["damaged"]


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
