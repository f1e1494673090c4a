"""Checks of reported figures, shared by the entry form, the spreadsheet import and the admin.

Errors stop a figure from being saved; warnings (a value far from the unit's own history, as
DHIS2's min-max outlier check) only ask the officer to confirm with a comment.
"""

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from indicators.display import figure_text
from indicators.models import IndicatorKind
from parc.lib.numbers import AmbiguousNumber, format_number, parse_number
from parc.lib.text import fold

MIN_HISTORY_FOR_OUTLIERS = 4


# Bounds on every path (form, import, admin, API), so that what is saved can always be shown and
# summed: a count above a trillion is a typing mistake in any Vietnamese unit, and the columns
# hold 18 digits with 4 decimals (a national sum of 10^12-sized counts still fits).
COUNT_MAX = Decimal(10) ** 12
PERCENT_MAX = Decimal(100)
DECIMALS = 4  # the columns' scale: more decimals are rounded half up, as the database would
COMMENT_MAX = 2000
# Tab, line feed and carriage return are what a textarea sends; every other control character
# (NUL first: PostgreSQL refuses it in text) is refused, as are unpaired surrogates.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass
class CheckedFigure:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    comment: str = ""
    not_occurred: bool = False
    errors: list = field(default_factory=list)  # (field name, message)

    @property
    def is_empty(self):
        return self.numerator is None and self.denominator is None and self.value is None and not self.not_occurred

    @property
    def figures(self) -> tuple:
        """(numerator, denominator, value, comment, not_occurred): what a ReportValue stores."""
        return (self.numerator, self.denominator, self.value, self.comment, self.not_occurred)


def _blank(raw):
    return raw is None or (isinstance(raw, str) and not raw.strip())


# What people write for "did not occur this quarter", accent-folded: in the template's column (a
# drop-down offers the first), or in a figure's own cell, as officers write it in Excel today.
NOT_OCCURRED_WORDS = {"khong phat sinh", "kps", "x", "co", "yes", "true", "1", "did not occur"}
NOT_OCCURRED_NO = {"", "khong", "no", "false", "0"}
NOT_OCCURRED_IN_A_FIGURE = {"khong phat sinh", "kps", "did not occur"}  # not "x" or "1": figures


def says_not_occurred(raw) -> bool | None:
    """True for "không phát sinh" (a ticked box, True, "x", "KPS" …), False for nothing or a
    clear no, None for anything else (which is then a mistake to point out)."""
    if raw is None or raw is False:
        return False
    if raw is True:
        return True
    folded = fold(str(raw))
    if folded in NOT_OCCURRED_WORDS:
        return True
    return False if folded in NOT_OCCURRED_NO else None


def text_problem(text: str, *, max_length: int = COMMENT_MAX) -> str | None:
    """Why a piece of free text cannot be saved (a control character, too long), or None."""
    if len(text) > max_length:
        return _("Write at most %(max)s characters (this text has %(count)s).") % {
            "max": format_number(max_length), "count": format_number(len(text)),
        }  # fmt: skip
    for char in text:
        if (
            (ord(char) < 32 and char not in _ALLOWED_CONTROLS)
            or 0x7F <= ord(char) < 0xA0
            or 0xD800 <= ord(char) < 0xE000
        ):
            return _("The text contains an invisible control character (code %(code)s): delete it and type the text again.") % {
                "code": f"U+{ord(char):04X}",
            }  # fmt: skip
    return None


def _number(raw, name, errors, maximum=COUNT_MAX):
    if _blank(raw):
        return None
    if isinstance(raw, bool):  # a TRUE/FALSE cell is not a figure (bool is an int in Python)
        errors.append((name, _("“%(value)s” is not a number.") % {"value": raw}))
        return None
    try:
        number = parse_number(raw)
    except AmbiguousNumber:
        errors.append((name, _("“%(value)s” could be a thousand or a decimal: write 1234 or 1,234.") % {"value": raw}))
        return None
    except (ValueError, ArithmeticError):
        errors.append((name, _("“%(value)s” is not a number.") % {"value": str(raw)[:40]}))
        return None
    if number < 0:
        errors.append((name, _("A figure cannot be negative.")))
        return None
    if number > maximum:
        errors.append((name, _("%(value)s is larger than any figure this indicator can have (at most %(max)s).") % {
            "value": _short(number), "max": format_number(maximum),
        }))  # fmt: skip
        return None
    return number.quantize(_STEP, rounding=ROUND_HALF_UP) if number.as_tuple().exponent < -DECIMALS else number


_STEP = Decimal(1).scaleb(-DECIMALS)


def _short(number):
    """A huge number written so it stays readable in a message (1e20 → "1E+20")."""
    return format_number(number) if number < COUNT_MAX * 1000 else f"{number:.3E}".replace(".", ",")


def _whole(number, name, errors):
    if number is not None and number != number.to_integral_value():
        errors.append(
            (name, _("Count whole items: %(value)s is not a whole number.") % {"value": format_number(number)})
        )
        return None
    return number


def check_figure(
    indicator, *, numerator=None, denominator=None, value=None, comment=None, not_occurred=False
) -> CheckedFigure:
    """Parse and check what was typed or read for `indicator`. Inputs may be text ("99,12")
    or numbers (spreadsheet cells). The one check of figures: entry form, imports, admin and
    the write service all call it. `not_occurred` ("không phát sinh"): nothing happened this
    quarter — then no figure may be given (a comment may)."""
    checked = CheckedFigure()
    errors = checked.errors
    text = "" if comment is None else str(comment).strip()
    problem = text_problem(text)
    if problem:
        errors.append(("comment", problem))
    else:
        checked.comment = text
    # "không phát sinh" typed in a figure's own cell says the same as the column.
    raws = [numerator, denominator, value]
    if any(isinstance(raw, str) and fold(raw) in NOT_OCCURRED_IN_A_FIGURE for raw in raws):
        not_occurred = True
        numerator, denominator, value = (
            None if isinstance(r, str) and fold(r) in NOT_OCCURRED_IN_A_FIGURE else r for r in raws
        )
    said = says_not_occurred(not_occurred)
    if said is None:
        errors.append(("not_occurred", _("Write “không phát sinh” (or x) here, or leave it empty.")))
        return checked
    if said:
        if not all(_blank(raw) for raw in (numerator, denominator, value)):
            errors.append(("not_occurred", _("Either figures or “did not occur this quarter”, not both.")))
        else:
            checked.not_occurred = True
        return checked
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
    if indicator.kind == IndicatorKind.PERCENT:
        number = _number(value, "value", errors)
        if number is not None and number > PERCENT_MAX:
            errors.append(("value", _("A percentage lies between 0 and 100.")))
            return checked
    else:
        number = _number(value, "value", errors, maximum=_maximum(indicator))
    if number is None:
        return checked
    if indicator.kind == IndicatorKind.COUNT:
        number = _whole(number, "value", errors)
    if not errors:
        checked.value = number
    return checked


def _maximum(indicator):
    if indicator.kind == IndicatorKind.SCORE and indicator.maximum is not None:
        return min(indicator.maximum, COUNT_MAX)
    return COUNT_MAX


def outlier_bounds(history):
    """(low, high) = mean ± 2 standard deviations of earlier figures, or None with fewer than 4."""
    figures = [float(f) for f in history if f is not None]
    if len(figures) < MIN_HISTORY_FOR_OUTLIERS:
        return None
    mean = statistics.fmean(figures)
    spread = 2 * statistics.stdev(figures)
    return Decimal(str(round(max(mean - spread, 0), 2))), Decimal(str(round(mean + spread, 2)))


def outlier_warning(figure, history, indicator=None):
    """A message when `figure` lies outside the unit's usual range, else None. With the
    indicator, the figure is written as pages write it ("13 sáng kiến", "40,00 %") and the range
    with the decimals it has (a mean ± 2 deviations of whole counts is rarely whole)."""
    bounds = outlier_bounds(history)
    if figure is None or bounds is None:
        return None
    low, high = bounds
    if low <= figure <= high:
        return None
    if indicator is None:
        value, low, high = format_number(figure, 2), format_number(low, 2), format_number(high, 2)
    else:
        value = figure_text(indicator, figure)
        low, high = format_number(low), figure_text(indicator, high, exact=True)
    return _(
        "%(value)s is far from this unit's earlier quarters (usually %(low)s–%(high)s). "
        "If it is right, say why in the comment."
    ) % {"value": value, "low": low, "high": high}
