import datetime

import pytest

from parc.lib.periods import default_quarter_dates, parse_period_code


def test_the_home_affairs_calendar_runs_from_the_15th_to_the_14th():
    q1 = default_quarter_dates(2026, "Q1")
    assert (q1.start, q1.end, q1.due) == (
        datetime.date(2025, 12, 15),
        datetime.date(2026, 3, 14),
        datetime.date(2026, 3, 20),
    )
    q2 = default_quarter_dates(2026, "Q2")
    assert (q2.start, q2.end, q2.due) == (
        datetime.date(2026, 3, 15),
        datetime.date(2026, 6, 14),
        datetime.date(2026, 6, 20),
    )
    q3 = default_quarter_dates(2026, "Q3")
    assert (q3.start, q3.end, q3.due) == (
        datetime.date(2026, 6, 15),
        datetime.date(2026, 9, 14),
        datetime.date(2026, 9, 20),
    )
    q4 = default_quarter_dates(2026, "Q4")
    assert (q4.start, q4.end, q4.due) == (
        datetime.date(2026, 9, 15),
        datetime.date(2026, 12, 14),
        datetime.date(2026, 12, 20),
    )
    assert q4.closes == datetime.date(2026, 12, 30)


def test_quarters_follow_each_other_without_gaps():
    quarters = [default_quarter_dates(2026, q) for q in ("Q1", "Q2", "Q3", "Q4")]
    for before, after in zip(quarters, quarters[1:], strict=False):
        assert after.start == before.end + datetime.timedelta(days=1)
    assert default_quarter_dates(2027, "Q1").start == quarters[-1].end + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "code, expected", [("2026-Q2", (2026, "Q2")), ("2025-h1", (2025, "H1")), ("2026-Y", (2026, "Y"))]
)
def test_period_codes_parse(code, expected):
    assert parse_period_code(code) == expected


@pytest.mark.parametrize("code", ["2026", "Q2-2026", "2026-Q5", "abcd-Q1"])
def test_bad_period_codes_are_refused(code):
    with pytest.raises(ValueError):
        parse_period_code(code)
