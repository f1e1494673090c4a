import datetime

import pytest
import tablib

from indicators.models import ReportValue
from indicators.resources import ReportValueResource
from indicators.testing import make_period, make_report
from units.models import Membership
from units.resources import MembershipResource

pytestmark = pytest.mark.django_db

HEADERS = ["unit_code", "period", "indicator_code", "numerator", "denominator", "value", "comment"]


def test_report_values_export_by_codes(tree):
    make_report(tree["commune_a1"], make_period(2026, "Q2"), "approved", TTHC_ONTIME=(9, 10))
    exported = ReportValueResource().export()
    assert exported.headers == HEADERS
    assert exported[0][:3] == ("99101", "2026-Q2", "TTHC_ONTIME")


def test_the_admin_import_of_values_refuses_a_row_of_an_approved_report(tree, staff):
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    make_report(tree["commune_a1"], period, "approved", TTHC_ONTIME=(9, 10))
    data = tablib.Dataset(
        ["99101", "2026-Q2", "TTHC_ONTIME", 1, 10, None, None],
        ["99103", "2026-Q2", "TTHC_ONTIME", 5, 10, None, None],
        headers=HEADERS,
    )
    result = ReportValueResource().import_data(data, dry_run=False, user=staff, file_name="q2.xlsx")
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [2]
    assert ReportValue.objects.get().numerator == 9  # untouched, and the good row was not saved either


def test_the_admin_import_of_values_writes_drafts_with_history(tree, staff):
    make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    data = tablib.Dataset(["99103", "2026-Q2", "TTHC_ONTIME", 5, 10, None, None], headers=HEADERS)
    preview = ReportValueResource().import_data(data, dry_run=True, user=staff, file_name="q2.xlsx")
    assert [r.import_type for r in preview.rows] == ["new"] and not ReportValue.objects.exists()
    ReportValueResource().import_data(data, dry_run=False, user=staff, file_name="q2.xlsx")
    value = ReportValue.objects.get()
    assert value.report.status == "draft" and value.history.get().history_change_reason.endswith("q2.xlsx")


def test_memberships_import_by_username_and_unit_code(tree, editor):
    data = tablib.Dataset(["canbo_a", "99201", "viewer"], headers=["username", "unit_code", "role"])
    result = MembershipResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Membership.objects.filter(user=editor, unit=tree["commune_b1"], role="viewer").exists()
