"""Opening a record is the hotline's busiest write (issue 3: at least 250 a second), so its
cost is pinned: the queries it makes, the escalation levels kept per process, the clocks
answered without reading them back — and still every rule and every number right."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.notify.models import Notification
from vcdesk.service import escalation
from vcdesk.service.models import Clock, EscalationLevel, EscalationTrigger, ServiceRecord
from vcdesk.service.services import service_record_open
from vcdesk.service.sweep import clocks_sweep

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
PAYLOAD = {
    "fault_class": "node_down",
    "description": "主会场MCU无法登录",
    "caller_name": "张伟",
    "caller_phone": "13800001111",
}


@pytest.fixture
def device(org_a):
    return DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=30))


def post(api, who, device):
    with time_machine.travel(T0, tick=False):
        response = api.post("/api/v1/service-records", who, {"device": device.pk, **PAYLOAD})
    assert response.status_code == 201, response.content
    return response.json()


def test_opening_a_record_through_the_api_takes_six_queries(api, duty_officer, device):
    post(api, duty_officer, device)  # the levels are read once

    with CaptureQueriesContext(connection) as queries:
        post(api, duty_officer, device)

    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    # The token with its user and the user's role, the device with its site and contract,
    # the day's number (one statement), the record, its history row, its clocks.
    assert len(statements) == 6, "\n".join(statements)
    assert not any('"auth_group"' in sql and "user_id" in sql for sql in statements[1:])
    assert not any('"service_escalationlevel"' in sql for sql in statements)
    assert not any(sql.startswith("SELECT") and '"service_clock"' in sql for sql in statements)


def test_the_answer_shows_the_clocks_as_stored(api, duty_officer, device):
    record = post(api, duty_officer, device)

    stored = Clock.objects.filter(record_id=record["id"]).order_by("started_at", "id")
    assert [(c["kind"], c["due_at"]) for c in record["clocks"]] == [
        (clock.kind, clock.due_at.isoformat().replace("+00:00", "Z")) for clock in stored
    ]
    assert [c["kind"] for c in record["clocks"]] == ["response", "restore"]


def test_the_record_returned_by_the_service_still_reads_its_clocks_from_the_database(
    duty_officer, device
):
    with time_machine.travel(T0, tick=False):
        record = service_record_open(device=device, actor=duty_officer.user, **PAYLOAD)

    assert [c.kind for c in record.clocks.all()] == ["response", "restore"]
    assert record.clocks.filter(kind="restore").get().pk is not None
    assert record.clocks.count() == 2


def first_escalation(record: ServiceRecord) -> dt.datetime:
    return Clock.objects.get(record=record, kind="response").next_escalation_at


def test_a_level_changed_in_this_process_applies_to_the_next_record_at_once(duty_officer, device):
    with time_machine.travel(T0, tick=False):
        before = service_record_open(device=device, actor=duty_officer.user, **PAYLOAD)
        EscalationLevel.objects.create(
            name="提前预警",
            trigger=EscalationTrigger.WARNING,
            delay_minutes=0,
            audience="assignees",
        )
        warning = EscalationLevel.objects.filter(trigger=EscalationTrigger.WARNING).first()
        warning.trigger = EscalationTrigger.BREACH
        warning.save()
        for level in EscalationLevel.objects.filter(name="提前预警"):
            level.delete()
        after = service_record_open(device=device, actor=duty_officer.user, **PAYLOAD)

    # 80 % of the hour: 09:48; with no warning level left, the breach at 10:00 comes first.
    assert first_escalation(before) == T0 + dt.timedelta(minutes=48)
    assert first_escalation(after) == T0 + dt.timedelta(minutes=60)


def test_a_level_changed_by_another_process_applies_once_the_recheck_time_passed(
    duty_officer, device, monkeypatch
):
    with time_machine.travel(T0, tick=False):
        service_record_open(device=device, actor=duty_officer.user, **PAYLOAD)
        # Another process's change: no signal reaches this one.
        EscalationLevel.objects.filter(trigger=EscalationTrigger.WARNING).update(active=False)
        cached = service_record_open(device=device, actor=duty_officer.user, **PAYLOAD)
        monkeypatch.setattr(escalation, "RECHECK_SECONDS", 0.0)
        rechecked = service_record_open(device=device, actor=duty_officer.user, **PAYLOAD)

    assert first_escalation(cached) == T0 + dt.timedelta(minutes=48)
    assert first_escalation(rechecked) == T0 + dt.timedelta(minutes=60)


def test_the_sweep_reads_the_levels_afresh(duty_officer, device):
    with time_machine.travel(T0, tick=False):
        service_record_open(device=device, actor=duty_officer.user, **PAYLOAD)  # cached
    EscalationLevel.objects.filter(trigger=EscalationTrigger.WARNING).update(active=False)

    with time_machine.travel(T0 + dt.timedelta(minutes=50), tick=False):
        fired = clocks_sweep()

    assert fired == 0
    assert not Notification.objects.exists()


def test_the_first_history_row_holds_the_record_as_opened_by_whom(api, duty_officer, device):
    record = ServiceRecord.objects.get(pk=post(api, duty_officer, device)["id"])

    (row,) = record.history.all()
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        duty_officer.user,
        "",
    )
    assert row.history_date == T0
    for field in ServiceRecord.history.model.tracked_fields:
        assert getattr(row, field.attname) == getattr(record, field.attname), field.name
    assert row.instance.number == record.number  # django-simple-history reads it back
