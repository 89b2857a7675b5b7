"""Working-day arithmetic, checked against a day-by-day reading of the calendar."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcdesk.calendars.workdays import BEIJING, WorkCalendar, end_of_nth_working_day_after

# Calendars are drawn over a window of a few months so that their exceptions matter.
ORIGIN = date(2026, 1, 1)
WINDOW_DAYS = 150


def window_days(limit: int = WINDOW_DAYS):
    return st.integers(0, limit).map(lambda offset: ORIGIN + timedelta(days=offset))


calendars = st.builds(
    WorkCalendar,
    holidays=st.frozensets(window_days(), max_size=60),
    # Weekdays may be listed too: a working-day mark on a weekday changes nothing.
    working_weekends=st.frozensets(window_days(), max_size=30),
)
days = window_days(120)
counts = st.integers(1, 25)
beijing_moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 4, 30), timezones=st.just(BEIJING)
)


def days_between(start: date, end: date):
    """The days in (start, end]."""
    return [start + timedelta(days=k) for k in range(1, (end - start).days + 1)]


def is_working_by_definition(calendar: WorkCalendar, day: date) -> bool:
    weekend = day.isoweekday() in (6, 7)
    return day in calendar.working_weekends if weekend else day not in calendar.holidays


@given(calendars, days)
def test_a_working_day_is_a_weekday_not_on_holiday_or_a_weekend_day_worked(calendar, day):
    assert calendar.is_working_day(day) == is_working_by_definition(calendar, day)


@given(calendars, days, counts)
def test_the_nth_working_day_after_is_a_working_day_with_n_minus_1_working_days_between(
    calendar, day, n
):
    result = calendar.nth_working_day_after(day, n)
    assert result > day
    assert calendar.is_working_day(result)
    strictly_between = days_between(day, result)[:-1]
    assert sum(calendar.is_working_day(d) for d in strictly_between) == n - 1


@given(calendars, days, counts)
def test_the_nth_working_day_after_grows_with_n_and_composes(calendar, day, n):
    nth = calendar.nth_working_day_after(day, n)
    assert calendar.nth_working_day_after(day, n + 1) > nth
    assert calendar.nth_working_day_after(day, n + 1) == calendar.nth_working_day_after(nth, 1)


@given(calendars, days, days)
def test_working_days_between_counts_the_working_days_after_start_up_to_end(calendar, start, end):
    expected = sum(calendar.is_working_day(d) for d in days_between(start, end))
    assert calendar.working_days_between(start, end) == expected


@given(calendars, days, counts)
def test_working_days_between_a_day_and_its_nth_working_day_after_is_n(calendar, day, n):
    assert calendar.working_days_between(day, calendar.nth_working_day_after(day, n)) == n


@given(calendars, beijing_moments, st.integers(1, 5))
def test_end_of_the_nth_working_day_is_local_midnight_after_that_day(calendar, moment, n):
    due = end_of_nth_working_day_after(moment, n, calendar)
    assert due.tzinfo is UTC
    local_due = due.astimezone(BEIJING)
    assert local_due.time() == time(0)
    last_day = local_due.date() - timedelta(days=1)
    assert last_day == calendar.nth_working_day_after(moment.date(), n)
    assert due > moment


@given(calendars, beijing_moments, st.times())
def test_end_of_the_nth_working_day_depends_only_on_the_local_date(calendar, moment, clock):
    other_moment_same_day = datetime.combine(moment.date(), clock, tzinfo=BEIJING)
    assert end_of_nth_working_day_after(moment, 2, calendar) == end_of_nth_working_day_after(
        other_moment_same_day, 2, calendar
    )


def test_without_exceptions_friday_is_followed_by_monday():
    assert WorkCalendar().nth_working_day_after(date(2026, 3, 6), 1) == date(2026, 3, 9)
    assert WorkCalendar().working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 5


def test_a_holiday_is_skipped_and_a_weekend_day_worked_is_counted():
    calendar = WorkCalendar(
        holidays=frozenset({date(2026, 3, 9)}), working_weekends=frozenset({date(2026, 3, 7)})
    )
    friday = date(2026, 3, 6)
    assert calendar.nth_working_day_after(friday, 1) == date(2026, 3, 7)
    assert calendar.nth_working_day_after(friday, 2) == date(2026, 3, 10)


def test_the_local_date_is_taken_in_beijing_not_in_utc():
    # 17:30 UTC on Friday is 01:30 on Saturday in Beijing: Monday is the 1st working day
    # after Saturday, so the 2nd is Tuesday and the clock ends at Wednesday 00:00 Beijing.
    moment = datetime(2026, 3, 6, 17, 30, tzinfo=UTC)
    due = end_of_nth_working_day_after(moment, 2, WorkCalendar())
    assert due == datetime(2026, 3, 11, 0, 0, tzinfo=BEIJING)
    assert due == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    in_london = end_of_nth_working_day_after(moment, 2, WorkCalendar(), ZoneInfo("Europe/London"))
    assert in_london == datetime(2026, 3, 11, 0, 0, tzinfo=UTC)


def test_a_naive_moment_or_a_count_below_one_is_refused():
    with pytest.raises(ValueError):
        end_of_nth_working_day_after(datetime(2026, 3, 6, 15, 0), 2, WorkCalendar())
    with pytest.raises(ValueError):
        WorkCalendar().nth_working_day_after(date(2026, 3, 6), 0)
