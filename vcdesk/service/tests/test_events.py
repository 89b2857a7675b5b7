"""Events drive a record (issue 3 item 3): an event that cannot happen now answers 409 with
the reason and changes nothing; bad input answers 422 and changes nothing; every change that
does happen is kept in the record's history with the person who made it."""

import datetime as dt

import pytest

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.models import Clock, Dispatch, ServiceEvent, ServiceRecord
from vcdesk.service.tests.test_clock_rules import MINUTE, T0, Desk, beijing, when

EVENT_TYPES = [
    "responded",
    "remote_failed",
    "dispatched",
    "arrived",
    "spare_requested",
    "spare_shipped",
    "spare_arrived",
    "spare_cancelled",
    "customer_hold",
    "customer_release",
    "resolved",
    "confirmed",
    "closed",
]


@pytest.fixture
def desk(api, duty_officer) -> Desk:
    return Desk(api, duty_officer)


@pytest.fixture
def device(org_a):
    return DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=45))


def everything_about(record: dict) -> dict:
    """What the database holds about a record: its row, events, clocks, dispatches and
    history rows."""
    pk = record["id"]
    return {
        "record": ServiceRecord.objects.filter(pk=pk).values().get(),
        "events": list(ServiceEvent.objects.filter(record_id=pk).order_by("id").values()),
        "clocks": list(Clock.objects.filter(record_id=pk).order_by("id").values()),
        "dispatches": list(Dispatch.objects.filter(record_id=pk).order_by("id").values()),
        "history": ServiceRecord.history.filter(id=pk).count(),
    }


def after(desk: Desk, device, steps: list[str]) -> dict:
    """A node-down record reported at T0 that went through `steps`, a minute apart."""
    record = desk.open(device, now=T0)
    for minute, type in enumerate(steps, start=1):
        note = "会议室占用" if type == "customer_hold" else ""
        record = desk.event(record, type, now=T0 + minute * MINUTE, note=note)
    return record


REFUSED = [
    pytest.param([], "arrived", id="arrived-before-anyone-was-dispatched"),
    pytest.param(["responded"], "arrived", id="arrived-after-a-response-only"),
    pytest.param([], "spare_shipped", id="spare-shipped-without-a-request"),
    pytest.param(["spare_requested"], "spare_arrived", id="spare-arrived-before-it-shipped"),
    pytest.param([], "spare_arrived", id="spare-arrived-without-a-request"),
    pytest.param([], "customer_release", id="released-without-a-hold"),
    pytest.param(["customer_hold", "customer_release"], "customer_release", id="released-twice"),
    pytest.param(["customer_hold"], "resolved", id="resolved-while-on-hold"),
    pytest.param([], "confirmed", id="confirmed-before-resolved"),
    pytest.param(["responded"], "responded", id="responded-twice"),
    pytest.param(["resolved"], "resolved", id="resolved-twice"),
    pytest.param(["resolved", "confirmed"], "confirmed", id="confirmed-twice"),
    pytest.param(["customer_hold"], "customer_hold", id="held-twice"),
    pytest.param(["spare_requested"], "spare_requested", id="spare-requested-twice"),
    pytest.param([], "spare_cancelled", id="spare-withdrawn-without-a-request"),
    pytest.param(
        ["spare_requested", "spare_shipped"], "spare_cancelled", id="spare-withdrawn-once-shipped"
    ),
    pytest.param(
        ["spare_requested", "spare_cancelled"], "spare_cancelled", id="spare-withdrawn-twice"
    ),
    pytest.param(
        ["spare_requested", "spare_shipped", "spare_arrived"],
        "spare_cancelled",
        id="spare-withdrawn-after-it-arrived",
    ),
] + [pytest.param(["responded", "closed"], type, id=f"{type}-after-closed") for type in EVENT_TYPES]


@pytest.mark.parametrize(("steps", "type"), REFUSED)
def test_an_event_that_cannot_happen_now_is_refused_with_a_reason_and_changes_nothing(
    desk, device, steps, type
):
    record = after(desk, device, steps)
    before = everything_about(record)

    response = desk.attempt(record, type, now=T0 + 30 * MINUTE, note="会议室占用")

    assert response.status_code == 409, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.strip()
    assert everything_about(record) == before


@pytest.mark.parametrize(
    "at",
    [T0 - MINUTE, T0 - dt.timedelta(days=1)],
    ids=["a-minute-before", "a-day-before"],
)
def test_an_event_timed_before_the_record_was_reported_is_refused(desk, device, at):
    record = desk.open(device, now=T0)
    before = everything_about(record)

    response = desk.attempt(record, "responded", now=T0 + 10 * MINUTE, at=at.isoformat())

    assert response.status_code == 409, response.content
    assert response.json()["detail"].strip()
    assert everything_about(record) == before


def test_an_event_timed_before_the_records_latest_event_is_refused(desk, device):
    record = after(desk, device, ["responded", "dispatched"])  # at T0 + 1 and + 2 minutes
    before = everything_about(record)

    response = desk.attempt(record, "arrived", now=T0 + 10 * MINUTE, at=(T0 + MINUTE).isoformat())

    assert response.status_code == 409
    assert everything_about(record) == before


@pytest.mark.parametrize("first", ["dispatched", "remote_failed"])
def test_arrived_is_accepted_once_someone_was_dispatched_or_remote_work_failed(desk, device, first):
    record = after(desk, device, [first])

    record = desk.event(record, "arrived", now=T0 + 30 * MINUTE)

    assert record["status"] == "on_site"


def test_an_event_may_be_recorded_later_with_the_time_it_happened(desk, device):
    record = desk.open(device, now=T0)

    record = desk.event(
        record, "responded", now=T0 + 2 * dt.timedelta(hours=1), at="2026-03-10T09:40+08:00"
    )

    assert when(record["events"][0]["at"]) == beijing(2026, 3, 10, 9, 40)
    assert when(record["clocks"][0]["met_at"]) == beijing(2026, 3, 10, 9, 40)
    assert record["clocks"][0]["state"] == "met"


def test_an_event_time_without_an_offset_is_beijing_time(desk, device):
    record = desk.open(device, now=T0)

    record = desk.event(record, "responded", now=T0 + MINUTE * 60, at="2026-03-10T09:40")

    assert when(record["events"][0]["at"]) == beijing(2026, 3, 10, 9, 40)


# --- bad input: 422, nothing changed ------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"type": "teleported"}, "type", id="unknown-type"),
        pytest.param({}, "type", id="no-type"),
        pytest.param({"type": "responded", "at": "yesterday"}, "at", id="at-is-not-a-time"),
        pytest.param({"type": "responded", "at": "2026-13-01T09:00"}, "at", id="month-13"),
        pytest.param({"type": "responded", "at": "2026-03-11T09:00+08:00"}, "at", id="future"),
        pytest.param({"type": "customer_hold"}, "note", id="hold-without-a-note"),
        pytest.param({"type": "customer_hold", "note": "  "}, "note", id="hold-with-a-blank-note"),
        pytest.param({"type": "dispatched", "engineer": 999999}, "engineer", id="no-such-engineer"),
    ],
)
def test_bad_event_input_is_refused_naming_the_field_and_changes_nothing(
    desk, device, payload, field
):
    record = desk.open(device, now=T0)
    before = everything_about(record)

    response = desk.post(record, payload, now=T0 + 10 * MINUTE)

    assert response.status_code == 422, response.content
    assert any(field in error["loc"] for error in response.json()["detail"])
    assert everything_about(record) == before


def test_a_hold_keeps_its_reason(desk, device):
    record = desk.open(device, now=T0)

    record = desk.event(
        record, "customer_hold", now=T0 + MINUTE, note="会议室占用，客户要求会后处理"
    )

    assert record["events"][-1]["type"] == "customer_hold"
    assert record["events"][-1]["note"] == "会议室占用，客户要求会后处理"


# --- status is derived from the events ----------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "status"),
    [
        ([], "new"),
        (["responded"], "responded"),
        (["responded", "remote_failed"], "dispatched"),
        (["dispatched"], "dispatched"),
        (["dispatched", "arrived"], "on_site"),
        (["dispatched", "arrived", "spare_requested"], "awaiting_spare"),
        (["spare_requested", "spare_shipped", "spare_arrived"], "new"),
        (["dispatched", "arrived", "spare_requested", "spare_cancelled"], "on_site"),
        (["dispatched", "customer_hold"], "on_hold"),
        (["dispatched", "customer_hold", "customer_release"], "dispatched"),
        (["dispatched", "arrived", "resolved"], "resolved"),
        (["resolved", "confirmed"], "confirmed"),
        (["resolved", "confirmed", "closed"], "closed"),
        (["closed"], "closed"),
    ],
)
def test_the_status_follows_the_events(desk, device, steps, status):
    assert after(desk, device, steps)["status"] == status


# --- history: every change kept, with who made it -----------------------------------------


def test_opening_a_record_keeps_a_history_row_naming_who_opened_it(desk, device, duty_officer):
    record = desk.open(device, now=T0)

    rows = ServiceRecord.history.filter(id=record["id"]).order_by("history_id")
    assert rows[0].history_type == "+"
    assert {row.history_user for row in rows} == {duty_officer.user}


def test_every_event_is_kept_with_who_recorded_it_and_writes_no_change_history_row(
    api, desk, device, duty_officer, field_engineer, contact_of_a
):
    """The events are the record's story (who, when, what); the status they derive is not
    copied into the change history."""
    record = desk.open(device, now=T0)
    opened = ServiceRecord.history.filter(id=record["id"]).count()
    steps = [
        (duty_officer, "responded", "responded"),
        (duty_officer, "dispatched", "dispatched"),
        (field_engineer, "arrived", "on_site"),
        (field_engineer, "resolved", "resolved"),
        (contact_of_a, "confirmed", "confirmed"),
        (duty_officer, "closed", "closed"),
    ]
    statuses = []
    for minute, (who, type, _status) in enumerate(steps, start=1):
        statuses.append(Desk(api, who).event(record, type, now=T0 + minute * MINUTE)["status"])

    assert statuses == [status for _who, _type, status in steps]
    events = ServiceEvent.objects.filter(record_id=record["id"]).order_by("at", "id")
    assert [(event.actor, event.type, event.at) for event in events] == [
        (who.user, type, T0 + minute * MINUTE)
        for minute, (who, type, _status) in enumerate(steps, start=1)
    ]
    assert ServiceRecord.history.filter(id=record["id"]).count() == opened == 1


def test_the_first_support_engineer_to_act_is_kept_in_the_change_history(
    api, desk, device, support_engineer
):
    record = desk.open(device, now=T0)

    Desk(api, support_engineer).event(record, "responded", now=T0 + MINUTE)
    Desk(api, support_engineer).event(record, "remote_failed", now=T0 + 2 * MINUTE)

    rows = list(ServiceRecord.history.filter(id=record["id"]).order_by("history_id"))
    assert [row.history_type for row in rows] == ["+", "~"]
    assert rows[1].history_user == support_engineer.user
    assert rows[1].support_staff_id == support_engineer.user.pk
    assert rows[0].support_staff_id is None


def test_a_customer_opened_record_keeps_the_duty_officer_who_first_acts_on_it(
    api, device, duty_officer, contact_of_a
):
    record = Desk(api, contact_of_a).open(device, now=T0)

    Desk(api, duty_officer).event(record, "responded", now=T0 + MINUTE)

    rows = list(ServiceRecord.history.filter(id=record["id"]).order_by("history_id"))
    assert [(row.history_user, row.duty_officer_id) for row in rows] == [
        (contact_of_a.user, None),
        (duty_officer.user, duty_officer.user.pk),
    ]


def test_the_record_shows_its_events_in_order_with_who_recorded_them(desk, device, duty_officer):
    record = after(desk, device, ["responded", "remote_failed"])

    events = desk.read(record, now=T0 + 10 * MINUTE)["events"]

    assert [(e["type"], e["actor"]) for e in events] == [
        ("responded", duty_officer.user.pk),
        ("remote_failed", duty_officer.user.pk),
    ]
    assert set(events[0]) >= {"type", "at", "note", "actor"}
