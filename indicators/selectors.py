"""Reads of the catalogue and the calendar."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    Indicator,
    IndicatorKind,
    ParField,
    Report,
    ReportingPeriod,
    ReportStatus,
    ReportValue,
    TimeAggregation,
    ratio_percent,
)
from parc.lib.numbers import format_number
from parc.lib.periods import QUARTERS, SPANS, parse_period_code
from parc.lib.text import person_name
from units import scoping
from units.models import AdministrativeUnit

# Units as a list, or a queryset the roll-up filters by (a subquery, not a list of ids).
UnitsArg = Iterable[AdministrativeUnit] | QuerySet


def catalogue_by_field(*, include_inactive: bool = False) -> list[tuple[str, list[Indicator]]]:
    """[(field label, [indicators])] in the order of the PAR fields."""
    qs = Indicator.objects.all() if include_inactive else Indicator.objects.active()
    order = {value: i for i, value in enumerate(ParField.values)}
    indicators = sorted(qs, key=lambda ind: (order.get(ind.field, 99), ind.display_order, ind.code))
    return [(ParField(field).label, list(items)) for field, items in groupby(indicators, key=lambda i: i.field)]


def periods_of_year(*, year: int) -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(year=year).order_by("kind"))


def latest_quarter_by_year(today: datetime.date | None = None) -> dict[int, ReportingPeriod]:
    """{year: its latest quarter that has begun}, newest year first: where a year switch goes
    (next year's quarters, opened ahead, have nothing in them yet)."""
    today = today or timezone.localdate()
    latest = {}
    for period in ReportingPeriod.objects.filter(start__lte=today).order_by("-year", "-kind"):
        latest.setdefault(period.year, period)
    return latest


# ---------------------------------------------------------------------------------------------
# The inbox: what waits for a user's action


@dataclass(frozen=True)
class InboxFilters:
    status: str = ReportStatus.SUBMITTED
    year: int | None = None
    period: ReportingPeriod | None = None
    level: str = ""
    district: AdministrativeUnit | None = None


# Whose action a report in each status waits for: submitted ones for a reviewer, returned ones
# for an editor of the unit (the officer who must correct them); approved ones are done and
# listed for reviewers who look back.
INBOX_ACTION = {
    ReportStatus.SUBMITTED: scoping.REVIEW,
    ReportStatus.RETURNED: scoping.EDIT,
    ReportStatus.APPROVED: scoping.REVIEW,
}


def reports_waiting(*, user: AbstractBaseUser, filters: InboxFilters) -> QuerySet[Report]:
    """Reports in `filters.status` at every level the user acts on, oldest submission first,
    each with its unit, its unit's parent, its quarter, who sent it and how many figures it has
    (`figures`): one query per page of results."""
    action = INBOX_ACTION[ReportStatus(filters.status)]
    reports = Report.objects.filter(scoping.scope_q(user, action, field="unit__path"), status=filters.status)
    if filters.period is not None:
        reports = reports.filter(period=filters.period)
    elif filters.year is not None:
        reports = reports.filter(period__year=filters.year)
    if filters.level:
        reports = reports.filter(unit__level=filters.level)
    if filters.district is not None:
        reports = reports.filter(unit__path__startswith=filters.district.path)
    reports = reports.select_related("unit__parent", "period", "submitted_by", "updated_by")
    reports = reports.annotate(figures=Count("values"))
    return reports.order_by("submitted_at", "period__year", "period__kind", "unit__path", "pk")


# ---------------------------------------------------------------------------------------------
# Periods


def period_by_code(code: str) -> ReportingPeriod | None:
    """The quarter named "2026-Q2", or None."""
    try:
        year, kind = parse_period_code(code)
    except ValueError:
        return None
    return ReportingPeriod.objects.filter(year=year, kind=kind).first()


class Calendar:
    """Every quarter on record, read in one query (a few rows a year), and what pages ask of
    them answered from that list: the dashboard asks five questions on every load."""

    def __init__(self, periods):
        self.quarters = sorted(periods, key=lambda p: p.index)  # oldest first

    @property
    def years(self):
        """The years that have quarters, newest first."""
        return sorted({p.year for p in self.quarters}, reverse=True)

    def current(self, today=None):
        """The quarter whose data range holds today, else the latest one that has started."""
        today = today or timezone.localdate()
        started = [p for p in self.quarters if p.start <= today]
        holding = [p for p in started if p.end >= today]
        if holding:
            return holding[0]
        return started[-1] if started else None

    def latest_due(self, today=None):
        """The latest quarter whose due date has passed (what leaders look at by default), else
        the current one."""
        today = today or timezone.localdate()
        due = [p for p in self.quarters if p.due < today]
        return due[-1] if due else self.current(today)

    def span(self, *, year, span):
        """The quarters of a span ("Q2", "H1", "M9", "Y") of `year` that exist, in order."""
        kinds = SPANS[span]
        return [p for p in self.quarters if p.year == year and p.kind in kinds]

    def recent(self, *, until, count=8):
        """The `count` quarters up to and including `until`, oldest first."""
        first = until.index - count + 1
        return [p for p in self.quarters if first <= p.index <= until.index]


def calendar() -> "Calendar":
    return Calendar(ReportingPeriod.objects.all())


def current_period(today: datetime.date | None = None) -> ReportingPeriod | None:
    return calendar().current(today)


def previous_period(period: ReportingPeriod) -> ReportingPeriod | None:
    year, index = divmod(period.index - 1, 4)
    return ReportingPeriod.objects.filter(year=year, kind=QUARTERS[index]).first()


# ---------------------------------------------------------------------------------------------
# Entry


HISTORY_QUARTERS = 12  # how far back the outlier check looks


def indicators_for(unit: AdministrativeUnit) -> list[Indicator]:
    return list(Indicator.objects.active().for_level(unit.level).order_by("display_order", "code"))


@dataclass
class EntryRow:
    indicator: Indicator
    value: ReportValue | None
    target: object  # plans.models.Target or None
    previous: Decimal | None  # last quarter's figure
    history: list  # earlier quarters' figures, oldest first

    @property
    def figure(self):
        return self.value.figure if self.value else None


def report_entry_rows(
    *, unit: AdministrativeUnit, period: ReportingPeriod, report: Report | None, targets: Mapping
) -> list[tuple[str, list["EntryRow"]]]:
    """Every indicator the unit reports, grouped by PAR field: [(field label, [EntryRow])].

    Queries: indicators, this report's values, earlier quarters' values (one query for the
    history and last quarter). `targets` comes from plans.selectors.targets_for (the views
    pass it, as indicators/ must not import plans/).
    """
    indicators = indicators_for(unit)
    values = {v.indicator_id: v for v in report.values.select_related("indicator")} if report else {}
    earlier = (
        ReportValue.objects.filter(report__unit=unit, report__period__year__gte=period.year - 3)
        .exclude(report__period=period)
        .select_related("indicator", "report__period")
    )
    history = {}
    for v in sorted(earlier, key=lambda v: v.report.period.index):
        if v.report.period.index < period.index:
            history.setdefault(v.indicator_id, []).append((v.report.period.index, v.figure))
    rows = []
    for indicator in indicators:
        past = history.get(indicator.pk, [])[-HISTORY_QUARTERS:]
        previous = next((f for i, f in reversed(past) if i == period.index - 1), None)
        rows.append(
            EntryRow(
                indicator,
                values.get(indicator.pk),
                targets.get((unit.pk, indicator.pk)),
                previous,
                [f for _, f in past],
            )
        )
    order = {value: i for i, value in enumerate(ParField.values)}
    rows.sort(key=lambda r: (order.get(r.indicator.field, 99), r.indicator.display_order))
    return [(ParField(f).label, list(items)) for f, items in groupby(rows, key=lambda r: r.indicator.field)]


# ---------------------------------------------------------------------------------------------
# The officer's list and completeness


NOT_STARTED = "not_started"


@dataclass
class ReportLine:
    unit: AdministrativeUnit
    report: Report | None

    @property
    def status(self):
        return self.report.status if self.report else NOT_STARTED

    @property
    def status_label(self):
        return self.report.get_status_display() if self.report else _("Not started")

    def is_late(self, period):
        if self.report:
            return self.report.is_late
        return timezone.localdate() > period.due


def reporting_units(*, unit: AdministrativeUnit, period: ReportingPeriod) -> list[AdministrativeUnit]:
    """The unit and the committees right below it that exist during the period."""
    return [unit, *AdministrativeUnit.objects.committees_below(unit, period.start, period.end)]


def report_lines(*, unit: AdministrativeUnit, period: ReportingPeriod) -> list["ReportLine"]:
    """One line per reporting unit: its report (or none yet), in two queries."""
    units = reporting_units(unit=unit, period=period)
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(period=period, unit__in=units).select_related(
            "updated_by", "submitted_by", "period"
        )
    }
    return [ReportLine(u, reports.get(u.pk)) for u in units]


def completeness(
    *, unit: AdministrativeUnit, period: ReportingPeriod, units: Sequence[AdministrativeUnit] | None = None
) -> dict:
    """Of the units right below `unit`: who submitted or was approved, on time or late, and who not.

    {"total", "sent" (submitted or approved), and lists of units: "submitted", "approved",
     "returned", "draft", "missing", "late", "on_time"} — the list a district officer chases
    on the 19th. `units`: those committees when the caller has read them already.
    """
    if units is None:
        units = list(AdministrativeUnit.objects.committees_below(unit, period.start, period.end))
    # Only what is counted here: no users or period joined (a national page has thousands).
    reports = Report.objects.filter(period=period, unit__in=units).only("unit_id", "status", "submitted_at")
    by_unit = {}
    for report in reports:
        report.period = period  # is_late reads its due date
        by_unit[report.unit_id] = report
    lines = [ReportLine(u, by_unit.get(u.pk)) for u in units]
    today = timezone.localdate()
    summary = {"total": len(lines), "submitted": [], "approved": [], "returned": [], "draft": [], "missing": []}
    late, on_time = [], []
    for line in lines:
        key = {NOT_STARTED: "missing", ReportStatus.DRAFT: "draft"}.get(line.status, line.status)
        summary[key].append(line.unit)
        sent = line.report is not None and line.report.submitted_at is not None and line.status != ReportStatus.DRAFT
        if sent and line.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            (late if line.report.is_late else on_time).append(line.unit)
        elif today > period.due:
            late.append(line.unit)
    summary["late"] = late
    summary["on_time"] = on_time
    summary["sent"] = len(summary["submitted"]) + len(summary["approved"])
    return summary


# ---------------------------------------------------------------------------------------------
# Roll-ups (DESIGN.md rule 1): in SQL, ratio of sums


@dataclass
class Rollup:
    indicator: Indicator
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    units: int  # how many units contributed
    is_mean: bool  # a percent indicator rolls up as the mean of its units
    pending: int = 0  # figures from reports submitted but not yet approved

    @property
    def figure(self):
        if self.indicator.kind == IndicatorKind.RATIO:
            return ratio_percent(self.numerator, self.denominator)
        return self.value


APPROVED_ONLY = (ReportStatus.APPROVED,)
SUBMITTED_TOO = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def rollup(
    *,
    units: UnitsArg,
    indicators: Iterable[Indicator],
    periods: Sequence[ReportingPeriod],
    statuses: Sequence[str] = APPROVED_ONLY,
) -> dict[int, "Rollup"]:
    """Aggregate the figures of `units` over `periods` (quarters), per indicator, in SQL.

    - ratio: Σ numerators / Σ denominators (never the mean of percentages);
    - count: the sum; percent: the mean of the units' figures (marked as such); score: the mean;
    - time aggregation "last": only the latest quarter of `periods` that has figures counts.
    `units` may be a list or a queryset (then it stays a subquery). One query, whatever the
    number of units and indicators. Returns {indicator id: Rollup}.
    """
    return rollup_spans(units=units, indicators=indicators, spans={"all": periods}, statuses=statuses)["all"]


def rollup_by_unit(
    *,
    units: UnitsArg,
    indicators: Iterable[Indicator],
    periods: Sequence[ReportingPeriod],
    statuses: Sequence[str] = APPROVED_ONLY,
) -> dict[tuple[int, int], "Rollup"]:
    """The same, for each unit on its own: {(unit id, indicator id): Rollup}. Keys with no
    figures are missing (empty_rollup() stands for them)."""
    return _rollup(units, indicators, periods, statuses, by="report__unit_id")


def rollup_by_level(
    *,
    units: UnitsArg,
    indicators: Sequence[Indicator],
    periods: Sequence[ReportingPeriod],
    statuses: Sequence[str] = APPROVED_ONLY,
) -> dict[str, dict[int, "Rollup"]]:
    """The same, for the units of each level together: {level: {indicator id: Rollup}}, every
    indicator present for each level that has figures. Two queries, whatever the number of
    units: the ids of the reports, then the roll-up of their values. Given the ids, PostgreSQL
    reads the values through the (report, indicator) index; joined to a subquery of the units,
    it scans the whole table instead (on the national database: ~110 ms against ~250 ms)."""
    reports = list(
        Report.objects.filter(unit__in=units, status__in=statuses, period__in=periods).values_list("id", flat=True)
    )
    grouped = _rollup(None, indicators, periods, statuses, by="report__unit__level", reports=reports)
    levels = {}
    for (level, indicator_id), figures in grouped.items():
        levels.setdefault(level, {})[indicator_id] = figures
    for rollups in levels.values():
        for indicator in indicators:
            rollups.setdefault(indicator.pk, empty_rollup(indicator))
    return levels


def rollup_spans(
    *,
    units: UnitsArg,
    indicators: Iterable[Indicator],
    spans: Mapping[str, Sequence[ReportingPeriod]],
    statuses: Sequence[str] = APPROVED_ONLY,
) -> dict[str, dict[int, "Rollup"]]:
    """rollup() for several spans of quarters at once, in one query over their union:
    {name: [quarters]} → {name: {indicator id: Rollup}}. A dashboard asks for the span it shows,
    the span before it and each quarter of its trend."""
    indicators = list(indicators)
    union = list({p.pk: p for periods in spans.values() for p in periods}.values())
    found = _grouped(units, {i.pk: i for i in indicators}, union, statuses) if indicators and union else {}
    result = {}
    for name, periods in spans.items():
        wanted = {p.index for p in periods}
        result[name] = {}
        for indicator in indicators:
            quarters = [(i, sums) for i, sums in found.get((None, indicator.pk), ()) if i in wanted]
            result[name][indicator.pk] = _combine_quarters(indicator, quarters) if quarters else empty_rollup(indicator)
    return result


def _rollup(units, indicators, periods, statuses, by, reports=None):
    """{(unit id or level, indicator id): Rollup} for the keys that have figures."""
    indicators = {i.pk: i for i in indicators}
    if not indicators or not periods:
        return {}
    found = _grouped(units, indicators, periods, statuses, by, reports)
    return {key: _combine_quarters(indicators[key[1]], quarters) for key, quarters in found.items()}


def _grouped(units, indicators, periods, statuses, by=None, reports=None):
    """{(unit id or level or None, indicator id): [(quarter index, sums)]}: one query, a row per
    indicator and quarter (and unit or level, with `by`)."""
    index = {p.pk: p.index for p in periods}
    keys = ["indicator_id", "report__period_id"] + ([by] if by else [])
    values = ReportValue.objects.filter(
        report__status__in=statuses,
        report__period__in=list(index),
        indicator__in=list(indicators),
        not_occurred=False,  # "did not occur" is reported, but it is not a figure to add up
    )
    values = values.filter(report__unit__in=units) if reports is None else values.filter(report_id__in=reports)
    # One row per (indicator, quarter[, unit or level]): flows and stocks alike, as "last" only
    # decides which quarters' rows are combined below. A report is one per (unit, quarter) and a
    # value one per (report, indicator), so within a group each row is a different unit:
    # COUNT(*) counts the units without the sort that COUNT(DISTINCT unit) costs.
    rows = (
        values.values_list(*keys)
        .annotate(
            n=Sum("numerator"),
            d=Sum("denominator"),
            total=Sum("value"),
            mean=Avg("value"),
            count=Count("*"),
            pending=Count("id", filter=Q(report__status=ReportStatus.SUBMITTED)),
        )
        .order_by()
    )
    found = {}
    for row in rows:
        key = (row[2] if by else None, row[0])
        quarters = found.get(key)
        if quarters is None:
            found[key] = [(index[row[1]], row[-6:])]
        else:
            quarters.append((index[row[1]], row[-6:]))
    return found


def _combine_quarters(indicator, quarters):
    """[(quarter index, sums)] of one indicator → its Rollup ("last": the latest quarter only)."""
    if len(quarters) > 1:
        quarters = sorted(quarters, key=lambda item: item[0])
        if indicator.time_aggregation == TimeAggregation.LAST:
            quarters = quarters[-1:]
    return _combine(indicator, [sums for _, sums in quarters])


def empty_rollup(indicator: Indicator) -> "Rollup":
    return Rollup(indicator, None, None, None, 0, indicator.kind in MEAN_KINDS)


def _combine(indicator, rows):
    """Rows of (Σ numerator, Σ denominator, Σ value, mean value, units, pending), one a quarter."""
    kind = indicator.kind
    if len(rows) == 1:  # one quarter (a matrix cell, most often): nothing to add up
        n, d, total, mean, units, pending = rows[0]
        if kind == IndicatorKind.RATIO:
            return Rollup(indicator, n or 0, d or 0, None, units, False, pending)
        if kind == IndicatorKind.COUNT:  # a count left blank stays blank, not 0
            return Rollup(indicator, None, None, total, units, False, pending)
        return Rollup(indicator, None, None, None if mean is None else Decimal(str(mean)), units, True, pending)
    units = max(r[4] for r in rows)
    pending = sum(r[5] for r in rows)
    if kind == IndicatorKind.RATIO:
        n, d = sum(r[0] or 0 for r in rows), sum(r[1] or 0 for r in rows)
        return Rollup(indicator, n, d, None, units, False, pending)
    if kind == IndicatorKind.COUNT:
        totals = [r[2] for r in rows if r[2] is not None]
        return Rollup(indicator, None, None, sum(totals) if totals else None, units, False, pending)
    means = [Decimal(str(r[3])) for r in rows if r[3] is not None]
    value = sum(means) / len(means) if means else None
    return Rollup(indicator, None, None, value, units, True, pending)


MEAN_KINDS = (IndicatorKind.PERCENT, IndicatorKind.SCORE)


# ---------------------------------------------------------------------------------------------
# History


HISTORY_FIELDS = {
    "report": ("status", "return_reason", "reopen_reason"),
    "value": ("numerator", "denominator", "value", "comment", "not_occurred"),
}


@dataclass
class HistoryEntry:
    when: object
    who: object
    what: str
    changes: list  # (field label, old, new)
    reason: str

    @property
    def who_name(self):
        return person_name(self.who, nobody=_("the system"))


def report_history(*, report: Report) -> list:
    """Every change to the report and its values, newest first: who, when, old → new.
    Two queries; diffs are computed in Python from consecutive history rows."""
    entries = []
    report_rows = list(report.history.select_related("history_user").order_by("history_date", "history_id"))
    _diff_rows(entries, report_rows, HISTORY_FIELDS["report"], lambda row: str(_("Report")), Report)
    value_rows = list(
        ReportValue.history.filter(report_id=report.pk)
        .select_related("history_user", "indicator")
        .order_by("id", "history_date", "history_id")
    )
    _diff_rows(entries, value_rows, HISTORY_FIELDS["value"], lambda row: row.indicator.code, ReportValue)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _diff_rows(entries, rows, fields, describe, model):
    previous = {}
    for row in rows:
        before = previous.get(row.id)
        changes = []
        for name in fields:
            new = getattr(row, name)
            old = getattr(before, name) if before is not None else None
            if before is None and (new is None or new == "" or new is False):
                continue
            if old != new:
                label = model._meta.get_field(name).verbose_name
                changes.append((label, _display(model, name, old), _display(model, name, new)))
        previous[row.id] = row
        if changes or row.history_type == "-":
            entries.append(
                HistoryEntry(
                    row.history_date, row.history_user, describe(row), changes, row.history_change_reason or ""
                )
            )


def _display(model, name, value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in (None, ""):
        return "—"
    if name == "status":
        return ReportStatus(value).label
    if isinstance(value, Decimal):
        return format_number(value.normalize())
    return value


# ---------------------------------------------------------------------------------------------
# Spans (a quarter, 6 months, 9 months, the year) and trends


def previous_span(*, year: int, span: str) -> tuple[int, str]:
    """The span to compare with: the quarter before, or the same span a year earlier."""
    if span in QUARTERS:
        index = year * 4 + QUARTERS.index(span) - 1
        return index // 4, QUARTERS[index % 4]
    return year - 1, span
