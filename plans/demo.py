"""Demo plans: the national plan with the 76/NQ-CP targets, and plans of the demo province,
its district Châu Thành and two communes, for last year and this year, with targets that differ
by level (district ≥ 60 %, communes ≥ 55 %) and tasks, some of them overdue."""

import datetime
from decimal import Decimal

from django.utils import timezone

from indicators.models import Indicator
from plans.models import Plan, PlanTask, Target
from units.models import AdministrativeUnit, Level
from units.registers import NATION_CODE

# (indicator, comparator, value, level or unit code)
NATIONAL_TARGETS = [
    ("SATISFACTION", "gte", 90, Level.PROVINCE),
    ("SATISFACTION_HEALTH", "gte", 85, Level.PROVINCE),
    ("SATISFACTION_EDU", "gte", 85, Level.PROVINCE),
    ("DVC_FULL_ONLINE", "gte", 80, Level.PROVINCE),
    ("PORTAL_INTEGRATED", "gte", 80, Level.PROVINCE),
    ("ONLINE_PAYMENT", "gte", 80, Level.PROVINCE),
]
PROVINCE_TARGETS = [
    ("TTHC_ONTIME", "gte", 98, Level.DISTRICT),
    ("TTHC_ONTIME", "gte", 98, Level.COMMUNE),
    ("TTHC_ONLINE", "gte", 50, Level.DISTRICT),
    ("TTHC_ONLINE", "gte", 50, Level.COMMUNE),
    ("RESULT_DIGITISED", "gte", 60, Level.DISTRICT),
    ("RESULT_DIGITISED", "gte", 50, Level.COMMUNE),
    ("DOSSIER_DIGITISED", "gte", 80, Level.DISTRICT),
    ("DOSSIER_DIGITISED", "gte", 80, Level.COMMUNE),
    ("ONLINE_PAYMENT", "gte", 80, Level.DISTRICT),
    ("WORK_ONLINE", "gte", 65, Level.DISTRICT),
    ("WORK_ONLINE", "gte", 35, Level.COMMUNE),
    ("SATISFACTION", "gte", 90, Level.DISTRICT),
    ("SATISFACTION", "gte", 90, Level.COMMUNE),
    ("FEEDBACK_ONTIME", "gte", 95, Level.DISTRICT),
    ("INSPECTED_UNITS", "gte", 30, Level.DISTRICT),
    ("INITIATIVES", "gte", 1, Level.DISTRICT),
    ("ONE_STOP", "eq", 100, Level.COMMUNE),
    ("SATISFACTION", "gte", 90, "99"),
]
DISTRICT_TARGETS = [
    ("RESULT_DIGITISED", "gte", 60, Level.DISTRICT),
    ("RESULT_DIGITISED", "gte", 55, Level.COMMUNE),
    ("TTHC_ONLINE", "gte", 55, Level.COMMUNE),
    ("HANDLING_DAYS", "lte", 5, Level.COMMUNE),
]
COMMUNE_TARGETS = {"99101": [("TTHC_ONLINE", "gte", 60, "99101")], "99103": [("DOSSIER_DIGITISED", "gte", 85, "99103")]}

TASKS = [
    ("Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền", 3, 31, "done"),
    ("Số hóa hồ sơ, kết quả giải quyết TTHC tại Bộ phận Một cửa", 6, 30, "in_progress"),
    ("Kiểm tra công tác CCHC tại các đơn vị trực thuộc", 9, 30, "not_started"),
    ("Tổ chức khảo sát mức độ hài lòng của người dân", 11, 15, "in_progress"),
    ("Báo cáo kết quả thực hiện Kế hoạch CCHC năm", 12, 15, "not_started"),
]


def _plan(unit, year, number, title, summary):
    plan, created = Plan.objects.get_or_create(
        unit=unit,
        year=year,
        defaults={
            "title": title,
            "decision_number": number,
            "decision_date": datetime.date(year, 1, 15),
            "status": Plan.Status.ISSUED,
        },
    )
    summary["plans created"] += created
    return plan


def _targets(plan, rows, indicators):
    created = 0
    for code, comparator, value, whom in rows:
        lookup = (
            {"level": whom, "unit": None}
            if whom in Level.values
            else {"unit": AdministrativeUnit.objects.get(code=whom, valid_to__isnull=True), "level": ""}
        )
        _, made = Target.objects.get_or_create(
            plan=plan,
            indicator=indicators[code],
            **lookup,
            defaults={"comparator": comparator, "value": Decimal(value)},
        )
        created += made
    return created


def _tasks(plan, lead_unit):
    if plan.tasks.exists():
        return 0
    PlanTask.objects.bulk_create(
        PlanTask(
            plan=plan, title=title, lead_unit=lead_unit, deadline=datetime.date(plan.year, month, day), status=status
        )
        for title, month, day, status in TASKS
    )
    return len(TASKS)


def load(stdout=None):
    year = timezone.localdate().year
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(
            valid_to__isnull=True, code__in=[NATION_CODE, "99", "991", "99101", "99103", "991.PNV", "99.SNV"]
        )
    }
    summary = {"plans created": 0, "targets created": 0, "tasks created": 0}
    for y in (year - 1, year):
        national = _plan(
            units[NATION_CODE],
            y,
            "76/NQ-CP",
            f"Chương trình tổng thể CCHC nhà nước giai đoạn 2021–2030 (chỉ tiêu năm {y})",
            summary,
        )
        summary["targets created"] += _targets(national, NATIONAL_TARGETS, indicators)
        province = _plan(
            units["99"],
            y,
            f"{12 + y % 10}/QĐ-UBND",
            f"Kế hoạch cải cách hành chính năm {y} của tỉnh Bình Giang",
            summary,
        )
        summary["targets created"] += _targets(province, PROVINCE_TARGETS, indicators)
        summary["tasks created"] += _tasks(province, units["99.SNV"])
        district = _plan(units["991"], y, f"{35 + y % 10}/QĐ-UBND", f"Kế hoạch CCHC năm {y} huyện Châu Thành", summary)
        summary["targets created"] += _targets(district, DISTRICT_TARGETS, indicators)
        summary["tasks created"] += _tasks(district, units["991.PNV"])
        for code, rows in COMMUNE_TARGETS.items():
            commune = _plan(
                units[code], y, f"{5 + y % 10}/QĐ-UBND", f"Kế hoạch CCHC năm {y} {units[code].name}", summary
            )
            summary["targets created"] += _targets(commune, rows, indicators)
            summary["tasks created"] += _tasks(commune, units[code])
    return summary
