"""What a leader's dashboard shows, computed in a fixed number of queries whatever the number of
units or indicators, and cached under the data version (parc.lib.cache)."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from indicators import display
from indicators import selectors as figures
from indicators.models import Indicator, ParField
from parc.lib.cache import data_version
from parc.lib.periods import SPAN_LABELS
from plans.achievement import MET, NO_TARGET, achievement
from plans.selectors import overdue_tasks, targets_by_years
from units.models import LEVEL_RANK, AdministrativeUnit, Level

T = TypeVar("T")


@dataclass
class Filters:
    year: int
    span: str = "Q1"
    field: str = ""
    indicator: str = ""
    include_submitted: bool = False
    sort: str = ""

    @property
    def statuses(self):
        return figures.SUBMITTED_TOO if self.include_submitted else figures.APPROVED_ONLY

    def cache_key(self, unit):
        parts = [unit.pk, self.year, self.span, self.field, self.indicator, int(self.include_submitted), self.sort]
        return "dash:{}:{}:{}".format(data_version(), get_language(), ":".join(str(p) for p in parts))


@dataclass
class Judged:
    """A figure with the target it is judged against, and how the page writes them (computed
    once here and cached: a national matrix has thousands of cells)."""

    rollup: object  # indicators.selectors.Rollup
    target: object = None  # plans.models.Target
    result: object = None  # plans.achievement.Achievement
    text: str = "—"  # "98,59 %"
    word: str = ""  # "Đạt"

    @property
    def figure(self):
        return self.rollup.figure if self.rollup else None


def figure_text(rollup: figures.Rollup) -> str:
    """A figure as the page writes it (indicators.display): "98,59 %", "3 sáng kiến", "4,61 ngày"."""
    if rollup is None:
        return "—"
    return display.figure_text(rollup.indicator, rollup.figure)


def _judge(rollup, target):
    indicator = rollup.indicator
    result = achievement(
        value=rollup.figure,
        comparator=target.comparator if target else None,
        target_value=target.value if target else None,
        direction=indicator.direction,
    )
    return Judged(rollup, target, result, figure_text(rollup), str(result.label))


@dataclass
class Card:
    indicator: Indicator
    now: Judged
    change: Decimal | None  # since the previous span, in the figure's own unit (points for %)
    trend: list  # [(label, figure or None, target value or None)] over the last 8 quarters


class Cell(NamedTuple):
    """A matrix cell: a tuple rather than a Judged, as a province has thousands of them."""

    figure: Decimal | None
    status: str  # plans.achievement: met, not_met, no_data, no_target
    text: str  # "98,59 %"
    pending: int  # figures not yet approved in it


@dataclass
class MatrixRow:
    unit: AdministrativeUnit
    cells: list  # Cell, in the order of the indicators
    met: int = 0
    with_target: int = 0
    rank: int = 0


@dataclass
class Dashboard:
    unit: AdministrativeUnit
    filters: Filters
    span_label: str
    periods: list
    indicators: list
    cards: list
    levels: list  # [(level, {indicator id: Rollup})] for each level below
    child_indicators: list
    matrix: list  # MatrixRow, ranked or sorted
    completeness: dict | None
    completeness_period: object
    overdue: list

    @property
    def pending_shown(self):
        return self.filters.include_submitted


def cached(key: str, compute: Callable[[], T]) -> T:
    """compute() once per key while DASHBOARD_CACHE_SECONDS allows (0: never cached)."""
    timeout = settings.DASHBOARD_CACHE_SECONDS
    if timeout <= 0:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


class Reference(NamedTuple):
    """What every dashboard load reads once and shares between the filter form and the
    figures: the reporting calendar and the active catalogue (a query each)."""

    calendar: figures.Calendar
    indicators: list  # active Indicator rows

    @classmethod
    def read(cls):
        """From the cache under the data version, which saving a quarter or an indicator bumps."""
        key = f"dash:{data_version()}:reference"
        return cached(key, lambda: cls(figures.calendar(), list(Indicator.objects.active())))


def unit_dashboard(*, unit: AdministrativeUnit, filters: Filters, reference: "Reference | None" = None) -> Dashboard:
    """The dashboard of `unit`, from the cache when nothing has changed since it was computed."""
    return cached(filters.cache_key(unit), lambda: _compute(unit, filters, reference or Reference.read()))


def _indicators(reference, level, filters):
    """The active indicators units of `level` report, narrowed by the filters, by PAR field."""
    order = {value: i for i, value in enumerate(ParField.values)}
    chosen = [
        i
        for i in reference.indicators
        if i.applies_to(level)
        and (not filters.field or i.field == filters.field)
        and (not filters.indicator or i.code == filters.indicator)
    ]
    return sorted(chosen, key=lambda i: (order.get(i.field, 99), i.display_order, i.code))


def _children(unit, periods):
    return list(AdministrativeUnit.objects.committees_below(unit, periods[0].start, periods[-1].end))


def _compute(unit, filters, reference):
    calendar = reference.calendar
    periods = calendar.span(year=filters.year, span=filters.span)
    own_level = unit.level if unit.level != Level.NATION else Level.PROVINCE
    indicators = _indicators(reference, own_level, filters)
    if not periods:
        return Dashboard(unit, filters, SPAN_LABELS[filters.span], [], indicators, [], [], [], [], None, None, [])
    statuses = filters.statuses
    children = _children(unit, periods)

    child_level = children[0].level if children else None
    child_indicators = _indicators(reference, child_level, filters) if children else []
    # The targets of the page's year for the unit and its children, and of the trend's earlier
    # years for the unit alone, in one query.
    quarters = calendar.recent(until=periods[-1])
    targets_by_year = targets_by_years(
        units_by_year={**{q.year: [unit] for q in quarters}, filters.year: [unit, *children]},
        indicators=set(indicators) | set(child_indicators),
    )
    targets = targets_by_year[filters.year]
    # The unit's own figures, judged against its targets, with the change since the span before
    # and the trend: one roll-up query for the three.
    prev_year, prev_span = figures.previous_span(year=filters.year, span=filters.span)
    own = figures.rollup_spans(
        units=[unit],
        indicators=indicators,
        spans={"now": periods, "before": calendar.span(year=prev_year, span=prev_span)}
        | {quarter: [quarter] for quarter in quarters},
        statuses=statuses,
    )
    cards = _cards(unit, indicators, quarters, own, targets_by_year, filters)

    # Each level below, rolled up (ratio of sums), side by side with the unit's own figures.
    below = AdministrativeUnit.objects.committees_under(unit)
    levels = sorted(set(below.values_list("level", flat=True)), key=LEVEL_RANK.get)
    if levels:
        by_level = figures.rollup_by_level(units=below, indicators=indicators, periods=periods, statuses=statuses)
        empty = {i.pk: figures.empty_rollup(i) for i in indicators}
        levels = [(level, by_level.get(level, empty)) for level in levels]

    # The matrix: each unit right below, each indicator, judged and ranked.
    by_unit = figures.rollup_by_unit(units=children, indicators=child_indicators, periods=periods, statuses=statuses)
    matrix = _matrix(children, child_indicators, by_unit, targets, filters.sort)

    last = periods[-1]
    # A quarter's children are the last quarter's: no need to read them again.
    completeness = (
        figures.completeness(unit=unit, period=last, units=children if len(periods) == 1 else None)
        if children
        else None
    )
    return Dashboard(
        unit=unit,
        filters=filters,
        span_label=SPAN_LABELS[filters.span],
        periods=periods,
        indicators=indicators,
        cards=cards,
        levels=levels,
        child_indicators=child_indicators,
        matrix=matrix,
        completeness=completeness,
        completeness_period=last,
        overdue=list(overdue_tasks(unit=unit)[:20]),
    )


def _cards(unit, indicators, quarters, own, yearly_targets, filters):
    """own: {"now", "before", each quarter: {indicator id: Rollup}} (figures.rollup_spans)."""
    targets = yearly_targets[filters.year]
    labels = [(quarter, str(quarter)) for quarter in quarters]  # "Quý II/2026": translated once, not per card
    cards = []
    for indicator in indicators:
        now = _judge(own["now"][indicator.pk], targets.get((unit.pk, indicator.pk)))
        previous = own["before"][indicator.pk].figure
        change = now.figure - previous if previous is not None and now.figure is not None else None
        trend = []
        for quarter, label in labels:
            target = yearly_targets[quarter.year].get((unit.pk, indicator.pk))
            trend.append((label, own[quarter][indicator.pk].figure, target.value if target else None))
        cards.append(Card(indicator, now, change, trend))
    return cards


def _matrix(children, indicators, by_unit, targets, sort):
    rows = []
    for child in children:
        cells = []
        met = with_target = 0
        for indicator in indicators:
            key = (child.pk, indicator.pk)
            rollup = by_unit.get(key)
            figure = rollup.figure if rollup is not None else None
            target = targets.get(key)
            if target is None:
                status = NO_TARGET
            else:
                with_target += 1
                status = achievement(
                    value=figure, comparator=target.comparator, target_value=target.value, direction=indicator.direction
                ).status
                met += status == MET
            pending = rollup.pending if rollup is not None else 0
            cells.append(Cell(figure, status, display.figure_text(indicator, figure), pending))
        rows.append(MatrixRow(child, cells, met, with_target))
    # Rank by targets met; ties share a rank (1, 2, 2, 4 …).
    ordered = sorted(rows, key=lambda r: (-r.met, r.unit.name))
    for position, row in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        row.rank = previous.rank if previous and previous.met == row.met else position
    codes = [i.code for i in indicators]
    if sort in codes:
        column = codes.index(sort)
        lower_better = indicators[column].direction == "lower"

        def key(row):
            figure = row.cells[column].figure
            if figure is None:
                return (1, 0)
            return (0, figure if lower_better else -figure)

        return sorted(ordered, key=key)
    return ordered
