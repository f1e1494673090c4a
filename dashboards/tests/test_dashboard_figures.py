"""Figures on the dashboard and in its export, as indicators.display writes them: counts whole,
percentages with two decimals and the sign, means with their unit."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.selectors import Filters, unit_dashboard
from dashboards.templatetags.dash_tags import chart_series
from indicators.testing import make_period, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(tree):
    """District A: 13 initiatives (10 the quarter before), 4,61 days, 984 of 1.000 on time; its
    communes 2 and 3 initiatives, 3,5 and 5 days."""
    q1, q2 = make_period(2026, "Q1"), make_period(2026, "Q2")
    make_report(tree["district_a"], q1, "approved", INITIATIVES=10, HANDLING_DAYS=5)
    make_report(tree["district_a"], q2, "approved", INITIATIVES=13, HANDLING_DAYS="4.61", TTHC_ONTIME=(984, 1000))
    make_report(tree["commune_a1"], q2, "approved", INITIATIVES=2, HANDLING_DAYS="3.5")
    make_report(tree["commune_a2"], q2, "approved", INITIATIVES=3, HANDLING_DAYS=5)
    return q2


def _page(client, leader, unit):
    client.force_login(leader)
    return client.get(reverse("dashboards:unit", args=[unit.pk]), {"nam": 2026, "ky": "Q2"}).content.decode()


def test_the_dashboard_writes_counts_whole_and_every_figure_with_its_unit(client, tree, figures, leader):
    html = _page(client, leader, tree["district_a"])
    assert '<span class="fs-4 num">13 sáng kiến' in html  # the card
    assert "13,00" not in html and "13.00" not in html
    assert '<span class="fs-4 num">4,61 ngày' in html  # a mean says what it counts
    assert '<span class="fs-4 num">98,40 %' in html
    assert '<td class="num">5 sáng kiến</td>' in html  # the communes together
    assert '<td class="num">4,25 ngày <span' in html  # (3,5 + 5) / 2, marked as a mean
    assert '<td class="num cell-no_target" title="Chưa giao chỉ tiêu">2 sáng kiến<' in html  # the matrix
    assert "+3 sáng kiến" in html and "−0,39 ngày" in html  # changes since Q1, in the figure's unit


def test_the_trend_tooltips_get_the_figures_as_the_page_writes_them(tree, figures):
    dash = unit_dashboard(unit=tree["district_a"], filters=Filters(year=2026, span="Q2"))
    series = {s["code"]: s for s in chart_series(dash.cards)}
    assert series["INITIATIVES"]["texts"][0][-2:] == ["10 sáng kiến", "13 sáng kiến"]
    assert series["HANDLING_DAYS"]["texts"][0][-1] == "4,61 ngày"
    assert series["TTHC_ONTIME"]["texts"][0][-1] == "98,40 %"


def test_the_export_writes_figures_as_numbers_in_their_indicators_format(client, tree, figures, leader):
    client.force_login(leader)
    r = client.get(reverse("dashboards:export", args=[tree["district_a"].pk]), {"nam": 2026, "ky": "Q2"})
    wb = load_workbook(io.BytesIO(r.content))
    cards = wb["Chỉ số"]
    headers = [c.value for c in cards[2]]
    rows = {row[0].value: row for row in cards.iter_rows(min_row=3)}
    result, unit = headers.index("Kết quả"), headers.index("Đơn vị tính")
    change = headers.index("Thay đổi so với kỳ trước")

    initiatives = rows["INITIATIVES"]
    assert initiatives[result].value == 13 and initiatives[result].number_format == "0"  # not 13,00
    assert initiatives[change].value == 3 and initiatives[change].number_format == "0"
    assert initiatives[unit].value == "sáng kiến"
    days = rows["HANDLING_DAYS"]
    assert days[result].value == pytest.approx(4.61) and days[result].number_format == "0.00"
    assert days[unit].value == "ngày"
    ontime = rows["TTHC_ONTIME"]
    assert ontime[result].value == pytest.approx(98.4) and ontime[result].number_format == "0.00"
    assert ontime[unit].value == "%"
    numerator = headers.index("Tử số")
    assert ontime[numerator].value == 984 and ontime[numerator].number_format == "0"

    matrix = wb["Đơn vị trực thuộc"]
    codes = [c.value for c in matrix[1]]
    cells = {row[2].value: row for row in matrix.iter_rows(min_row=2)}
    assert cells["Xã Long Định"][codes.index("INITIATIVES")].value == 3
    assert cells["Xã Long Định"][codes.index("INITIATIVES")].number_format == "0"
    assert cells["Xã Long Định"][codes.index("HANDLING_DAYS")].number_format == "0.00"
