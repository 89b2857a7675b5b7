"""The hotline pages: intake, queue, record page and my jobs, persona by persona."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from vcdesk.accounts.choices import Role
from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.core.testing import PERSONA_PASSWORD, persona
from vcdesk.customers.tests.factories import ContactFactory, SiteFactory
from vcdesk.service import services
from vcdesk.service.choices import ClockKind, EventType, FaultClass, RecordStatus
from vcdesk.service.dispatch import dispatch_assign
from vcdesk.service.models import Dispatch, HistoryEntry, ServiceRecord

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing, a Tuesday
MINUTE = dt.timedelta(minutes=1)


def signed_in(who) -> Client:
    client = Client()
    assert client.login(username=who.user.username, password=PERSONA_PASSWORD)
    return client


def device_of(org, *, serial=None, site_name=None, travel_minutes=45):
    site = SiteFactory(organisation=org, travel_minutes=travel_minutes)
    if site_name:
        site.name = site_name
        site.save()
    return DeviceFactory(site=site, **({"serial": serial} if serial else {}))


def open_record(device, *, actor, at=T0, fault_class="congestion", caller_phone="13800001111"):
    with time_machine.travel(at, tick=False):
        return services.service_record_open(
            device=device,
            fault_class=fault_class,
            description="会议卡顿",
            caller_name="张伟",
            caller_phone=caller_phone,
            actor=actor.user,
        )


def event(record, type, *, actor, at, **fields):
    with time_machine.travel(at, tick=False):
        return services.service_record_event_add(record, type=type, actor=actor.user, **fields)


@pytest.fixture
def records(org_a, org_b, duty_officer):
    """One open record in each organisation."""
    record_a = open_record(device_of(org_a, serial="A-SERIAL-1"), actor=duty_officer)
    record_b = open_record(device_of(org_b, serial="B-SERIAL-1"), actor=duty_officer)
    return record_a, record_b


# --- access and tenancy -----------------------------------------------------------------------


def test_service_pages_need_a_signed_in_user(client, records):
    record_a, _ = records
    for url in ["/service/", "/service/new/", f"/service/{record_a.pk}/", "/service/my-jobs/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_customer_contact_sees_only_their_own_records_in_the_queue(records, contact_of_a):
    record_a, record_b = records
    body = signed_in(contact_of_a).get("/service/").content.decode()
    assert record_a.number in body
    assert record_b.number not in body
    assert "B-SERIAL-1" not in body


def test_another_organisations_record_answers_404_to_a_customer_contact(records, contact_of_a):
    _, record_b = records
    client = signed_in(contact_of_a)
    assert client.get(f"/service/{record_b.pk}/").status_code == 404
    confirm = client.post(f"/service/{record_b.pk}/events/", {"type": "confirmed"})
    assert confirm.status_code == 404
    assert not record_b.events.exists()


def test_a_queue_filter_cannot_widen_a_contacts_scope(records, contact_of_a, org_b):
    client = signed_in(contact_of_a)
    response = client.get("/service/", {"organisation": org_b.pk})
    assert response.context["page"].paginator.count == 0
    response = client.get("/service/", {"q": "B-SERIAL-1"})
    assert response.context["page"].paginator.count == 0


# --- the queue --------------------------------------------------------------------------------


def test_queue_lists_open_records_by_their_next_due_clock(org_a, duty_officer):
    late = open_record(device_of(org_a), actor=duty_officer, at=T0 + 30 * MINUTE)
    early = open_record(device_of(org_a), actor=duty_officer, at=T0)
    dispatched = open_record(device_of(org_a, travel_minutes=5), actor=duty_officer, at=T0)
    event(dispatched, EventType.RESPONDED, actor=duty_officer, at=T0 + 2 * MINUTE)
    event(dispatched, EventType.REMOTE_FAILED, actor=duty_officer, at=T0 + 3 * MINUTE)
    closed = open_record(device_of(org_a), actor=duty_officer, at=T0)
    event(closed, EventType.CLOSED, actor=duty_officer, at=T0 + MINUTE)

    with time_machine.travel(T0 + 40 * MINUTE, tick=False):
        response = signed_in(duty_officer).get("/service/")

    # Response clocks are due at 10:00 and 10:30; the on-site clock at 09:03 + 65 min.
    assert [r.number for r in response.context["page"]] == [
        early.number,
        dispatched.number,
        late.number,
    ]
    rows = response.context["page"].object_list
    assert rows[1].next_clock.kind == ClockKind.ONSITE
    body = response.content.decode()
    assert closed.number not in body
    assert 'hx-trigger="every 30s"' in body
    assert f'data-due="{timezone.localtime(rows[0].next_clock.due_at).isoformat()}"' in body


def test_closed_records_are_listed_when_asked_for(org_a, duty_officer):
    closed = open_record(device_of(org_a), actor=duty_officer)
    event(closed, EventType.CLOSED, actor=duty_officer, at=T0 + MINUTE)
    client = signed_in(duty_officer)
    assert [r.pk for r in client.get("/service/", {"open": "false"}).context["page"]] == [closed.pk]
    assert [r.pk for r in client.get("/service/", {"open": ""}).context["page"]] == [closed.pk]


def test_a_past_due_record_is_marked_breached_and_filtered_by_breached(org_a, duty_officer):
    overdue = open_record(device_of(org_a), actor=duty_officer, at=T0)
    fresh = open_record(device_of(org_a), actor=duty_officer, at=T0 + 15 * MINUTE)
    with time_machine.travel(T0 + 70 * MINUTE, tick=False):
        client = signed_in(duty_officer)
        page = client.get("/service/").context["page"]
        breached = client.get("/service/", {"breached": "true"}).context["page"]
    assert page.object_list[0].next_clock.state == "breached"
    assert page.object_list[1].next_clock.warning  # 5 of 60 minutes left: past 80 %
    assert [r.pk for r in breached] == [overdue.pk]
    assert fresh.pk in [r.pk for r in page]


def test_the_queue_answers_htmx_with_just_the_rows(records, duty_officer):
    record_a, _ = records
    response = signed_in(duty_officer).get("/service/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert record_a.number in body
    assert "<html" not in body
    assert body.lstrip().startswith("<tr")


def test_the_queue_costs_the_same_number_of_queries_for_5_or_25_records(org_a, duty_officer):
    client = signed_in(duty_officer)
    device = device_of(org_a)
    counts = []
    for total in (5, 25):
        while ServiceRecord.objects.count() < total:
            open_record(device, actor=duty_officer)
        with CaptureQueriesContext(connection) as queries:
            client.get("/service/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- intake -----------------------------------------------------------------------------------


def intake_data(device, /, **changes):
    data = {
        "device": device.pk,
        "fault_class": "node_down",
        "description": "MCU无法登录，会议全部中断",
        "caller_name": "张伟",
        "caller_phone": "13800001111",
        "reported_at": "2026-03-10T09:00",
    }
    return data | changes


def test_intake_opens_a_record_with_its_clocks_and_goes_to_its_page(org_a, duty_officer):
    device = device_of(org_a)
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        response = signed_in(duty_officer).post("/service/new/", intake_data(device))
    record = ServiceRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("service_record_detail", args=[record.pk])
    assert record.reported_at == T0
    assert record.duty_officer == duty_officer.user
    assert set(record.clocks.values_list("kind", flat=True)) == {"response", "restore"}
    assert record.clocks.get(kind="response").due_at == T0 + 60 * MINUTE


def test_intake_shows_errors_next_to_the_fields_and_opens_nothing(org_a, duty_officer):
    device = device_of(org_a)
    client = signed_in(duty_officer)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            "/service/new/", intake_data(device, device="", caller_name="", fault_class="")
        )
        future = client.post("/service/new/", intake_data(device, reported_at="2026-03-10T12:00"))
    body = response.content.decode()
    assert response.status_code == 200
    for field in ["device", "caller_name", "fault_class"]:
        assert f'id="id_{field}_error"' in body, field
    assert 'id="id_reported_at_error"' in future.content.decode()
    assert not ServiceRecord.objects.exists()


def test_the_intake_page_holds_every_handling_rule_ready_to_reveal(duty_officer):
    body = signed_in(duty_officer).get("/service/new/").content.decode()
    for fault_class in FaultClass:
        assert f'data-rule="{fault_class.value}"' in body, fault_class


def test_a_customer_contact_reports_a_fault_only_for_their_own_devices(org_a, org_b, contact_of_a):
    own, other = device_of(org_a), device_of(org_b)
    client = signed_in(contact_of_a)
    page = client.get("/service/new/")
    assert page.context["form"].initial["caller_name"] == contact_of_a.user.full_name
    with time_machine.travel(T0 + MINUTE, tick=False):
        refused = client.post("/service/new/", intake_data(other))
        accepted = client.post("/service/new/", intake_data(own))
    assert 'id="id_device_error"' in refused.content.decode()
    assert accepted.status_code == 302
    assert [r.device for r in ServiceRecord.objects.all()] == [own]
    assert ServiceRecord.objects.get().duty_officer is None


def test_the_device_search_finds_by_serial_organisation_and_site(org_a, org_b, duty_officer):
    device = device_of(org_a, serial="82RMX4000A17", site_name="演播室机房")
    device_of(org_b, serial="B-OTHER-1")
    client = signed_in(duty_officer)
    for q in ["4000A", "北京广播", "北京台", "演播室"]:
        matches = client.get("/service/new/devices/", {"q": q}).context["matches"]
        assert [m.device for m in matches] == [device], q
    body = client.get("/service/new/devices/", {"q": "4000A"}).content.decode()
    assert "82RMX4000A17" in body
    assert 'data-testid="warranty-badge"' in body


def test_the_device_search_finds_the_caller_by_a_contacts_phone_or_a_past_call(org_a, duty_officer):
    by_contact = device_of(org_a)
    ContactFactory(organisation=org_a, name="李娜", phone="010-66001234", email="li@a.example")
    past_call = device_of(org_a)
    open_record(past_call, actor=duty_officer, caller_phone="13912345678")
    client = signed_in(duty_officer)

    contact_matches = client.get("/service/new/devices/", {"q": "66001234"}).context["matches"]
    call_matches = client.get("/service/new/devices/", {"q": "1391234"}).context["matches"]

    assert by_contact in [m.device for m in contact_matches]
    assert {(m.caller_name, m.caller_phone) for m in contact_matches} == {("李娜", "010-66001234")}
    assert call_matches[0].device == past_call
    assert call_matches[0].caller_name == "张伟"


def test_the_device_search_of_a_customer_contact_stays_in_their_organisation(
    org_a, org_b, contact_of_a
):
    device_of(org_b, serial="B-SERIAL-9")
    ContactFactory(organisation=org_b, phone="021-55550000")
    client = signed_in(contact_of_a)
    for q in ["B-SERIAL", "浦发", "55550000"]:
        assert client.get("/service/new/devices/", {"q": q}).context["matches"] == [], q


# --- the record page --------------------------------------------------------------------------


def event_buttons(response) -> set[str]:
    return {e.value for e in response.context["buttons"]}


def test_the_record_page_offers_only_the_events_the_process_allows(records, duty_officer):
    record, _ = records
    client = signed_in(duty_officer)
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        fresh = client.get(f"/service/{record.pk}/")
    # Spares are requested on the spares pages, which reserve the stock.
    assert event_buttons(fresh) == {"responded", "remote_failed", "resolved"}
    assert fresh.context["may_dispatch"] and fresh.context["may_hold"]
    body = fresh.content.decode()
    assert 'value="arrived"' not in body
    assert escape(record.handling_rule) in body

    event(record, EventType.RESPONDED, actor=duty_officer, at=T0 + 6 * MINUTE)
    event(record, EventType.REMOTE_FAILED, actor=duty_officer, at=T0 + 7 * MINUTE)
    event(record, EventType.CUSTOMER_HOLD, actor=duty_officer, at=T0 + 8 * MINUTE, note="占用")
    with time_machine.travel(T0 + 9 * MINUTE, tick=False):
        on_hold = client.get(f"/service/{record.pk}/")
    assert event_buttons(on_hold) == {
        "remote_failed",
        "arrived",
        "customer_release",
    }
    assert not on_hold.context["may_hold"]


def test_a_refused_event_is_shown_as_a_message_and_changes_nothing(records, duty_officer):
    record, _ = records
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        response = signed_in(duty_officer).post(
            f"/service/{record.pk}/events/", {"type": "arrived"}, follow=True
        )
    messages = [str(m) for m in response.context["messages"]]
    assert any("dispatch" in m or "派" in m for m in messages), messages
    assert not record.events.exists()


def test_an_event_button_records_the_event_and_the_clock_follows(records, duty_officer):
    record, _ = records
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        response = signed_in(duty_officer).post(
            f"/service/{record.pk}/events/", {"type": "responded", "note": "电话指导"}
        )
    assert response.status_code == 302
    assert record.events.get().note == "电话指导"
    assert record.clocks.get(kind="response").met_at == T0 + 5 * MINUTE


def test_a_hold_without_a_reason_is_refused(records, duty_officer):
    record, _ = records
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        response = signed_in(duty_officer).post(
            f"/service/{record.pk}/events/", {"type": "customer_hold", "note": ""}, follow=True
        )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not record.events.exists()


def test_a_customer_contact_reads_their_record_and_confirms_only_a_resolution(
    records, contact_of_a, duty_officer
):
    record, _ = records
    client = signed_in(contact_of_a)
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        page = client.get(f"/service/{record.pk}/")
        assert page.status_code == 200
        assert event_buttons(page) == set()
        assert f"/service/{record.pk}/history/" not in page.content.decode()
        assert (
            client.post(f"/service/{record.pk}/events/", {"type": "responded"}).status_code == 403
        )
        assert client.post(f"/service/{record.pk}/history/", {"symptom": "x"}).status_code == 403
    event(record, EventType.RESOLVED, actor=duty_officer, at=T0 + 10 * MINUTE)
    with time_machine.travel(T0 + 20 * MINUTE, tick=False):
        assert event_buttons(client.get(f"/service/{record.pk}/")) == {"confirmed"}
        client.post(f"/service/{record.pk}/events/", {"type": "confirmed"})
    assert ServiceRecord.objects.get(pk=record.pk).status == RecordStatus.CONFIRMED


def test_the_dispatch_form_sends_a_field_engineer(records, duty_officer, field_engineer):
    record, _ = records
    client = signed_in(duty_officer)
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        page = client.get(f"/service/{record.pk}/")
        assert list(page.context["dispatch_form"].fields["engineer"].queryset) == [
            field_engineer.user
        ]
        client.post(f"/service/{record.pk}/dispatch/", {"engineer": field_engineer.user.pk})
    dispatch = Dispatch.objects.get(record=record)
    assert dispatch.engineer == field_engineer.user
    assert record.clocks.filter(kind="onsite").exists()


def test_history_entries_are_added_from_the_record_page(records, support_engineer):
    record, _ = records
    signed_in(support_engineer).post(
        f"/service/{record.pk}/history/", {"symptom": "无法登录", "action": "重启MCU"}
    )
    entry = HistoryEntry.objects.get(record=record)
    assert (entry.symptom, entry.action, entry.author) == (
        "无法登录",
        "重启MCU",
        support_engineer.user,
    )


def test_the_record_page_shows_timeline_clocks_and_change_history(records, duty_officer):
    record, _ = records
    event(record, EventType.RESPONDED, actor=duty_officer, at=T0 + 5 * MINUTE, note="电话指导")
    with time_machine.travel(T0 + 6 * MINUTE, tick=False):
        response = signed_in(duty_officer).get(f"/service/{record.pk}/")
    body = response.content.decode()
    assert "2026-03-10 09:05" in body  # the event's time in Beijing
    assert "电话指导" in body
    assert 'data-clock="response"' in body
    assert response.context["history"]


# --- my jobs ----------------------------------------------------------------------------------


@pytest.fixture
def job(records, duty_officer, field_engineer):
    record, _ = records
    with time_machine.travel(T0 + 5 * MINUTE, tick=False):
        return dispatch_assign(record, engineer=field_engineer.user, actor=duty_officer.user)


def test_my_jobs_walks_a_visit_step_by_step(job, field_engineer):
    client = signed_in(field_engineer)
    page = client.get("/service/my-jobs/")
    assert [j.pk for j in page.context["jobs"]] == [job.pk]
    assert job.record.number in page.content.decode()
    url = f"/service/dispatches/{job.pk}/"
    for minute, step in [(10, "accept"), (12, "set-out"), (40, "check-in")]:
        with time_machine.travel(T0 + minute * MINUTE, tick=False):
            assert client.post(url + step + "/").status_code == 302
    with time_machine.travel(T0 + 90 * MINUTE, tick=False):
        client.post(url + "check-out/", {"report": "调整网管参数", "resolved": "on"})
    job.refresh_from_db()
    assert (job.accepted_at, job.set_out_at, job.arrived_at, job.departed_at) == (
        T0 + 10 * MINUTE,
        T0 + 12 * MINUTE,
        T0 + 40 * MINUTE,
        T0 + 90 * MINUTE,
    )
    assert ServiceRecord.objects.get(pk=job.record_id).status == RecordStatus.RESOLVED
    assert client.get("/service/my-jobs/").context["jobs"] == []


def test_a_step_out_of_order_is_refused_with_a_message(job, field_engineer):
    client = signed_in(field_engineer)
    response = client.post(f"/service/dispatches/{job.pk}/check-in/", follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    job.refresh_from_db()
    assert job.arrived_at is None


def test_checking_out_without_a_report_shows_the_error_next_to_the_field(job, field_engineer):
    client = signed_in(field_engineer)
    for step in ["accept", "set-out", "check-in"]:
        client.post(f"/service/dispatches/{job.pk}/{step}/")
    response = client.post(f"/service/dispatches/{job.pk}/check-out/", {"report": ""})
    assert response.status_code == 200
    assert "report" in response.context["jobs"][0].checkout_form.errors
    assert 'class="field has-error"' in response.content.decode()
    job.refresh_from_db()
    assert job.departed_at is None


def test_another_engineers_dispatch_answers_404(job, db):
    other = persona("field2", Role.FIELD_ENGINEER)
    response = signed_in(other).post(f"/service/dispatches/{job.pk}/accept/")
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.accepted_at is None


def test_a_customer_contact_has_no_jobs_page(contact_of_a):
    assert signed_in(contact_of_a).get("/service/my-jobs/").status_code == 403


def test_the_labels_the_queue_shows_are_the_choices_labels():
    from vcdesk.service.choices import ClockKind, FaultClass, RecordStatus
    from vcdesk.service.models import Clock, ServiceRecord

    for status in RecordStatus:
        record = ServiceRecord(status=status, fault_class=FaultClass.PORT)
        assert record.status_label == record.get_status_display()
        assert record.fault_class_label == record.get_fault_class_display()
    for kind in ClockKind:
        clock = Clock(kind=kind)
        assert clock.kind_label == clock.get_kind_display()
