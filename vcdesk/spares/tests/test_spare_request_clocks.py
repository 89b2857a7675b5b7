"""The record's spare clocks follow the spare steps (issue 4 item 2): requesting a spare writes
the record's spare_requested event (spare_ship and spare_arrival start), shipping writes
spare_shipped (spare_ship is met), arrival writes spare_arrived (spare_arrival is met). A step
the record's process refuses leaves nothing behind, not even a reservation.

Times are Beijing time, at frozen moments, as the service plan states them.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.choices import ClockState, EventType, RecordStatus
from vcdesk.service.services import EventRefused, service_record_event_add, service_record_open
from vcdesk.spares import services
from vcdesk.spares.choices import SpareRequestStatus
from vcdesk.spares.models import Reservation, SpareRequest, StockLevel, StockMovement
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory

BEIJING = ZoneInfo("Asia/Shanghai")
HOUR = dt.timedelta(hours=1)


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


# Tuesday before National Day 2025: the 1st–8th are off, Saturday the 11th is worked.
BEFORE_NATIONAL_DAY = beijing(2025, 9, 30, 11, 0)
NATIONAL_DAY_DUE = beijing(2025, 10, 11, 0, 0)  # end of Fri 10 Oct, the 2nd working day after
# Friday before Spring Festival 2026: Saturday the 14th is worked, then 15–23 Feb are off.
BEFORE_SPRING_FESTIVAL = beijing(2026, 2, 13, 16, 0)
SPRING_FESTIVAL_DUE = beijing(2026, 2, 25, 0, 0)  # end of Tue 24 Feb

T0 = BEFORE_NATIONAL_DAY


def clock(record, kind: str):
    """The record's latest clock of `kind`."""
    return record.clocks.filter(kind=kind).order_by("-started_at", "-id").first()


def spare_events(record) -> list[tuple[str, dt.datetime]]:
    return [
        (event.type, event.at)
        for event in record.events.filter(type__startswith="spare").order_by("at", "id")
    ]


def everything_written(record) -> tuple:
    """Every row a spare step writes, to show that a refused step wrote nothing."""
    return (
        list(StockMovement.objects.order_by("id").values_list()),
        list(Reservation.objects.order_by("id").values_list()),
        list(StockLevel.objects.order_by("id").values_list()),
        list(SpareRequest.objects.order_by("id").values_list()),
        list(record.events.order_by("id").values_list()),
        list(record.clocks.order_by("id").values_list()),
    )


class SpareDesk:
    """The spares keeper's steps, each at a frozen moment."""

    def __init__(self, keeper, part):
        self.keeper, self.part = keeper, part

    def request(self, record, *, now: dt.datetime, **fields) -> SpareRequest:
        with time_machine.travel(now, tick=False):
            return services.spare_request_create(
                service_record=record, part_model=self.part, actor=self.keeper, **fields
            )

    def ship(self, request, *, now: dt.datetime, **fields) -> SpareRequest:
        fields = {"carrier": "顺丰速运", "tracking_number": "SF1234567890", **fields}
        with time_machine.travel(now, tick=False):
            return services.spare_request_ship(request, actor=self.keeper, **fields)

    def arrive(self, request, *, now: dt.datetime, **fields) -> SpareRequest:
        with time_machine.travel(now, tick=False):
            return services.spare_request_arrive(request, actor=self.keeper, **fields)


@pytest.fixture(autouse=True)
def english():
    """Refusals are read in English, the language they are written in."""
    with translation.override("en"):
        yield


@pytest.fixture
def part(db):
    return PartModelFactory()


@pytest.fixture
def warehouse(spares_keeper, part):
    warehouse = WarehouseFactory(city="武汉")
    services.stock_receive(
        warehouse=warehouse, part_model=part, quantity=3, actor=spares_keeper.user
    )
    return warehouse


@pytest.fixture
def desk(spares_keeper, part, warehouse) -> SpareDesk:
    return SpareDesk(spares_keeper.user, part)


@pytest.fixture
def open_record(org_a, duty_officer):
    """open_record(at): a port fault reported at `at` from a site in 武汉."""

    def open_at(at: dt.datetime):
        device = DeviceFactory(site=SiteFactory(organisation=org_a, city="武汉"))
        with time_machine.travel(at, tick=False):
            return service_record_open(
                device=device,
                fault_class="port",
                description="MCU 第3槽端口板无信号",
                caller_name="张伟",
                caller_phone="13800000000",
                actor=duty_officer.user,
            )

    return open_at


@pytest.fixture
def record(open_record):
    return open_record(T0 - HOUR)


# --- requested → both spare clocks start -----------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "arrival_due"),
    [
        pytest.param(BEFORE_NATIONAL_DAY, NATIONAL_DAY_DUE, id="before-national-day-2025"),
        pytest.param(BEFORE_SPRING_FESTIVAL, SPRING_FESTIVAL_DUE, id="before-spring-festival-2026"),
    ],
)
def test_requesting_a_spare_writes_spare_requested_and_starts_both_spare_clocks(
    desk, open_record, warehouse, requested, arrival_due
):
    record = open_record(requested - HOUR)

    request = desk.request(record, now=requested)

    assert request.requested_at == requested
    assert request.status == SpareRequestStatus.RESERVED
    [event] = record.events.all()
    assert (event.type, event.at) == (EventType.SPARE_REQUESTED, requested)
    assert warehouse.name in event.note
    ship, arrival = clock(record, "spare_ship"), clock(record, "spare_arrival")
    assert (ship.started_at, ship.due_at) == (requested, requested + 24 * HOUR)
    assert (arrival.started_at, arrival.due_at) == (requested, arrival_due)
    assert ship.state_at(requested) == arrival.state_at(requested) == ClockState.RUNNING
    record.refresh_from_db()
    assert record.status == RecordStatus.AWAITING_SPARE


def test_the_request_note_is_kept_on_the_event(desk, record):
    desk.request(record, now=T0, note="客户要求发整机")

    assert record.events.get().note == "客户要求发整机"


# --- shipped → spare_ship met ------------------------------------------------------------


def test_shipping_writes_spare_shipped_and_meets_the_ship_clock(desk, record, warehouse, part):
    request = desk.request(record, now=T0)

    request = desk.ship(request, now=T0 + 5 * HOUR, tracking_number=" SF1234567890 ")

    assert (request.carrier, request.tracking_number) == ("顺丰速运", "SF1234567890")
    assert request.shipped_at == T0 + 5 * HOUR
    assert request.status == SpareRequestStatus.SHIPPED
    assert spare_events(record) == [
        (EventType.SPARE_REQUESTED, T0),
        (EventType.SPARE_SHIPPED, T0 + 5 * HOUR),
    ]
    assert "SF1234567890" in record.events.get(type=EventType.SPARE_SHIPPED).note
    ship = clock(record, "spare_ship")
    assert ship.met_at == T0 + 5 * HOUR
    assert ship.state_at(T0 + 5 * HOUR) == ClockState.MET
    arrival = clock(record, "spare_arrival")
    assert arrival.met_at is None
    assert arrival.state_at(T0 + 5 * HOUR) == ClockState.RUNNING
    level = StockLevel.objects.get(warehouse=warehouse, part_model=part)
    assert (level.on_hand, level.reserved) == (2, 0)
    assert not request.reservation.is_open
    assert Reservation.objects.get().shipped_at == T0 + 5 * HOUR


def test_a_spare_shipped_after_24_hours_meets_its_ship_clock_late(desk, record):
    request = desk.request(record, now=T0)

    desk.ship(request, now=T0 + 30 * HOUR)

    ship = clock(record, "spare_ship")
    assert ship.met_at == T0 + 30 * HOUR
    assert ship.state_at(T0 + 30 * HOUR) == ClockState.BREACHED


# --- arrived → spare_arrival met ---------------------------------------------------------


def test_arrival_writes_spare_arrived_and_meets_the_arrival_clock(desk, record):
    request = desk.request(record, now=T0)
    request = desk.ship(request, now=T0 + 5 * HOUR)
    arrived_at = beijing(2025, 10, 10, 15, 0)  # the last working day before it is due

    request = desk.arrive(request, now=arrived_at)

    assert request.arrived_at == arrived_at
    assert request.status == SpareRequestStatus.ARRIVED
    assert spare_events(record)[-1] == (EventType.SPARE_ARRIVED, arrived_at)
    arrival = clock(record, "spare_arrival")
    assert arrival.met_at == arrived_at
    assert arrival.state_at(arrived_at) == ClockState.MET
    record.refresh_from_db()
    assert record.status != RecordStatus.AWAITING_SPARE


def test_arrival_may_be_recorded_afterwards_at_the_time_it_happened(desk, record):
    request = desk.request(record, now=T0)
    request = desk.ship(request, now=T0 + 5 * HOUR)

    desk.arrive(request, now=T0 + 48 * HOUR, at=T0 + 26 * HOUR)

    assert clock(record, "spare_arrival").met_at == T0 + 26 * HOUR


def test_a_spare_arriving_after_the_second_working_day_meets_its_clock_late(desk, record):
    request = desk.request(record, now=T0)
    request = desk.ship(request, now=T0 + 5 * HOUR)
    late = NATIONAL_DAY_DUE + HOUR

    desk.arrive(request, now=late)

    arrival = clock(record, "spare_arrival")
    assert arrival.met_at == late
    assert arrival.state_at(late) == ClockState.BREACHED


# --- what the record's process refuses leaves nothing behind --------------------------------


@pytest.mark.parametrize("first_spare", ["reserved", "shipped"])
def test_a_second_request_while_a_spare_is_pending_is_refused_and_reserves_nothing(
    desk, record, first_spare
):
    first = desk.request(record, now=T0)
    if first_spare == "shipped":
        desk.ship(first, now=T0 + HOUR)
    before = everything_written(record)

    with pytest.raises(EventRefused, match="A spare was already requested"):
        desk.request(record, now=T0 + 2 * HOUR)

    assert everything_written(record) == before
    assert Reservation.objects.count() == 1


def test_once_the_spare_arrived_another_can_be_requested_with_new_clocks(desk, record):
    first = desk.request(record, now=T0)
    desk.arrive(desk.ship(first, now=T0 + HOUR), now=T0 + 20 * HOUR)

    second = desk.request(record, now=T0 + 21 * HOUR)

    assert second.reservation != first.reservation
    assert record.clocks.filter(kind="spare_arrival").count() == 2
    arrival = clock(record, "spare_arrival")
    assert (arrival.started_at, arrival.met_at) == (T0 + 21 * HOUR, None)


def test_a_request_on_a_closed_record_is_refused_and_reserves_nothing(desk, record, duty_officer):
    with time_machine.travel(T0, tick=False):
        service_record_event_add(record, type=EventType.CLOSED, actor=duty_officer.user)
    before = everything_written(record)

    with pytest.raises(EventRefused, match="closed"):
        desk.request(record, now=T0 + HOUR)

    assert everything_written(record) == before
    assert not Reservation.objects.exists()


def test_a_request_on_a_resolved_record_is_refused_and_reserves_nothing(desk, record, duty_officer):
    with time_machine.travel(T0, tick=False):
        service_record_event_add(record, type=EventType.RESOLVED, actor=duty_officer.user)
    before = everything_written(record)

    with pytest.raises(EventRefused):
        desk.request(record, now=T0 + HOUR)

    assert everything_written(record) == before


def test_a_pending_spare_cannot_ship_once_its_record_is_closed(desk, record, duty_officer):
    request = desk.request(record, now=T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        service_record_event_add(record, type=EventType.CLOSED, actor=duty_officer.user)
    before = everything_written(record)

    with pytest.raises(EventRefused):
        desk.ship(request, now=T0 + 2 * HOUR)

    assert everything_written(record) == before


# --- shipping and arriving need what they need -----------------------------------------------


@pytest.mark.parametrize(
    ("carrier", "tracking_number", "fields"),
    [
        pytest.param("", "SF1234567890", {"carrier"}, id="no-carrier"),
        pytest.param("顺丰速运", "", {"tracking_number"}, id="no-tracking-number"),
        pytest.param("  ", " ", {"carrier", "tracking_number"}, id="blank-both"),
    ],
)
def test_shipping_without_carrier_or_tracking_number_is_refused_naming_the_fields(
    desk, record, carrier, tracking_number, fields
):
    request = desk.request(record, now=T0)
    before = everything_written(record)

    with pytest.raises(ValidationError) as refused:
        desk.ship(request, now=T0 + HOUR, carrier=carrier, tracking_number=tracking_number)

    assert set(refused.value.message_dict) == fields
    assert everything_written(record) == before
    assert clock(record, "spare_ship").met_at is None


def test_a_spare_ships_once(desk, record):
    request = desk.ship(desk.request(record, now=T0), now=T0 + HOUR)
    before = everything_written(record)

    with pytest.raises(services.SpareRequestRefused):
        desk.ship(request, now=T0 + 2 * HOUR, tracking_number="SF0000000000")

    assert everything_written(record) == before


def test_a_spare_cannot_arrive_before_it_shipped(desk, record):
    request = desk.request(record, now=T0)
    before = everything_written(record)

    with pytest.raises(services.SpareRequestRefused, match="shipped"):
        desk.arrive(request, now=T0 + HOUR)

    assert everything_written(record) == before
    assert clock(record, "spare_arrival").met_at is None


def test_a_spare_arrives_once(desk, record):
    request = desk.ship(desk.request(record, now=T0), now=T0 + HOUR)
    request = desk.arrive(request, now=T0 + 5 * HOUR)
    before = everything_written(record)

    with pytest.raises(services.SpareRequestRefused):
        desk.arrive(request, now=T0 + 6 * HOUR)

    assert everything_written(record) == before


def test_a_spare_cannot_arrive_before_the_time_it_shipped(desk, record):
    request = desk.ship(desk.request(record, now=T0), now=T0 + 5 * HOUR)
    before = everything_written(record)

    with pytest.raises(EventRefused):
        desk.arrive(request, now=T0 + 6 * HOUR, at=T0 + 4 * HOUR)

    assert everything_written(record) == before


def test_a_serialised_spare_ships_the_serial_named_and_only_one_in_stock(
    spares_keeper, record, warehouse
):
    camera = PartModelFactory(serialised=True, name="EagleEye IV 摄像机")
    services.stock_receive(
        warehouse=warehouse,
        part_model=camera,
        quantity=2,
        serials=["EE4-001", "EE4-002"],
        actor=spares_keeper.user,
    )
    desk = SpareDesk(spares_keeper.user, camera)
    request = desk.request(record, now=T0)

    for serials in ([], ["EE4-999"]):
        with pytest.raises(ValidationError) as refused:
            desk.ship(request, now=T0 + HOUR, serials=serials)
        assert "serials" in refused.value.message_dict
    request = desk.ship(request, now=T0 + HOUR, serials=["EE4-002"])

    assert request.serials == ["EE4-002"]
    assert services.serials_in_stock(warehouse=warehouse, part_model=camera) == ["EE4-001"]
    assert clock(record, "spare_ship").met_at == T0 + HOUR
