"""Demo calendar and reports.

Quarters of last year, this year and next year; reports of the demo province's units for every
quarter from the start of last year up to the current one: earlier quarters approved (a few
late), the current quarter a realistic mess of drafts, submitted, returned and missing reports.
Figures are drawn from a seeded generator, so every run makes the same numbers.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators.models import Indicator, IndicatorKind, Report, ReportingPeriod, ReportStatus, ReportValue
from indicators.selectors import current_period
from indicators.services import periods_open_year
from parc.lib.cache import bump_data_version
from units.models import AdministrativeUnit, Kind, Level

# Per indicator: (low rate, high rate, yearly improvement) for ratios; (low, high) otherwise.
RATES = {
    "TTHC_ONTIME": (0.95, 1.0, 0.005),
    "TTHC_ONLINE": (0.40, 0.75, 0.05),
    "RESULT_DIGITISED": (0.45, 0.80, 0.06),
    "DOSSIER_DIGITISED": (0.60, 0.92, 0.04),
    "DVC_FULL_ONLINE": (0.55, 0.85, 0.05),
    "PORTAL_INTEGRATED": (0.70, 0.95, 0.03),
    "ONLINE_PAYMENT": (0.50, 0.88, 0.05),
    "ONE_STOP": (0.96, 1.0, 0.01),
    "WORK_ONLINE": (0.30, 0.80, 0.05),
    "FEEDBACK_ONTIME": (0.85, 1.0, 0.01),
    "INSPECTED_UNITS": (0.10, 0.40, 0.0),
}
VALUES = {
    "SATISFACTION": (86, 98),
    "SATISFACTION_EDU": (82, 95),
    "SATISFACTION_HEALTH": (80, 94),
    "INITIATIVES": (0, 3),
    "HANDLING_DAYS": (3, 8),
}
SIZE = {Level.PROVINCE: (6000, 20000), Level.DISTRICT: (800, 3000), Level.COMMUNE: (80, 600)}
PROCEDURES = {Level.PROVINCE: (1500, 1700), Level.DISTRICT: (280, 320), Level.COMMUNE: (100, 130)}
# Current quarter, for the 12 communes of Huyện Châu Thành in name order.
CURRENT_COMMUNES_991 = ["submitted"] * 5 + ["returned"] * 2 + ["draft"] * 3 + [None] * 2
RETURN_REASON = "Số hồ sơ giải quyết đúng hạn chưa khớp với báo cáo của Bộ phận Một cửa; đề nghị kiểm tra lại."


def _figure(rng, indicator, unit, period, children):
    code = indicator.code
    years = period.year - 2025
    if indicator.kind == IndicatorKind.RATIO:
        low, high, gain = RATES.get(code, (0.5, 0.9, 0.02))
        rate = min(1.0, rng.uniform(low, high) + gain * years)
        if code in ("DVC_FULL_ONLINE", "PORTAL_INTEGRATED", "ONE_STOP"):
            denominator = rng.randint(*PROCEDURES.get(unit.level, (100, 130)))
        elif code == "INSPECTED_UNITS":
            denominator = max(children, 1)
        else:
            denominator = rng.randint(*SIZE.get(unit.level, (80, 600)))
        return {"numerator": Decimal(round(denominator * rate)), "denominator": Decimal(denominator)}
    low, high = VALUES.get(code, (0, 10))
    if indicator.kind == IndicatorKind.COUNT:
        return {"value": Decimal(rng.randint(low, high))}
    return {"value": Decimal(str(round(rng.uniform(low, high), 2)))}


def _units():
    province = AdministrativeUnit.objects.get(code="99", valid_to__isnull=True)
    units = [province]
    for district in province.children.filter(kind=Kind.COMMITTEE, valid_to__isnull=True).order_by("code"):
        units.append(district)
        units.extend(district.children.filter(kind=Kind.COMMITTEE, valid_to__isnull=True).order_by("name"))
    return units


def _status(unit, period, current, index_in_district):
    if period.index < current.index:
        return ReportStatus.APPROVED
    if unit.level == Level.COMMUNE and unit.parent.code == "991":
        return CURRENT_COMMUNES_991[index_in_district % len(CURRENT_COMMUNES_991)]
    if unit.level == Level.COMMUNE and unit.parent.code == "992":
        return ReportStatus.SUBMITTED if index_in_district < 2 else None
    if unit.level == Level.COMMUNE:
        return None
    return ReportStatus.DRAFT


@transaction.atomic
def load(stdout=None):
    year = timezone.localdate().year
    created_periods = sum(periods_open_year(year=y) for y in (year - 1, year, year + 1))
    units = _units()
    if Report.objects.filter(unit__in=units).exists():
        return {"quarters created": created_periods, "reports created": 0}
    current = current_period()
    periods = [p for p in ReportingPeriod.objects.filter(year__gte=year - 1) if p.index <= current.index]
    User = get_user_model()
    editors = {
        u.username: u for u in User.objects.filter(username__in=["canbo.chauthanh", "canbo.tanphuoc", "sonoivu"])
    }
    reviewer = editors.get("sonoivu")
    indicators = list(Indicator.objects.active())
    children = {u.pk: sum(1 for c in units if c.parent_id == u.pk) for u in units}
    position = {}
    for unit in units:
        siblings = [u for u in units if u.parent_id == unit.parent_id and u.level == unit.level]
        position[unit.pk] = siblings.index(unit)

    reports, values = [], []
    for period in periods:
        for unit in units:
            status = _status(unit, period, current, position[unit.pk])
            if status is None:
                continue
            rng = random.Random(f"{unit.code}-{period.code}")
            editor = editors.get("canbo.tanphuoc" if unit.code.startswith("992") else "canbo.chauthanh")
            report = Report(unit=unit, period=period, status=status, updated_by=editor, version=2)
            if status != ReportStatus.DRAFT:
                late_days = 3 if rng.random() < 0.08 else -rng.randint(0, 6)
                day = min(
                    period.due + datetime.timedelta(days=late_days), timezone.localdate() - datetime.timedelta(days=1)
                )
                report.submitted_by = editor
                report.submitted_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
            if status == ReportStatus.APPROVED:
                report.reviewed_by = reviewer
                report.reviewed_at = report.submitted_at + datetime.timedelta(days=3)
            if status == ReportStatus.RETURNED:
                report.return_reason = RETURN_REASON
                report.reviewed_by = reviewer
            reports.append(report)
            for indicator in indicators:
                if not indicator.applies_to(unit.level):
                    continue
                if status == ReportStatus.DRAFT and rng.random() < 0.3:
                    continue  # a draft is not finished
                values.append(
                    ReportValue(
                        report=report, indicator=indicator, **_figure(rng, indicator, unit, period, children[unit.pk])
                    )
                )
    bulk_create_with_history(reports, Report, batch_size=500, default_change_reason="demo")
    saved = {(r.unit_id, r.period_id): r for r in Report.objects.filter(unit__in=units)}
    for value in values:
        value.report = saved[(value.report.unit_id, value.report.period_id)]
    bulk_create_with_history(values, ReportValue, batch_size=1000, default_change_reason="demo")
    bump_data_version()
    return {"quarters created": created_periods, "reports created": len(reports), "values created": len(values)}
