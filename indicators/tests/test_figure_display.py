"""How a figure of an indicator is written (indicators.display), and the pages that write it."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from indicators.display import change_text, count_text, figure_text
from indicators.models import Indicator
from indicators.testing import make_period, make_report
from indicators.validation import outlier_warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def ind():
    return {i.code: i for i in Indicator.objects.all()}


def test_a_count_is_whole_with_its_unit(ind):
    assert figure_text(ind["INITIATIVES"], Decimal("13.0000")) == "13 sáng kiến"
    assert figure_text(ind["INITIATIVES"], Decimal("1234567")) == "1.234.567 sáng kiến"


def test_a_percentage_has_two_decimals_and_the_sign(ind):
    assert figure_text(ind["TTHC_ONTIME"], Decimal("98.4")) == "98,40 %"
    assert figure_text(ind["SATISFACTION"], Decimal("90.0000")) == "90,00 %"


def test_a_ratio_is_a_percentage_whatever_its_unit_of_measure_says(ind):
    ontime = ind["TTHC_ONTIME"]
    ontime.unit_of_measure = ""  # an indicator added in the admin without a unit
    assert figure_text(ontime, Decimal("88.5437")) == "88,54 %"


def test_a_mean_says_what_it_counts(ind):
    assert figure_text(ind["HANDLING_DAYS"], Decimal("4.6100")) == "4,61 ngày"
    days = ind["HANDLING_DAYS"]
    days.unit_of_measure = ""
    assert figure_text(days, Decimal("4.6100")) == "4,61"  # no unit to say


def test_a_missing_figure_is_a_dash(ind):
    assert figure_text(ind["INITIATIVES"], None) == "—" and count_text(None) == "—"


def test_a_value_people_set_keeps_the_decimals_it_has(ind):
    assert figure_text(ind["TTHC_ONTIME"], Decimal("55.0000"), exact=True) == "55 %"
    assert figure_text(ind["HANDLING_DAYS"], Decimal("7.5000"), exact=True) == "7,5 ngày"


def test_changes_are_in_points_for_percentages_and_in_the_unit_otherwise(ind):
    assert change_text(ind["TTHC_ONTIME"], Decimal("-2.345")) == "2,35 điểm %"
    assert change_text(ind["INITIATIVES"], Decimal("3")) == "3 sáng kiến"
    assert change_text(ind["HANDLING_DAYS"], Decimal("-0.39")) == "0,39 ngày"


def test_a_warning_writes_the_figure_as_the_page_does(ind):
    warning = outlier_warning(Decimal("13.0000"), [Decimal(2), Decimal(3), Decimal(2), Decimal(3)], ind["INITIATIVES"])
    assert warning.startswith("13 sáng kiến khác xa") and "13,00" not in warning
    assert "(thường trong khoảng 1,35–3,65 sáng kiến)" in warning  # the range is not whole: it keeps its decimals


def test_the_template_filters_take_the_indicator(ind):
    out = Template(
        "{% load parc_format %}{{ a|figure:count }}|{{ b|figure:days }}|{{ c|figure:days }}|{{ d|set_figure:days }}"
    ).render(
        Context(
            {
                "a": Decimal("13.0000"),
                "b": Decimal("4.61"),
                "c": None,
                "d": Decimal("365.0000"),
                "count": ind["INITIATIVES"],
                "days": ind["HANDLING_DAYS"],
            }
        )
    )
    assert out == "13 sáng kiến|4,61 ngày|—|365 ngày"


def test_the_catalogue_says_each_indicators_unit_and_largest_plausible_value(client, editor):
    client.force_login(editor)
    html = client.get(reverse("indicators:catalogue")).content.decode()
    assert "Đơn vị tính: ngày" in html and "Đơn vị tính: sáng kiến" in html
    assert "Giá trị lớn nhất hợp lý: 365 ngày" in html and "365,0000" not in html


def test_the_report_list_writes_the_units_below_with_their_unit(client, tree, editor):
    period = make_period(2026, "Q2")
    make_report(tree["commune_a1"], period, "submitted", INITIATIVES=13, HANDLING_DAYS="4.61")
    make_report(tree["commune_a2"], period, "submitted", INITIATIVES=2, HANDLING_DAYS="4.61")
    client.force_login(editor)
    html = client.get(reverse("indicators:reports"), {"don_vi": tree["district_a"].pk, "ky": period.code})
    html = html.content.decode()
    assert "15 sáng kiến" in html and "15,00" not in html
    assert "4,61 ngày" in html


def test_the_entry_page_writes_last_quarters_figure_with_its_unit(client, tree, editor):
    make_report(tree["commune_a1"], make_period(2026, "Q1"), "approved", HANDLING_DAYS="4.61")
    client.force_login(editor)
    url = reverse("indicators:report-entry", args=[tree["commune_a1"].pk, make_period(2026, "Q2").code])
    assert "4,61 ngày" in client.get(url).content.decode()
