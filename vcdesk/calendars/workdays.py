"""Working-day arithmetic on a Chinese work calendar (pure functions, no database).

A day is a working day when it is Monday–Friday and not a public holiday, or when it is a
Saturday or Sunday announced as an adjusted working day (调休上班). The calendar holds only
those exceptions; `vcdesk.calendars.selectors.work_calendar()` builds it from the database.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
SATURDAY = 5
ONE_DAY = timedelta(days=1)


def is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


def _weekdays_up_to(day: date) -> int:
    """How many Mondays–Fridays lie in [0001-01-01, day]; 0001-01-01 was a Monday."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class WorkCalendar:
    """The exceptions to the Monday–Friday rule: holidays, and weekend days worked."""

    holidays: frozenset[date] = frozenset()
    working_weekends: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if is_weekend(day):
            return day in self.working_weekends
        return day not in self.holidays

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after `day` (n ≥ 1)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, not {n}")
        while n:
            day += ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]; 0 when `end` is not after `start`."""
        if end <= start:
            return 0
        return (
            _weekdays_up_to(end)
            - _weekdays_up_to(start)
            - _count_in(self._weekday_holidays, start, end)
            + _count_in(self._worked_weekends, start, end)
        )

    # Sorted views for counting over long ranges without walking every day. A frozen
    # dataclass may still cache: cached_property writes to the instance __dict__ directly.
    @cached_property
    def _weekday_holidays(self) -> tuple[date, ...]:
        return tuple(sorted(day for day in self.holidays if not is_weekend(day)))

    @cached_property
    def _worked_weekends(self) -> tuple[date, ...]:
        return tuple(sorted(day for day in self.working_weekends if is_weekend(day)))


def _count_in(days: tuple[date, ...], start: date, end: date) -> int:
    """How many of the sorted `days` lie in (start, end]."""
    return bisect_right(days, end) - bisect_right(days, start)


def end_of_nth_working_day_after(
    moment: datetime, n: int, calendar: WorkCalendar, tz: ZoneInfo = BEIJING
) -> datetime:
    """24:00 (00:00 of the next calendar day) of the n-th working day after the local date
    of `moment` in `tz`, in UTC.

    The service plan's spare-arrival promise: "by 24:00 of the 2nd working day after the
    local date of T". Only T's local date counts: a spare requested at 00:05 and one
    requested at 23:55 of the same day are due at the same instant.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be an aware datetime")
    due_day = calendar.nth_working_day_after(moment.astimezone(tz).date(), n)
    return datetime.combine(due_day + ONE_DAY, time(0), tzinfo=tz).astimezone(UTC)
