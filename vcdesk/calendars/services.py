"""Every change to the work calendar goes through these functions."""

from collections.abc import Iterable
from datetime import date
from functools import cache

import holidays
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from vcdesk.calendars.choices import CalendarDayKind, CalendarDaySource
from vcdesk.calendars.models import CalendarDay, CalendarYear
from vcdesk.calendars.selectors import work_calendar_forget
from vcdesk.core.services import validated_save

# The package names the holidays (春节, 休息日（由 2026-02-14 调休）) but not the weekend days
# worked in their place; the swapped holiday's own name says which day it was swapped with.
WORKING_WEEKEND_NAME = "调休上班"

PackageDays = dict[date, tuple[CalendarDayKind, str]]


def calendar_package_years(*, today: date | None = None) -> range:
    """The years the `holidays` package knows for China: from its start year (1950) to the
    last year whose State Council arrangement it carries, and no later than next year.

    A year's arrangement is there when the package lists adjusted working weekends in it
    (every year since 2001, where the package's announcements begin, has some). For a later
    year the package only estimates the statutory days, without the swaps; such a year is left
    for an administrator to enter from the announcement.
    """
    this_year = (today or timezone.localdate()).year
    china = holidays.country_holidays("CN", years=range(this_year - 1, this_year + 2))
    last = max((day.year for day in china.weekend_workdays), default=this_year - 1)
    return range(holidays.China.start_year, min(last, this_year + 1) + 1)


@cache
def _package_days(years: tuple[int, ...]) -> PackageDays:
    """What the package says about the days of `years`: holidays, and weekend days worked.

    Only days inside `years` are kept: the package lists the weekend days worked for a
    neighbouring year's arrangement whatever years are asked (2002's New Year was swapped with
    2001-12-29). Neighbouring years are computed too, so that a holiday observed across New
    Year belongs to the year it falls in.
    """
    start, wanted = holidays.China.start_year, set(years)
    china = holidays.country_holidays(
        "CN",
        years=sorted({y + delta for y in years for delta in (-1, 0, 1) if y + delta >= start}),
        language="zh_CN",
    )
    days: PackageDays = {
        day: (CalendarDayKind.HOLIDAY, name) for day, name in china.items() if day.year in wanted
    }
    # As in the package's own is_working_day(): a weekend day it lists as worked is worked.
    for day in china.weekend_workdays:
        if day.year in wanted:
            days[day] = (CalendarDayKind.WORKING_DAY, WORKING_WEEKEND_NAME)
    return days


@transaction.atomic
def calendar_seed(*, years: Iterable[int] | None = None) -> int:
    """Make the seeded days of `years` (default: `calendar_package_years()`) what the
    `holidays` package says; returns how many days were created, changed or removed.

    Idempotent: seeding again changes nothing. A day an administrator edited is never
    touched; a seeded day the package no longer gives (a corrected release) is removed.
    Runs at every `migrate`, so it must stay quick: one read, bulk writes.
    """
    years = sorted(set(calendar_package_years() if years is None else years))
    if not years:
        return 0
    wanted, wanted_years = _package_days(tuple(years)), set(years)
    # Locked so that an administrator's edit of one of these days waits for the seed, then
    # wins (it marks the day edited); the seed never undoes it.
    stored = {
        row.date: row
        for row in CalendarDay.objects.select_for_update().filter(
            date__gte=date(years[0], 1, 1), date__lte=date(years[-1], 12, 31)
        )
        if row.date.year in wanted_years
    }
    now = timezone.now()
    reason = f"holidays {holidays.__version__}"
    created, changed = [], []
    for day, (kind, name) in sorted(wanted.items()):
        row = stored.get(day)
        if row is None:
            created.append(
                CalendarDay(date=day, kind=kind, name=name, source=CalendarDaySource.SEEDED)
            )
        elif row.source == CalendarDaySource.SEEDED and (row.kind, row.name) != (kind, name):
            # bulk_update does not apply auto_now; the selector's version needs updated_at.
            row.kind, row.name, row.updated_at = kind, name, now
            changed.append(row)
    removed = [
        row
        for day, row in stored.items()
        if day not in wanted and row.source == CalendarDaySource.SEEDED
    ]
    if created:
        bulk_create_with_history(
            created, CalendarDay, default_date=now, default_change_reason=reason
        )
    if changed:
        bulk_update_with_history(
            changed,
            CalendarDay,
            ["kind", "name", "updated_at"],
            default_date=now,
            default_change_reason=reason,
        )
    for row in removed:
        row._change_reason = reason
        row.delete()
    recorded = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        CalendarYear(year=year, seeded_at=now) for year in years if year not in recorded
    )
    changed_years = {row.date.year for row in [*created, *changed, *removed]}
    CalendarYear.objects.filter(year__in=changed_years & recorded).update(seeded_at=now)
    if created or changed:
        # Bulk writes send no post_save, which makes this process forget its calendar.
        work_calendar_forget()
    return len(created) + len(changed) + len(removed)


@transaction.atomic
def calendar_day_set(*, day: date, kind: CalendarDayKind, name: str, actor) -> CalendarDay:
    """Mark `day` a holiday or a working day, as an administrator decides (next year's
    announcement, a local arrangement); the day is then `edited` and seeding keeps it."""
    row = CalendarDay.objects.select_for_update().filter(date=day).first() or CalendarDay()
    row = validated_save(
        row,
        actor=actor,
        changes={"date": day, "kind": kind, "name": name, "source": CalendarDaySource.EDITED},
    )
    return row


@transaction.atomic
def calendar_day_delete(*, day: date, actor) -> None:
    """Remove the exception stored for `day`: it follows the Monday–Friday rule again, until
    a seed gives it back (for an edited day the package also lists, the package's version)."""
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        return
    row._history_user = actor if getattr(actor, "is_authenticated", False) else None
    row.delete()
