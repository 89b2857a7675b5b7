"""Reads of the work calendar (reference data: the same for every user)."""

from django.db.models import Count, Max

from vcdesk.calendars.choices import CalendarDayKind
from vcdesk.calendars.models import CalendarDay
from vcdesk.calendars.workdays import WorkCalendar, is_weekend

# (version, calendar) of this process. Building the calendar reads every stored day; the
# version is one aggregate over the small table, so every call still sees another process's
# change at once. Replaced as a whole, so a reader in another thread never sees half of it.
_cached: tuple[tuple, WorkCalendar] | None = None


def _version() -> tuple:
    return tuple(
        CalendarDay.objects.aggregate(days=Count("pk"), changed=Max("updated_at")).values()
    )


def work_calendar() -> WorkCalendar:
    """The current work calendar: every stored holiday, and the weekend days worked."""
    global _cached
    version = _version()
    if _cached is not None and _cached[0] == version:
        return _cached[1]
    holidays, working_weekends = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        if kind == CalendarDayKind.HOLIDAY:
            holidays.add(day)
        elif is_weekend(day):
            # A working-day mark on a weekday only undoes a holiday; the rule covers it.
            working_weekends.add(day)
    calendar = WorkCalendar(frozenset(holidays), frozenset(working_weekends))
    _cached = (version, calendar)
    return calendar


def work_calendar_forget() -> None:
    """Drop this process's calendar; the next `work_calendar()` reads the days again."""
    global _cached
    _cached = None
