"""The reporting calendar read once (indicators.selectors.Calendar): the questions the dashboard
asks of it, answered from one query."""

import datetime

import pytest

from indicators.selectors import calendar, current_period
from indicators.testing import make_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarters():
    # 2025-Q3 to 2026-Q4 on the Home Affairs calendar, created out of order.
    made = [make_period(2026, kind) for kind in ("Q3", "Q1", "Q4", "Q2")]
    made += [make_period(2025, kind) for kind in ("Q4", "Q3")]
    return {p.code: p for p in made}


def test_it_reads_every_quarter_in_one_query(quarters, django_assert_num_queries):
    with django_assert_num_queries(1):
        cal = calendar()
        cal.years, cal.current(), cal.latest_due(), cal.span(year=2026, span="Y")


def test_years_are_newest_first(quarters):
    assert calendar().years == [2026, 2025]


def test_a_span_lists_its_quarters_in_order_and_only_those_that_exist(quarters):
    cal = calendar()
    assert [p.code for p in cal.span(year=2026, span="M9")] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert [p.code for p in cal.span(year=2026, span="Q2")] == ["2026-Q2"]
    assert [p.code for p in cal.span(year=2025, span="H1")] == []  # 2025's first half is not on record
    assert cal.span(year=2030, span="Y") == []


def test_recent_quarters_cross_the_year_and_stop_where_the_record_starts(quarters):
    cal = calendar()
    assert [p.code for p in cal.recent(until=quarters["2026-Q2"], count=3)] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert [p.code for p in cal.recent(until=quarters["2026-Q1"])] == ["2025-Q3", "2025-Q4", "2026-Q1"]


def test_the_current_quarter_is_the_one_whose_data_range_holds_the_day(quarters):
    cal = calendar()
    # Q1 2026 runs 15/12/2025–14/03/2026.
    assert cal.current(datetime.date(2025, 12, 20)).code == "2026-Q1"
    assert cal.current(datetime.date(2026, 3, 14)).code == "2026-Q1"
    assert cal.current(datetime.date(2026, 3, 15)).code == "2026-Q2"
    # After the last quarter on record: the latest that has started; before the first: none.
    assert cal.current(datetime.date(2027, 6, 1)).code == "2026-Q4"
    assert cal.current(datetime.date(2020, 1, 1)) is None
    assert current_period(datetime.date(2026, 3, 15)).code == "2026-Q2"


def test_the_latest_due_quarter_is_what_leaders_see_by_default(quarters):
    cal = calendar()
    # Q2 2026 is due on 20/06: on that day it is not yet past due, the day after it is.
    assert cal.latest_due(datetime.date(2026, 6, 20)).code == "2026-Q1"
    assert cal.latest_due(datetime.date(2026, 6, 21)).code == "2026-Q2"
    # Before anything is due: the current quarter.
    assert cal.latest_due(datetime.date(2025, 6, 20)).code == "2025-Q3"


def test_an_empty_calendar_answers_without_failing():
    cal = calendar()
    assert cal.years == []
    assert cal.current() is None
    assert cal.latest_due() is None
