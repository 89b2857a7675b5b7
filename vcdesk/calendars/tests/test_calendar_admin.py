"""Administrators correct the calendar in the Django admin; every save is an edit."""

from datetime import date

import pytest
from django.utils import translation

from vcdesk.calendars.choices import CalendarDayKind, CalendarDaySource
from vcdesk.calendars.models import CalendarDay
from vcdesk.calendars.selectors import work_calendar

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/calendars/calendarday/"


def test_the_day_list_filters_by_year_and_kind(admin_client):
    response = admin_client.get(CHANGELIST, {"year": "2026", "kind": "working_day"})
    assert response.status_code == 200
    shown = {day.date for day in response.context["cl"].result_list}
    assert shown == set(
        CalendarDay.objects.filter(date__year=2026, kind=CalendarDayKind.WORKING_DAY).values_list(
            "date", flat=True
        )
    )
    assert date(2026, 2, 14) in shown


def test_changing_a_day_in_the_admin_marks_it_edited(admin_client, admin_user):
    day = CalendarDay.objects.get(date=date(2026, 2, 23))
    response = admin_client.post(
        f"{CHANGELIST}{day.pk}/change/", {"kind": "working_day", "name": "本单位上班"}
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.kind, day.name, day.source) == (
        CalendarDayKind.WORKING_DAY,
        "本单位上班",
        CalendarDaySource.EDITED,
    )
    assert day.history.first().history_user == admin_user
    assert work_calendar().is_working_day(date(2026, 2, 23))


def test_adding_next_years_day_in_the_admin(admin_client):
    response = admin_client.post(
        f"{CHANGELIST}add/", {"date": "2027-02-06", "kind": "working_day", "name": "调休上班"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=date(2027, 2, 6))
    assert day.source == CalendarDaySource.EDITED
    assert work_calendar().is_working_day(date(2027, 2, 6))


def test_the_list_edits_kinds_in_place(admin_client):
    rows = list(CalendarDay.objects.filter(date__range=(date(2026, 2, 14), date(2026, 2, 16))))
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "_save": "Save",
    }
    for index, row in enumerate(rows):
        data[f"form-{index}-id"] = str(row.pk)
        data[f"form-{index}-kind"] = row.kind
        data[f"form-{index}-name"] = row.name
    data["form-0-kind"] = "holiday"  # 2026-02-14, the worked Saturday
    response = admin_client.post(f"{CHANGELIST}?year=2026", data)
    assert response.status_code == 302
    changed = CalendarDay.objects.get(date=date(2026, 2, 14))
    assert (changed.kind, changed.source) == (CalendarDayKind.HOLIDAY, CalendarDaySource.EDITED)
    untouched = CalendarDay.objects.get(date=date(2026, 2, 16))
    assert untouched.source == CalendarDaySource.SEEDED


def test_deleting_a_day_in_the_admin_records_who(admin_client, admin_user):
    day = CalendarDay.objects.get(date=date(2026, 2, 14))
    response = admin_client.post(f"{CHANGELIST}{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2026, 2, 14)).exists()
    assert CalendarDay.history.filter(id=day.pk).first().history_user == admin_user


def test_the_kinds_read_in_chinese_by_default():
    with translation.override("zh-hans"):
        assert str(CalendarDayKind.HOLIDAY.label) == "节假日"
        assert str(CalendarDayKind.WORKING_DAY.label) == "调休上班日"
    with translation.override("en"):
        assert str(CalendarDayKind.WORKING_DAY.label) == "Adjusted working day"
