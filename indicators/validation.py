"""Checks of reported figures, shared by the entry form, the spreadsheet import and the admin.

Errors stop a figure from being saved; warnings (a value far from the unit's own history, as
DHIS2's min-max outlier check) only ask the officer to confirm with a comment.
"""

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from indicators.models import IndicatorKind
from parc.lib.numbers import AmbiguousNumber, format_number, parse_number

MIN_HISTORY_FOR_OUTLIERS = 4


@dataclass
class CheckedFigure:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    errors: list = field(default_factory=list)  # (field name, message)

    @property
    def is_empty(self):
        return self.numerator is None and self.denominator is None and self.value is None


def _number(raw, name, errors):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        number = parse_number(raw)
    except AmbiguousNumber:
        errors.append((name, _("“%(value)s” could be a thousand or a decimal: write 1234 or 1,234.") % {"value": raw}))
        return None
    except ValueError:
        errors.append((name, _("“%(value)s” is not a number.") % {"value": raw}))
        return None
    if number < 0:
        errors.append((name, _("A figure cannot be negative.")))
        return None
    return number


def _whole(number, name, errors):
    if number is not None and number != number.to_integral_value():
        errors.append(
            (name, _("Count whole items: %(value)s is not a whole number.") % {"value": format_number(number)})
        )
        return None
    return number


def check_figure(indicator, *, numerator=None, denominator=None, value=None):
    """Parse and check what was typed or read for `indicator`. Inputs may be text ("99,12")
    or numbers (spreadsheet cells)."""
    checked = CheckedFigure()
    errors = checked.errors
    if indicator.kind == IndicatorKind.RATIO:
        n = _whole(_number(numerator, "numerator", errors), "numerator", errors)
        d = _whole(_number(denominator, "denominator", errors), "denominator", errors)
        if errors:
            return checked
        if (n is None) != (d is None):
            missing = "denominator" if d is None else "numerator"
            errors.append((missing, _("Enter both numbers of the ratio (%(numerator)s / %(denominator)s).") % {
                "numerator": indicator.numerator_label, "denominator": indicator.denominator_label,
            }))  # fmt: skip
        elif n is not None and d == 0 and n > 0:
            errors.append(("denominator", _("The denominator is 0 but the numerator is not: nothing can be divided.")))
        elif n is not None and n > d:
            errors.append(
                ("numerator", _("The numerator (%(n)s) cannot be larger than the denominator (%(d)s).") % {
                    "n": format_number(n), "d": format_number(d),
                })
            )  # fmt: skip
        if not errors:
            checked.numerator, checked.denominator = n, d
        return checked
    number = _number(value, "value", errors)
    if number is None:
        return checked
    if indicator.kind == IndicatorKind.PERCENT and number > 100:
        errors.append(("value", _("A percentage lies between 0 and 100.")))
        return checked
    if indicator.kind == IndicatorKind.COUNT:
        number = _whole(number, "value", errors)
    checked.value = number
    return checked


def outlier_bounds(history):
    """(low, high) = mean ± 2 standard deviations of earlier figures, or None with fewer than 4."""
    figures = [float(f) for f in history if f is not None]
    if len(figures) < MIN_HISTORY_FOR_OUTLIERS:
        return None
    mean = statistics.fmean(figures)
    spread = 2 * statistics.stdev(figures)
    return Decimal(str(round(max(mean - spread, 0), 2))), Decimal(str(round(mean + spread, 2)))


def outlier_warning(figure, history):
    """A message when `figure` lies outside the unit's usual range, else None."""
    bounds = outlier_bounds(history)
    if figure is None or bounds is None:
        return None
    low, high = bounds
    if low <= figure <= high:
        return None
    return _(
        "%(value)s is far from this unit's earlier quarters (usually %(low)s–%(high)s). "
        "If it is right, say why in the comment."
    ) % {"value": format_number(figure, 2), "low": format_number(low, 2), "high": format_number(high, 2)}
