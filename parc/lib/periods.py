"""The Home Affairs reporting calendar (DOMAIN.md): quarters are entered; 6 months, 9 months
and the year are views computed from them."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
# Cumulative views: which quarters each one covers.
SPANS = {
    "Q1": ("Q1",),
    "Q2": ("Q2",),
    "Q3": ("Q3",),
    "Q4": ("Q4",),
    "H1": ("Q1", "Q2"),
    "M9": ("Q1", "Q2", "Q3"),
    "Y": ("Q1", "Q2", "Q3", "Q4"),
}
SPAN_LABELS = {
    "Q1": _("Quarter I"),
    "Q2": _("Quarter II"),
    "Q3": _("Quarter III"),
    "Q4": _("Quarter IV"),
    "H1": _("6 months"),
    "M9": _("9 months"),
    "Y": _("Year"),
}
# Editors may still change a quarter this many days after its due date; reviewers any time.
CLOSES_AFTER_DUE_DAYS = 10


@dataclass(frozen=True)
class QuarterDates:
    start: datetime.date
    end: datetime.date
    due: datetime.date
    closes: datetime.date


def default_quarter_dates(year, quarter):
    """Q1 runs 15/12 of the previous year to 14/03, due 20/03; each next quarter starts on the
    15th three months later; due on the 20th of the quarter's last month."""
    index = QUARTERS.index(quarter)
    start = datetime.date(year - 1, 12, 15) if index == 0 else datetime.date(year, 3 * index, 15)
    end_month = 3 * (index + 1)
    end = datetime.date(year, end_month, 14)
    due = datetime.date(year, end_month, 20)
    return QuarterDates(start, end, due, due + datetime.timedelta(days=CLOSES_AFTER_DUE_DAYS))


def period_code(year, kind):
    """ "2026-Q2": the natural key used in files and links."""
    return f"{year}-{kind}"


def parse_period_code(code):
    """ "2026-Q2" → (2026, "Q2"); ValueError otherwise."""
    year, _, kind = str(code).strip().upper().partition("-")
    if not year.isdigit() or kind not in SPANS:
        raise ValueError(code)
    return int(year), kind
