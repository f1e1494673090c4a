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


def seen(report):
    """The version of `report` as a page would show it now (what a user "saw")."""
    return Report.objects.values_list("version", flat=True).get(pk=report.pk)


def version_of(unit, period):
    """The version a page about (unit, period) would carry now: 0 when there is no report yet."""
    report = Report.objects.filter(unit=unit, period=period).first()
    return report.version if report else 0


def write(*, unit, period, user, rows, indicators, source="form", **kwargs):
    """Save `rows` through the one writer as a user who has the page open at the current version."""
    from indicators import services

    return services.report_values_write(
        user=user, unit=unit, period=period, changes=rows, indicators=indicators,
        base_version=kwargs.pop("base_version", version_of(unit, period)), source=source, **kwargs,
    )  # fmt: skip


def entry_form(client, url):
    """The hidden fields a page's form would post back (the entry page: the version and the
    figures as shown; an admin form: the version and figure the administrator saw)."""
    import re

    html = client.get(url).content.decode()
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
