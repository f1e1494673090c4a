from decimal import Decimal

import pytest

from plans.achievement import MET, NO_DATA, NO_TARGET, NOT_MET, achievement

D = Decimal


@pytest.mark.parametrize(
    "value, comparator, target, expected",
    [
        (D("98.00"), "gte", D("98"), MET),  # the boundary is met with ≥
        (D("98.00"), "gt", D("98"), NOT_MET),  # … and not with >
        (D("98.01"), "gt", D("98"), MET),
        (D("97.99"), "gte", D("98"), NOT_MET),
        (D("5"), "lte", D("5"), MET),
        (D("5"), "lt", D("5"), NOT_MET),
        (D("4.5"), "lt", D("5"), MET),
        (D("100"), "eq", D("100"), MET),
        (D("99.5"), "eq", D("100"), NOT_MET),
        (D("97.996"), "gte", D("98"), MET),  # shown as 98,00 %: judged as shown
        (D("97.994"), "gte", D("98"), NOT_MET),
    ],
)
def test_each_comparator_judges_the_value(value, comparator, target, expected):
    assert achievement(value=value, comparator=comparator, target_value=target).status == expected


def test_the_gap_is_positive_when_better_than_the_target_in_the_indicators_direction():
    assert achievement(value=D("95"), comparator="gte", target_value=D("98")).gap == D("-3.00")
    assert achievement(value=D("99.5"), comparator="gte", target_value=D("98")).gap == D("1.50")
    # Fewer days is better: 4 days against "≤ 5" is 1 day ahead; 7 days is 2 behind.
    lower = achievement(value=D("4"), comparator="lte", target_value=D("5"), direction="lower")
    assert (lower.status, lower.gap) == (MET, D("1.00"))
    late = achievement(value=D("7"), comparator="lte", target_value=D("5"), direction="lower")
    assert (late.status, late.gap) == (NOT_MET, D("-2.00"))


def test_zero_is_a_value_and_a_target_like_any_other():
    assert achievement(value=D("0"), comparator="gte", target_value=D("0")).status == MET
    assert achievement(value=D("0"), comparator="gt", target_value=D("0")).status == NOT_MET
    assert achievement(value=D("0"), comparator="gte", target_value=D("1")).status == NOT_MET


def test_missing_target_or_value_is_said_as_such_never_as_failure():
    assert achievement(value=D("50"), comparator=None, target_value=None).status == NO_TARGET
    assert achievement(value=None, comparator=None, target_value=None).status == NO_TARGET
    no_data = achievement(value=None, comparator="gte", target_value=D("98"))
    assert (no_data.status, no_data.gap) == (NO_DATA, None)


def test_every_status_has_a_word_and_a_symbol():
    for status_value in (D("99"), D("1"), None):
        result = achievement(value=status_value, comparator="gte", target_value=D("50"))
        assert str(result.label) and result.icon
    assert achievement(value=None).icon
