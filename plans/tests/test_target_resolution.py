from decimal import Decimal

import pytest

from indicators.models import Indicator
from plans.models import Plan
from plans.selectors import targets_by_years, targets_for
from plans.testing import make_plan, make_target
from units.models import Kind, Level
from units.testing import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def digitised():
    return Indicator.objects.get(code="RESULT_DIGITISED")


def _value(tree_unit, indicator, year=2026):
    target = targets_for(units=[tree_unit], indicators=[indicator], year=year).get((tree_unit.pk, indicator.pk))
    return target.value if target else None


def test_the_nearest_plan_setting_the_level_wins(tree, digitised):
    make_target(make_plan(tree["province"]), digitised, 50, level=Level.COMMUNE)
    make_target(make_plan(tree["district_a"]), digitised, 55, level=Level.COMMUNE)
    assert _value(tree["commune_a1"], digitised) == Decimal("55")
    # District B has no plan of its own: its communes fall back to the province's 50 %.
    assert _value(tree["commune_b1"], digitised) == Decimal("50")


def test_a_target_naming_the_unit_beats_every_level_target(tree, digitised):
    province_plan = make_plan(tree["province"])
    make_target(province_plan, digitised, 50, level=Level.COMMUNE)
    make_target(make_plan(tree["district_a"]), digitised, 55, level=Level.COMMUNE)
    make_target(province_plan, digitised, 70, unit=tree["commune_a1"])
    assert _value(tree["commune_a1"], digitised) == Decimal("70")
    assert _value(tree["commune_a2"], digitised) == Decimal("55")


def test_a_plans_level_target_applies_to_its_own_unit(tree, digitised):
    make_target(make_plan(tree["district_a"]), digitised, 60, level=Level.DISTRICT)
    assert _value(tree["district_a"], digitised) == Decimal("60")


def test_no_plan_means_no_target_and_draft_plans_or_other_years_do_not_count(tree, digitised):
    assert _value(tree["commune_a1"], digitised) is None
    make_target(make_plan(tree["district_a"], status=Plan.Status.DRAFT), digitised, 55, level=Level.COMMUNE)
    make_target(make_plan(tree["province"], year=2025), digitised, 50, level=Level.COMMUNE)
    assert _value(tree["commune_a1"], digitised) is None
    assert _value(tree["commune_a1"], digitised, year=2025) == Decimal("50")


def test_a_national_plan_reaches_every_province(tree):
    satisfaction = Indicator.objects.get(code="SATISFACTION")
    make_target(make_plan(tree["nation"]), satisfaction, 90, level=Level.PROVINCE)
    assert _value(tree["province"], satisfaction) == Decimal("90")
    assert _value(tree["district_a"], satisfaction) is None


def test_agencies_do_not_inherit_level_targets(tree, digitised):
    agency = make_unit("991.PNV", "Phòng Nội vụ", Level.DISTRICT, tree["district_a"], kind=Kind.AGENCY)
    make_target(make_plan(tree["province"]), digitised, 60, level=Level.DISTRICT)
    assert _value(tree["district_a"], digitised) == Decimal("60")
    assert _value(agency, digitised) is None


@pytest.mark.parametrize("communes", [3, 30])
def test_resolution_is_one_query_for_any_number_of_units_and_indicators(tree, communes, django_assert_num_queries):
    units = [make_unit(f"96{i:03d}", level=Level.COMMUNE, parent=tree["district_a"]) for i in range(communes)]
    indicators = list(Indicator.objects.all())
    province_plan = make_plan(tree["province"])
    for indicator in indicators:
        make_target(province_plan, indicator, 50, level=Level.COMMUNE)
    with django_assert_num_queries(1):  # the targets of the plans of these units and their ancestors
        resolved = targets_for(units=units, indicators=indicators, year=2026)
    assert len(resolved) == communes * len(indicators)


def test_several_years_resolve_in_one_query_each_year_on_its_own(tree, digitised, django_assert_num_queries):
    make_target(make_plan(tree["province"], year=2025), digitised, 50, level=Level.COMMUNE)
    make_target(make_plan(tree["district_a"], year=2026), digitised, 55, level=Level.COMMUNE)
    make_target(make_plan(tree["province"], year=2026), digitised, 70, unit=tree["commune_a1"])
    units = [tree["commune_a1"], tree["commune_a2"]]
    with django_assert_num_queries(1):
        years = targets_by_years(units_by_year={2024: units, 2025: units, 2026: units}, indicators=[digitised])
    a1, a2 = (u.pk for u in units)
    assert years[2024] == {}
    assert {k: t.value for k, t in years[2025].items()} == {(a1, digitised.pk): 50, (a2, digitised.pk): 50}
    assert {k: t.value for k, t in years[2026].items()} == {(a1, digitised.pk): 70, (a2, digitised.pk): 55}
    # The same answers as one year at a time.
    for year in (2024, 2025, 2026):
        assert years[year] == targets_for(units=units, indicators=[digitised], year=year)
    # Each year resolves only the units asked for it.
    only_a1 = targets_by_years(units_by_year={2025: units[:1], 2026: units}, indicators=[digitised])
    assert list(only_a1[2025]) == [(a1, digitised.pk)]
    assert len(only_a1[2026]) == 2
