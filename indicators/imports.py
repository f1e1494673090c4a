"""Quarterly figures from a spreadsheet: the template, the checks, the preview and the write.

One file may hold many units, quarters and indicators: one row per (unit, quarter, indicator).
Everything is checked against maps loaded once (a query per table, never per row), under the
same rules as the entry form: scope, locks (approved, submitted, closed), figure checks. The
write is in batches, with history rows saying "imported from <file>".
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import Indicator, IndicatorKind, Report, ReportingPeriod, ReportStatus, ReportValue
from indicators.services import edit_refusal
from indicators.validation import check_figure
from parc.lib.cache import bump_data_version
from parc.lib.periods import parse_period_code
from parc.lib.spreadsheets import cell_text
from parc.lib.xlsx import workbook_bytes, write_table
from units.models import AdministrativeUnit

KEY_COLUMNS = ["unit_code", "period", "indicator_code"]
FIGURE_COLUMNS = ["numerator", "denominator", "value", "comment"]
REQUIRED_COLUMNS = KEY_COLUMNS + ["numerator", "denominator", "value"]
TEMPLATE_COLUMNS = [
    "unit_code", "unit_name", "period", "indicator_code", "indicator_name",
    "numerator", "denominator", "value", "comment", "numerator_label", "denominator_label",
    "target", "last_quarter",
]  # fmt: skip
BATCH = 2000


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": str(self.message)}


@dataclass
class Change:
    row: int
    unit: AdministrativeUnit
    period: ReportingPeriod
    indicator: Indicator
    kind: str  # "new", "changed", "unchanged"
    old: tuple  # (numerator, denominator, value, comment) or None
    new: tuple
    value: ReportValue | None = None


@dataclass
class Plan:
    """What an import would do: every row classified, every error found."""

    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    rows_read: int = 0
    bad_rows: set = field(default_factory=set)

    @property
    def counts(self):
        counts = {"new": 0, "changed": 0, "unchanged": 0, "errors": len(self.bad_rows)}
        for change in self.changes:
            counts[change.kind] += 1
        return counts


def check_columns(headers):
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    return [RowError(1, c, _("The column “%(column)s” is missing.") % {"column": c}) for c in missing]


def _key_cells_merged(sheet):
    """Rows whose key cells are part of a merged range (the merge leaves all but one empty)."""
    key_columns = {sheet.headers.index(c) + 1 for c in KEY_COLUMNS if c in sheet.headers}
    rows = {}
    for (r0, c0), (r1, c1) in sheet.merged:
        for column in key_columns:
            if c0 <= column <= c1:
                for row in range(r0, r1 + 1):
                    rows[row] = sheet.headers[column - 1]
    return rows


def plan_import(*, sheet, user, progress=None):
    """Check every row of `sheet` (parc.lib.spreadsheets.Sheet) for `user`; write nothing."""
    plan = Plan(rows_read=len(sheet.rows))
    plan.errors.extend(check_columns(sheet.headers))
    if plan.errors:
        return plan
    merged = _key_cells_merged(sheet)
    index = {name: sheet.headers.index(name) for name in sheet.headers if name}
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
            "id", "report_id", "indicator_id", "numerator", "denominator", "value", "comment"
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
            if not candidates:
                error("unit_code", _("Unknown unit code %(code)s.") % {"code": unit_code})
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
                indicator, numerator=row.get("numerator"), denominator=row.get("denominator"), value=row.get("value")
            )
            for column, message in figure.errors:
                error(column, message)
            if not figure.errors and figure.is_empty:
                error("value" if indicator.kind != IndicatorKind.RATIO else "numerator", _("The row has no figure."))
        if row_errors:
            plan.errors.extend(row_errors)
            plan.bad_rows.add(number)
            continue
        report = reports.get((unit.pk, period.pk))
        current = values.get((report.pk, indicator.pk)) if report else None
        comment = cell_text(row.get("comment"))
        new = (figure.numerator, figure.denominator, figure.value, comment)
        if current is None:
            kind, old = "new", None
        else:
            old = (current.numerator, current.denominator, current.value, current.comment)
            kind = "unchanged" if _same(old, new) else "changed"
        plan.changes.append(Change(number, unit, period, indicator, kind, old, new, current))
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def _or(qs):
    combined = Q(pk__in=[])
    for q in qs:
        combined |= q
    return combined


def _same(old, new):
    def norm(v):
        return v.normalize() if isinstance(v, Decimal) else v

    return tuple(map(norm, old)) == tuple(map(norm, new))


@transaction.atomic
def write_import(*, plan, user, filename, progress=None):
    """Write the good rows of `plan` as drafts: reports created where missing, values created or
    changed in batches, with history; returns the number of values written."""
    reason = (_("imported from %(name)s") % {"name": filename})[:100]  # the history column holds 100
    todo = [c for c in plan.changes if c.kind != "unchanged"]
    if not todo:
        return 0
    pairs = {(c.unit.pk, c.period.pk) for c in todo}
    reports = {(r.unit_id, r.period_id): r for r in Report.objects.select_for_update().filter(
        unit_id__in={u for u, _p in pairs}, period_id__in={p for _u, p in pairs}
    )}  # fmt: skip
    # A report may have changed since the preview: check the locks again under the row lock,
    # once per report.
    first_row = {}
    for change in todo:
        first_row.setdefault((change.unit.pk, change.period.pk), change)
    for pair, change in first_row.items():
        refusal = edit_refusal(user=user, unit=change.unit, period=change.period, report=reports.get(pair))
        if refusal:
            raise ImportRefused(change.row, refusal)
    missing = [(u, p) for u, p in pairs if (u, p) not in reports]
    if missing:
        _create_reports(missing, user, reason)
        for report in Report.objects.filter(unit_id__in={u for u, _p in pairs}, period_id__in={p for _u, p in pairs}):
            reports[(report.unit_id, report.period_id)] = report
    # Plain tuples: a model instance per value would cost more than writing it.
    created = [
        (reports[(c.unit.pk, c.period.pk)].pk, c.indicator.pk, *c.new) for c in todo if c.kind == "new"
    ]  # (report id, indicator id, numerator, denominator, value, comment)
    updated = [(c.value.pk, *c.new) for c in todo if c.kind == "changed"]  # (value id, n, d, v, comment)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The job's own status is saved afterwards with a normal commit, which flushes this
            # transaction's log too: not waiting for the disk here saves seconds and risks nothing.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        written = _write_postgresql(created, updated, user, reason, progress)
    else:
        written = _write_orm(created, updated, user, reason, progress)
    touched = [reports[pair].pk for pair in pairs]
    Report.objects.filter(pk__in=touched, status=ReportStatus.RETURNED).update(status=ReportStatus.DRAFT)
    Report.objects.filter(pk__in=touched).update(version=F("version") + 1, updated_by=user, updated_at=timezone.now())
    bump_data_version()
    return written


def _create_reports(pairs, user, reason):
    """Draft reports for (unit id, period id) pairs, with their history."""
    if connection.vendor != "postgresql":
        reports = [Report(unit_id=u, period_id=p, updated_by=user) for u, p in pairs]
        bulk_create_with_history(reports, Report, batch_size=BATCH, default_user=user, default_change_reason=reason)
        return
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, period_id, status, version, updated_at, updated_by_id, return_reason, reopen_reason)"
            " SELECT u, p, %s, 1, %s, %s, '', '' FROM unnest(%s::bigint[], %s::bigint[]) AS x(u, p) RETURNING id",
            [ReportStatus.DRAFT, timezone.now(), user.pk, [u for u, _p in pairs], [p for _u, p in pairs]],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(_copy_history_sql(Report), [timezone.now(), reason, "+", user.pk, ids])


def _copy_history_sql(model):
    """INSERT INTO <history table> SELECT <the rows' own columns>, <history columns> FROM <table>
    WHERE id = ANY(%s): history rows made by the database from the rows just written."""
    columns = ", ".join(f.column for f in model._meta.concrete_fields)
    history = model.history.model._meta.db_table
    return (
        f"INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type, history_user_id)"
        f" SELECT {columns}, %s, %s, %s, %s FROM {model._meta.db_table} WHERE id = ANY(%s)"
    )


def _write_orm(created, updated, user, reason, progress):
    """Portable path (SQLite): Django's bulk operations, in batches, with history rows."""
    created = [
        ReportValue(report_id=r, indicator_id=i, numerator=n, denominator=d, value=v, comment=c)
        for r, i, n, d, v, c in created
    ]
    existing = ReportValue.objects.in_bulk([row[0] for row in updated])
    for pk, n, d, v, c in updated:
        value = existing[pk]
        value.numerator, value.denominator, value.value, value.comment = n, d, v, c
    updated = list(existing.values())
    written = 0
    for start in range(0, len(created), BATCH):
        chunk = created[start : start + BATCH]
        bulk_create_with_history(chunk, ReportValue, batch_size=BATCH, default_user=user, default_change_reason=reason)
        written += len(chunk)
        if progress:
            progress(written)
    for start in range(0, len(updated), BATCH):
        chunk = updated[start : start + BATCH]
        bulk_update_with_history(
            chunk, ReportValue, ["numerator", "denominator", "value", "comment"], batch_size=BATCH,
            default_user=user, default_change_reason=reason,
        )  # fmt: skip
        written += len(chunk)
        if progress:
            progress(written)
    return written


PG_CHUNK = 20_000


def _write_postgresql(created, updated, user, reason, progress):
    """PostgreSQL path. New values: each chunk is COPYed into a temporary table, then one
    statement inserts them and writes their history rows from what it inserted
    (WITH ins AS (INSERT … RETURNING *) INSERT INTO history SELECT … FROM ins). Changed values:
    one UPDATE … FROM unnest(arrays) per chunk, and their history copied from the rows.

    Building a model instance per value and per history row (bulk_create_with_history) costs
    ~30 s for a national quarter of 100,000 values; this costs a few seconds, with the same rows
    and the same history (who, when, why, "+" created, "~" changed). Measured by `make bench`.
    """
    values = ReportValue._meta.db_table
    history = ReportValue.history.model._meta.db_table
    columns = ", ".join(f.column for f in ReportValue._meta.concrete_fields)
    copy_history = _copy_history_sql(ReportValue)
    now = timezone.now()
    written = 0
    with connection.cursor() as cursor:
        if created:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS parc_import_values (report_id bigint, indicator_id bigint,"
                " numerator numeric, denominator numeric, value numeric, comment text) ON COMMIT DROP"
            )
        for start in range(0, len(created), PG_CHUNK):
            chunk = created[start : start + PG_CHUNK]
            buffer = io.StringIO()
            # QUOTE_NONNUMERIC quotes text (an empty comment stays ""); None is written "" too, and
            # FORCE_NULL turns that back into NULL in the number columns.
            csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(chunk)
            buffer.seek(0)
            cursor.execute("TRUNCATE parc_import_values")
            cursor.copy_expert(
                "COPY parc_import_values FROM STDIN WITH (FORMAT csv, FORCE_NULL (numerator, denominator, value))",
                buffer,
            )
            cursor.execute(
                f"WITH ins AS (INSERT INTO {values} (report_id, indicator_id, numerator, denominator, value, comment)"
                " SELECT report_id, indicator_id, numerator, denominator, value, comment FROM parc_import_values RETURNING *)"
                f" INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type, history_user_id)"
                f" SELECT {columns}, %s, %s, '+', %s FROM ins",
                [now, reason, user.pk],
            )
            written += len(chunk)
            if progress:
                progress(written)
        for start in range(0, len(updated), PG_CHUNK):
            chunk = updated[start : start + PG_CHUNK]
            cursor.execute(
                f"UPDATE {values} AS v SET numerator = u.n, denominator = u.d, value = u.v, comment = u.c"
                " FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[], %s::text[]) AS u(id, n, d, v, c)"
                " WHERE v.id = u.id",
                [list(column) for column in zip(*chunk, strict=True)],
            )  # fmt: skip
            cursor.execute(copy_history, [now, reason, "~", user.pk, [row[0] for row in chunk]])
            written += len(chunk)
            if progress:
                progress(written)
    return written


class ImportRefused(Exception):
    def __init__(self, row, message):
        super().__init__(message)
        self.row = row
        self.message = message


# ---------------------------------------------------------------------------------------------
# Files for the user: the template to fill, and the rejected rows


def template_workbook(*, units, period, targets, previous, user):
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
    for unit in units:
        if edit_refusal(user=user, unit=unit, period=period, report=reports.get(unit.pk)):
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
                indicator.numerator_label or None, indicator.denominator_label or None,
                f"{target.get_comparator_display()} {target.value.normalize():f}" if target else None,
                round(last, 2) if last is not None else None,
            ])  # fmt: skip
    write_table(ws, TEMPLATE_COLUMNS, rows)
    return workbook_bytes(wb)


def rejected_workbook(*, sheet, errors):
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
