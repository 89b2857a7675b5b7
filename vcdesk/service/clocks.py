"""When each promise falls due (R2.3 as issue 3 fixes it). Pure functions.

| kind | starts at | due |
| response | reported time | + response minutes (60), round the clock |
| onsite | first of remote_failed / dispatched | + site travel minutes + 60 |
| fix_on_site | arrived | + 120 minutes |
| spare_ship | spare_requested | + 24 hours |
| spare_arrival | spare_requested | 24:00 of the 2nd working day after the local date |
| restore | reported time (hardware-damage classes) | + 24 hours |
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from vcdesk.calendars.workdays import WorkCalendar, end_of_nth_working_day_after
from vcdesk.service.choices import ClockKind

DEFAULT_WARNING_SHARE = 0.8


@dataclass(frozen=True)
class Promise:
    """A contract's service-level durations and the site's travel time."""

    response_minutes: int = 60
    onsite_extra_minutes: int = 60
    travel_minutes: int = 0
    fix_on_site_minutes: int = 120
    spare_ship_hours: int = 24
    spare_arrival_working_days: int = 2
    restore_hours: int = 24


def due_at(
    kind: ClockKind, *, start: datetime, promise: Promise, calendar: WorkCalendar | None
) -> datetime:
    """The due time of a clock of `kind` started at `start` (aware)."""
    if kind == ClockKind.RESPONSE:
        return start + timedelta(minutes=promise.response_minutes)
    if kind == ClockKind.ONSITE:
        return start + timedelta(minutes=promise.travel_minutes + promise.onsite_extra_minutes)
    if kind == ClockKind.FIX_ON_SITE:
        return start + timedelta(minutes=promise.fix_on_site_minutes)
    if kind == ClockKind.SPARE_SHIP:
        return start + timedelta(hours=promise.spare_ship_hours)
    if kind == ClockKind.SPARE_ARRIVAL:
        return end_of_nth_working_day_after(start, promise.spare_arrival_working_days, calendar)
    if kind == ClockKind.RESTORE:
        return start + timedelta(hours=promise.restore_hours)
    raise ValueError(kind)


def warn_at(*, start: datetime, due: datetime, share: float = DEFAULT_WARNING_SHARE) -> datetime:
    """A clock warns once `share` of its span has passed."""
    return start + (due - start) * share
