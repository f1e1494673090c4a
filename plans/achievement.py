"""Is a figure on target? (DESIGN.md rule 3.) Pure functions, no database."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from indicators.models import Direction
from plans.models import Comparator

MET, NOT_MET, NO_DATA, NO_TARGET = "met", "not_met", "no_data", "no_target"
LABELS = {MET: _("Met"), NOT_MET: _("Not met"), NO_DATA: _("No data"), NO_TARGET: _("No target")}
# Colour is never the only signal: each status has a word and a symbol too.
ICONS = {MET: "✔", NOT_MET: "✘", NO_DATA: "…", NO_TARGET: "–"}
CENT = Decimal("0.01")

_COMPARE = {
    Comparator.GTE: lambda v, t: v >= t,
    Comparator.GT: lambda v, t: v > t,
    Comparator.LTE: lambda v, t: v <= t,
    Comparator.LT: lambda v, t: v < t,
    Comparator.EQ: lambda v, t: v == t,
}


@dataclass(frozen=True)
class Achievement:
    status: str
    gap: Decimal | None = None  # positive = better than the target, in the indicator's direction

    @property
    def label(self):
        return LABELS[self.status]

    @property
    def icon(self):
        return ICONS[self.status]

    @property
    def is_met(self):
        return self.status == MET


def achievement(
    *,
    value: Decimal | int | float | None,
    comparator: str | None = None,
    target_value: Decimal | int | None = None,
    direction: str = Direction.HIGHER,
) -> Achievement:
    """Judge `value` against a target. Without a target the answer is "no target", never
    "not met"; with a target and no figure it is "no data".

    The value is judged as users see it, rounded to two decimals (98,004 % shows as 98,00 %
    and counts as 98,00 against "≥ 98 %").
    """
    if target_value is None or comparator is None:
        return Achievement(NO_TARGET)
    if value is None:
        return Achievement(NO_DATA)
    shown = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    target = Decimal(target_value)
    met = _COMPARE[comparator](shown, target)
    if comparator == Comparator.EQ:
        gap = shown - target
    elif direction == Direction.LOWER:
        gap = target - shown
    else:
        gap = shown - target
    return Achievement(MET if met else NOT_MET, gap)
