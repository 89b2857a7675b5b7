"""Organisation isolation of service records (issue 3 item 5): a customer contact opens records
for their own organisation's devices, reads and lists only their own, meets another
organisation's record as if it did not exist (404), and may only confirm a resolution."""

import pytest
import time_machine

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.models import ServiceRecord
from vcdesk.service.tests.test_clock_rules import MINUTE, RECORDS, T0, Desk
from vcdesk.service.tests.test_events import EVENT_TYPES, everything_about


@pytest.fixture
def device_of_a(org_a):
    return DeviceFactory(site=SiteFactory(organisation=org_a))


@pytest.fixture
def device_of_b(org_b):
    return DeviceFactory(site=SiteFactory(organisation=org_b))


@pytest.fixture
def staff(api, duty_officer) -> Desk:
    return Desk(api, duty_officer)


@pytest.fixture
def contact_a(api, contact_of_a) -> Desk:
    return Desk(api, contact_of_a)


@pytest.fixture
def record_of_b(staff, device_of_b) -> dict:
    record = staff.open(device_of_b, now=T0, fault_class="port")
    return staff.event(record, "resolved", now=T0 + 30 * MINUTE)


def test_a_customer_contact_opens_a_record_for_their_own_device(
    contact_a, device_of_a, org_a, contact_of_a
):
    record = contact_a.open(device_of_a, now=T0)

    assert record["organisation"] == org_a.pk
    assert record["duty_officer"] is None
    opened = ServiceRecord.history.filter(id=record["id"]).order_by("history_id").first()
    assert opened.history_user == contact_of_a.user


def test_a_customer_contact_cannot_open_a_record_for_another_organisations_device(
    api, contact_of_a, device_of_b
):
    payload = {
        "device": device_of_b.pk,
        "fault_class": "node_down",
        "description": "终端无法入会",
        "caller_name": "王芳",
        "caller_phone": "13900003333",
    }
    with time_machine.travel(T0, tick=False):
        response = api.post(RECORDS, contact_of_a, payload)

    assert response.status_code == 422, response.content
    assert any("device" in error["loc"] for error in response.json()["detail"])
    assert not ServiceRecord.objects.exists()


def test_another_organisations_record_answers_404_to_a_customer_contact(
    api, contact_of_a, record_of_b
):
    assert api.get(f"{RECORDS}/{record_of_b['id']}", contact_of_a).status_code == 404


@pytest.mark.parametrize("type", EVENT_TYPES)
def test_events_on_another_organisations_record_answer_404_and_change_nothing(
    contact_a, record_of_b, type
):
    before = everything_about(record_of_b)

    response = contact_a.attempt(record_of_b, type, now=T0 + 40 * MINUTE, note="确认")

    assert response.status_code == 404
    assert everything_about(record_of_b) == before


def test_a_customer_contact_reads_their_own_record(contact_a, staff, device_of_a):
    record = staff.open(device_of_a, now=T0)

    body = contact_a.read(record, now=T0 + MINUTE)

    assert body["id"] == record["id"]
    assert set(body) >= {"clocks", "events", "history"}


def test_a_customer_contact_lists_and_counts_only_their_own_records(
    api, staff, contact_of_a, device_of_a, device_of_b, org_b
):
    own = [staff.open(device_of_a, now=T0 + index * MINUTE) for index in range(2)]
    for index in range(3):
        staff.open(device_of_b, now=T0 + index * MINUTE)

    body = api.get(RECORDS, contact_of_a).json()
    assert sorted(item["id"] for item in body["items"]) == sorted(r["id"] for r in own)
    assert body["count"] == 2

    widened = api.get(RECORDS, contact_of_a, organisation=org_b.pk).json()
    assert widened == {"items": [], "count": 0}
    assert api.get(RECORDS, staff.who).json()["count"] == 5


@pytest.mark.parametrize("type", [t for t in EVENT_TYPES if t != "confirmed"])
def test_a_customer_contact_may_not_record_any_step_but_confirmation(
    contact_a, staff, device_of_a, type
):
    record = staff.open(device_of_a, now=T0)
    record = staff.event(record, "dispatched", now=T0 + MINUTE)
    before = everything_about(record)

    response = contact_a.attempt(record, type, now=T0 + 10 * MINUTE, note="会议室占用")

    assert response.status_code == 403, response.content
    assert everything_about(record) == before


def test_a_customer_contact_confirms_the_resolution_of_their_own_record(
    contact_a, staff, device_of_a, contact_of_a
):
    record = staff.open(device_of_a, now=T0)
    record = staff.event(record, "resolved", now=T0 + 30 * MINUTE)

    record = contact_a.event(record, "confirmed", now=T0 + 60 * MINUTE)

    assert record["status"] == "confirmed"
    assert record["events"][-1]["actor"] == contact_of_a.user.pk


def test_a_customer_contact_may_not_write_the_records_history(
    api, contact_of_a, staff, device_of_a
):
    record = staff.open(device_of_a, now=T0)

    response = api.post(
        f"{RECORDS}/{record['id']}/history", contact_of_a, {"symptom": "无法入会", "action": ""}
    )

    assert response.status_code == 403
