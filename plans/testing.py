"""Factories for plans and targets in tests."""

import datetime
from decimal import Decimal

from indicators.models import Indicator
from plans.models import Plan, Target


def make_plan(unit, year=2026, status=Plan.Status.ISSUED, **extra):
    defaults = {
        "title": f"Kế hoạch CCHC năm {year} {unit.name}",
        "decision_number": "12/QĐ-UBND",
        "decision_date": datetime.date(year, 1, 15),
    }
    defaults.update(extra)
    return Plan.objects.create(unit=unit, year=year, status=status, **defaults)


def make_target(plan, indicator, value, comparator="gte", unit=None, level=""):
    if isinstance(indicator, str):
        indicator = Indicator.objects.get(code=indicator)
    return Target.objects.create(
        plan=plan, indicator=indicator, comparator=comparator, value=Decimal(str(value)), unit=unit, level=level
    )
