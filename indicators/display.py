"""How a figure of an indicator is written: the one answer that pages, the admin and the
spreadsheets ask, from the indicator's kind and unit of measure.

- a count is whole, with its unit: "13 sáng kiến" (Excel: "0");
- a percentage (a ratio, or a percentage entered as such) has two decimals and the sign:
  "98,40 %" (Excel: "0.00");
- a score or mean has two decimals and its unit: "4,61 ngày" (Excel: "0.00").

Numbers are written the Vietnamese way (1.234,5) by parc.lib.numbers; a missing figure is "—".
"""

from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from indicators.models import IndicatorKind
from parc.lib.numbers import format_number
from parc.lib.xlsx import Number

MISSING = "—"


class FigureStyle(NamedTuple):
    decimals: int
    unit: str  # "%", "ngày", "sáng kiến" … or ""

    @property
    def number_format(self) -> str:
        """The Excel number format with as many decimals: "0", "0.00"."""
        return "0." + "0" * self.decimals if self.decimals else "0"


def figure_style(indicator) -> FigureStyle:
    """How many decimals the figures of `indicator` show, and after what unit."""
    if indicator.is_percentage:
        return FigureStyle(2, "%")
    # Counts are whole (indicators.validation refuses a decimal), so are their sums.
    if indicator.kind == IndicatorKind.COUNT:
        return FigureStyle(0, indicator.unit_of_measure.strip())
    return FigureStyle(2, indicator.unit_of_measure.strip())


def figure_text(indicator, figure: Decimal | float | int | None, *, exact: bool = False) -> str:
    """ "13 sáng kiến", "98,40 %", "4,61 ngày"; None → "—".

    `exact`: as many decimals as the number has, for values people set rather than compute (a
    target reads "≥ 55 %" and "≤ 7 ngày", not "≥ 55,00 %")."""
    if figure is None:
        return MISSING
    style = figure_style(indicator)
    return _with_unit(format_number(figure, None if exact else style.decimals), style.unit)


def change_text(indicator, change: Decimal | None) -> str:
    """A difference between two figures, without its sign: "2,35 điểm %" for percentages
    (percentage points, not per cent), "2 sáng kiến", "0,50 ngày"; None → ""."""
    if change is None:
        return ""
    style = figure_style(indicator)
    unit = _("points") if indicator.is_percentage else style.unit
    return _with_unit(format_number(abs(change), style.decimals), unit)


def figure_cell(indicator, figure) -> Number:
    """The figure for a spreadsheet: the number itself, never text, unrounded (parc.lib.xlsx keeps
    four decimals), shown by Excel in the indicator's format ("13", "98,40")."""
    return Number(figure, figure_style(indicator).number_format)


def count_text(number) -> str:
    """One of the two counts of a ratio (dossiers resolved, dossiers received): whole, without a
    unit (its label names it): "257.141"; None → "—"."""
    return MISSING if number is None else format_number(number, 0)


def count_cell(number) -> Number:
    return Number(number, COUNT.number_format)


COUNT = FigureStyle(0, "")


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text
