"""A spare request withdrawn before it shipped (备件申请已取消): `spare_cancelled` stops the
two spare clocks, the record no longer waits for a spare, and a new request starts afresh.
Once the spare has shipped it can only arrive."""

import datetime as dt

import pytest
from django.utils.translation import gettext as _

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.tests.test_clock_rules import MINUTE, T0, Desk, clocks_of, when

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def desk(api, duty_officer) -> Desk:
    return Desk(api, duty_officer)


@pytest.fixture
def device(org_a):
    return DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=45))


def spare_clocks(record: dict) -> list[dict]:
    return [c for c in record["clocks"] if c["kind"] in ("spare_ship", "spare_arrival")]


def test_withdrawing_a_waiting_spare_request_cancels_both_spare_clocks(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0 + MINUTE)

    record = desk.event(record, "spare_cancelled", now=T0 + HOUR, note="客户自备模块")

    assert {c["kind"]: c["state"] for c in spare_clocks(record)} == {
        "spare_ship": "cancelled",
        "spare_arrival": "cancelled",
    }
    assert all(c["met_at"] is None for c in spare_clocks(record))
    assert record["events"][-1]["type"] == "spare_cancelled"
    assert record["events"][-1]["note"] == "客户自备模块"


def test_a_withdrawn_spare_request_leaves_the_other_clocks_running(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0 + MINUTE)

    record = desk.event(record, "spare_cancelled", now=T0 + HOUR)

    assert clocks_of(record)["response"]["state"] == "running"
    assert clocks_of(record)["restore"]["state"] == "running"


def test_a_spare_request_withdrawn_after_its_ship_time_stays_a_broken_promise(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0 + MINUTE)

    record = desk.event(record, "spare_cancelled", now=T0 + 30 * HOUR)

    assert clocks_of(record)["spare_ship"]["state"] == "breached"
    assert clocks_of(record)["spare_arrival"]["state"] == "cancelled"


def test_the_record_no_longer_waits_for_a_spare_once_the_request_is_withdrawn(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "dispatched", now=T0 + MINUTE)
    record = desk.event(record, "arrived", now=T0 + HOUR)
    record = desk.event(record, "spare_requested", now=T0 + 2 * HOUR)
    assert record["status"] == "awaiting_spare"

    record = desk.event(record, "spare_cancelled", now=T0 + 3 * HOUR)

    assert record["status"] == "on_site"
    # The queue follows the earliest clock still open: no longer a spare clock.
    still_open = [
        when(c["due_at"])
        for c in record["clocks"]
        if c["met_at"] is None and c["state"] not in ("cancelled", "paused")
    ]
    assert when(record["next_due_at"]) == min(still_open)
    assert {c["kind"] for c in record["clocks"] if when(c["due_at"]) in still_open} >= {"restore"}
    assert not any(when(c["due_at"]) in still_open for c in spare_clocks(record))


def test_a_spare_can_be_requested_again_after_a_withdrawal_with_new_clocks(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0 + MINUTE)
    record = desk.event(record, "spare_cancelled", now=T0 + HOUR)

    record = desk.event(record, "spare_requested", now=T0 + 2 * HOUR)

    ship = [c for c in record["clocks"] if c["kind"] == "spare_ship"]
    assert [c["state"] for c in ship] == ["cancelled", "running"]
    assert when(ship[1]["started_at"]) == T0 + 2 * HOUR


def test_a_waiting_spare_may_be_withdrawn_once_the_fault_is_resolved(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0 + MINUTE)
    record = desk.event(record, "resolved", now=T0 + HOUR)

    record = desk.event(record, "spare_cancelled", now=T0 + 2 * HOUR)

    assert {c["state"] for c in spare_clocks(record)} == {"cancelled"}
    assert record["status"] == "resolved"


def test_a_shipped_spare_cannot_be_withdrawn_and_the_reason_says_so(desk, device):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0 + MINUTE)
    record = desk.event(record, "spare_shipped", now=T0 + HOUR)

    response = desk.attempt(record, "spare_cancelled", now=T0 + 2 * HOUR)

    assert response.status_code == 409
    assert response.json()["detail"] == _(
        "The spare has already shipped; it can no longer be withdrawn."
    )
    assert clocks_of(desk.read(record, now=T0 + 2 * HOUR))["spare_arrival"]["state"] == "running"


def test_a_customer_contact_may_not_withdraw_a_spare_request(api, desk, device, contact_of_a):
    record = desk.open(device, now=T0)
    record = desk.event(record, "spare_requested", now=T0 + MINUTE)

    response = Desk(api, contact_of_a).attempt(record, "spare_cancelled", now=T0 + HOUR)

    assert response.status_code == 403
