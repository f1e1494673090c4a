"""Factories for reports in tests."""

from decimal import Decimal

from indicators.models import Indicator, IndicatorKind, Report, ReportingPeriod, ReportStatus, ReportValue
from parc.lib.periods import default_quarter_dates


def make_period(year=2026, kind="Q2", **dates):
    defaults = default_quarter_dates(year, kind).__dict__ | dates
    period, _ = ReportingPeriod.objects.get_or_create(year=year, kind=kind, defaults=defaults)
    return period


def make_report(unit, period, status=ReportStatus.DRAFT, **figures):
    """make_report(unit, period, "approved", TTHC_ONTIME=(9, 10), SATISFACTION=90)."""
    report = Report.objects.create(unit=unit, period=period, status=status)
    for code, figure in figures.items():
        indicator = Indicator.objects.get(code=code)
        if indicator.kind == IndicatorKind.RATIO:
            numerator, denominator = figure
            ReportValue.objects.create(
                report=report, indicator=indicator, numerator=Decimal(numerator), denominator=Decimal(denominator)
            )
        else:
            ReportValue.objects.create(report=report, indicator=indicator, value=Decimal(str(figure)))
    return report
