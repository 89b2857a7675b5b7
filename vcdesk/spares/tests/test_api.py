"""The spares API of issue 4 items 2 and 5: warehouses, part models, stock (levels, receive,
transfer, movements) and spare requests (proposal, create, ship, arrive) — their fields, who
may write, and bad input answered 422 with the field, nothing written."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.models import ServiceEvent
from vcdesk.service.services import service_record_event_add, service_record_open
from vcdesk.service.tests.test_clock_rules import T0, beijing, when
from vcdesk.spares import services
from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.models import (
    PartModel,
    Reservation,
    SpareRequest,
    StockLevel,
    StockMovement,
    Warehouse,
)
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory

API = "/api/v1"
HOUR = dt.timedelta(hours=1)

WAREHOUSE_FIELDS = {"id", "name", "city", "kind", "address", "active"}
PART_MODEL_FIELDS = {
    "id",
    "vendor",
    "part_number",
    "name",
    "serialised",
    "device_models",
    "market_price",
    "low_stock_threshold",
}
LEVEL_FIELDS = {"warehouse", "part_model", "on_hand", "reserved", "available", "low"}
SPARE_REQUEST_FIELDS = {
    "id",
    "service_record",
    "part_model",
    "quantity",
    "warehouse",
    "status",
    "requested_at",
    "carrier",
    "tracking_number",
    "serials",
    "shipped_at",
    "arrived_at",
    "cancelled_at",
    "cancel_reason",
    "spare_ship_due_at",
    "spare_arrival_due_at",
    "clocks",
}


def open_record(organisation, *, city="武汉", actor, fault_class="port", device_model=None):
    extra = {"model": device_model} if device_model else {}
    device = DeviceFactory(site=SiteFactory(organisation=organisation, city=city), **extra)
    return service_record_open(
        device=device,
        fault_class=fault_class,
        description="端口板故障",
        caller_name="张伟",
        caller_phone="13800000000",
        actor=actor,
    )


def stock_of(warehouse, part_model) -> tuple[int, int]:
    level = StockLevel.objects.filter(warehouse=warehouse, part_model=part_model).first()
    return (level.on_hand, level.reserved) if level else (0, 0)


def fields_in_error(response) -> set[str]:
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


def with_depots(change: dict, depots: dict) -> dict:
    """`change` with a depot named by its key ("beijing") replaced by its id."""
    return {k: depots[v].pk if isinstance(v, str) and v in depots else v for k, v in change.items()}


def everything() -> tuple:
    """What a refused write must leave untouched."""
    return (
        list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved")),
        StockMovement.objects.count(),
        Reservation.objects.count(),
        SpareRequest.objects.count(),
        ServiceEvent.objects.count(),
        Warehouse.objects.count(),
        PartModel.objects.count(),
    )


def a_part() -> PartModel:
    return PartModelFactory(part_number="2215-28431-001", name="RMX 媒体处理板 MPMx-D")


def stocked_depots(part: PartModel, *, actor) -> dict[str, Warehouse]:
    """Beijing, Guangzhou and the vendor's bonded warehouse in Shanghai, with two of `part`."""
    depots = {
        "beijing": WarehouseFactory(city="北京"),
        "guangzhou": WarehouseFactory(city="广州"),
        "bonded": WarehouseFactory(
            name="Polycom 上海保税库", city="上海", kind=WarehouseKind.BONDED
        ),
    }
    for warehouse in depots.values():
        services.stock_receive(warehouse=warehouse, part_model=part, quantity=2, actor=actor)
    return depots


@pytest.fixture
def part(db):
    return a_part()


@pytest.fixture
def serial_part(db):
    return PartModelFactory(
        part_number="2201-52641-001", name="Group 500 主机", serialised=True, market_price=None
    )


@pytest.fixture
def depots(part, spares_keeper) -> dict[str, Warehouse]:
    return stocked_depots(part, actor=spares_keeper.user)


@pytest.fixture
def record(org_a, duty_officer):
    with time_machine.travel(T0, tick=False):
        return open_record(org_a, actor=duty_officer.user)


def request_spare(api, who, record, part, *, at=T0 + HOUR, **fields):
    payload = {"service_record": record.pk, "part_model": part.pk, **fields}
    with time_machine.travel(at, tick=False):
        return api.post(f"{API}/spare-requests", who, payload)


def ship(api, who, spare_request_id, *, at=T0 + 3 * HOUR, **fields):
    payload = {"carrier": "顺丰速运", "tracking_number": "SF1234567890", **fields}
    with time_machine.travel(at, tick=False):
        return api.post(f"{API}/spare-requests/{spare_request_id}/ship", who, payload)


# --- warehouses ------------------------------------------------------------------------------


def test_a_spares_keeper_creates_reads_lists_and_changes_a_warehouse(api, spares_keeper):
    created = api.post(
        f"{API}/warehouses",
        spares_keeper,
        {"name": "成都备件库", "city": "成都", "address": "高新区天府大道 88 号"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == WAREHOUSE_FIELDS
    assert (body["kind"], body["active"]) == ("regional", True)

    assert api.get(f"{API}/warehouses/{body['id']}", spares_keeper).json() == body
    listed = api.get(f"{API}/warehouses", spares_keeper, kind="regional").json()
    assert listed["count"] == 1 and listed["items"] == [body]

    changed = api.patch(f"{API}/warehouses/{body['id']}", spares_keeper, {"active": False})
    assert changed.status_code == 200
    assert changed.json()["active"] is False
    assert api.get(f"{API}/warehouses", spares_keeper, active="true").json()["count"] == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "", "city": "北京"}, "name"),
        ({"name": "北京备件库"}, "city"),
        ({"name": "北京备件库", "city": "北京", "kind": "cellar"}, "kind"),
        ({"name": "北京备件库", "city": "北京", "address": "x" * 301}, "address"),
        ({"name": "北京备件库\x00", "city": "北京"}, "name"),
        ({"name": "北京备件库", "city": "北京"}, "name"),  # the name is taken
    ],
)
def test_bad_warehouse_input_answers_422_with_the_field_and_writes_nothing(
    api, spares_keeper, payload, field
):
    WarehouseFactory(name="北京备件库", city="北京")
    before = everything()

    response = api.post(f"{API}/warehouses", spares_keeper, payload)

    assert response.status_code == 422, response.content
    assert field in fields_in_error(response)
    assert everything() == before


@pytest.mark.parametrize("who", ["support_engineer", "service_manager", "spares_keeper"])
def test_spares_keepers_support_engineers_and_service_managers_write(api, request, who):
    response = api.post(
        f"{API}/warehouses", request.getfixturevalue(who), {"name": "武汉备件库", "city": "武汉"}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["duty_officer", "field_engineer", "contact_of_a"])
def test_other_people_may_read_warehouses_but_not_write_them(api, request, who):
    persona = request.getfixturevalue(who)
    warehouse = WarehouseFactory()

    assert api.get(f"{API}/warehouses", persona).json()["count"] == 1
    assert api.post(f"{API}/warehouses", persona, {"name": "x", "city": "北京"}).status_code == 403
    patched = api.patch(f"{API}/warehouses/{warehouse.pk}", persona, {"active": False})
    assert patched.status_code == 403
    assert Warehouse.objects.get().active


# --- part models -----------------------------------------------------------------------------


def test_a_part_model_names_the_device_models_it_serves_and_its_market_price(api, spares_keeper):
    rmx = DeviceModelFactory(vendor="Polycom", name="RMX 4000", kind="mcu")
    rmx_2000 = DeviceModelFactory(vendor="Polycom", name="RMX 2000", kind="mcu")
    payload = {
        "vendor": "Polycom",
        "part_number": "2215-28431-001",
        "name": "RMX 媒体处理板 MPMx-D",
        "serialised": True,
        "device_models": [rmx.pk, rmx_2000.pk],
        "market_price": "28000.00",
        "low_stock_threshold": 2,
    }
    created = api.post(f"{API}/part-models", spares_keeper, payload)

    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == PART_MODEL_FIELDS
    assert body["device_models"] == sorted([rmx.pk, rmx_2000.pk])
    assert body["market_price"] == "28000.00"
    assert api.get(f"{API}/part-models", spares_keeper, device_model=rmx.pk).json()["count"] == 1

    changed = api.patch(
        f"{API}/part-models/{body['id']}", spares_keeper, {"device_models": [rmx.pk]}
    )
    assert changed.status_code == 200
    assert changed.json()["device_models"] == [rmx.pk]
    assert changed.json()["market_price"] == "28000.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"part_number": ""}, "part_number"),
        ({"part_number": "2215-28431-001"}, "part_number"),  # taken for this vendor
        ({"device_models": [999_999]}, "device_models"),
        ({"market_price": "-1"}, "market_price"),
        ({"market_price": "12.345"}, "market_price"),
        ({"low_stock_threshold": -1}, "low_stock_threshold"),
        ({"serialised": "perhaps"}, "serialised"),
    ],
)
def test_bad_part_model_input_answers_422_with_the_field_and_writes_nothing(
    api, spares_keeper, part, change, field
):
    before = everything()
    payload = {"vendor": "Polycom", "part_number": "2215-99999-001", "name": "风扇模块", **change}

    response = api.post(f"{API}/part-models", spares_keeper, payload)

    assert response.status_code == 422, response.content
    assert field in fields_in_error(response)
    assert everything() == before


def test_a_part_model_with_stock_keeps_whether_it_is_serialised(api, spares_keeper, part, depots):
    response = api.patch(f"{API}/part-models/{part.pk}", spares_keeper, {"serialised": True})

    assert response.status_code == 422
    assert fields_in_error(response) == {"serialised"}
    assert PartModel.objects.get(pk=part.pk).serialised is False


# --- stock -----------------------------------------------------------------------------------


def test_receiving_stock_answers_the_new_level_and_writes_one_movement(api, spares_keeper, part):
    warehouse = WarehouseFactory()

    response = api.post(
        f"{API}/stock/receive",
        spares_keeper,
        {"warehouse": warehouse.pk, "part_model": part.pk, "quantity": 3, "note": "PO-2026-017"},
    )

    assert response.status_code == 201, response.content
    (level,) = response.json()["levels"]
    assert set(level) == LEVEL_FIELDS
    assert level == {
        "warehouse": warehouse.pk,
        "part_model": part.pk,
        "on_hand": 3,
        "reserved": 0,
        "available": 3,
        "low": False,
    }
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.quantity, movement.note) == ("received", 3, "PO-2026-017")
    assert movement.actor == spares_keeper.user


def test_a_serialised_part_is_received_with_one_serial_per_unit(api, spares_keeper, serial_part):
    warehouse = WarehouseFactory()
    payload = {
        "warehouse": warehouse.pk,
        "part_model": serial_part.pk,
        "quantity": 2,
        "serials": ["82G500A001", "82G500A002"],
    }

    response = api.post(f"{API}/stock/receive", spares_keeper, payload)

    assert response.status_code == 201, response.content
    assert services.serials_in_stock(warehouse=warehouse, part_model=serial_part) == [
        "82G500A001",
        "82G500A002",
    ]
    listed = api.get(f"{API}/stock/movements", spares_keeper, serial="82G500A002").json()
    assert [m["serial"] for m in listed["items"]] == ["82G500A002"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "two"}, "quantity"),
        ({"warehouse": 999_999}, "warehouse"),
        ({"part_model": 999_999}, "part_model"),
        ({"serials": ["82G500A001"]}, "serials"),  # one serial for two units
        ({"serials": ["82G500A001", "82G500A001"]}, "serials"),
        ({"serials": ["82G500A009", "82G500A010"]}, "serials"),  # already in stock
        ({"note": "x" * 301}, "note"),
    ],
)
def test_bad_receive_input_answers_422_with_the_field_and_writes_nothing(
    api, spares_keeper, serial_part, change, field
):
    warehouse = WarehouseFactory()
    services.stock_receive(
        warehouse=warehouse,
        part_model=serial_part,
        quantity=1,
        serials=["82G500A009"],
        actor=spares_keeper.user,
    )
    before = everything()
    payload = {
        "warehouse": warehouse.pk,
        "part_model": serial_part.pk,
        "quantity": 2,
        "serials": ["82G500A001", "82G500A002"],
        **change,
    }

    response = api.post(f"{API}/stock/receive", spares_keeper, payload)

    assert response.status_code == 422, response.content
    assert field in fields_in_error(response)
    assert everything() == before


def test_receiving_into_an_inactive_warehouse_is_refused(api, spares_keeper, part):
    closed = WarehouseFactory(active=False)
    payload = {"warehouse": closed.pk, "part_model": part.pk, "quantity": 1}

    response = api.post(f"{API}/stock/receive", spares_keeper, payload)

    assert response.status_code == 422
    assert fields_in_error(response) == {"warehouse"}


def test_a_transfer_moves_available_stock_and_answers_both_levels(api, spares_keeper, part, depots):
    beijing, guangzhou = depots["beijing"], depots["guangzhou"]

    response = api.post(
        f"{API}/stock/transfer",
        spares_keeper,
        {
            "from_warehouse": beijing.pk,
            "to_warehouse": guangzhou.pk,
            "part_model": part.pk,
            "quantity": 2,
        },
    )

    assert response.status_code == 201, response.content
    sent, received = response.json()["levels"]
    assert (sent["warehouse"], sent["on_hand"], sent["low"]) == (beijing.pk, 0, True)
    assert (received["warehouse"], received["on_hand"]) == (guangzhou.pk, 4)
    kinds = api.get(
        f"{API}/stock/movements", spares_keeper, part_model=part.pk, kind="transferred_out"
    )
    assert kinds.json()["count"] == 1
    assert services.stock_levels_rebuild() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 3}, "quantity"),  # only 2 available
        ({"to_warehouse": "beijing"}, "to_warehouse"),  # the same warehouse
        ({"to_warehouse": 999_999}, "to_warehouse"),
        ({"from_warehouse": None}, "from_warehouse"),
        ({"serials": ["X1", "X2"]}, "serials"),  # the part has no serial numbers
    ],
)
def test_bad_transfer_input_answers_422_with_the_field_and_writes_nothing(
    api, spares_keeper, part, depots, change, field
):
    payload = {
        "from_warehouse": depots["beijing"].pk,
        "to_warehouse": depots["guangzhou"].pk,
        "part_model": part.pk,
        "quantity": 2,
        **with_depots(change, depots),
    }
    before = everything()

    response = api.post(f"{API}/stock/transfer", spares_keeper, payload)

    assert response.status_code == 422, response.content
    assert field in fields_in_error(response)
    assert everything() == before


def test_the_stock_list_filters_by_warehouse_part_model_and_low_stock(
    api, spares_keeper, part, depots
):
    other = PartModelFactory(low_stock_threshold=5)
    services.stock_receive(
        warehouse=depots["beijing"], part_model=other, quantity=5, actor=spares_keeper.user
    )
    services.stock_reserve(
        warehouse=depots["beijing"], part_model=other, quantity=1, actor=spares_keeper.user
    )

    everything_listed = api.get(f"{API}/stock", spares_keeper).json()
    assert everything_listed["count"] == 4
    assert set(everything_listed["items"][0]) == LEVEL_FIELDS

    in_beijing = api.get(f"{API}/stock", spares_keeper, warehouse=depots["beijing"].pk).json()
    assert {i["part_model"] for i in in_beijing["items"]} == {part.pk, other.pk}

    low = api.get(f"{API}/stock", spares_keeper, low="true").json()
    assert [(i["part_model"], i["available"], i["low"]) for i in low["items"]] == [
        (other.pk, 4, True)
    ]
    of_part = api.get(f"{API}/stock", spares_keeper, part_model=part.pk, low="false").json()
    assert of_part["count"] == 3


# --- spare requests --------------------------------------------------------------------------


def test_the_proposal_lists_warehouses_with_stock_nearest_to_the_site_first(
    api, spares_keeper, record, part, depots
):
    response = api.get(
        f"{API}/spare-requests/proposal",
        spares_keeper,
        service_record=record.pk,
        part_model=part.pk,
        quantity=2,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["city"] == "武汉"
    # 武汉 → 上海 ≈ 690 km, → 广州 ≈ 840 km, → 北京 ≈ 1,050 km.
    assert [c["warehouse"]["id"] for c in body["items"]] == [
        depots["bonded"].pk,
        depots["guangzhou"].pk,
        depots["beijing"].pk,
    ]
    assert [c["available"] for c in body["items"]] == [2, 2, 2]
    kms = [c["km"] for c in body["items"]]
    assert kms == sorted(kms) and 600 < kms[0] < 800
    assert body["count"] == 3


def test_the_proposal_leaves_out_warehouses_without_enough_stock(
    api, spares_keeper, record, part, depots
):
    services.stock_reserve(
        warehouse=depots["bonded"], part_model=part, quantity=2, actor=spares_keeper.user
    )
    body = api.get(
        f"{API}/spare-requests/proposal",
        spares_keeper,
        service_record=record.pk,
        part_model=part.pk,
    ).json()

    assert [c["warehouse"]["id"] for c in body["items"]] == [
        depots["guangzhou"].pk,
        depots["beijing"].pk,
    ]


def test_the_proposal_for_an_unknown_record_answers_422_on_the_query(api, spares_keeper, part):
    response = api.get(
        f"{API}/spare-requests/proposal", spares_keeper, service_record=999_999, part_model=part.pk
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "service_record"]


def test_a_spare_requested_without_a_warehouse_comes_from_the_nearest_and_starts_the_clocks(
    api, spares_keeper, record, part, depots
):
    response = request_spare(api, spares_keeper, record, part)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == SPARE_REQUEST_FIELDS
    assert body["warehouse"] == depots["bonded"].pk
    assert (body["status"], body["quantity"]) == ("reserved", 1)
    assert when(body["requested_at"]) == T0 + HOUR
    # spare_ship: + 24 h; spare_arrival: 24:00 of the 2nd working day after Tuesday 10 March.
    assert when(body["spare_ship_due_at"]) == T0 + 25 * HOUR
    assert when(body["spare_arrival_due_at"]) == beijing(2026, 3, 13, 0, 0)
    assert {c["kind"]: c["state"] for c in body["clocks"]} == {
        "spare_ship": "running",
        "spare_arrival": "running",
    }
    assert stock_of(depots["bonded"], part) == (2, 1)
    record.refresh_from_db()
    assert record.status == "awaiting_spare"


def test_a_spare_is_reserved_at_the_warehouse_asked_for(api, spares_keeper, record, part, depots):
    response = request_spare(api, spares_keeper, record, part, warehouse=depots["beijing"].pk)

    assert response.status_code == 201
    assert response.json()["warehouse"] == depots["beijing"].pk
    assert stock_of(depots["beijing"], part) == (2, 1)
    assert stock_of(depots["bonded"], part) == (2, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_record": 999_999}, "service_record"),
        ({"part_model": 999_999}, "part_model"),
        ({"warehouse": 999_999}, "warehouse"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 3}, "part_model"),  # no warehouse has 3 available
        ({"quantity": 3, "warehouse": "beijing"}, "quantity"),  # Beijing has 2
        ({"note": "x" * 5001}, "note"),
    ],
)
def test_bad_spare_request_input_answers_422_with_the_field_and_writes_nothing(
    api, spares_keeper, record, part, depots, change, field
):
    change = with_depots(change, depots)
    before = everything()

    response = request_spare(api, spares_keeper, record, part, **change)

    assert response.status_code == 422, response.content
    assert field in fields_in_error(response)
    assert everything() == before


def test_a_second_spare_while_one_is_outstanding_answers_409_and_reserves_nothing(
    api, spares_keeper, record, part, depots
):
    assert request_spare(api, spares_keeper, record, part).status_code == 201
    before = everything()

    response = request_spare(api, spares_keeper, record, part, at=T0 + 2 * HOUR)

    assert response.status_code == 409
    assert response.json()["detail"]
    assert everything() == before


def test_a_spare_for_a_closed_record_answers_409_and_reserves_nothing(
    api, spares_keeper, duty_officer, record, part, depots
):
    with time_machine.travel(T0 + 30 * dt.timedelta(minutes=1), tick=False):
        service_record_event_add(record, type="closed", actor=duty_officer.user)
    before = everything()

    response = request_spare(api, spares_keeper, record, part)

    assert response.status_code == 409
    assert everything() == before


def test_shipping_meets_the_spare_ship_clock_and_arrival_meets_the_spare_arrival_clock(
    api, spares_keeper, record, part, depots
):
    spare = request_spare(api, spares_keeper, record, part).json()

    shipped = ship(api, spares_keeper, spare["id"], carrier="京东物流", tracking_number="JD0098")

    assert shipped.status_code == 200, shipped.content
    body = shipped.json()
    assert (body["status"], body["carrier"], body["tracking_number"]) == (
        "shipped",
        "京东物流",
        "JD0098",
    )
    assert when(body["shipped_at"]) == T0 + 3 * HOUR
    clocks = {c["kind"]: c for c in body["clocks"]}
    assert clocks["spare_ship"]["state"] == "met"
    assert when(clocks["spare_ship"]["met_at"]) == T0 + 3 * HOUR
    assert stock_of(depots["bonded"], part) == (1, 0)

    with time_machine.travel(T0 + 30 * HOUR, tick=False):
        arrived = api.post(f"{API}/spare-requests/{spare['id']}/arrive", spares_keeper, {})

    assert arrived.status_code == 200, arrived.content
    body = arrived.json()
    assert body["status"] == "arrived"
    assert when(body["arrived_at"]) == T0 + 30 * HOUR
    assert {c["kind"]: c["state"] for c in body["clocks"]} == {
        "spare_ship": "met",
        "spare_arrival": "met",
    }
    assert api.get(f"{API}/spare-requests/{spare['id']}", spares_keeper).json() == body


def test_an_arrival_time_can_be_given(api, spares_keeper, record, part, depots):
    spare = request_spare(api, spares_keeper, record, part).json()
    ship(api, spares_keeper, spare["id"])

    with time_machine.travel(T0 + 30 * HOUR, tick=False):
        arrived = api.post(
            f"{API}/spare-requests/{spare['id']}/arrive",
            spares_keeper,
            {"at": (T0 + 28 * HOUR).isoformat()},
        )

    assert when(arrived.json()["arrived_at"]) == T0 + 28 * HOUR


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"carrier": ""}, "carrier"),
        ({"tracking_number": ""}, "tracking_number"),
        ({"tracking_number": "   "}, "tracking_number"),
        ({"carrier": "x" * 51}, "carrier"),
    ],
)
def test_bad_shipping_input_answers_422_with_the_field_and_ships_nothing(
    api, spares_keeper, record, part, depots, change, field
):
    spare = request_spare(api, spares_keeper, record, part).json()
    before = everything()

    response = ship(api, spares_keeper, spare["id"], **change)

    assert response.status_code == 422, response.content
    assert field in fields_in_error(response)
    assert everything() == before


def test_a_serialised_spare_ships_with_a_serial_in_stock_at_its_warehouse(
    api, spares_keeper, record, serial_part
):
    wuhan = WarehouseFactory(city="武汉")
    services.stock_receive(
        warehouse=wuhan,
        part_model=serial_part,
        quantity=2,
        serials=["82G500A001", "82G500A002"],
        actor=spares_keeper.user,
    )
    spare = request_spare(api, spares_keeper, record, serial_part).json()
    before = everything()

    without = ship(api, spares_keeper, spare["id"])
    elsewhere = ship(api, spares_keeper, spare["id"], serials=["82G500A999"])

    for response in (without, elsewhere):
        assert response.status_code == 422, response.content
        assert fields_in_error(response) == {"serials"}
    assert everything() == before

    shipped = ship(api, spares_keeper, spare["id"], serials=["82G500A002"])
    assert shipped.status_code == 200, shipped.content
    assert shipped.json()["serials"] == ["82G500A002"]
    assert services.serials_in_stock(warehouse=wuhan, part_model=serial_part) == ["82G500A001"]


def test_shipping_twice_or_arriving_before_shipping_answers_409(
    api, spares_keeper, record, part, depots
):
    spare = request_spare(api, spares_keeper, record, part).json()
    early = api.post(f"{API}/spare-requests/{spare['id']}/arrive", spares_keeper, {})
    assert early.status_code == 409, early.content

    assert ship(api, spares_keeper, spare["id"]).status_code == 200
    before = everything()
    again = ship(api, spares_keeper, spare["id"], at=T0 + 4 * HOUR)

    assert again.status_code == 409, again.content
    assert everything() == before


@pytest.mark.parametrize("who", ["duty_officer", "field_engineer"])
def test_staff_outside_spares_read_spare_requests_but_do_not_request_or_ship(
    api, request, spares_keeper, record, part, depots, who
):
    persona = request.getfixturevalue(who)
    spare = request_spare(api, spares_keeper, record, part).json()

    assert api.get(f"{API}/spare-requests/{spare['id']}", persona).status_code == 200
    assert api.get(f"{API}/stock", persona).status_code == 200
    assert request_spare(api, persona, record, part).status_code == 403
    assert ship(api, persona, spare["id"]).status_code == 403
    assert api.post(f"{API}/spare-requests/{spare['id']}/arrive", persona, {}).status_code == 403
    payload = {"warehouse": depots["beijing"].pk, "part_model": part.pk, "quantity": 1}
    assert api.post(f"{API}/stock/receive", persona, payload).status_code == 403


def test_the_open_spare_requests_are_listed_with_a_query_count_that_does_not_grow(
    api, spares_keeper, duty_officer, org_a, part, depots
):
    for warehouse in depots.values():
        services.stock_receive(
            warehouse=warehouse, part_model=part, quantity=10, actor=spares_keeper.user
        )

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{API}/spare-requests", spares_keeper, open="true")
        assert response.status_code == 200
        return len(queries)

    for _ in range(2):
        services.spare_request_create(
            service_record=open_record(org_a, actor=duty_officer.user),
            part_model=part,
            actor=spares_keeper.user,
        )
    two = list_queries()
    for _ in range(5):
        services.spare_request_create(
            service_record=open_record(org_a, actor=duty_officer.user),
            part_model=part,
            actor=spares_keeper.user,
        )
    assert list_queries() == two
    body = api.get(f"{API}/spare-requests", spares_keeper, open="true", status="reserved").json()
    assert body["count"] == 7


@pytest.mark.parametrize(
    ("at", "status", "field"),
    [
        ("yesterday", 422, "at"),
        ((T0 + 40 * HOUR).isoformat(), 422, "at"),  # in the future
        ((T0 + 2 * HOUR).isoformat(), 409, None),  # before it was shipped
    ],
)
def test_an_arrival_at_a_time_that_cannot_be_is_refused_and_changes_nothing(
    api, spares_keeper, record, part, depots, at, status, field
):
    spare = request_spare(api, spares_keeper, record, part).json()
    ship(api, spares_keeper, spare["id"])
    before = everything()

    with time_machine.travel(T0 + 30 * HOUR, tick=False):
        response = api.post(f"{API}/spare-requests/{spare['id']}/arrive", spares_keeper, {"at": at})

    assert response.status_code == status, response.content
    if field:
        assert field in fields_in_error(response)
    assert everything() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"{API}/spare-requests/{2**63}"),
        ("post", f"{API}/spare-requests/{2**64}/ship"),
        ("post", f"{API}/spare-requests/{2**64}/cancel"),
    ],
)
def test_a_spare_request_id_beyond_64_bits_is_bad_input_not_a_server_error(
    api, spares_keeper, method, path
):
    args = () if method == "get" else ({"carrier": "EMS", "tracking_number": "1", "reason": "x"},)

    response = getattr(api, method)(path, spares_keeper, *args)

    assert response.status_code == 422, response.content
