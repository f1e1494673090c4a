"""Reads of the catalogue and the calendar."""

from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.db.models import Avg, Count, Q, Sum
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
from parc.lib.periods import QUARTERS, parse_period_code
from units.models import AdministrativeUnit, Kind


def catalogue_by_field(*, include_inactive=False):
    """[(field label, [indicators])] in the order of the PAR fields."""
    qs = Indicator.objects.all() if include_inactive else Indicator.objects.active()
    order = {value: i for i, value in enumerate(ParField.values)}
    indicators = sorted(qs, key=lambda ind: (order.get(ind.field, 99), ind.display_order, ind.code))
    return [(ParField(field).label, list(items)) for field, items in groupby(indicators, key=lambda i: i.field)]


def periods_of_year(*, year):
    return list(ReportingPeriod.objects.filter(year=year).order_by("kind"))


# ---------------------------------------------------------------------------------------------
# Periods


def period_by_code(code):
    """The quarter named "2026-Q2", or None."""
    try:
        year, kind = parse_period_code(code)
    except ValueError:
        return None
    return ReportingPeriod.objects.filter(year=year, kind=kind).first()


def current_period(today=None):
    """The quarter whose data range holds today, else the latest one that has started."""
    today = today or timezone.localdate()
    period = ReportingPeriod.objects.filter(start__lte=today, end__gte=today).first()
    return period or ReportingPeriod.objects.filter(start__lte=today).order_by("-year", "-kind").first()


def previous_period(period):
    year, index = divmod(period.index - 1, 4)
    return ReportingPeriod.objects.filter(year=year, kind=QUARTERS[index]).first()


# ---------------------------------------------------------------------------------------------
# Entry


HISTORY_QUARTERS = 12  # how far back the outlier check looks


def indicators_for(unit):
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


def report_entry_rows(*, unit, period, report, targets):
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


def reporting_units(*, unit, period):
    """The unit and the committees right below it that exist during the period."""
    children = (
        AdministrativeUnit.objects.filter(parent=unit, kind=Kind.COMMITTEE)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
        .order_by("name")
    )
    return [unit, *children]


def report_lines(*, unit, period):
    """One line per reporting unit: its report (or none yet), in two queries."""
    units = reporting_units(unit=unit, period=period)
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(period=period, unit__in=units).select_related(
            "updated_by", "submitted_by", "period"
        )
    }
    return [ReportLine(u, reports.get(u.pk)) for u in units]


def completeness(*, unit, period):
    """Of the units right below `unit`: who submitted or was approved, on time or late, and who not.

    {"total", "sent" (submitted or approved), and lists of units: "submitted", "approved",
     "returned", "draft", "missing", "late", "on_time"} — the list a district officer chases
    on the 19th.
    """
    lines = report_lines(unit=unit, period=period)[1:]
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

    @property
    def figure(self):
        if self.indicator.kind == IndicatorKind.RATIO:
            return ratio_percent(self.numerator, self.denominator)
        return self.value


APPROVED_ONLY = (ReportStatus.APPROVED,)
SUBMITTED_TOO = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def rollup(*, units, indicators, periods, statuses=APPROVED_ONLY):
    """Aggregate the figures of `units` over `periods` (quarters), per indicator, in SQL.

    - ratio: Σ numerators / Σ denominators (never the mean of percentages);
    - count: the sum; percent: the mean of the units' figures (marked as such); score: the mean;
    - time aggregation "last": only the latest quarter of `periods` that has figures counts.
    One query per time aggregation present, whatever the number of units.
    """
    indicators = list(indicators)
    periods = sorted(periods, key=lambda p: p.index)
    base = ReportValue.objects.filter(report__unit__in=units, report__status__in=statuses)
    result = {}
    for aggregation in (TimeAggregation.SUM, TimeAggregation.LAST):
        group = [i for i in indicators if i.time_aggregation == aggregation]
        if not group:
            continue
        rows = (
            base.filter(indicator__in=group, report__period__in=periods)
            .values("indicator_id", "report__period_id")
            .annotate(
                n=Sum("numerator"),
                d=Sum("denominator"),
                total=Sum("value"),
                mean=Avg("value"),
                count=Count("report__unit", distinct=True),
            )
        )
        index = {p.pk: p.index for p in periods}
        per_indicator = {}
        for row in rows:
            per_indicator.setdefault(row["indicator_id"], []).append((index[row["report__period_id"]], row))
        for indicator in group:
            found = sorted(per_indicator.get(indicator.pk, []), key=lambda item: item[0])
            if aggregation == TimeAggregation.LAST:
                found = found[-1:]
            result[indicator.pk] = _combine(indicator, [row for _, row in found])
    return result


def _combine(indicator, rows):
    if not rows:
        return Rollup(indicator, None, None, None, 0, indicator.kind in MEAN_KINDS)
    units = max(r["count"] for r in rows)
    if indicator.kind == IndicatorKind.RATIO:
        return Rollup(indicator, sum(r["n"] or 0 for r in rows), sum(r["d"] or 0 for r in rows), None, units, False)
    if indicator.kind == IndicatorKind.COUNT:
        return Rollup(indicator, None, None, sum(r["total"] or 0 for r in rows), units, False)
    means = [Decimal(str(r["mean"])) for r in rows if r["mean"] is not None]
    value = sum(means) / len(means) if means else None
    return Rollup(indicator, None, None, value, units, True)


MEAN_KINDS = (IndicatorKind.PERCENT, IndicatorKind.SCORE)


# ---------------------------------------------------------------------------------------------
# History


HISTORY_FIELDS = {
    "report": ("status", "return_reason", "reopen_reason"),
    "value": ("numerator", "denominator", "value", "comment"),
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
        if self.who is None:
            return _("the system")
        return self.who.get_full_name() or self.who.get_username()


def report_history(*, report):
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
            if before is None and new in (None, ""):
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
    if value in (None, ""):
        return "—"
    if name == "status":
        return ReportStatus(value).label
    if isinstance(value, Decimal):
        return format_number(value.normalize())
    return value
