"""The service-record API of issue 3 item 5, exactly as outside checks call it: open a record
(201 with its clocks), read one (with events and history), list them (filters, queue order,
`{"items", "count"}` with limit/offset, a query count that does not grow with the page)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcdesk.api import api as ninja_api
from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.models import RecordNumberSequence, ServiceRecord
from vcdesk.service.tests.test_clock_rules import MINUTE, RECORDS, T0, Desk, when

FAULT_CLASSES = [
    "node_down",
    "main_module",
    "port",
    "congestion",
    "full_outage",
    "hot_swap_part",
    "software",
    "other",
]
CLOCK_KEYS = {"kind", "started_at", "due_at", "met_at", "state"}
# Token and role (2), the count (1), the page (1), the page's clocks (1).
QUERIES_PER_LIST = 5


@pytest.fixture
def desk(api, duty_officer) -> Desk:
    return Desk(api, duty_officer)


@pytest.fixture
def device(org_a):
    return DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=45))


def a_call(device, **fields) -> dict:
    return {
        "device": device.pk,
        "fault_class": "node_down",
        "description": "主会场MCU无法登录，所有会议中断",
        "caller_name": "张伟",
        "caller_phone": "13800001111",
        **fields,
    }


# --- POST /api/v1/service-records ---------------------------------------------------------


def test_opening_a_record_answers_201_with_the_record_and_its_clocks(desk, device, org_a):
    record = desk.open(device, now=T0, fault_class="main_module", caller_phone="010-6609 1234")

    assert record["number"] == "SR-20260310-0001"
    assert record["device"] == device.pk
    assert record["organisation"] == org_a.pk
    assert record["site"] == device.site_id
    assert record["fault_class"] == "main_module"
    assert record["description"] == "主会场MCU无法登录，所有会议中断"
    assert (record["caller_name"], record["caller_phone"]) == ("张伟", "010-6609 1234")
    assert when(record["reported_at"]) == T0
    assert record["status"] == "new"
    assert record["handling_rule"]
    assert [clock["kind"] for clock in record["clocks"]] == ["response", "restore"]
    for clock in record["clocks"]:
        assert set(clock) >= CLOCK_KEYS
        assert when(clock["started_at"]) == T0
        assert clock["met_at"] is None
        assert clock["state"] == "running"


def test_the_reported_time_defaults_to_now(desk, device):
    record = desk.open(device, now=T0 + 7 * MINUTE)

    assert when(record["reported_at"]) == T0 + 7 * MINUTE


def test_a_reported_time_given_is_kept(desk, device):
    record = desk.open(device, now=T0 + 30 * MINUTE, reported_at="2026-03-10T09:05:00+08:00")

    assert when(record["reported_at"]) == T0 + 5 * MINUTE
    assert when(record["clocks"][0]["due_at"]) == T0 + 65 * MINUTE


@pytest.mark.parametrize("fault_class", FAULT_CLASSES)
def test_each_fault_class_of_the_plan_opens_a_record(desk, device, fault_class):
    record = desk.open(device, now=T0, fault_class=fault_class)

    assert record["fault_class"] == fault_class


def test_the_fault_classes_are_exactly_those_of_the_plan():
    schema = ninja_api.get_openapi_schema()["components"]["schemas"]

    assert schema["FaultClass"]["enum"] == FAULT_CLASSES


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"fault_class": "power_cut"}, "fault_class", id="unknown-fault-class"),
        pytest.param({"fault_class": None}, "fault_class", id="no-fault-class"),
        pytest.param({"caller_name": None}, "caller_name", id="no-caller"),
        pytest.param({"caller_name": ""}, "caller_name", id="empty-caller"),
        pytest.param({"caller_phone": None}, "caller_phone", id="no-caller-phone"),
        pytest.param({"description": ""}, "description", id="no-description"),
        pytest.param({"device": 999999}, "device", id="no-such-device"),
        pytest.param({"device": "SN1"}, "device", id="device-not-an-id"),
        pytest.param({"reported_at": "yesterday"}, "reported_at", id="reported-at-not-a-time"),
        pytest.param(
            {"reported_at": "2026-03-10T10:00:00+08:00"}, "reported_at", id="reported-in-future"
        ),
    ],
)
def test_bad_input_opens_nothing_and_names_the_field(api, duty_officer, device, change, field):
    payload = {k: v for k, v in {**a_call(device), **change}.items() if v is not None}

    with time_machine.travel(T0, tick=False):
        response = api.post(RECORDS, duty_officer, payload)

    assert response.status_code == 422, response.content
    assert any(field in error["loc"] for error in response.json()["detail"])
    assert not ServiceRecord.objects.exists()
    assert not RecordNumberSequence.objects.filter(last__gt=0).exists()


# --- GET /api/v1/service-records/{id} -----------------------------------------------------


def test_reading_a_record_gives_its_clocks_events_and_history(api, desk, device, duty_officer):
    record = desk.open(device, now=T0)
    desk.event(record, "responded", now=T0 + 5 * MINUTE, note="远程登录检查")
    history = api.post(
        f"{RECORDS}/{record['id']}/history",
        duty_officer,
        {"symptom": "MCU无法登录", "action": "远程重启主控板", "at": "2026-03-10T09:10+08:00"},
    )
    assert history.status_code == 201, history.content

    body = desk.read(record, now=T0 + 10 * MINUTE)

    assert body["id"] == record["id"]
    assert body["number"] == record["number"]
    assert [clock["kind"] for clock in body["clocks"]] == ["response", "restore"]
    assert all(set(clock) >= CLOCK_KEYS for clock in body["clocks"])
    assert [(e["type"], e["note"]) for e in body["events"]] == [("responded", "远程登录检查")]
    assert when(body["events"][0]["at"]) == T0 + 5 * MINUTE
    assert [(h["symptom"], h["action"]) for h in body["history"]] == [
        ("MCU无法登录", "远程重启主控板")
    ]
    assert when(body["history"][0]["at"]) == T0 + 10 * MINUTE


def test_reading_a_record_that_does_not_exist_answers_404(api, duty_officer):
    assert api.get(f"{RECORDS}/999999", duty_officer).status_code == 404


# --- GET /api/v1/service-records ------------------------------------------------------------

READ_AT = T0 + 2 * dt.timedelta(hours=1)


@pytest.fixture
def queue(desk, org_a, org_b) -> dict[str, dict]:
    """Five records; at READ_AT their next due clocks are, in order:
    late (response, T0+70', past due, not swept), hardware (restore, T0+24h),
    port_b (restore, T0+24h30'), then, with no running clock, closed_b and answered_late
    (its response was met a minute late)."""
    device_a = DeviceFactory(site=SiteFactory(organisation=org_a))
    device_b = DeviceFactory(site=SiteFactory(organisation=org_b))
    hardware = desk.open(device_a, now=T0, fault_class="node_down")
    desk.event(hardware, "responded", now=T0 + 5 * MINUTE)
    late = desk.open(device_a, now=T0 + 10 * MINUTE, fault_class="congestion")
    closed_b = desk.open(device_b, now=T0 + 20 * MINUTE, fault_class="software")
    desk.event(closed_b, "responded", now=T0 + 21 * MINUTE)
    desk.event(closed_b, "closed", now=T0 + 22 * MINUTE)
    port_b = desk.open(device_b, now=T0 + 30 * MINUTE, fault_class="port")
    desk.event(port_b, "responded", now=T0 + 31 * MINUTE)
    answered_late = desk.open(device_a, now=T0 + 40 * MINUTE, fault_class="other")
    desk.event(answered_late, "responded", now=T0 + 101 * MINUTE)
    return {
        "hardware": hardware,
        "late": late,
        "closed_b": closed_b,
        "port_b": port_b,
        "answered_late": answered_late,
    }


def listed(api, who, queue, **params) -> list[str]:
    with time_machine.travel(READ_AT, tick=False):
        response = api.get(RECORDS, who, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"items", "count"}
    names = {record["id"]: name for name, record in queue.items()}
    return [names[item["id"]] for item in body["items"]]


def items(api, who, **params) -> list[dict]:
    with time_machine.travel(READ_AT, tick=False):
        return api.get(RECORDS, who, **params).json()["items"]


def test_the_list_is_ordered_by_the_next_due_clock_with_records_without_one_last(
    api, duty_officer, queue
):
    assert listed(api, duty_officer, queue) == [
        "late",
        "hardware",
        "port_b",
        "closed_b",
        "answered_late",
    ]


def test_the_list_answers_items_and_count_by_limit_and_offset(api, duty_officer, queue):
    with time_machine.travel(READ_AT, tick=False):
        first = api.get(RECORDS, duty_officer, limit=2).json()
        second = api.get(RECORDS, duty_officer, limit=2, offset=2).json()
        beyond = api.get(RECORDS, duty_officer, limit=2, offset=10).json()

    assert [i["id"] for i in first["items"]] == [queue["late"]["id"], queue["hardware"]["id"]]
    assert [i["id"] for i in second["items"]] == [queue["port_b"]["id"], queue["closed_b"]["id"]]
    assert (first["count"], second["count"], beyond["count"]) == (5, 5, 5)
    assert beyond["items"] == []
    assert all(set(clock) >= CLOCK_KEYS for item in first["items"] for clock in item["clocks"])


@pytest.mark.parametrize(
    ("params", "names"),
    [
        pytest.param({"status": "new"}, ["late"], id="status-new"),
        pytest.param(
            {"status": "responded"}, ["hardware", "port_b", "answered_late"], id="status-responded"
        ),
        pytest.param({"status": "closed"}, ["closed_b"], id="status-closed"),
        pytest.param({"fault_class": "node_down"}, ["hardware"], id="fault-class-node-down"),
        pytest.param({"fault_class": "port"}, ["port_b"], id="fault-class-port"),
        pytest.param({"fault_class": "full_outage"}, [], id="fault-class-without-records"),
        pytest.param({"breached": "true"}, ["late", "answered_late"], id="breached"),
        pytest.param({"breached": "false"}, ["hardware", "port_b", "closed_b"], id="not-breached"),
        pytest.param({"due_before": "2026-03-10T21:00:00+08:00"}, ["late"], id="due-before-21h"),
        pytest.param(
            {"due_before": "2026-03-11T09:15:00+08:00"}, ["late", "hardware"], id="due-before-9h15"
        ),
        pytest.param(
            {"due_before": "2026-03-11T09:15:00"}, ["late", "hardware"], id="due-before-beijing"
        ),
        pytest.param(
            {"due_before": "2026-03-11T01:45:00Z"},
            ["late", "hardware", "port_b"],
            id="due-before-in-utc",
        ),
    ],
)
def test_the_list_filters(api, duty_officer, queue, params, names):
    assert listed(api, duty_officer, queue, **params) == names


def test_the_list_filters_by_organisation(api, duty_officer, queue, org_a, org_b):
    assert listed(api, duty_officer, queue, organisation=org_b.pk) == ["port_b", "closed_b"]
    assert listed(api, duty_officer, queue, organisation=org_a.pk, breached="true") == [
        "late",
        "answered_late",
    ]


def test_breached_includes_a_running_clock_past_due_that_the_sweep_has_not_marked(
    api, duty_officer, queue
):
    late = ServiceRecord.objects.get(pk=queue["late"]["id"])
    assert not late.has_breach  # nothing swept it

    assert "late" in listed(api, duty_officer, queue, breached="true")
    item = next(
        i for i in items(api, duty_officer, breached="true") if i["id"] == queue["late"]["id"]
    )
    assert item["breached"] is True
    assert [c["state"] for c in item["clocks"]] == ["breached"]


@pytest.mark.parametrize(
    "params",
    [{"status": "broken"}, {"fault_class": "power_cut"}, {"due_before": "soon"}],
    ids=["unknown-status", "unknown-fault-class", "bad-due-before"],
)
def test_a_bad_filter_answers_422(api, duty_officer, params):
    assert api.get(RECORDS, duty_officer, **params).status_code == 422


def test_the_lists_query_count_does_not_grow_with_the_page_size(api, desk, duty_officer, org_a):
    for index in range(25):
        device = DeviceFactory(site=SiteFactory(organisation=org_a))
        record = desk.open(device, now=T0 + index * MINUTE, fault_class=FAULT_CLASSES[index % 8])
        if index % 3 == 0:
            desk.event(record, "dispatched", now=T0 + index * MINUTE)

    def queries(**params) -> int:
        with time_machine.travel(READ_AT, tick=False), CaptureQueriesContext(connection) as q:
            response = api.get(RECORDS, duty_officer, **params)
        assert response.status_code == 200
        return len(q)

    one = queries(limit=1)
    assert one <= QUERIES_PER_LIST
    assert queries(limit=25) == one
    assert queries(limit=25, breached="true") == queries(limit=1, breached="true")
