"""Criteria sets, survey points and results as spreadsheets.

Columns are found by name, with or without Vietnamese accents, in Vietnamese or English
("Mã" or "code", "Điểm tối đa" or "maximum"), so a province's own sheet works once its header
row is named like the exported one.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from parc.lib.numbers import AmbiguousNumber, format_number, parse_number
from parc.lib.spreadsheets import cell_text, open_sheet
from parc.lib.text import fold
from parc.lib.xlsx import workbook_bytes, write_cell, write_table
from scoring import services, tree

CRITERIA_COLUMNS = {
    "code": ("ma", "code", "ma tieu chi"),
    "title": ("tieu chi", "title", "noi dung", "criterion"),
    "maximum": ("diem toi da", "maximum", "max"),
    "survey_maximum": ("trong do dieu tra", "survey maximum", "diem dieu tra", "survey"),
    "guidance": ("huong dan cham", "guidance", "huong dan"),
}
CRITERIA_HEADERS = ["Mã", "Tiêu chí", "Điểm tối đa", "Trong đó điều tra", "Hướng dẫn chấm"]
SURVEY_COLUMNS = {
    "unit_code": ("ma don vi", "unit code", "unit_code"),
    "criterion_code": ("ma tieu chi", "criterion code", "criterion_code"),
    "points": ("diem dieu tra", "points", "diem"),
}
SURVEY_HEADERS = ["Mã đơn vị", "Đơn vị", "Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Điểm điều tra"]


def _columns(headers, wanted):
    """{name: index} for the wanted columns found in `headers`; the missing ones."""
    folded = [fold(str(h or "").replace("_", " ")) for h in headers]
    found, missing = {}, []
    for name, aliases in wanted.items():
        index = next((i for i, h in enumerate(folded) if h in aliases), None)
        if index is None:
            missing.append(name)
        else:
            found[name] = index
    return found, missing


def _number(value):
    if value in (None, ""):
        return None
    return parse_number(value)


def _cell(values, index):
    return values[index] if index is not None and index < len(values) else None


def _code(value):
    """A criterion code as written: 1 → "1", 1.2 (a number in Excel) → "1.2", " 3.1. " → "3.1"."""
    return cell_text(value).rstrip(".")


def criteria_from_sheet(sheet):
    """(nodes, errors) from a criteria sheet; errors name the row and column."""
    columns, missing = _columns(sheet.headers, CRITERIA_COLUMNS)
    missing = [m for m in missing if m not in ("survey_maximum", "guidance")]
    if missing:
        return [], [
            _("Missing columns: %(columns)s (the first row must name them, as in the exported file).")
            % {"columns": ", ".join(CRITERIA_HEADERS[list(CRITERIA_COLUMNS).index(m)] for m in missing)}
        ]
    nodes, errors = [], []
    for number, values in sheet.rows:
        code = _code(_cell(values, columns["code"]))
        title = str(_cell(values, columns["title"]) or "").strip()
        row_errors = []
        if not code:
            row_errors.append(_("Row %(row)s, “Mã”: a criterion needs its code (1, 1.2, 1.2.3).") % {"row": number})
        if not title:
            row_errors.append(_("Row %(row)s, “Tiêu chí”: the criterion needs its wording.") % {"row": number})
        numbers = {}
        for name, label in (("maximum", "Điểm tối đa"), ("survey_maximum", "Trong đó điều tra")):
            raw = _cell(values, columns.get(name))
            try:
                numbers[name] = _number(raw)
            except AmbiguousNumber:
                row_errors.append(
                    _("Row %(row)s, “%(column)s”: “%(value)s” could be a thousand or a decimal: write 14,5.")
                    % {"row": number, "column": label, "value": raw}
                )
            except ValueError:
                row_errors.append(
                    _("Row %(row)s, “%(column)s”: “%(value)s” is not a number.")
                    % {"row": number, "column": label, "value": raw}
                )
        if "maximum" in numbers and numbers["maximum"] is None:
            row_errors.append(_("Row %(row)s, “Điểm tối đa”: the maximum is missing.") % {"row": number})
        if row_errors:
            errors.extend(row_errors)
            continue
        nodes.append(
            tree.Node(
                code=code,
                title=title[:500],
                maximum=numbers["maximum"],
                survey_maximum=numbers.get("survey_maximum") or Decimal(0),
                guidance=str(_cell(values, columns.get("guidance")) or "").strip(),
                row=number,
            )
        )
    if not nodes and not errors:
        errors.append(_("The file has no criteria rows."))
    return nodes, errors


BANDS_SHEET = "Xếp loại"


def criteria_set_from_file(upload):
    """((criteria nodes, bands or None), errors) from an uploaded file: the criteria from its
    first sheet and, in an xlsx that has one, the bands from its "Xếp loại" sheet (as exported)."""
    sheet = open_sheet(upload, upload.name)
    nodes, errors = criteria_from_sheet(sheet)
    bands = None
    if BANDS_SHEET in sheet.sheet_names:
        upload.seek(0)
        band_sheet = open_sheet(upload, upload.name, sheet=BANDS_SHEET)
        lines = [f"{values[0]}: {values[1]}" for _number, values in band_sheet.rows if len(values) > 1]
        try:
            bands = services.parse_bands("\n".join(lines))
        except ValidationError as exc:
            errors += [_("Sheet “%(sheet)s”: %(message)s") % {"sheet": BANDS_SHEET, "message": m} for m in exc.messages]
    return (nodes, bands), errors


def criteria_workbook(*, cset, rows):
    """The set's criteria (and bands) in the layout the import reads back."""
    with translation.override("vi"):
        wb = Workbook()
        ws = wb.active
        ws.title = "Tiêu chí"
        table = [
            [r.criterion.code, r.criterion.title, r.criterion.maximum, r.criterion.survey_maximum, r.criterion.guidance]
            for r in rows
        ]
        write_table(ws, CRITERIA_HEADERS, table, number_formats={3: "0.00", 4: "0.00"})
        bands = wb.create_sheet(BANDS_SHEET)
        write_table(bands, ["Xếp loại", "Từ (%)"], [[b.label, b.minimum_percent] for b in cset.bands.all()])
        return workbook_bytes(wb)


def survey_from_sheet(sheet, *, units_by_code, criteria_by_code):
    """({(unit id, criterion id): points}, errors)."""
    columns, missing = _columns(sheet.headers, SURVEY_COLUMNS)
    if missing:
        return {}, [_("Missing columns: %(columns)s.") % {"columns": ", ".join(SURVEY_HEADERS[i] for i in (0, 2, 5))}]
    entries, errors = {}, []
    for number, values in sheet.rows:
        unit = units_by_code.get(_code(_cell(values, columns["unit_code"])))
        criterion = criteria_by_code.get(_code(_cell(values, columns["criterion_code"])))
        raw = _cell(values, columns["points"])
        if unit is None:
            errors.append(_("Row %(row)s, “Mã đơn vị”: not a unit of this set.") % {"row": number})
            continue
        if criterion is None:
            errors.append(_("Row %(row)s, “Mã tiêu chí”: not a criterion with survey points.") % {"row": number})
            continue
        try:
            points = _number(raw)
        except ValueError:
            errors.append(
                _("Row %(row)s, “Điểm điều tra”: “%(value)s” is not a number.") % {"row": number, "value": raw}
            )
            continue
        if points is not None and not 0 <= points <= criterion.survey_maximum:
            errors.append(
                _("Row %(row)s, “Điểm điều tra”: %(value)s lies outside 0 to %(max)s.")
                % {"row": number, "value": raw, "max": format_number(criterion.survey_maximum)}
            )
            continue
        if (unit.pk, criterion.pk) in entries:
            errors.append(_("Row %(row)s: this unit and criterion appear twice in the file.") % {"row": number})
            continue
        entries[(unit.pk, criterion.pk)] = points
    return entries, errors


def survey_workbook(*, units, criteria, points):
    with translation.override("vi"):
        wb = Workbook()
        ws = wb.active
        ws.title = "Điểm điều tra"
        table = [
            [u.code, u.name, c.code, c.title, c.survey_maximum, points.get((u.pk, c.pk))]
            for u in units
            for c in criteria
        ]
        write_table(ws, SURVEY_HEADERS, table, number_formats={5: "0.00", 6: "0.00"})
        return workbook_bytes(wb)


def results_workbook(results):
    """The results table as published: rank, unit, points per field, total, %, band, change."""
    cset = results.cset
    with translation.override("vi"):
        wb = Workbook()
        ws = wb.active
        ws.title = "Kết quả"
        headers = ["Hạng", "Mã đơn vị", "Đơn vị"]
        for f in results.fields:
            headers += [
                f"{f.criterion.code}. {f.criterion.title} (điểm / {format_number(f.maximum)})",
                f"{f.criterion.code} (%)",
            ]
        headers += [
            "Tổng điểm",
            "Điểm tối đa",
            "Chỉ số (%)",
            "Xếp loại",
        ]
        published = cset.is_published  # before that: no rank, no change, units by name
        if published:
            headers += ["Tăng/giảm điểm so với năm trước", "Tăng/giảm bậc"]
        table = []
        for r in results.shown:
            line = [r.rank if published else None, r.unit.code, r.unit.name]
            for fr in r.fields:
                line += [fr.points, fr.percent]
            line += [
                r.points,
                r.maximum,
                r.percent,
                r.band.label if r.band else "",
            ]
            if published:
                line += [
                    r.points_change,
                    # A unit absent last year says so; with no set last year the cells stay empty.
                    r.rank_change if r.previous or not results.previous else "mới năm nay",
                ]
            table.append(line)
        write_table(ws, headers, table)
        ws.insert_rows(1)
        title = f"{cset.title} — {cset.issuer.name}" + ("" if published else " (tạm thời, chưa công bố)")
        write_cell(ws, 1, 1, title)  # user text: never a formula
        ws.freeze_panes = "D3"
        return workbook_bytes(wb)


def scorecard_workbook(*, card, rows, totals):
    """One unit's scorecard as the unit files it (self-assessed and appraised, side by side)."""
    cset = card.criteria_set
    with translation.override("vi"):
        wb = Workbook()
        ws = wb.active
        ws.title = "Phiếu chấm"
        headers = ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Giải trình", "Điểm thẩm định", "Lý do",
                   "Điểm điều tra", "Tài liệu kiểm chứng"]  # fmt: skip
        table = []
        for r in rows:
            c, score = r.criterion, r.score
            table.append([
                c.code,
                ("    " * r.depth) + c.title,
                c.maximum,
                score.self_score if score and r.is_leaf else None,
                score.explanation if score and r.is_leaf else "",
                score.appraised_score if score and r.is_leaf else None,
                score.appraisal_reason if score and r.is_leaf else "",
                r.survey_points if r.is_leaf else None,
                "; ".join(e.name for e in r.evidence),
            ])  # fmt: skip
        table.append(["", "Tổng", totals["maximum"], totals["own"], "", totals["appraised"], "", None, ""])
        write_table(ws, headers, table, number_formats={3: "0.00", 4: "0.00", 6: "0.00", 8: "0.00"})
        ws.insert_rows(1)
        write_cell(ws, 1, 1, f"{cset.title} — {card.unit.name} ({card.get_status_display()})")  # never a formula
        ws.freeze_panes = "C3"
        return workbook_bytes(wb)
