"""Dispatch (R3): assign, accept, set out, check in, check out — in order, by the engineer."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from vcdesk.accounts.choices import Role
from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.core.testing import persona
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service import services
from vcdesk.service.choices import ClockKind, EventType, RecordStatus
from vcdesk.service.dispatch import (
    dispatch_accept,
    dispatch_assign,
    dispatch_check_in,
    dispatch_check_out,
    dispatch_open_of,
    dispatch_set_out,
    dispatch_visible,
)
from vcdesk.service.models import Dispatch, HistoryEntry, ServiceRecord
from vcdesk.service.services import EventRefused

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing, a Tuesday
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def english():
    """The refusals are asserted in English; the services speak the active language."""
    with translation.override("en"):
        yield


def open_record(org, *, duty_officer, at=T0, travel_minutes=40, fault_class="node_down"):
    device = DeviceFactory(site=SiteFactory(organisation=org, travel_minutes=travel_minutes))
    with time_machine.travel(at, tick=False):
        return services.service_record_open(
            device=device,
            fault_class=fault_class,
            description="主会场MCU无法登录",
            caller_name="张伟",
            caller_phone="13800001111",
            actor=duty_officer.user,
        )


def clock(record, kind):
    return record.clocks.get(kind=kind)


@pytest.fixture
def second_engineer(db):
    return persona("field2", Role.FIELD_ENGINEER)


@pytest.fixture
def job(org_a, duty_officer, field_engineer):
    """A node-down record with the field engineer dispatched 10 minutes after the call."""
    record = open_record(org_a, duty_officer=duty_officer)
    with time_machine.travel(T0 + 10 * MINUTE, tick=False):
        return dispatch_assign(record, engineer=field_engineer.user, actor=duty_officer.user)


def walk_to_site(dispatch, engineer, *, arrive_at):
    with time_machine.travel(arrive_at - 30 * MINUTE, tick=False):
        dispatch_accept(dispatch, actor=engineer.user)
        dispatch_set_out(dispatch, actor=engineer.user)
    with time_machine.travel(arrive_at, tick=False):
        return dispatch_check_in(dispatch, actor=engineer.user)


def test_assigning_an_engineer_writes_the_dispatched_event_and_starts_the_onsite_clock(
    job, field_engineer
):
    record = job.record
    event = record.events.get()
    assert event.type == EventType.DISPATCHED
    assert event.engineer == field_engineer.user
    assert job.engineer == field_engineer.user
    assert job.assigned_at == T0 + 10 * MINUTE
    onsite = clock(record, ClockKind.ONSITE)
    assert onsite.due_at == T0 + 10 * MINUTE + dt.timedelta(minutes=40 + 60)
    assert ServiceRecord.objects.get(pk=record.pk).status == RecordStatus.DISPATCHED


def test_only_an_active_field_engineer_can_be_dispatched(org_a, duty_officer, support_engineer):
    record = open_record(org_a, duty_officer=duty_officer)
    with pytest.raises(ValidationError) as refused:
        dispatch_assign(record, engineer=support_engineer.user, actor=duty_officer.user)
    assert "engineer" in refused.value.message_dict
    assert not record.events.exists()


def test_the_same_engineer_is_not_dispatched_twice_to_one_record(job, field_engineer, duty_officer):
    with time_machine.travel(T0 + 20 * MINUTE, tick=False):
        with pytest.raises(EventRefused):
            dispatch_assign(job.record, engineer=field_engineer.user, actor=duty_officer.user)
    assert job.record.events.count() == 1


def test_a_second_engineer_can_be_sent_and_the_onsite_clock_keeps_its_first_start(
    job, second_engineer, duty_officer
):
    with time_machine.travel(T0 + 30 * MINUTE, tick=False):
        second = dispatch_assign(job.record, engineer=second_engineer.user, actor=duty_officer.user)
    assert second.pk != job.pk
    assert clock(job.record, ClockKind.ONSITE).started_at == T0 + 10 * MINUTE


def test_steps_happen_in_order_accept_set_out_check_in_check_out(job, field_engineer):
    me = field_engineer.user
    with time_machine.travel(T0 + 12 * MINUTE, tick=False):
        with pytest.raises(EventRefused, match="Accept"):
            dispatch_set_out(job, actor=me)
        with pytest.raises(EventRefused, match="Set out"):
            dispatch_check_in(job, actor=me)
        with pytest.raises(EventRefused, match="Check in"):
            dispatch_check_out(job, report="已处理", resolved=False, actor=me)
        dispatch_accept(job, actor=me)
        with pytest.raises(EventRefused, match="already accepted"):
            dispatch_accept(job, actor=me)
        dispatch_set_out(job, actor=me)
    job.refresh_from_db()
    assert job.accepted_at == job.set_out_at == T0 + 12 * MINUTE
    assert job.arrived_at is None
    assert not job.record.events.filter(type=EventType.ARRIVED).exists()


def test_only_the_dispatched_engineer_or_a_service_manager_moves_a_dispatch(
    job, second_engineer, duty_officer, service_manager
):
    for someone in (second_engineer, duty_officer):
        with pytest.raises(PermissionDenied):
            dispatch_accept(job, actor=someone.user)
    job.refresh_from_db()
    assert job.accepted_at is None
    with time_machine.travel(T0 + 15 * MINUTE, tick=False):
        dispatch_accept(job, actor=service_manager.user)
    job.refresh_from_db()
    assert job.accepted_at == T0 + 15 * MINUTE


def test_check_in_writes_the_arrived_event_and_meets_the_onsite_clock(job, field_engineer):
    walk_to_site(job, field_engineer, arrive_at=T0 + 70 * MINUTE)
    record = job.record
    arrived = record.events.get(type=EventType.ARRIVED)
    assert arrived.at == T0 + 70 * MINUTE
    assert arrived.engineer == field_engineer.user
    assert clock(record, ClockKind.ONSITE).met_at == T0 + 70 * MINUTE
    assert clock(record, ClockKind.FIX_ON_SITE).started_at == T0 + 70 * MINUTE
    assert ServiceRecord.objects.get(pk=record.pk).status == RecordStatus.ON_SITE
    job.refresh_from_db()
    assert job.arrived_at == T0 + 70 * MINUTE


def test_only_the_first_arrival_meets_the_onsite_clock(
    job, field_engineer, second_engineer, duty_officer
):
    with time_machine.travel(T0 + 20 * MINUTE, tick=False):
        second = dispatch_assign(job.record, engineer=second_engineer.user, actor=duty_officer.user)
    walk_to_site(job, field_engineer, arrive_at=T0 + 60 * MINUTE)
    walk_to_site(second, second_engineer, arrive_at=T0 + 95 * MINUTE)
    assert job.record.events.filter(type=EventType.ARRIVED).count() == 2
    assert clock(job.record, ClockKind.ONSITE).met_at == T0 + 60 * MINUTE
    assert clock(job.record, ClockKind.FIX_ON_SITE).started_at == T0 + 60 * MINUTE


def test_check_out_needs_a_report(job, field_engineer):
    walk_to_site(job, field_engineer, arrive_at=T0 + 60 * MINUTE)
    with pytest.raises(ValidationError) as refused:
        dispatch_check_out(job, report="   ", resolved=True, actor=field_engineer.user)
    assert "report" in refused.value.message_dict
    job.refresh_from_db()
    assert job.departed_at is None


def test_check_out_resolved_writes_the_report_to_history_and_resolves_the_record(
    job, field_engineer
):
    walk_to_site(job, field_engineer, arrive_at=T0 + 60 * MINUTE)
    with time_machine.travel(T0 + 150 * MINUTE, tick=False):
        dispatch_check_out(
            job, report="更换主控板，会议恢复", resolved=True, actor=field_engineer.user
        )
    job.refresh_from_db()
    assert job.departed_at == T0 + 150 * MINUTE
    assert job.report == "更换主控板，会议恢复"
    entry = HistoryEntry.objects.get(record=job.record)
    assert (entry.action, entry.author, entry.at) == (
        "更换主控板，会议恢复",
        field_engineer.user,
        T0 + 150 * MINUTE,
    )
    record = ServiceRecord.objects.get(pk=job.record_id)
    assert record.status == RecordStatus.RESOLVED
    assert clock(record, ClockKind.FIX_ON_SITE).met_at == T0 + 150 * MINUTE
    assert clock(record, ClockKind.RESTORE).met_at == T0 + 150 * MINUTE


def test_check_out_unresolved_leaves_the_record_open_and_the_fix_clock_running(job, field_engineer):
    walk_to_site(job, field_engineer, arrive_at=T0 + 60 * MINUTE)
    with time_machine.travel(T0 + 100 * MINUTE, tick=False):
        dispatch_check_out(
            job, report="主控板损坏，需备件", resolved=False, actor=field_engineer.user
        )
        with pytest.raises(EventRefused, match="over"):
            dispatch_check_out(job, report="再次离场", resolved=False, actor=field_engineer.user)
    record = ServiceRecord.objects.get(pk=job.record_id)
    assert record.status == RecordStatus.ON_SITE
    assert clock(record, ClockKind.FIX_ON_SITE).met_at is None
    assert not record.events.filter(type=EventType.RESOLVED).exists()


def test_a_refused_resolution_undoes_the_whole_check_out(job, field_engineer, duty_officer):
    walk_to_site(job, field_engineer, arrive_at=T0 + 60 * MINUTE)
    with time_machine.travel(T0 + 70 * MINUTE, tick=False):
        services.service_record_event_add(
            job.record, type=EventType.CUSTOMER_HOLD, note="会议室占用", actor=duty_officer.user
        )
    with time_machine.travel(T0 + 80 * MINUTE, tick=False):
        with pytest.raises(EventRefused, match="hold"):
            dispatch_check_out(job, report="已修复", resolved=True, actor=field_engineer.user)
    job.refresh_from_db()
    assert job.departed_at is None
    assert not HistoryEntry.objects.filter(record=job.record).exists()


def test_my_jobs_are_open_dispatches_of_the_engineer_most_urgent_record_first(
    org_a, duty_officer, field_engineer, second_engineer
):
    far = open_record(org_a, duty_officer=duty_officer, travel_minutes=120)
    near = open_record(org_a, duty_officer=duty_officer, travel_minutes=10)
    done = open_record(org_a, duty_officer=duty_officer)
    closed = open_record(org_a, duty_officer=duty_officer)
    theirs = open_record(org_a, duty_officer=duty_officer)
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        for record in (far, near, done, closed):
            services.service_record_event_add(
                record, type=EventType.RESPONDED, actor=duty_officer.user
            )
            dispatch_assign(record, engineer=field_engineer.user, actor=duty_officer.user)
        dispatch_assign(theirs, engineer=second_engineer.user, actor=duty_officer.user)
    finished = Dispatch.objects.get(record=done)
    walk_to_site(finished, field_engineer, arrive_at=T0 + 50 * MINUTE)
    with time_machine.travel(T0 + 60 * MINUTE, tick=False):
        dispatch_check_out(finished, report="已修复", resolved=True, actor=field_engineer.user)
        services.service_record_event_add(closed, type=EventType.CLOSED, actor=duty_officer.user)

    mine = [d.record for d in dispatch_open_of(engineer=field_engineer.user)]

    assert mine == [near, far]


def test_a_field_engineer_sees_only_their_own_dispatches_and_a_manager_sees_all(
    job, second_engineer, service_manager, contact_of_a
):
    assert list(dispatch_visible(user=job.engineer)) == [job]
    assert list(dispatch_visible(user=second_engineer.user)) == []
    assert list(dispatch_visible(user=service_manager.user)) == [job]
    assert list(dispatch_visible(user=contact_of_a.user)) == []
