import pytest
import tablib

from plans.models import Plan, Target
from plans.resources import PlanResource, PlanTaskResource, TargetResource
from plans.testing import make_plan, make_target
from units.models import Level

pytestmark = pytest.mark.django_db


def _dataset(exported, change=None):
    rows = [dict(zip(exported.headers, row, strict=True)) for row in exported]
    for row in rows:
        (change or (lambda r: None))(row)
    return tablib.Dataset(*[[r[h] for h in exported.headers] for r in rows], headers=exported.headers)


def test_plans_export_by_unit_code_and_import_back_as_updates(tree):
    make_plan(tree["district_a"], title="KH 2026")
    exported = PlanResource().export()
    assert "id" not in exported.headers and exported[0][0] == "991"
    data = _dataset(exported, lambda r: r.update(title="Kế hoạch CCHC năm 2026 (sửa)"))
    result = PlanResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Plan.objects.get().title == "Kế hoạch CCHC năm 2026 (sửa)"


def test_targets_import_by_codes_and_follow_the_portals_rules(tree):
    plan = make_plan(tree["district_a"])
    make_target(plan, "RESULT_DIGITISED", 55, level=Level.COMMUNE)
    exported = TargetResource().export()
    assert {"plan_unit_code", "plan_year", "indicator_code"} <= set(exported.headers) and "plan" not in exported.headers
    headers = ["plan_unit_code", "plan_year", "indicator_code", "comparator", "value", "unit_code", "level", "note"]
    good = tablib.Dataset(["991", 2026, "TTHC_ONLINE", "gte", 55, "", "commune", ""], headers=headers)
    assert not TargetResource().import_data(good, dry_run=False).has_validation_errors()
    assert Target.objects.filter(indicator__code="TTHC_ONLINE", level="commune").exists()
    bad = tablib.Dataset(["991", 2026, "TTHC_ONTIME", "gte", 120, "", "commune", ""], headers=headers)
    result = TargetResource().import_data(bad, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not Target.objects.filter(indicator__code="TTHC_ONTIME").exists()


def test_tasks_export_without_ids():
    exported = PlanTaskResource().export()
    assert "plan" not in exported.headers and "plan_unit_code" in exported.headers
