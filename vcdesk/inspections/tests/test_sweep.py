"""Inspections are swept like clocks (R5.1, X4): the engineer is reminded N days before the
due date, the engineer and the service managers are told when it is overdue; each once,
however often the sweep runs and in however many workers. Notifications are in Chinese,
the language of the service plan, whatever language the test reads refusals in."""

import datetime as dt

import pytest
import time_machine

from vcdesk.inspections import services
from vcdesk.inspections.choices import InspectionEventType
from vcdesk.inspections.models import Inspection
from vcdesk.inspections.sweep import inspections_sweep
from vcdesk.inspections.tests.factories import answer_all, planned
from vcdesk.notify.models import Notification

pytestmark = pytest.mark.django_db

# The inspection of `planned` is due on 2026-05-31 (the contract year's last day).
DUE = dt.date(2026, 5, 31)


def beijing(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def told(**filters) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(**filters).values_list("recipient", "subject"))


@pytest.fixture
def inspection(org_a, field_engineer, service_manager):
    field_engineer.user.email = "field@vcdesk.example"
    field_engineer.user.save()
    service_manager.user.email = "manager@vcdesk.example"
    service_manager.user.save()
    inspection = planned(org_a, engineer=field_engineer.user)
    assert inspection.due_on == DUE
    return inspection


def test_the_deadlines_are_09_00_beijing_time_seven_days_before_and_the_day_after(inspection):
    assert inspection.remind_at == beijing(2026, 5, 24, 9)
    assert inspection.overdue_at == beijing(2026, 6, 1, 9)


def test_the_engineer_is_reminded_once_seven_days_before(inspection):
    assert inspections_sweep(now=beijing(2026, 5, 24, 8, 59)) == {
        "planned": 0,
        "reminded": 0,
        "overdue": 0,
    }
    assert Notification.objects.count() == 0

    assert inspections_sweep(now=beijing(2026, 5, 24, 9)) == {
        "planned": 0,
        "reminded": 1,
        "overdue": 0,
    }
    assert inspections_sweep(now=beijing(2026, 5, 24, 9, 1)) == {
        "planned": 0,
        "reminded": 0,
        "overdue": 0,
    }
    assert inspections_sweep(now=beijing(2026, 5, 30, 9)) == {
        "planned": 0,
        "reminded": 0,
        "overdue": 0,
    }

    [(recipient, subject)] = told()
    assert recipient == "field@vcdesk.example"
    assert subject == f"【巡检提醒】{inspection.number} 现场巡检 将于 2026-05-31 到期（北京台）"
    inspection.refresh_from_db()
    assert inspection.reminded_at == beijing(2026, 5, 24, 9)
    assert inspection.events.filter(type=InspectionEventType.REMINDED).count() == 1


def test_an_overdue_inspection_tells_the_engineer_and_the_managers_once(inspection):
    inspections_sweep(now=beijing(2026, 5, 24, 9))
    Notification.objects.all().delete()

    assert inspections_sweep(now=beijing(2026, 6, 3, 9)) == {
        "planned": 1,
        "reminded": 0,
        "overdue": 1,
    }
    assert inspections_sweep(now=beijing(2026, 6, 3, 9)) == {
        "planned": 0,
        "reminded": 0,
        "overdue": 0,
    }

    subjects = told()
    assert [r for r, _s in subjects] == ["field@vcdesk.example", "manager@vcdesk.example"]
    assert {s for _r, s in subjects} == {
        f"【巡检逾期】{inspection.number} 现场巡检 已于 2026-05-31 到期，逾期 3 天（北京台）"
    }
    assert inspection.events.filter(type=InspectionEventType.OVERDUE_NOTICE).count() == 1


def test_an_inspection_first_swept_when_already_late_gets_only_the_overdue_notice(inspection):
    assert inspections_sweep(now=beijing(2026, 6, 10, 9)) == {
        "planned": 1,
        "reminded": 0,
        "overdue": 1,
    }
    assert inspections_sweep(now=beijing(2026, 6, 10, 9)) == {
        "planned": 0,
        "reminded": 0,
        "overdue": 0,
    }

    assert all("巡检逾期" in s for _r, s in told())
    inspection.refresh_from_db()
    assert inspection.reminded_at is not None


def test_moving_the_due_date_makes_a_new_promise_with_its_own_reminder(inspection, service_manager):
    inspections_sweep(now=beijing(2026, 6, 2, 9))
    Notification.objects.all().delete()

    with time_machine.travel(beijing(2026, 6, 2, 10), tick=False):
        services.inspection_reschedule(
            inspection,
            due_on=dt.date(2026, 6, 20),
            reason="客户机房装修，延后",
            actor=service_manager.user,
        )

    assert inspections_sweep(now=beijing(2026, 6, 12, 9)) == {
        "planned": 0,
        "reminded": 0,
        "overdue": 0,
    }
    assert inspections_sweep(now=beijing(2026, 6, 13, 9)) == {
        "planned": 0,
        "reminded": 1,
        "overdue": 0,
    }
    assert inspections_sweep(now=beijing(2026, 6, 21, 9)) == {
        "planned": 0,
        "reminded": 0,
        "overdue": 1,
    }
    field = Notification.objects.filter(recipient__startswith="field").order_by("id")
    assert [("提醒" in n.subject, "逾期" in n.subject) for n in field] == [
        (True, False),
        (False, True),
    ]


def test_a_completed_inspection_is_never_told_about(inspection, field_engineer):
    services.inspection_start(inspection, actor=field_engineer.user)
    answer_all(inspection, actor=field_engineer.user)
    services.inspection_complete(inspection, summary="正常", actor=field_engineer.user)

    assert inspections_sweep(now=beijing(2026, 7, 1, 9))["overdue"] == 0
    assert Notification.objects.count() == 0


def test_a_reminder_with_nobody_assigned_goes_to_the_service_managers(inspection):
    Inspection.objects.filter(pk=inspection.pk).update(engineer=None)

    inspections_sweep(now=beijing(2026, 5, 24, 9))

    assert [r for r, _s in told()] == ["manager@vcdesk.example"]


def test_the_reminder_days_are_configurable(org_b, settings):
    settings.VCDESK_INSPECTION_REMIND_DAYS = 14

    inspection = planned(org_b)

    assert inspection.remind_at == beijing(2026, 5, 17, 9)
