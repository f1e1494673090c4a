"""Quarterly figures from a spreadsheet: the template, the checks, the preview and the write.

One file may hold many units, quarters and indicators: one row per (unit, quarter, indicator).
Everything is checked against maps loaded once (a query per table, never per row), under the
same rules as the entry form: scope, locks (approved, submitted, closed), figure checks. The
write is in batches, with history rows saying "imported from <file>".
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook
from openpyxl.styles import PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from indicators import services
from indicators.models import Indicator, IndicatorKind, Report, ReportingPeriod, ReportValue
from indicators.services import edit_refusal
from indicators.validation import check_figure
from parc.lib.periods import parse_period_code
from parc.lib.spreadsheets import Sheet, cell_text, normalise_header
from parc.lib.xlsx import workbook_bytes, write_table
from units import scoping
from units.models import AdministrativeUnit

KEY_COLUMNS = ["unit_code", "period", "indicator_code"]
NOT_OCCURRED_CHOICE = "Không phát sinh"  # the template's word for it (any case or accent reads)
FIGURE_COLUMNS = ["numerator", "denominator", "value", "comment", "not_occurred"]
REQUIRED_COLUMNS = KEY_COLUMNS + ["numerator", "denominator", "value"]
# What the template's header row says, in the interface's language; an import reads either
# language's words or the codes themselves (unit_code …), whatever the uploader's language.
COLUMN_LABELS = {
    "unit_code": _lazy("Unit code"),
    "unit_name": _lazy("Unit"),
    "period": _lazy("Quarter"),
    "indicator_code": _lazy("Indicator code"),
    "indicator_name": _lazy("Indicator"),
    "numerator": _lazy("Numerator"),
    "denominator": _lazy("Denominator"),
    "value": _lazy("Value"),
    "comment": _lazy("Comment"),
    "not_occurred": _lazy("Did not occur this quarter"),
    "numerator_label": _lazy("Numerator counts"),
    "denominator_label": _lazy("Denominator counts"),
    "target": _lazy("Target"),
    "last_quarter": _lazy("Last quarter"),
}


def header_aliases() -> dict[str, str]:
    """Normalised header → the column it names: the codes, and the labels in both languages."""
    aliases = {key: key for key in COLUMN_LABELS}
    for language in ("vi", "en"):
        with translation.override(language):
            for key, label in COLUMN_LABELS.items():
                aliases.setdefault(normalise_header(str(label)), key)
    return aliases


def canonical_headers(headers: Sequence[str]) -> list[str]:
    aliases = header_aliases()
    return [aliases.get(h, h) for h in headers]


def read_columns() -> list[str]:
    """The headers (codes and labels) of the columns an import reads: the others (names,
    targets: help for the person) are not kept in memory."""
    wanted = set(KEY_COLUMNS + FIGURE_COLUMNS)
    return sorted(header for header, key in header_aliases().items() if key in wanted)


TEMPLATE_COLUMNS = [
    "unit_code", "unit_name", "period", "indicator_code", "indicator_name",
    "numerator", "denominator", "value", "comment", "not_occurred", "numerator_label", "denominator_label",
    "target", "last_quarter",
]  # fmt: skip
BATCH = 2000


@dataclass
class RowError:
    row: int
    column: str
    message: str
    unit: str = ""  # the unit and indicator the row is about, when the codes were understood
    indicator: str = ""

    def as_dict(self):
        label = COLUMN_LABELS.get(self.column)
        return {
            "row": self.row, "column": self.column, "column_label": str(label) if label else self.column,
            "message": str(self.message), "unit": self.unit, "indicator": self.indicator,
        }  # fmt: skip


Change = services.Change


@dataclass
class Plan:
    """What an import would do: every row classified, every error found."""

    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    rows_read: int = 0
    bad_rows: set = field(default_factory=set)
    versions: dict = field(default_factory=dict)  # (unit id, period id) → report version seen (0: none)
    blank: int = 0  # rows of the template left empty: nothing to do, not an error

    @property
    def counts(self):
        counts = {"new": 0, "changed": 0, "unchanged": 0, "errors": len(self.bad_rows), "blank": self.blank}
        for change in self.changes:
            counts[change.kind] += 1
        return counts


def check_columns(headers: Sequence[str]) -> list[RowError]:
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    return [RowError(1, c, _("The column “%(column)s” is missing.") % {"column": c}) for c in missing]


def _key_cells_merged(sheet, headers):
    """Rows whose key cells are part of a merged range (the merge leaves all but one empty).
    Only the sheet's own rows are visited: a range reaching row 1,048,576 costs what the rows
    it covers cost, not a million steps (the reader already refused more than 10,000 ranges)."""
    key_columns = {headers.index(c) + 1 for c in KEY_COLUMNS if c in headers}
    numbers = [number for number, _values in sheet.rows]  # ascending, as the sheet numbers them
    rows = {}
    for (r0, c0), (r1, c1) in sheet.merged:
        touched = [column for column in key_columns if c0 <= column <= c1]
        if not touched:
            continue
        for number in numbers[bisect_left(numbers, r0) : bisect_right(numbers, r1)]:
            rows[number] = headers[touched[0] - 1]
    return rows


def plan_import(*, sheet: Sheet, user, progress: Callable[[int], None] | None = None) -> Plan:
    """Check every row of `sheet` (parc.lib.spreadsheets.Sheet) for `user`; write nothing."""
    plan = Plan(rows_read=len(sheet.rows))
    headers = canonical_headers(sheet.headers)
    plan.errors.extend(check_columns(headers))
    if plan.errors:
        return plan
    merged = _key_cells_merged(sheet, headers)
    index = {name: headers.index(name) for name in (*KEY_COLUMNS, *FIGURE_COLUMNS) if name in headers}
    cells = [
        (number, {name: values[i] if i < len(values) else None for name, i in index.items()})
        for number, values in sheet.rows
    ]

    # The maps: one query per table, whatever the number of rows.
    codes = {cell_text(r.get("unit_code")) for _n, r in cells}
    period_codes = {cell_text(r.get("period")).upper() for _n, r in cells}
    years_kinds = set()
    for code in period_codes:
        try:
            years_kinds.add(parse_period_code(code))
        except ValueError:
            pass
    quarters = _or(Q(year=y, kind=k) for y, k in years_kinds if k in ("Q1", "Q2", "Q3", "Q4"))
    periods = {p.code: p for p in ReportingPeriod.objects.filter(quarters)}
    units_by_code = {}
    for unit in AdministrativeUnit.objects.filter(code__in=codes):
        units_by_code.setdefault(unit.code, []).append(unit)
    indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
    reports = {
        (r.unit_id, r.period_id): r
        for r in Report.objects.filter(unit__code__in=codes, period__in=list(periods.values()))
    }
    values = {
        (v.report_id, v.indicator_id): v
        for v in ReportValue.objects.filter(report__in=list(reports.values())).only(
            "id", "report_id", "indicator_id", "numerator", "denominator", "value", "comment", "not_occurred"
        )
    }

    seen = {}
    refusals = {}
    for position, (number, row) in enumerate(cells, start=1):
        if progress and position % 5000 == 0:
            progress(position)
        row_errors = []

        def error(column, message, _errors=row_errors, _number=number):
            _errors.append(RowError(_number, column, message))

        if all(cell_text(row.get(c)) == "" for c in FIGURE_COLUMNS):
            plan.blank += 1  # a template row left empty: nothing to import, nothing wrong
            continue
        if number in merged:
            error(merged[number], _("Merged cells in a key column: unmerge them and repeat the value on every row."))
        unit_code, period_code, indicator_code = (cell_text(row.get(c)) for c in KEY_COLUMNS)
        period_code = period_code.upper()
        period = periods.get(period_code)
        if not period_code:
            error("period", _("The period is empty (write it as 2026-Q2)."))
        elif period is None:
            error("period", _("Unknown period “%(code)s” (write it as 2026-Q2).") % {"code": period_code})
        unit = None
        if not unit_code:
            error("unit_code", _("The unit code is empty."))
        else:
            candidates = units_by_code.get(unit_code, [])
            if period is not None:
                candidates = [
                    u
                    for u in candidates
                    if (u.valid_from is None or u.valid_from <= period.end)
                    and (u.valid_to is None or u.valid_to >= period.start)
                ]
            # A unit the user may not edit answers exactly as a code that does not exist: an
            # import must not tell an officer which units exist elsewhere.
            candidates = [u for u in candidates if scoping.can(user, scoping.EDIT, u)]
            if not candidates:
                error(
                    "unit_code",
                    _("Unknown unit code %(code)s, or not one of the units you may edit.") % {"code": unit_code},
                )
            else:
                unit = candidates[0]
        indicator = indicators.get(indicator_code)
        if not indicator_code:
            error("indicator_code", _("The indicator code is empty."))
        elif indicator is None:
            error("indicator_code", _("Unknown indicator code %(code)s.") % {"code": indicator_code})
        elif unit is not None and not indicator.applies_to(unit.level):
            error("indicator_code", _("Units of this level do not report %(code)s.") % {"code": indicator_code})
        if unit is not None and period is not None and indicator is not None and not row_errors:
            key = (unit.pk, period.pk, indicator.pk)
            if key in seen:
                error(
                    "indicator_code",
                    _("Duplicate row: row %(row)s has the same unit, period and indicator.") % {"row": seen[key]},
                )
            else:
                seen[key] = number
            report = reports.get((unit.pk, period.pk))
            if (unit.pk, period.pk) not in refusals:
                refusals[(unit.pk, period.pk)] = edit_refusal(user=user, unit=unit, period=period, report=report)
            if refusals[(unit.pk, period.pk)]:
                error("unit_code", refusals[(unit.pk, period.pk)])
        figure = None
        if indicator is not None:
            figure = check_figure(
                indicator,
                numerator=row.get("numerator"),
                denominator=row.get("denominator"),
                value=row.get("value"),
                comment=cell_text(row.get("comment")),
                not_occurred=row.get("not_occurred"),
            )
            for column, message in figure.errors:
                error(column, message)
            if not figure.errors and figure.is_empty:
                error("value" if indicator.kind != IndicatorKind.RATIO else "numerator", _("The row has no figure."))
        if row_errors:
            for row_error in row_errors:
                row_error.unit = unit.name if unit is not None else unit_code
                row_error.indicator = indicator.name if indicator is not None else indicator_code
            plan.errors.extend(row_errors)
            plan.bad_rows.add(number)
            continue
        report = reports.get((unit.pk, period.pk))
        current = values.get((report.pk, indicator.pk)) if report else None
        new = figure.figures
        if current is None:
            kind, old = "new", None
        else:
            old = tuple(getattr(current, name) for name in services.STORED_FIELDS)
            kind = "unchanged" if services.figures_equal(old, new) else "changed"
        plan.changes.append(Change(number, unit, period, indicator, kind, old, new, current, figure))
        plan.versions[(unit.pk, period.pk)] = report.version if report else 0
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def _or(qs):
    combined = Q(pk__in=[])
    for q in qs:
        combined |= q
    return combined


def write_import(*, plan: "Plan", user, filename: str, base_versions=None, progress=None) -> int:
    """Write the good rows of `plan` through the one writer of figures
    (services.report_values_write_many): drafts, history "imported from <file>", nothing
    written when a report changed since `base_versions` (the preview's; by default the plan's
    own, for a plan checked and written at once, as the admin's import does)."""
    reason = (_("imported from %(name)s") % {"name": filename})[:100]  # the history column holds 100
    try:
        return services.report_values_write_many(
            user=user,
            changes=plan.changes,
            base_versions=plan.versions if base_versions is None else base_versions,
            source=services.Source.IMPORT,
            reason=reason,
            progress=progress,
        )
    except services.WriteRefused as exc:
        raise ImportRefused(exc.row, exc.message) from None


class ImportRefused(Exception):
    def __init__(self, row, message):
        super().__init__(message)
        self.row = row
        self.message = message


ReportsChanged = services.ReportsChanged


# ---------------------------------------------------------------------------------------------
# Files for the user: the template to fill, and the rejected rows


class NothingToFill(Exception):
    """No report of the chosen unit and quarter may be changed by this user; str() says why."""


def template_workbook(
    *, units: Sequence[AdministrativeUnit], period: ReportingPeriod, targets: Mapping, previous: Mapping, user
) -> bytes:
    """One row per (unit, indicator) the user may still change, with help columns."""
    from indicators.selectors import indicators_for

    wb = Workbook()
    ws = wb.active
    ws.title = period.code
    reports = {r.unit_id: r for r in Report.objects.filter(period=period, unit__in=units)}
    values = {
        (v.report.unit_id, v.indicator_id): v
        for v in ReportValue.objects.filter(report__period=period, report__unit__in=units).select_related("report")
    }
    rows = []
    by_level = {}  # one catalogue query per level, not per unit
    refusals = []
    for unit in units:
        refusal = edit_refusal(user=user, unit=unit, period=period, report=reports.get(unit.pk))
        if refusal:
            refusals.append(refusal)
            continue  # locked reports are left out
        if unit.level not in by_level:
            by_level[unit.level] = indicators_for(unit)
        for indicator in by_level[unit.level]:
            current = values.get((unit.pk, indicator.pk))
            target = targets.get((unit.pk, indicator.pk))
            last = previous.get((unit.pk, indicator.pk))
            rows.append([
                unit.code, unit.name, period.code, indicator.code, indicator.name_vi,
                current.numerator if current else None, current.denominator if current else None,
                current.value if current else None, current.comment if current else None,
                NOT_OCCURRED_CHOICE if current and current.not_occurred else None,
                indicator.numerator_label or None, indicator.denominator_label or None,
                f"{target.get_comparator_display()} {target.value.normalize():f}" if target else None,
                round(last, 2) if last is not None else None,
            ])  # fmt: skip
    if not rows:  # an empty file would only puzzle: say why there is nothing to fill
        raise NothingToFill(refusals[0] if refusals else _("No unit here reports in this quarter."))
    write_table(ws, [str(COLUMN_LABELS[c]) for c in TEMPLATE_COLUMNS], rows)
    _guide(ws, [r[3] for r in rows], {i.code: i for level in by_level.values() for i in level})
    return workbook_bytes(wb)


TO_FILL = PatternFill("solid", start_color="FFF4C2")  # the cells to fill: light yellow
NOT_USED = PatternFill("solid", start_color="E7E7E7")  # a figure this indicator does not have


def _guide(ws, codes, indicators):
    """Make the template say what to fill: the cells to fill shaded and open, everything else
    locked (the sheet is protected without a password: it guides, it does not forbid), and each
    figure cell checked by Excel itself as it is typed (whole counts, percentages 0–100)."""
    column = {name: TEMPLATE_COLUMNS.index(name) + 1 for name in (*FIGURE_COLUMNS,)}
    messages = {
        "whole": (_("A whole number"), _("Type a whole number, 0 or more (no decimals).")),
        "percent": (_("A percentage"), _("Type a percentage between 0 and 100 (decimal comma allowed).")),
        "number": (_("A number"), _("Type a number, 0 or more.")),
    }
    checks = {}
    for key, (title, text) in messages.items():
        kind, operator, low, high = {
            "whole": ("whole", "greaterThanOrEqual", "0", None),
            "percent": ("decimal", "between", "0", "100"),
            "number": ("decimal", "greaterThanOrEqual", "0", None),
        }[key]
        check = DataValidation(type=kind, operator=operator, formula1=low, formula2=high, allow_blank=True)
        check.error, check.errorTitle, check.showErrorMessage = text, title, True
        check.prompt, check.promptTitle, check.showInputMessage = text, title, True
        checks[key] = check
        ws.add_data_validation(check)
    # "Không phát sinh": one choice in a drop-down, so nobody has to know which words count.
    said = DataValidation(type="list", formula1=f'"{NOT_OCCURRED_CHOICE}"', allow_blank=True)
    said.error, said.errorTitle, said.showErrorMessage = (
        _("Choose “%(word)s” or leave the cell empty.") % {"word": NOT_OCCURRED_CHOICE},
        str(COLUMN_LABELS["not_occurred"]),
        True,
    )
    ws.add_data_validation(said)
    for number, code in enumerate(codes, start=2):
        indicator = indicators[code]
        if indicator.is_ratio:
            open_cells, closed = ("numerator", "denominator"), ("value",)
            check = "whole"
        else:
            open_cells, closed = ("value",), ("numerator", "denominator")
            check = {IndicatorKind.PERCENT: "percent", IndicatorKind.COUNT: "whole"}.get(indicator.kind, "number")
        for name in open_cells:
            cell = ws.cell(row=number, column=column[name])
            cell.fill, cell.protection = TO_FILL, Protection(locked=False)
            checks[check].add(cell.coordinate)
        for name in closed:
            ws.cell(row=number, column=column[name]).fill = NOT_USED
        ws.cell(row=number, column=column["comment"]).protection = Protection(locked=False)
        cell = ws.cell(row=number, column=column["not_occurred"])
        cell.protection = Protection(locked=False)
        said.add(cell.coordinate)
    ws.protection.sheet = True
    # What stays allowed on the protected sheet: widening columns, sorting and filtering.
    ws.protection.formatColumns = ws.protection.formatRows = ws.protection.sort = ws.protection.autoFilter = False


def rejected_workbook(*, sheet: Sheet, errors: Sequence[Mapping]) -> bytes:
    """The rows that were not imported, as they came, with the reasons in a last column."""
    by_row = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(f"{e['column']}: {e['message']}")
    wb = Workbook()
    ws = wb.active
    ws.title = "loi"
    rows = [[*values, "; ".join(by_row[number])] for number, values in sheet.rows if number in by_row]
    write_table(ws, [*sheet.headers, "loi"], rows)
    return workbook_bytes(wb)
