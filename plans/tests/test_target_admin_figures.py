"""Targets in the admin as the portal writes them: "98 %", "1 sáng kiến", "≤ 7 ngày" — never the
column's "98,0000"; the export keeps numbers numbers, in the indicator's format."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parc.testing import admin_export
from plans.models import Target
from plans.testing import make_plan, make_target
from units.models import Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(tree):
    plan = make_plan(tree["district_a"])
    return {
        "TTHC_ONTIME": make_target(plan, "TTHC_ONTIME", 98, level=Level.COMMUNE),
        "INITIATIVES": make_target(plan, "INITIATIVES", 1, level=Level.COMMUNE),
        "HANDLING_DAYS": make_target(plan, "HANDLING_DAYS", "7.5", comparator="lte", level=Level.COMMUNE),
    }


def test_the_list_shows_targets_with_their_unit_and_no_trailing_zeros(client, targets, staff):
    client.force_login(staff)
    html = client.get(reverse("admin:plans_target_changelist")).content.decode()
    assert '<td class="field-value_text">98 %</td>' in html
    assert '<td class="field-value_text">1 sáng kiến</td>' in html
    assert '<td class="field-value_text">7,5 ngày</td>' in html
    assert ",0000" not in html and ",5000" not in html


def test_a_target_reads_as_the_portal_writes_it_wherever_the_admin_names_it(targets):
    assert str(targets["HANDLING_DAYS"]) == "HANDLING_DAYS ≤ 7,5 ngày"  # messages, history, deletion
    assert str(targets["INITIATIVES"]) == "INITIATIVES ≥ 1 sáng kiến"


def test_the_change_form_and_the_plans_inline_show_the_value_as_it_is_typed(client, targets, staff):
    client.force_login(staff)
    days = targets["HANDLING_DAYS"]
    html = client.get(reverse("admin:plans_target_change", args=[days.pk])).content.decode()
    assert re.search(r'name="value" value="7,5"', html) and "7.5000" not in html
    html = client.get(reverse("admin:plans_plan_change", args=[days.plan.pk])).content.decode()
    assert re.search(r'name="targets-\d-value" value="98"', html) and "98.0000" not in html


def test_a_target_typed_with_a_decimal_comma_is_saved(client, targets, staff):
    client.force_login(staff)
    days = targets["HANDLING_DAYS"]
    url = reverse("admin:plans_target_change", args=[days.pk])
    form = {
        "plan": days.plan.pk,
        "indicator": days.indicator.pk,
        "comparator": "lte",
        "value": "6,5",
        "level": "commune",
    }
    assert client.post(url, form).status_code == 302
    assert Target.objects.get(pk=days.pk).value == pytest.approx(6.5)


def test_the_xlsx_export_writes_target_values_in_their_indicators_format(client, targets, staff):
    client.force_login(staff)
    sheet = load_workbook(io.BytesIO(admin_export(client, Target, "xlsx"))).active
    headers = [c.value for c in sheet[1]]
    cells = {
        row[headers.index("indicator_code")].value: row[headers.index("value")] for row in sheet.iter_rows(min_row=2)
    }
    assert cells["INITIATIVES"].value == 1 and cells["INITIATIVES"].number_format == "0"
    assert cells["TTHC_ONTIME"].value == 98 and cells["TTHC_ONTIME"].number_format == "0.00"
    assert cells["HANDLING_DAYS"].value == 7.5 and cells["HANDLING_DAYS"].number_format == "0.00"
