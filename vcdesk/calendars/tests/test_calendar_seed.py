"""The stored work calendar: seeded from the `holidays` package at `migrate`, corrected by
administrators, read by the SLA engine through one selector."""

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from django.db import connection
from django.utils import timezone

from vcdesk.calendars.choices import CalendarDayKind, CalendarDaySource
from vcdesk.calendars.models import CalendarDay, CalendarYear
from vcdesk.calendars.selectors import work_calendar
from vcdesk.calendars.services import (
    calendar_day_delete,
    calendar_day_set,
    calendar_package_years,
    calendar_seed,
)
from vcdesk.calendars.workdays import BEIJING, WorkCalendar, end_of_nth_working_day_after

pytestmark = pytest.mark.django_db


def stored(first: date, last: date) -> dict[date, str]:
    return dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind"))


def day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def snapshot() -> list[tuple]:
    return list(
        CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "source", "pk")
    )


def test_migrate_seeds_every_year_the_package_knows():
    years = calendar_package_years()
    assert years.start == holidays.China.start_year == 1950
    assert list(CalendarYear.objects.values_list("year", flat=True)) == list(years)
    assert CalendarDay.objects.filter(date__year=2026).exists()


def test_the_package_years_end_at_the_last_announcement_and_at_most_next_year():
    # holidays carries the State Council arrangements up to 2026.
    assert calendar_package_years(today=date(2026, 11, 25)) == range(1950, 2027)
    assert calendar_package_years(today=date(2025, 12, 1)) == range(1950, 2027)
    assert calendar_package_years(today=date(2024, 6, 1)) == range(1950, 2026)


def test_spring_festival_2026_runs_from_15_to_23_february():
    calendar = work_calendar()
    # The State Council: 2026-02-15 (Sunday) to 02-23 off, nine days. The package lists the
    # weekdays among them (the Sunday and the weekend in the middle are off anyway).
    assert stored(date(2026, 2, 15), date(2026, 2, 23)) == {
        day: CalendarDayKind.HOLIDAY for day in [date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
    }
    assert CalendarDay.objects.get(date=date(2026, 2, 17)).name == "春节"
    assert not any(
        calendar.is_working_day(d) for d in day_range(date(2026, 2, 15), date(2026, 2, 23))
    )
    assert calendar.is_working_day(date(2026, 2, 24))


def test_the_saturdays_before_and_after_spring_festival_2026_are_worked():
    calendar = work_calendar()
    for saturday in (date(2026, 2, 14), date(2026, 2, 28)):
        day = CalendarDay.objects.get(date=saturday)
        assert (day.kind, day.source) == (CalendarDayKind.WORKING_DAY, CalendarDaySource.SEEDED)
        assert calendar.is_working_day(saturday)
    assert not calendar.is_working_day(date(2026, 3, 7))  # an ordinary Saturday


def test_national_day_2025_runs_from_1_to_8_october_with_two_weekend_days_worked():
    calendar = work_calendar()
    assert not any(
        calendar.is_working_day(d) for d in day_range(date(2025, 10, 1), date(2025, 10, 8))
    )
    assert calendar.is_working_day(date(2025, 9, 28))  # Sunday
    assert calendar.is_working_day(date(2025, 10, 11))  # Saturday
    assert calendar.is_working_day(date(2025, 10, 9))
    assert stored(date(2025, 9, 28), date(2025, 9, 28)) == {
        date(2025, 9, 28): CalendarDayKind.WORKING_DAY
    }


def test_spare_arrival_skips_spring_festival_and_counts_adjusted_saturday():
    # Requested on Friday 2026-02-13 at 15:00: Saturday the 14th is worked (1st working day),
    # then nine days off; Tuesday the 24th is the 2nd working day.
    requested = datetime(2026, 2, 13, 15, 0, tzinfo=BEIJING)
    due = end_of_nth_working_day_after(requested, 2, work_calendar())
    assert due == datetime(2026, 2, 25, 0, 0, tzinfo=BEIJING)
    assert due == datetime(2026, 2, 24, 16, 0, tzinfo=UTC)


def test_spare_arrival_requested_on_the_friday_before_a_worked_saturday_counts_that_saturday():
    requested = datetime(2026, 2, 27, 15, 0, tzinfo=BEIJING)
    due = end_of_nth_working_day_after(requested, 2, work_calendar())
    # Saturday the 28th, then Monday 2 March: due at its 24:00.
    assert due == datetime(2026, 3, 3, 0, 0, tzinfo=BEIJING)
    # An ordinary Monday–Friday week would have given Tuesday 3 March.
    assert end_of_nth_working_day_after(requested, 2, WorkCalendar()) == datetime(
        2026, 3, 4, 0, 0, tzinfo=BEIJING
    )


def test_seeding_twice_changes_nothing():
    calendar_seed()
    before = snapshot()
    history_rows = CalendarDay.history.count()
    years_before = list(CalendarYear.objects.values_list("year", "seeded_at"))
    assert calendar_seed() == 0
    assert snapshot() == before
    assert CalendarDay.history.count() == history_rows
    assert list(CalendarYear.objects.values_list("year", "seeded_at")) == years_before


def test_seeding_a_year_writes_exactly_what_the_package_says():
    CalendarDay.objects.filter(date__year=2026).delete()
    china = holidays.country_holidays("CN", years=2026)
    # The package also lists the weekend days worked for other years' arrangements.
    expected = {day: CalendarDayKind.HOLIDAY for day in china} | {
        day: CalendarDayKind.WORKING_DAY for day in china.weekend_workdays if day.year == 2026
    }
    assert calendar_seed(years=[2026]) == len(expected) == 28
    assert stored(date(2026, 1, 1), date(2026, 12, 31)) == expected
    # The package's own reading of a day agrees with ours on every day of the year.
    calendar = work_calendar()
    for day in day_range(date(2026, 1, 1), date(2026, 12, 31)):
        assert calendar.is_working_day(day) == china.is_working_day(day), day


def test_an_administrators_edit_survives_reseeding(service_manager):
    # A local arrangement: this customer's office works on 2026-02-23.
    calendar_day_set(
        day=date(2026, 2, 23),
        kind=CalendarDayKind.WORKING_DAY,
        name="本单位上班",
        actor=service_manager.user,
    )
    calendar_seed(years=[2026])
    day = CalendarDay.objects.get(date=date(2026, 2, 23))
    assert (day.kind, day.name, day.source) == (
        CalendarDayKind.WORKING_DAY,
        "本单位上班",
        CalendarDaySource.EDITED,
    )
    assert day.history.first().history_user == service_manager.user
    assert work_calendar().is_working_day(date(2026, 2, 23))


def test_next_years_announcement_is_entered_by_hand():
    calendar_day_set(
        day=date(2027, 2, 6), kind=CalendarDayKind.WORKING_DAY, name="调休上班", actor=None
    )
    calendar_day_set(day=date(2027, 2, 12), kind=CalendarDayKind.HOLIDAY, name="春节", actor=None)
    calendar = work_calendar()
    assert calendar.is_working_day(date(2027, 2, 6))  # a Saturday
    assert not calendar.is_working_day(date(2027, 2, 12))  # a Friday


def test_a_seeded_day_the_package_no_longer_gives_is_removed_and_an_edited_one_kept():
    CalendarDay.objects.create(
        date=date(2026, 3, 10), kind=CalendarDayKind.HOLIDAY, source=CalendarDaySource.SEEDED
    )
    CalendarDay.objects.create(
        date=date(2026, 3, 11), kind=CalendarDayKind.HOLIDAY, source=CalendarDaySource.EDITED
    )
    seeded_at = CalendarYear.objects.get(year=2026).seeded_at
    assert calendar_seed(years=[2026]) == 1
    assert CalendarYear.objects.get(year=2026).seeded_at > seeded_at
    assert stored(date(2026, 3, 10), date(2026, 3, 11)) == {
        date(2026, 3, 11): CalendarDayKind.HOLIDAY
    }


def test_a_removed_day_follows_the_weekday_rule_again():
    calendar_day_delete(day=date(2026, 2, 14), actor=None)
    assert not work_calendar().is_working_day(date(2026, 2, 14))


def test_the_selector_sees_an_edit_at_once():
    assert not work_calendar().is_working_day(date(2026, 2, 20))
    calendar_day_set(day=date(2026, 2, 20), kind=CalendarDayKind.WORKING_DAY, name="", actor=None)
    assert work_calendar().is_working_day(date(2026, 2, 20))


def test_the_selector_sees_another_processs_change_through_its_version():
    assert not work_calendar().is_working_day(date(2026, 2, 20))
    # Another process's write: no signal reaches this one, only the database changes.
    CalendarDay.objects.filter(date=date(2026, 2, 20)).update(
        kind=CalendarDayKind.WORKING_DAY, updated_at=timezone.now()
    )
    assert work_calendar().is_working_day(date(2026, 2, 20))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {CalendarDay._meta.db_table} WHERE date = %s", [date(2026, 2, 14)]
        )
    assert not work_calendar().is_working_day(date(2026, 2, 14))


def test_the_selector_reuses_its_calendar_while_nothing_changes(django_assert_num_queries):
    first = work_calendar()
    with django_assert_num_queries(1):
        assert work_calendar() is first


def test_the_calendar_is_seeded_again_after_a_flush_which_sends_no_migration_state():
    # `flush` (the teardown of a transaction test) empties the tables and sends post_migrate
    # without `apps`; the next test must still find the holidays.
    from vcdesk.calendars.apps import _seed_calendar

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    _seed_calendar(using="default", verbosity=0, interactive=False)
    assert CalendarDay.objects.filter(date=date(2026, 10, 1)).exists()
