from decimal import Decimal

import pytest

from indicators.models import Indicator, ReportValue
from indicators.selectors import SUBMITTED_TOO, rollup, rollup_spans
from indicators.testing import make_period, make_report

pytestmark = pytest.mark.django_db


def _codes(*codes):
    return list(Indicator.objects.filter(code__in=codes))


def test_a_ratio_rolls_up_as_the_ratio_of_sums_not_the_mean_of_percentages(tree):
    q2 = make_period(2026, "Q2")
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(9, 10))
    make_report(tree["commune_a2"], q2, "approved", TTHC_ONTIME=(1, 10))
    result = rollup(units=[tree["commune_a1"], tree["commune_a2"]], indicators=_codes("TTHC_ONTIME"), periods=[q2])
    ontime = next(iter(result.values()))
    assert (ontime.numerator, ontime.denominator) == (10, 20)
    assert ontime.figure == Decimal("50")  # equal sizes: the mean would agree; the next test tells them apart
    assert not ontime.is_mean


def test_the_ratio_of_sums_differs_from_the_mean_when_sizes_differ(tree):
    q2 = make_period(2026, "Q2")
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(90, 100))  # 90 %
    make_report(tree["commune_a2"], q2, "approved", TTHC_ONTIME=(1, 10))  # 10 %
    result = rollup(units=[tree["commune_a1"], tree["commune_a2"]], indicators=_codes("TTHC_ONTIME"), periods=[q2])
    assert next(iter(result.values())).figure == Decimal(91) * 100 / Decimal(110)  # 82,73 %, not 50 %


def test_a_flow_sums_over_quarters_and_a_stock_takes_the_latest_quarter(tree):
    q1, q2 = make_period(2026, "Q1"), make_period(2026, "Q2")
    unit = tree["commune_a1"]
    make_report(unit, q1, "approved", TTHC_ONTIME=(8, 10), DVC_FULL_ONLINE=(60, 100), INITIATIVES=1)
    make_report(unit, q2, "approved", TTHC_ONTIME=(10, 10), DVC_FULL_ONLINE=(90, 100), INITIATIVES=2)
    result = rollup(units=[unit], indicators=_codes("TTHC_ONTIME", "DVC_FULL_ONLINE", "INITIATIVES"), periods=[q1, q2])
    by_code = {r.indicator.code: r for r in result.values()}
    assert by_code["TTHC_ONTIME"].figure == Decimal(90)  # 18 / 20
    assert by_code["DVC_FULL_ONLINE"].figure == Decimal(90)  # Q2 only
    assert by_code["INITIATIVES"].figure == Decimal(3)


def test_a_percent_indicator_rolls_up_as_a_mean_and_says_so(tree):
    q2 = make_period(2026, "Q2")
    make_report(tree["commune_a1"], q2, "approved", SATISFACTION=90)
    make_report(tree["commune_a2"], q2, "approved", SATISFACTION=80)
    result = next(
        iter(
            rollup(
                units=[tree["commune_a1"], tree["commune_a2"]], indicators=_codes("SATISFACTION"), periods=[q2]
            ).values()
        )
    )
    assert result.figure == Decimal(85) and result.is_mean and result.units == 2


def test_only_approved_figures_count_unless_asked(tree):
    q2 = make_period(2026, "Q2")
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(9, 10))
    make_report(tree["commune_a2"], q2, "submitted", TTHC_ONTIME=(1, 10))
    make_report(tree["commune_b1"], q2, "draft", TTHC_ONTIME=(0, 10))
    units = [tree["commune_a1"], tree["commune_a2"], tree["commune_b1"]]
    approved = next(iter(rollup(units=units, indicators=_codes("TTHC_ONTIME"), periods=[q2]).values()))
    assert approved.figure == Decimal(90)
    with_submitted = next(
        iter(rollup(units=units, indicators=_codes("TTHC_ONTIME"), periods=[q2], statuses=SUBMITTED_TOO).values())
    )
    assert with_submitted.figure == Decimal(50)


def test_no_figures_give_no_data_not_zero(tree):
    q2 = make_period(2026, "Q2")
    result = next(iter(rollup(units=[tree["commune_a1"]], indicators=_codes("TTHC_ONTIME"), periods=[q2]).values()))
    assert result.figure is None and result.units == 0


@pytest.mark.parametrize("communes", [3, 30])
def test_a_rollup_costs_the_same_queries_for_any_number_of_units(tree, communes, django_assert_num_queries):
    from units.models import Level
    from units.testing import make_unit

    q2 = make_period(2026, "Q2")
    units = [make_unit(f"95{i:03d}", level=Level.COMMUNE, parent=tree["district_a"]) for i in range(communes)]
    for unit in units:
        make_report(unit, q2, "approved", TTHC_ONTIME=(9, 10), DVC_FULL_ONLINE=(5, 10))
    indicators = list(Indicator.objects.all())
    with django_assert_num_queries(1):  # one GROUP BY per (indicator, quarter), flows and stocks alike
        rollup(units=units, indicators=indicators, periods=[q2])


def test_the_officers_list_shows_the_communes_together_as_a_ratio_of_sums(client, tree, editor):
    q2 = make_period(2026, "Q2")
    make_report(tree["commune_a1"], q2, "approved", TTHC_ONTIME=(9, 10))
    make_report(tree["commune_a2"], q2, "submitted", TTHC_ONTIME=(1, 10))
    client.force_login(editor)
    html = client.get("/bao-cao/", {"ky": "2026-Q2", "don_vi": tree["district_a"].pk}).content.decode()
    assert "50,00 %" in html and "10 / 20" in html


def test_several_spans_roll_up_in_one_query_as_each_would_alone(tree, django_assert_num_queries):
    q1, q2, q3 = (make_period(2026, q) for q in ("Q1", "Q2", "Q3"))
    unit = tree["commune_a1"]
    make_report(unit, q1, "approved", TTHC_ONTIME=(8, 10), DVC_FULL_ONLINE=(60, 100), SATISFACTION=80)
    make_report(unit, q2, "approved", TTHC_ONTIME=(10, 10), DVC_FULL_ONLINE=(90, 100), SATISFACTION=90)
    make_report(unit, q3, "submitted", TTHC_ONTIME=(1, 10))  # not approved: counts nowhere here
    indicators = _codes("TTHC_ONTIME", "DVC_FULL_ONLINE", "SATISFACTION")
    spans = {"H1": [q1, q2], "Q1": [q1], "Q3": [q3], "none": []}
    with django_assert_num_queries(1):
        result = rollup_spans(units=[unit], indicators=indicators, spans=spans)
    for name, periods in spans.items():
        alone = rollup(units=[unit], indicators=indicators, periods=periods)
        assert {pk: r.figure for pk, r in result[name].items()} == {pk: r.figure for pk, r in alone.items()}
    by_code = {r.indicator.code: r.figure for r in result["H1"].values()}
    # A flow over both quarters (18 / 20); stocks from the latest quarter (satisfaction is a stock too).
    assert by_code == {"TTHC_ONTIME": Decimal(90), "DVC_FULL_ONLINE": Decimal(90), "SATISFACTION": Decimal(90)}
    assert all(r.figure is None for r in result["Q3"].values())


def test_a_count_left_blank_stays_blank_rather_than_zero(tree):
    q1, q2 = make_period(2026, "Q1"), make_period(2026, "Q2")
    unit = tree["commune_a1"]
    for period in (q1, q2):
        report = make_report(unit, period, "approved")
        ReportValue.objects.create(
            report=report, indicator=Indicator.objects.get(code="INITIATIVES"), comment="chưa có"
        )
    indicators = _codes("INITIATIVES")
    assert rollup(units=[unit], indicators=indicators, periods=[q2])[indicators[0].pk].figure is None
    assert rollup(units=[unit], indicators=indicators, periods=[q1, q2])[indicators[0].pk].figure is None
    make_report(tree["commune_a2"], q2, "approved", INITIATIVES=2)  # a figure elsewhere still adds up
    both = rollup(units=[unit, tree["commune_a2"]], indicators=indicators, periods=[q2])
    assert both[indicators[0].pk].figure == 2
