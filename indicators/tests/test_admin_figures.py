"""Figures in the admin as the portal writes them (indicators.display): the list and the
read-only page "13 sáng kiến", the change form "13" to type over, the exports numbers in the
indicator's format — never the column's "13,0000"."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator, ReportValue
from indicators.testing import make_period, make_report
from parc.testing import admin_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(tree):
    period = make_period(2026, "Q2", closes=datetime.date(2099, 12, 31))
    return make_report(
        tree["commune_a1"], period, "draft", INITIATIVES=13, HANDLING_DAYS="4.61", TTHC_ONTIME=(984, 1000)
    )


def _value(report, code):
    return report.values.get(indicator__code=code)


def test_the_list_shows_counts_whole_and_figures_with_their_unit(client, report, staff):
    client.force_login(staff)
    html = client.get(reverse("admin:indicators_reportvalue_changelist")).content.decode()
    assert '<td class="field-figure_text">13 sáng kiến</td>' in html
    assert '<td class="field-figure_text">4,61 ngày</td>' in html
    assert '<td class="field-figure_text">98,40 %</td>' in html
    assert '<td class="field-numerator_text">984</td>' in html
    assert ",0000" not in html and ".0000" not in html


def test_the_change_form_shows_figures_as_they_are_typed(client, report, staff):
    client.force_login(staff)
    html = client.get(reverse("admin:indicators_reportvalue_change", args=[_value(report, "INITIATIVES").pk]))
    assert re.search(r'<input type="text" name="value" value="13"', html.content.decode())
    html = client.get(reverse("admin:indicators_reportvalue_change", args=[_value(report, "HANDLING_DAYS").pk]))
    assert re.search(r'<input type="text" name="value" value="4,61"', html.content.decode())
    html = client.get(reverse("admin:indicators_reportvalue_change", args=[_value(report, "TTHC_ONTIME").pk]))
    assert re.search(r'<input type="text" name="numerator" value="984"', html.content.decode())
    assert ".0000" not in html.content.decode()


def test_a_locked_figure_reads_as_the_portal_writes_it(client, report, staff):
    report.status = "approved"
    report.save()
    client.force_login(staff)
    html = client.get(
        reverse("admin:indicators_reportvalue_change", args=[_value(report, "INITIATIVES").pk])
    ).content.decode()
    assert '<div class="readonly">13 sáng kiến</div>' in html and "13,0000" not in html
    html = client.get(
        reverse("admin:indicators_reportvalue_change", args=[_value(report, "TTHC_ONTIME").pk])
    ).content.decode()
    assert '<div class="readonly">984</div>' in html and '<div class="readonly">98,40 %</div>' in html
    assert "seen_" not in html  # the form's hidden bookkeeping is not shown as fields


def test_the_largest_plausible_value_of_an_indicator_has_no_trailing_zeros(client, staff):
    client.force_login(staff)
    days = Indicator.objects.get(code="HANDLING_DAYS")
    html = client.get(reverse("admin:indicators_indicator_change", args=[days.pk])).content.decode()
    assert re.search(r'name="maximum" value="365"', html) and "365.0000" not in html


def test_the_xlsx_export_writes_figures_as_numbers_in_their_indicators_format(client, report, staff):
    client.force_login(staff)
    sheet = load_workbook(io.BytesIO(admin_export(client, ReportValue, "xlsx"))).active
    headers = [c.value for c in sheet[1]]
    rows = {row[headers.index("indicator_code")].value: row for row in sheet.iter_rows(min_row=2)}
    count = rows["INITIATIVES"][headers.index("value")]
    assert count.value == 13 and count.number_format == "0"
    mean = rows["HANDLING_DAYS"][headers.index("value")]
    assert mean.value == pytest.approx(4.61) and mean.number_format == "0.00"
    numerator = rows["TTHC_ONTIME"][headers.index("numerator")]
    assert numerator.value == 984 and numerator.number_format == "0"


def test_the_csv_export_writes_figures_as_they_are_typed_back(client, report, staff):
    client.force_login(staff)
    rows = {
        r["indicator_code"]: r
        for r in csv.DictReader(io.StringIO(admin_export(client, ReportValue, "csv").decode("utf-8-sig")))
    }
    assert rows["INITIATIVES"]["value"] == "13"  # not 13,0000
    assert rows["HANDLING_DAYS"]["value"] == "4,61"
    assert (rows["TTHC_ONTIME"]["numerator"], rows["TTHC_ONTIME"]["denominator"]) == ("984", "1000")
