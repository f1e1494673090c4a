from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from parc.lib.numbers import AmbiguousNumber, format_number, format_percent, input_text, parse_number


@pytest.mark.parametrize(
    "text, expected",
    [
        ("99,12", Decimal("99.12")),
        ("99.5", Decimal("99.5")),
        ("0.125", Decimal("0.125")),
        ("1.234,5", Decimal("1234.5")),
        ("1.234.567", Decimal("1234567")),
        (" 257141 ", Decimal("257141")),
        ("98 %", Decimal("98")),
        ("-1", Decimal("-1")),
        (7, Decimal("7")),
    ],
)
def test_it_reads_numbers_written_the_vietnamese_way(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["1.234", "257.141"])
def test_it_refuses_a_dot_that_could_be_thousands_or_decimals(text):
    with pytest.raises(AmbiguousNumber):
        parse_number(text)


@pytest.mark.parametrize("text", ["abc", "", "1,2,3", "1.23.4", "1,5.2", "nan", "inf", "12a"])
def test_it_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_it_writes_numbers_with_decimal_comma_and_thousand_dots_in_both_languages(lang):
    with translation.override(lang):
        assert format_number(257141) == "257.141"
        assert format_number(Decimal("88.5437"), 2) == "88,54"
        assert format_percent(Decimal("99.12")) == "99,12 %"
        assert format_number(None) == ""


def test_template_filters_show_a_dash_for_missing_values():
    out = Template("{% load parc_format %}{{ a|vn_number }}|{{ b|vn_percent }}|{{ c|vn_percent:1 }}").render(
        Context({"a": 1234567, "b": None, "c": Decimal("55")})
    )
    assert out == "1.234.567|—|55,0 %"


def test_dates_are_written_day_month_year():
    from datetime import date

    with translation.override("vi"):
        assert Template("{{ d|date:'SHORT_DATE_FORMAT' }}").render(Context({"d": date(2023, 1, 31)})) == "31/01/2023"


def test_stored_decimals_lose_their_trailing_zeros_when_no_precision_is_asked():
    assert format_number(Decimal("3.5000")) == "3,5"
    assert format_number(Decimal("100.0000")) == "100"
    assert format_number(Decimal("1200.0000")) == "1.200"


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (Decimal("-1234.5"), 2, "-1.234,50"),
        (Decimal("-0.001"), 2, "0,00"),
        (0, None, "0"),
        (Decimal("1E+2"), None, "100"),
        (1234567.891, 1, "1.234.567,9"),
        (Decimal("0.125"), 2, "0,13"),  # half up, as people round
        (999, 0, "999"),
        (1000, 0, "1.000"),
    ],
)
def test_number_formatting_edge_cases(value, decimals, expected):
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("145.0000"), "145"),
        (Decimal("4.6100"), "4,61"),
        (Decimal("1234.5"), "1234,5"),  # no grouping: "1.234" would read back as ambiguous
        (Decimal("-0.0000"), "0"),
        (Decimal("1E+2"), "100"),
        (7, "7"),
        (None, ""),
        ("typed 1,5", "typed 1,5"),  # what a user typed stays as typed
    ],
)
def test_stored_numbers_are_shown_as_typed_without_trailing_zeros(value, expected):
    assert input_text(value) == expected
    if isinstance(value, Decimal):
        assert parse_number(expected) == value  # and read back as the same number
