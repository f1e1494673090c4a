"""Reads of the catalogue and the calendar."""

from itertools import groupby

from indicators.models import Indicator, ParField, ReportingPeriod


def catalogue_by_field(*, include_inactive=False):
    """[(field label, [indicators])] in the order of the PAR fields."""
    qs = Indicator.objects.all() if include_inactive else Indicator.objects.active()
    order = {value: i for i, value in enumerate(ParField.values)}
    indicators = sorted(qs, key=lambda ind: (order.get(ind.field, 99), ind.display_order, ind.code))
    return [(ParField(field).label, list(items)) for field, items in groupby(indicators, key=lambda i: i.field)]


def periods_of_year(*, year):
    return list(ReportingPeriod.objects.filter(year=year).order_by("kind"))
