"""Two workers sweeping at the same instant tell once (the conditional UPDATE of the sweep).

Each sweep runs in its own thread on its own database connection, released together, as
parallel task workers would: on PostgreSQL they split the due rows (FOR UPDATE SKIP LOCKED),
on SQLite they queue for the write lock (IMMEDIATE transactions)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from vcdesk.inspections.choices import InspectionEventType
from vcdesk.inspections.models import InspectionEvent
from vcdesk.inspections.sweep import inspections_sweep
from vcdesk.inspections.tests.factories import planned
from vcdesk.notify.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)

LATE = dt.datetime(2026, 6, 3, 1, tzinfo=dt.UTC)  # 09:00 in Beijing, three days overdue


def at_once(calls) -> list:
    start = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test looks at
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_four_workers_sweeping_together_send_each_overdue_notice_once(
    org_a, org_b, field_engineer, service_manager
):
    field_engineer.user.email = "field@vcdesk.example"
    field_engineer.user.save()
    inspections = [
        planned(org_a, engineer=field_engineer.user),
        planned(org_b, engineer=field_engineer.user, suffix="B"),
    ]

    outcomes = at_once([lambda: inspections_sweep(now=LATE)] * 4)

    assert sum(o["overdue"] for o in outcomes) == 2, outcomes
    assert sum(o["planned"] for o in outcomes) == 2, outcomes  # both contracts' year 2
    notices = InspectionEvent.objects.filter(type=InspectionEventType.OVERDUE_NOTICE)
    assert sorted(notices.values_list("inspection_id", flat=True)) == sorted(
        i.pk for i in inspections
    )
    assert Notification.objects.filter(recipient="field@vcdesk.example").count() == 2
