"""Reading an uploaded spreadsheet in a child process that a hostile file can kill alone.

`python -m parc.lib.sheetguard IN OUT KIND SHEET LIMITS` runs in a fresh interpreter (no
Django, no database connection) under resource limits the parent sets (address space and CPU
time, parc.lib.spreadsheets.read_in_child). It first streams through the file without building
anything — for xlsx, every part of the zip whatever its name, read through zipfile (which never
reads past a part's declared size, so a zip lying about its sizes ends in a CRC error), with
regular expressions over the bytes:

- a DOCTYPE anywhere is refused (external entities, "billion laughs"): xlsx never has one;
- each worksheet's declared extent (<dimension ref="A1:XFD150000">) and its actual extent (the
  furthest <c r="…"> and <row r="…">, in either case of letters; the merged ranges), the number
  of rows, cells and merged ranges, and each row's width counted cell by cell (cells need not
  name their column), are checked against the limits, and the scan stops at the first one over;
- the shared strings' declared count (uniqueCount="2147483647") and the actual <si> count;
- the parts' declared unpacked size against the file's size (a zip bomb).

Only then does python-calamine read the one sheet asked for. A csv is decoded (UTF-8 with or
without BOM, UTF-16 with BOM) and read with a cap on a field's length. The result, or a refusal
as a code and its parameters (the parent words it in the user's language), is pickled to OUT.
"""

import csv
import pickle
import re
import sys
import zipfile

CHUNK = 64 * 1024
UNPACKED_RATIO = 100  # unpacked / packed; real xlsx files are around 5–15
_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?([0-9]{1,9})$")


class Refused(Exception):
    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - 64)
    return number


def _cell(ref):
    """ "XFD150000" → (150000, 16384); None for anything else."""
    match = _REF.match(ref or "")
    if not match:
        return None
    return int(match.group(2)), _column_number(match.group(1))


def scan_xlsx(path, limits):
    """The streaming pre-scan; raises Refused at the first thing over a limit."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("not_xlsx") from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if (
            len(infos) > 2000
            or "[Content_Types].xml" not in names
            or not any(n.startswith("xl/worksheets/") for n in names)
        ):
            raise Refused("not_xlsx")
        packed = sum(info.compress_size for info in infos) or 1
        unpacked = sum(info.file_size for info in infos)
        if unpacked > limits["unpacked"] or unpacked > UNPACKED_RATIO * packed:
            raise Refused("bomb", mb=unpacked // (1024 * 1024))
        for info in infos:
            if info.flag_bits & 0x1:
                raise Refused("encrypted")
        # Every part, whatever its name or extension: python-calamine follows the workbook's
        # relationships to any part name (case-insensitively), so a sheet or its shared strings
        # need not be where the conventions put them. Parts without such tags cost a scan.
        for info in infos:
            _scan_bulk_part(archive, info, limits)


# Parts are scanned with regular expressions over the unpacked bytes, a chunk at a time,
# counting and taking maxima with C-level calls (an XML parser calling Python for every cell
# took 2.8 s for a national quarter of 91,000 rows; this takes a fraction of it). A DOCTYPE or
# ENTITY declaration is refused: entity attacks need one, and xlsx never has one.
_P = rb"<(?:[A-Za-z_][\w.-]*:)?"  # an element name with or without its namespace prefix
_CELL = re.compile(_P + rb"c[\s/>]")
_ROW = re.compile(_P + rb"row[\s/>]")
_ROW_SPLIT = re.compile(_P + rb"row(?=[\s/>])")
_DIMENSION = re.compile(_P + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_MERGE = re.compile(_P + rb"mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SI = re.compile(_P + rb"si[\s/>]")
_SST = re.compile(_P + rb"sst\s([^>]*)>")
_COUNTS = re.compile(rb'\b(uniqueCount|count)\s*=\s*["\']([^"\']*)["\']')
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
MAX_PENDING = 1024 * 1024  # bytes without a ">": no tag or cell text of a real sheet is that long
MAX_MERGES = 10_000  # merged ranges in one part; each is checked against the extent too


class _Counts:
    """What one part has shown so far."""

    def __init__(self):
        self.rows = self.cells = self.strings = self.merges = 0
        self.cells_in_row = 0  # of the row still open at the end of the last chunk


def _scan_bulk_part(archive, info, limits):
    """Each chunk is scanned up to its last ">" (so every tag seen is whole); the rest waits for
    the next chunk."""
    counts = _Counts()
    xml = info.filename.lower().endswith((".xml", ".rels"))
    pending = b""
    first = True
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if first:
                    if xml and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:64]):
                        raise Refused("damaged")  # not UTF-8: Excel never writes such a part
                    first = False
                buffer = pending + chunk
                end = buffer.rfind(b">") + 1 if chunk else len(buffer)
                if end == 0 and len(buffer) > MAX_PENDING:
                    if xml:
                        raise Refused("damaged")
                    end = len(buffer)  # a binary part (an image): nothing to wait for
                work, pending = buffer[:end], buffer[end:]
                if _DECLARATION.search(work):
                    raise Refused("doctype")
                _scan_sheet_chunk(work, limits, counts)
                _scan_strings_chunk(work, limits, counts)
                if not chunk:
                    break
    except Refused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise Refused("damaged") from None


def _tags(work, name, pattern):
    """How many <name …> tags: a plain count (C speed), the pattern only for prefixed names."""
    plain = work.count(b"<" + name + b" ") + work.count(b"<" + name + b">") + work.count(b"<" + name + b"/")
    return plain if b":" + name not in work else len(pattern.findall(work))


def _far(limits):
    """Patterns for references that may lie beyond the limits: row numbers with at least as many
    digits as the limit's, column letters with at least as many letters. In an ordinary file
    they match nothing, so the per-reference Python work is for the suspicious ones only. The
    fast pair reads ` r="…"` as writers write it; the other pair also allows other white space
    and single quotes (r = 'A1'), and serves a chunk that has any (_ODD)."""
    key = (limits["rows"], limits["columns"])
    if key not in _FAR:
        digits = len(str(limits["rows"] + 1))
        letters = len(column_letters(limits["columns"]))
        _FAR[key] = [
            (
                re.compile(rb' r="\$?([A-Za-z]*)\$?([0-9]{%d,})"' % digits),
                re.compile(rb' r="\$?([A-Za-z]{%d,})\$?([0-9]+)"' % letters),
            ),
            (
                re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]*)\$?([0-9]{%d,})[\"']" % digits),
                re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]{%d,})\$?([0-9]+)[\"']" % letters),
            ),
        ]
    return _FAR[key]


_ODD = re.compile(rb"r(?:\s+=|=[\s'])")
_FAR = {}


def column_letters(number):
    """16384 → "XFD": a 1-based column number as a spreadsheet writes it."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _scan_sheet_chunk(work, limits, counts):
    counts.rows += _tags(work, b"row", _ROW)
    if counts.rows > limits["rows"] + 1:
        raise Refused("rows", limit=limits["rows"])
    cells = _tags(work, b"c", _CELL)
    counts.cells += cells
    if counts.cells > limits["cells"]:
        raise Refused("cells", limit=limits["cells"])
    if cells and work.count(b'<c r="') != cells:
        _check_row_widths(work, limits, counts)  # some cells do not name their column
    else:
        counts.cells_in_row = 0  # every cell named: the references bound the width
    dimension = _DIMENSION.search(work) if b"dimension" in work else None
    if dimension:
        last = _cell(dimension.group(1).decode("ascii", "replace").rpartition(":")[2])
        if last:
            _check_extent(*last, limits)
    if b"mergeCell" in work:
        for ref in _MERGE.findall(work):
            counts.merges += 1
            if counts.merges > MAX_MERGES:
                raise Refused("merges", limit=MAX_MERGES)
            for corner in ref.decode("ascii", "replace").split(":"):
                cell = _cell(corner)
                if cell:
                    _check_extent(*cell, limits)
    odd = _ODD.search(work) or b"\tr=" in work or b"\nr=" in work or b"\rr=" in work
    long_numbers, wide_letters = _far(limits)[1 if odd else 0]
    for letters, number in (*long_numbers.findall(work), *wide_letters.findall(work)):
        _check_extent(int(number), _column_number(letters.decode("ascii")) if letters else 1, limits)


def _check_row_widths(work, limits, counts):
    """Cells need not carry their reference: count them row by row, so that a row of 20,000
    unnamed cells is as wide as one that names XFD1."""
    if b":" not in work:
        segments = work.split(b"<row")
    else:
        segments = _ROW_SPLIT.split(work)
    widest = limits["columns"]
    for index, segment in enumerate(segments):
        if index:
            counts.cells_in_row = 0  # a new row starts
        counts.cells_in_row += _tags(segment, b"c", _CELL)
        if counts.cells_in_row > widest:
            raise Refused("columns", limit=widest)


def _check_extent(row, column, limits):
    if row > limits["rows"] + 1:
        raise Refused("rows", limit=limits["rows"])
    if column > limits["columns"]:
        raise Refused("columns", limit=limits["columns"])


def _scan_strings_chunk(work, limits, counts):
    if b"sst" in work:
        header = _SST.search(work)
        if header:
            for _key, declared in _COUNTS.findall(header.group(1)):
                if not declared.isdigit() or int(declared) > limits["strings"]:
                    raise Refused("strings", limit=limits["strings"])
    if b"si" in work:
        counts.strings += _tags(work, b"si", _SI)
        if counts.strings > limits["strings"]:
            raise Refused("strings", limit=limits["strings"])


def read_xlsx(path, sheet_name, limits, wanted=None):
    from python_calamine import CalamineWorkbook

    scan_xlsx(path, limits)
    try:
        workbook = CalamineWorkbook.from_path(path)
        names = list(workbook.sheet_names)
        if sheet_name and sheet_name not in names:
            raise Refused("no_sheet", name=sheet_name, names=", ".join(names))
        sheet = workbook.get_sheet_by_name(sheet_name) if sheet_name else workbook.get_sheet_by_index(0)
        if sheet.height > limits["rows"] + 1:
            raise Refused("rows", limit=limits["rows"])
        start_row = sheet.start[0] if sheet.start else 0
        data = sheet.to_python(skip_empty_area=False)
        merged = list(sheet.merged_cell_ranges or [])
        title = sheet.name
    except Refused:
        raise
    except Exception:  # calamine raises its own errors for broken files
        raise Refused("damaged") from None
    if not data:
        raise Refused("empty")
    rows = []
    keep = _kept(data[0], wanted)
    for offset, values in enumerate(data[1:], start=2):
        if all(v in (None, "") for v in values):
            continue
        for value in values:
            if isinstance(value, str) and len(value) > limits["cell_chars"]:
                raise Refused("cell_too_long", row=offset + start_row, limit=limits["cell_chars"])
        rows.append((offset + start_row, _clean(values, keep)))
    merged = [((r0 + 1, c0 + 1), (r1 + 1, c1 + 1)) for (r0, c0), (r1, c1) in merged]
    return {"headers": list(data[0]), "rows": rows, "merged": merged, "sheet_names": names, "name": title}


def normalise_header(value):
    """ "Unit code " → "unit_code": how headers are matched (the parent imports this too)."""
    return str(value or "").strip().lower().replace(" ", "_")


def _clean(values, keep=None):
    """Surrounding spaces off text cells; columns the caller does not read left empty (None
    costs nothing), so the parent never holds two copies of a large file's rows."""
    return [
        (v.strip() if isinstance(v, str) else v) if keep is None or i in keep else None for i, v in enumerate(values)
    ]


def _kept(headers, wanted):
    if not wanted:
        return None
    return {i for i, h in enumerate(headers) if normalise_header(h) in wanted}


def _encoding(head):
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8-sig"


def read_csv(path, limits, wanted=None):
    """Read as a stream (the decoded text is never held whole): UTF-8, or UTF-16 with its BOM."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise Refused("not_csv")
    csv.field_size_limit(limits["cell_chars"])
    rows = []
    headers = None
    number = 1
    try:
        with open(path, encoding=_encoding(head), newline="") as text:
            first_line = text.readline()
            delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
            if first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
                delimiter = "\t"  # Excel's "Unicode text" is UTF-16, tab separated
            text.seek(0)
            for number, values in enumerate(csv.reader(text, delimiter=delimiter), start=1):
                if headers is None:
                    headers = values
                    keep = _kept(headers, wanted)
                    continue
                if number > limits["rows"] + 1:
                    raise Refused("rows", limit=limits["rows"])
                if len(values) > limits["columns"]:
                    raise Refused("columns", limit=limits["columns"])
                if any(v.strip() for v in values):
                    rows.append((number, _clean(values, keep)))
    except UnicodeError:
        raise Refused("encoding") from None
    except csv.Error:
        raise Refused("cell_too_long", row=number + 1, limit=limits["cell_chars"]) from None
    if not headers or not any(h.strip() for h in headers):
        raise Refused("empty")
    return {"headers": headers, "rows": rows, "merged": [], "sheet_names": [], "name": ""}


def confine(memory_mb, seconds):
    """Cap this process before it reads anything: address space and CPU time."""
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv):
    source, target, kind, sheet_name, *numbers, columns = argv
    *limit_args, memory_mb, seconds = map(int, numbers)
    wanted = {c for c in columns.split(",") if c}
    confine(memory_mb, seconds)
    limits = dict(zip(("rows", "columns", "cells", "strings", "cell_chars", "unpacked"), limit_args, strict=True))
    try:
        if kind == "xlsx":
            result = read_xlsx(source, sheet_name or None, limits, wanted)
        else:
            result = read_csv(source, limits, wanted)
        answer = {"ok": True, **result}
    except Refused as exc:
        answer = {"ok": False, "code": exc.code, "params": exc.params}
    except MemoryError:
        answer = {"ok": False, "code": "memory", "params": {}}
    with open(target, "wb") as fh:
        pickle.dump(answer, fh, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    main(sys.argv[1:])
