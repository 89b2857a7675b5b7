"""Each clock of issue 3 item 4, exactly: when it starts, when it is due, what meets it, the
states it passes through, its warning, and how a customer hold pauses it.

Everything goes through the HTTP API at frozen times, as an outside check would. Times are
written in Beijing time, as the issue states them.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.customers.tests.factories import SiteFactory

BEIJING = ZoneInfo("Asia/Shanghai")
RECORDS = "/api/v1/service-records"
MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def when(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def clocks_of(body: dict) -> dict[str, dict]:
    """The record's clocks by kind (the latest of a kind when there are several)."""
    return {clock["kind"]: clock for clock in body["clocks"]}


def due(body: dict, kind: str) -> dt.datetime:
    return when(clocks_of(body)[kind]["due_at"])


def states(body: dict) -> dict[str, str]:
    return {kind: clock["state"] for kind, clock in clocks_of(body).items()}


class Desk:
    """The service-record API as one persona uses it, each call at a frozen moment."""

    def __init__(self, api, who):
        self.api, self.who = api, who

    def open(self, device, *, now: dt.datetime, fault_class: str = "node_down", **fields) -> dict:
        payload = {
            "device": device.pk,
            "fault_class": fault_class,
            "description": "主会场MCU无法登录，所有会议中断",
            "caller_name": "张伟",
            "caller_phone": "13800001111",
            **fields,
        }
        with time_machine.travel(now, tick=False):
            response = self.api.post(RECORDS, self.who, payload)
        assert response.status_code == 201, response.content
        return response.json()

    def post(self, record: dict, payload: dict, *, now: dt.datetime):
        """Post `payload` to the record's events at the moment `now`; the raw response."""
        with time_machine.travel(now, tick=False):
            return self.api.post(f"{RECORDS}/{record['id']}/events", self.who, payload)

    def attempt(self, record: dict, type: str, *, now: dt.datetime, **fields):
        return self.post(record, {"type": type, **fields}, now=now)

    def event(self, record: dict, type: str, *, now: dt.datetime, **fields) -> dict:
        """Post an event that must be accepted; the record as the answer shows it."""
        response = self.attempt(record, type, now=now, **fields)
        assert response.status_code == 201, response.content
        return response.json()

    def read(self, record: dict, *, now: dt.datetime) -> dict:
        with time_machine.travel(now, tick=False):
            response = self.api.get(f"{RECORDS}/{record['id']}", self.who)
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def desk(api, duty_officer) -> Desk:
    return Desk(api, duty_officer)


@pytest.fixture
def device(org_a):
    """A device at a site 45 minutes from the service base, under a default contract."""
    return DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=45))


T0 = beijing(2026, 3, 10, 9, 0)  # a Tuesday morning


# --- response: reported time + 60 minutes, round the clock -------------------------------


@pytest.mark.parametrize(
    "reported",
    [
        pytest.param(beijing(2026, 3, 10, 9, 0), id="a-tuesday-morning"),
        pytest.param(beijing(2026, 3, 14, 23, 30), id="23h30-on-a-saturday-night"),
        pytest.param(beijing(2025, 10, 1, 23, 30), id="23h30-on-national-day"),
        pytest.param(beijing(2026, 2, 17, 23, 30), id="23h30-on-spring-festival"),
    ],
)
def test_the_response_clock_is_due_an_hour_after_the_report_round_the_clock(desk, device, reported):
    record = desk.open(device, now=reported)

    response = clocks_of(record)["response"]
    assert when(response["started_at"]) == reported
    assert when(response["due_at"]) == reported + dt.timedelta(hours=1)
    assert response["state"] == "running"
    assert response["met_at"] is None


def test_the_response_clock_is_met_by_responded(desk, device):
    record = desk.open(device, now=T0)

    record = desk.event(record, "responded", now=T0 + 20 * MINUTE)

    response = clocks_of(record)["response"]
    assert when(response["met_at"]) == T0 + 20 * MINUTE
    assert response["state"] == "met"


def test_a_call_reported_earlier_runs_its_response_clock_from_the_reported_time(desk, device):
    reported = beijing(2026, 3, 14, 23, 30)

    record = desk.open(device, now=reported + 10 * MINUTE, reported_at=reported.isoformat())

    assert when(record["reported_at"]) == reported
    assert due(record, "response") == beijing(2026, 3, 15, 0, 30)


# --- onsite: first of remote_failed / dispatched + travel minutes + 60 -------------------


@pytest.mark.parametrize("first", ["remote_failed", "dispatched"])
def test_the_onsite_clock_starts_at_the_first_remote_failure_or_dispatch(desk, device, first):
    record = desk.open(device, now=T0)
    assert "onsite" not in clocks_of(record)

    record = desk.event(record, first, now=T0 + 15 * MINUTE)

    onsite = clocks_of(record)["onsite"]
    assert when(onsite["started_at"]) == T0 + 15 * MINUTE
    assert when(onsite["due_at"]) == T0 + 15 * MINUTE + dt.timedelta(minutes=45 + 60)
    assert onsite["state"] == "running"


@pytest.mark.parametrize(
    "events",
    [
        ["remote_failed", "dispatched"],
        ["dispatched", "dispatched"],
        ["dispatched", "remote_failed"],
    ],
)
def test_a_later_dispatch_does_not_restart_the_onsite_clock(desk, device, events):
    record = desk.open(device, now=T0)
    first, second = events
    record = desk.event(record, first, now=T0 + 10 * MINUTE)

    record = desk.event(record, second, now=T0 + 40 * MINUTE)

    onsite = [clock for clock in record["clocks"] if clock["kind"] == "onsite"]
    assert len(onsite) == 1
    assert when(onsite[0]["started_at"]) == T0 + 10 * MINUTE
    assert when(onsite[0]["due_at"]) == T0 + 10 * MINUTE + 105 * MINUTE


def test_the_onsite_clock_counts_the_travel_time_of_the_devices_own_site(desk, org_a):
    far = DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=180))
    record = desk.open(far, now=T0)

    record = desk.event(record, "dispatched", now=T0)

    assert due(record, "onsite") == T0 + dt.timedelta(minutes=180 + 60)


def test_the_onsite_clock_is_met_by_arrived(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "dispatched", now=T0 + 10 * MINUTE)

    record = desk.event(record, "arrived", now=T0 + 70 * MINUTE)

    onsite = clocks_of(record)["onsite"]
    assert when(onsite["met_at"]) == T0 + 70 * MINUTE
    assert onsite["state"] == "met"


# --- fix_on_site: arrived + 120, met by resolved -----------------------------------------


def test_the_fix_on_site_clock_runs_two_hours_from_arrival_and_is_met_by_resolved(desk, device):
    record = desk.open(device, now=T0, fault_class="congestion")
    record = desk.event(record, "dispatched", now=T0 + 10 * MINUTE)
    assert "fix_on_site" not in clocks_of(record)

    record = desk.event(record, "arrived", now=T0 + 50 * MINUTE)
    fix = clocks_of(record)["fix_on_site"]
    assert when(fix["started_at"]) == T0 + 50 * MINUTE
    assert when(fix["due_at"]) == T0 + 50 * MINUTE + dt.timedelta(hours=2)
    assert fix["state"] == "running"

    record = desk.event(record, "resolved", now=T0 + 150 * MINUTE)
    assert when(clocks_of(record)["fix_on_site"]["met_at"]) == T0 + 150 * MINUTE
    assert clocks_of(record)["fix_on_site"]["state"] == "met"


def test_a_second_arrival_does_not_restart_the_fix_on_site_clock(desk, device):
    record = desk.open(device, now=T0, fault_class="congestion")
    record = desk.event(record, "dispatched", now=T0)
    record = desk.event(record, "arrived", now=T0 + 50 * MINUTE)

    record = desk.event(record, "arrived", now=T0 + 80 * MINUTE)

    fix = [clock for clock in record["clocks"] if clock["kind"] == "fix_on_site"]
    assert len(fix) == 1
    assert when(fix[0]["due_at"]) == T0 + (50 + 120) * MINUTE


# --- spare_ship: spare_requested + 24 h, met by spare_shipped ----------------------------


def test_the_spare_ship_clock_runs_24_hours_from_the_request_and_is_met_by_spare_shipped(
    desk, device
):
    record = desk.open(device, now=T0)
    requested = T0 + 3 * dt.timedelta(hours=1)

    record = desk.event(record, "spare_requested", now=requested)
    ship = clocks_of(record)["spare_ship"]
    assert when(ship["started_at"]) == requested
    assert when(ship["due_at"]) == requested + dt.timedelta(hours=24)

    record = desk.event(record, "spare_shipped", now=requested + dt.timedelta(hours=20))
    assert when(clocks_of(record)["spare_ship"]["met_at"]) == requested + dt.timedelta(hours=20)
    assert clocks_of(record)["spare_ship"]["state"] == "met"


# --- spare_arrival: 24:00 (Beijing) of the 2nd working day after the local date of T -----


@pytest.mark.parametrize(
    ("requested", "due_at"),
    [
        pytest.param(
            beijing(2026, 3, 12, 14, 0),  # Thursday → Friday, Monday
            beijing(2026, 3, 17, 0, 0),
            id="over-an-ordinary-weekend",
        ),
        pytest.param(
            beijing(2026, 2, 13, 16, 0),  # Friday → Sat 14 (worked), Tue 24 Feb
            beijing(2026, 2, 25, 0, 0),
            id="spring-festival-2026-counting-the-worked-saturday-before-it",
        ),
        pytest.param(
            beijing(2026, 2, 18, 10, 0),  # inside the holiday → Tue 24, Wed 25 Feb
            beijing(2026, 2, 26, 0, 0),
            id="spring-festival-2026-requested-during-the-holiday",
        ),
        pytest.param(
            beijing(2025, 9, 30, 11, 0),  # Tuesday → Thu 9, Fri 10 Oct
            beijing(2025, 10, 11, 0, 0),
            id="national-day-2025",
        ),
        pytest.param(
            beijing(2025, 10, 9, 11, 0),  # Thursday → Fri 10, Sat 11 Oct (worked)
            beijing(2025, 10, 12, 0, 0),
            id="national-day-2025-counting-the-worked-saturday-after-it",
        ),
        pytest.param(
            beijing(2025, 9, 26, 11, 0),  # Friday → Sun 28 Sep (worked), Mon 29
            beijing(2025, 9, 30, 0, 0),
            id="national-day-2025-counting-the-worked-sunday-before-it",
        ),
    ],
)
def test_the_spare_arrival_clock_is_due_at_midnight_ending_the_second_working_day_after(
    desk, device, requested, due_at
):
    record = desk.open(device, now=requested)

    record = desk.event(record, "spare_requested", now=requested)

    arrival = clocks_of(record)["spare_arrival"]
    assert when(arrival["started_at"]) == requested
    assert when(arrival["due_at"]) == due_at


@pytest.mark.parametrize(
    ("requested", "due_at"),
    [
        pytest.param(beijing(2025, 9, 29, 0, 5), beijing(2025, 10, 10, 0, 0), id="00h05"),
        pytest.param(beijing(2025, 9, 29, 23, 55), beijing(2025, 10, 10, 0, 0), id="23h55"),
        # 00:30 in Beijing is still the previous day in UTC: the Beijing date counts.
        pytest.param(beijing(2025, 9, 30, 0, 30), beijing(2025, 10, 11, 0, 0), id="next-00h30"),
    ],
)
def test_the_spare_arrival_clock_counts_from_the_beijing_date_of_the_request(
    desk, device, requested, due_at
):
    record = desk.open(device, now=requested)

    record = desk.event(record, "spare_requested", now=requested)

    assert due(record, "spare_arrival") == due_at


def test_the_spare_arrival_clock_is_met_by_spare_arrived(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0)
    record = desk.event(record, "spare_shipped", now=T0 + dt.timedelta(hours=5))

    record = desk.event(record, "spare_arrived", now=T0 + dt.timedelta(hours=30))

    arrival = clocks_of(record)["spare_arrival"]
    assert when(arrival["met_at"]) == T0 + dt.timedelta(hours=30)
    assert arrival["state"] == "met"


def test_a_second_spare_request_after_the_first_arrived_starts_new_spare_clocks(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0)
    record = desk.event(record, "spare_shipped", now=T0 + dt.timedelta(hours=2))
    record = desk.event(record, "spare_arrived", now=T0 + dt.timedelta(hours=20))

    record = desk.event(record, "spare_requested", now=T0 + dt.timedelta(hours=21))

    ship = [c for c in record["clocks"] if c["kind"] == "spare_ship"]
    assert [c["state"] for c in ship] == ["met", "running"]
    assert when(ship[1]["due_at"]) == T0 + dt.timedelta(hours=21 + 24)


# --- restore: reported time + 24 h, hardware damage only ---------------------------------


@pytest.mark.parametrize(
    "fault_class", ["node_down", "main_module", "port", "full_outage", "hot_swap_part"]
)
def test_hardware_damage_runs_a_restore_clock_of_24_hours_met_by_resolved(
    desk, device, fault_class
):
    record = desk.open(device, now=T0, fault_class=fault_class)

    restore = clocks_of(record)["restore"]
    assert when(restore["started_at"]) == T0
    assert when(restore["due_at"]) == T0 + dt.timedelta(hours=24)

    record = desk.event(record, "resolved", now=T0 + dt.timedelta(hours=6))
    assert when(clocks_of(record)["restore"]["met_at"]) == T0 + dt.timedelta(hours=6)
    assert clocks_of(record)["restore"]["state"] == "met"


@pytest.mark.parametrize("fault_class", ["congestion", "software", "other"])
def test_other_fault_classes_run_no_restore_clock(desk, device, fault_class):
    record = desk.open(device, now=T0, fault_class=fault_class)

    assert set(clocks_of(record)) == {"response"}


# --- the contract's durations override the defaults --------------------------------------


def test_the_devices_contract_sets_every_duration(desk, org_a):
    contract = ContractFactory(
        organisation=org_a,
        response_minutes=30,
        onsite_extra_minutes=20,
        fix_on_site_minutes=90,
        spare_ship_hours=12,
        spare_arrival_working_days=3,
        restore_hours=8,
    )
    device = DeviceFactory(
        site=SiteFactory(organisation=org_a, travel_minutes=40), contract=contract
    )
    thursday = beijing(2026, 3, 12, 9, 0)

    record = desk.open(device, now=thursday)
    for type, minutes in [("dispatched", 5), ("arrived", 50), ("spare_requested", 60)]:
        record = desk.event(record, type, now=thursday + minutes * MINUTE)

    assert due(record, "response") == thursday + 30 * MINUTE
    assert due(record, "restore") == thursday + dt.timedelta(hours=8)
    assert due(record, "onsite") == thursday + (5 + 40 + 20) * MINUTE
    assert due(record, "fix_on_site") == thursday + (50 + 90) * MINUTE
    assert due(record, "spare_ship") == thursday + 60 * MINUTE + dt.timedelta(hours=12)
    # Thursday → Friday, Monday, Tuesday: due at 24:00 on Tuesday.
    assert due(record, "spare_arrival") == beijing(2026, 3, 18, 0, 0)


# --- states -------------------------------------------------------------------------------


def test_a_clock_met_exactly_at_its_due_time_is_met(desk, device):
    record = desk.open(device, now=T0)

    record = desk.event(record, "responded", now=T0 + 60 * MINUTE)

    assert clocks_of(record)["response"]["state"] == "met"


def test_a_clock_met_late_is_breached_and_keeps_its_met_time(desk, device):
    record = desk.open(device, now=T0)

    record = desk.event(record, "responded", now=T0 + 60 * MINUTE + SECOND)

    response = clocks_of(record)["response"]
    assert response["state"] == "breached"
    assert when(response["met_at"]) == T0 + 60 * MINUTE + SECOND
    later = desk.read(record, now=T0 + dt.timedelta(days=3))
    assert clocks_of(later)["response"]["state"] == "breached"
    assert when(clocks_of(later)["response"]["met_at"]) == T0 + 60 * MINUTE + SECOND


def test_a_running_clock_is_breached_as_soon_as_its_due_time_passes_unmet(desk, device):
    record = desk.open(device, now=T0, fault_class="other")

    at_due = desk.read(record, now=T0 + 60 * MINUTE)
    assert clocks_of(at_due)["response"]["state"] == "running"

    past_due = desk.read(record, now=T0 + 60 * MINUTE + SECOND)
    assert clocks_of(past_due)["response"]["state"] == "breached"
    assert clocks_of(past_due)["response"]["met_at"] is None


def test_clocks_still_waiting_for_their_event_are_cancelled_when_the_record_closes(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "responded", now=T0 + 10 * MINUTE)
    record = desk.event(record, "dispatched", now=T0 + 20 * MINUTE)

    record = desk.event(record, "closed", now=T0 + 30 * MINUTE, note="客户撤销报修")

    assert states(record) == {"response": "met", "onsite": "cancelled", "restore": "cancelled"}
    later = desk.read(record, now=T0 + dt.timedelta(days=2))
    assert states(later) == {"response": "met", "onsite": "cancelled", "restore": "cancelled"}


def test_a_clock_already_past_due_when_the_record_closes_stays_breached(desk, device):
    record = desk.open(device, now=T0, fault_class="other")

    record = desk.event(record, "closed", now=T0 + 61 * MINUTE)

    assert states(record) == {"response": "breached"}


# --- warning past 80 % of the span --------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "warning"),
    [
        (dt.timedelta(minutes=47, seconds=59), False),
        (dt.timedelta(minutes=48), True),  # exactly 80 % of 60 minutes
        (dt.timedelta(minutes=59), True),
        (dt.timedelta(minutes=60), True),
    ],
)
def test_a_running_clock_warns_from_80_percent_of_its_span(desk, device, elapsed, warning):
    record = desk.open(device, now=T0, fault_class="other")

    later = desk.read(record, now=T0 + elapsed)

    response = clocks_of(later)["response"]
    assert response["state"] == "running"
    assert response["warning"] is warning


def test_the_warning_counts_the_whole_span_of_the_onsite_clock_with_travel(desk, device):
    record = desk.open(device, now=T0, fault_class="other")
    record = desk.event(record, "responded", now=T0)
    record = desk.event(record, "dispatched", now=T0)  # span 45 + 60 = 105 min, 80 % = 84

    assert clocks_of(desk.read(record, now=T0 + 83 * MINUTE))["onsite"]["warning"] is False
    assert clocks_of(desk.read(record, now=T0 + 84 * MINUTE))["onsite"]["warning"] is True


def test_the_warning_share_is_configurable(desk, device, settings):
    settings.VCDESK_CLOCK_WARNING_SHARE = 0.5
    record = desk.open(device, now=T0, fault_class="other")

    assert clocks_of(desk.read(record, now=T0 + 29 * MINUTE))["response"]["warning"] is False
    assert clocks_of(desk.read(record, now=T0 + 30 * MINUTE))["response"]["warning"] is True


def test_only_a_running_clock_warns(desk, device):
    record = desk.open(device, now=T0, fault_class="node_down")
    record = desk.event(record, "responded", now=T0 + 50 * MINUTE)
    record = desk.event(record, "customer_hold", now=T0 + 50 * MINUTE, note="会议室占用")

    record = desk.read(record, now=T0 + dt.timedelta(hours=23))

    assert states(record) == {"response": "met", "restore": "paused"}
    assert [clock["warning"] for clock in record["clocks"]] == [False, False]
    past_due = desk.read(
        desk.open(device, now=T0, fault_class="other"), now=T0 + dt.timedelta(hours=2)
    )
    assert clocks_of(past_due)["response"]["state"] == "breached"
    assert clocks_of(past_due)["response"]["warning"] is False


# --- holds: customer_hold / customer_release ---------------------------------------------


def test_a_hold_pauses_onsite_and_restore_but_never_response_or_spare_clocks(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "remote_failed", now=T0 + 10 * MINUTE)
    record = desk.event(record, "spare_requested", now=T0 + 20 * MINUTE)

    record = desk.event(record, "customer_hold", now=T0 + 30 * MINUTE, note="会议室占用")

    assert states(record) == {
        "response": "running",
        "restore": "paused",
        "onsite": "paused",
        "spare_ship": "running",
        "spare_arrival": "running",
    }
    assert record["status"] == "on_hold"


def test_a_hold_pauses_the_fix_on_site_clock(desk, device):
    record = desk.open(device, now=T0, fault_class="software")
    record = desk.event(record, "dispatched", now=T0)
    record = desk.event(record, "arrived", now=T0 + 60 * MINUTE)

    record = desk.event(record, "customer_hold", now=T0 + 90 * MINUTE, note="客户要求会后再修")

    assert clocks_of(record)["fix_on_site"]["state"] == "paused"


def test_released_clocks_fall_due_later_by_the_time_held(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "responded", now=T0 + 5 * MINUTE)
    record = desk.event(record, "remote_failed", now=T0 + 10 * MINUTE)
    record = desk.event(record, "spare_requested", now=T0 + 20 * MINUTE)
    before = {kind: when(clock["due_at"]) for kind, clock in clocks_of(record).items()}
    record = desk.event(record, "customer_hold", now=T0 + 30 * MINUTE, note="会议室占用")

    record = desk.event(record, "customer_release", now=T0 + 130 * MINUTE)

    held = dt.timedelta(minutes=100)
    after = {kind: when(clock["due_at"]) for kind, clock in clocks_of(record).items()}
    assert after == {
        "response": before["response"],
        "restore": before["restore"] + held,
        "onsite": before["onsite"] + held,
        "spare_ship": before["spare_ship"],
        "spare_arrival": before["spare_arrival"],
    }
    assert {kind: clock["held_minutes"] for kind, clock in clocks_of(record).items()} == {
        "response": 0,
        "restore": 100,
        "onsite": 100,
        "spare_ship": 0,
        "spare_arrival": 0,
    }
    assert states(record) == {
        "response": "met",
        "restore": "running",
        "onsite": "running",
        "spare_ship": "running",
        "spare_arrival": "running",
    }
    assert record["status"] == "awaiting_spare"


def test_a_clock_held_past_its_original_due_time_is_not_breached(desk, device):
    record = desk.open(device, now=T0, fault_class="other")
    record = desk.event(record, "responded", now=T0)
    record = desk.event(record, "dispatched", now=T0)  # onsite due at T0 + 105 min
    record = desk.event(record, "customer_hold", now=T0 + 30 * MINUTE, note="客户要求改天上门")

    during = desk.read(record, now=T0 + dt.timedelta(hours=5))
    assert clocks_of(during)["onsite"]["state"] == "paused"
    assert clocks_of(during)["onsite"]["held_minutes"] == 270

    record = desk.event(record, "customer_release", now=T0 + dt.timedelta(hours=5))
    record = desk.event(record, "arrived", now=T0 + dt.timedelta(hours=5, minutes=60))

    onsite = clocks_of(record)["onsite"]
    assert when(onsite["due_at"]) == T0 + dt.timedelta(minutes=105 + 270)
    assert onsite["state"] == "met"


def test_a_clock_already_past_due_when_held_stays_breached(desk, device):
    record = desk.open(device, now=T0, fault_class="other")
    record = desk.event(record, "responded", now=T0)
    record = desk.event(record, "dispatched", now=T0)

    record = desk.event(record, "customer_hold", now=T0 + 120 * MINUTE, note="会议室占用")
    assert clocks_of(record)["onsite"]["state"] == "breached"

    record = desk.event(record, "customer_release", now=T0 + 150 * MINUTE)
    record = desk.event(record, "arrived", now=T0 + 160 * MINUTE)
    assert clocks_of(record)["onsite"]["state"] == "breached"


def test_held_time_is_kept_per_clock_and_two_holds_add_up(desk, device):
    record = desk.open(device, now=T0)  # restore due at T0 + 24 h
    record = desk.event(record, "responded", now=T0 + 5 * MINUTE)
    record = desk.event(record, "customer_hold", now=T0 + 10 * MINUTE, note="会议室占用")
    record = desk.event(record, "customer_release", now=T0 + 40 * MINUTE)  # 30 minutes
    record = desk.event(record, "dispatched", now=T0 + 50 * MINUTE)  # onsite due +105 min

    record = desk.event(record, "customer_hold", now=T0 + 60 * MINUTE, note="客户要求推迟")
    record = desk.event(record, "customer_release", now=T0 + 80 * MINUTE)  # 20 minutes

    restore, onsite = clocks_of(record)["restore"], clocks_of(record)["onsite"]
    assert restore["held_minutes"] == 50
    assert when(restore["due_at"]) == T0 + dt.timedelta(hours=24, minutes=50)
    assert onsite["held_minutes"] == 20
    assert when(onsite["due_at"]) == T0 + (50 + 105 + 20) * MINUTE


def test_held_minutes_grow_while_the_hold_lasts(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "customer_hold", now=T0 + 10 * MINUTE, note="会议室占用")

    assert clocks_of(desk.read(record, now=T0 + 55 * MINUTE))["restore"]["held_minutes"] == 45


def test_a_clock_started_during_a_hold_starts_paused(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "customer_hold", now=T0 + 10 * MINUTE, note="客户要求下午再上门")

    record = desk.event(record, "dispatched", now=T0 + 20 * MINUTE)
    assert clocks_of(record)["onsite"]["state"] == "paused"

    record = desk.event(record, "customer_release", now=T0 + 80 * MINUTE)
    onsite = clocks_of(record)["onsite"]
    assert onsite["held_minutes"] == 60
    assert when(onsite["due_at"]) == T0 + (20 + 105 + 60) * MINUTE
    assert onsite["state"] == "running"


def test_closing_a_record_on_hold_keeps_the_time_held_until_then(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "customer_hold", now=T0 + 10 * MINUTE, note="客户设备返厂")

    record = desk.event(record, "closed", now=T0 + 70 * MINUTE)

    restore = clocks_of(record)["restore"]
    assert restore["state"] == "cancelled"
    assert restore["held_minutes"] == 60
    later = desk.read(record, now=T0 + dt.timedelta(days=5))
    assert clocks_of(later)["restore"]["held_minutes"] == 60


def test_resolving_before_anyone_arrived_cancels_the_onsite_clock(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "remote_failed", now=T0 + 10 * MINUTE)

    record = desk.event(record, "resolved", now=T0 + 40 * MINUTE, note="客户重启后恢复")

    assert states(record) == {"response": "running", "restore": "met", "onsite": "cancelled"}
    later = desk.read(record, now=T0 + dt.timedelta(days=1))
    assert clocks_of(later)["onsite"]["state"] == "cancelled"
