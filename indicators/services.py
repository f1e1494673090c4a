"""Writes to the catalogue and the calendar."""

from django.db import transaction

from indicators.models import ReportingPeriod
from parc.lib.periods import QUARTERS, default_quarter_dates


@transaction.atomic
def periods_open_year(*, year):
    """Create the four quarters of `year` on the Home Affairs calendar; leave existing ones
    (whose dates an administrator may have moved) alone. Returns the number created."""
    existing = set(ReportingPeriod.objects.filter(year=year).values_list("kind", flat=True))
    created = []
    for quarter in QUARTERS:
        if quarter in existing:
            continue
        dates = default_quarter_dates(year, quarter)
        period = ReportingPeriod(
            year=year, kind=quarter, start=dates.start, end=dates.end, due=dates.due, closes=dates.closes
        )
        period.full_clean()
        created.append(period)
    ReportingPeriod.objects.bulk_create(created)
    return len(created)
