"""Advance replacement (先期服务 / 先行发货, R4.4): the replacement ships from a warehouse —
usually the vendor's bonded warehouse — before the faulty unit is received; the faulty unit
is owed, with the days it has been owed, until it comes in."""

import datetime as dt

import pytest
import time_machine

from vcdesk.rma.models import Rma, RmaPart
from vcdesk.rma.selectors import rma_owing
from vcdesk.rma.tests.factories import (
    DAY,
    HOUR,
    T0,
    bonded_warehouse,
    device_of,
    file_rma,
    media_board,
    step,
    stocked,
)
from vcdesk.spares.models import MovementKind, Reservation, StockLevel, StockMovement
from vcdesk.spares.services import serials_in_stock, stock_levels_rebuild

RMAS = "/api/v1/rmas"


@pytest.fixture
def part():
    return media_board(serialised=True)


@pytest.fixture
def bonded(part, spares_keeper):
    return stocked(
        bonded_warehouse(), part, serials=["MPM-001", "MPM-002"], actor=spares_keeper.user
    )


@pytest.fixture
def rma(org_a, spares_keeper):
    return file_rma(device_of(org_a), actor=spares_keeper.user)


def advance(api, who, rma, payload, *, at=T0 + HOUR):
    with time_machine.travel(at, tick=False):
        return api.post(f"{RMAS}/{rma.pk}/advance-replacement", who, payload)


def test_the_replacement_ships_from_the_bonded_warehouse_before_the_faulty_unit_comes_in(
    api, spares_keeper, rma, part, bonded
):
    response = advance(
        api,
        spares_keeper,
        rma,
        {"warehouse": bonded.pk, "part_model": part.pk, "serial": "MPM-002"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested"
    (line,) = body["parts"]
    assert line["advance"] is True
    assert (line["part_model"], line["serial"], line["quantity"]) == (part.pk, "MPM-002", 1)
    assert line["warehouse"] == bonded.pk
    assert line["shipped_at"] == "2026-03-10T02:00:00Z"
    assert body["owed_since"] == "2026-03-10T02:00:00Z"
    assert body["owed_days"] == 0
    assert body["events"][-1]["type"] == "advance_shipped"
    # The stock left through the spares services: reserved for the RMA, then shipped.
    assert serials_in_stock(warehouse=bonded, part_model=part) == ["MPM-001"]
    level = StockLevel.objects.get(warehouse=bonded, part_model=part)
    assert (level.on_hand, level.reserved) == (1, 0)
    reservation = Reservation.objects.get()
    assert reservation.purpose == f"rma:{rma.pk}"
    assert RmaPart.objects.get().reservation == reservation
    assert StockMovement.objects.filter(kind=MovementKind.SHIPPED, serial="MPM-002").exists()
    assert stock_levels_rebuild() == 0


def test_a_serialised_part_without_a_serial_ships_the_first_in_stock(
    api, spares_keeper, rma, part, bonded
):
    response = advance(api, spares_keeper, rma, {"warehouse": bonded.pk, "part_model": part.pk})

    assert response.status_code == 201, response.content
    assert response.json()["parts"][0]["serial"] == "MPM-001"


def test_the_faulty_unit_is_owed_until_it_is_received_with_the_days_owed(
    api, spares_keeper, rma, part, bonded
):
    advance(api, spares_keeper, rma, {"warehouse": bonded.pk, "part_model": part.pk})

    owed = []
    for days in (0, 1, 9):
        with time_machine.travel(T0 + HOUR + days * DAY, tick=False):
            items = api.get(RMAS, spares_keeper, owed="true").json()["items"]
        owed.append([(item["number"], item["owed_days"]) for item in items])
    assert owed == [[(rma.number, 0)], [(rma.number, 1)], [(rma.number, 9)]]

    step(rma, "faulty_received", actor=spares_keeper.user, at=T0 + 10 * DAY)

    rma.refresh_from_db()
    assert rma.owed_since is None
    with time_machine.travel(T0 + 10 * DAY, tick=False):
        assert api.get(RMAS, spares_keeper, owed="true").json()["count"] == 0
        assert api.get(f"{RMAS}/{rma.pk}", spares_keeper).json()["owed_days"] is None


def test_days_owed_count_beijing_calendar_days(api, spares_keeper, rma, part, bonded):
    # Shipped 23:30 in Beijing; half an hour later it is the next day there.
    advance(
        api,
        spares_keeper,
        rma,
        {"warehouse": bonded.pk, "part_model": part.pk},
        at=T0 + 14 * HOUR + dt.timedelta(minutes=30),
    )

    with time_machine.travel(T0 + 15 * HOUR, tick=False):
        assert api.get(f"{RMAS}/{rma.pk}", spares_keeper).json()["owed_days"] == 1


def test_a_shipment_made_earlier_is_recorded_at_its_time(api, spares_keeper, rma, part, bonded):
    shipped = (T0 + 2 * HOUR).isoformat()

    response = advance(
        api,
        spares_keeper,
        rma,
        {"warehouse": bonded.pk, "part_model": part.pk, "at": shipped},
        at=T0 + 3 * DAY,
    )

    assert response.status_code == 201, response.content
    assert response.json()["owed_since"] == "2026-03-10T03:00:00Z"
    assert response.json()["owed_days"] == 3
    movement = StockMovement.objects.get(kind=MovementKind.SHIPPED)
    assert movement.at == T0 + 2 * HOUR


def test_the_owed_list_puts_the_longest_owed_first(api, spares_keeper, org_a, part, bonded):
    stocked(bonded, part, serials=["MPM-003"], actor=spares_keeper.user)
    newer, older = (file_rma(device_of(org_a), actor=spares_keeper.user) for _ in range(2))
    advance(api, spares_keeper, older, {"warehouse": bonded.pk, "part_model": part.pk})
    advance(api, spares_keeper, newer, {"warehouse": bonded.pk, "part_model": part.pk}, at=T0 + DAY)

    assert [r.number for r in rma_owing(user=spares_keeper.user)] == [older.number, newer.number]


def test_after_the_faulty_unit_is_received_an_advance_replacement_answers_409(
    api, spares_keeper, rma, part, bonded
):
    step(rma, "faulty_received", actor=spares_keeper.user, at=T0 + HOUR)

    response = advance(
        api, spares_keeper, rma, {"warehouse": bonded.pk, "part_model": part.pk}, at=T0 + DAY
    )

    assert response.status_code == 409
    assert "no advance replacement" in response.json()["detail"]
    assert serials_in_stock(warehouse=bonded, part_model=part) == ["MPM-001", "MPM-002"]
    assert not Reservation.objects.exists()


def test_a_replacement_that_is_not_in_stock_is_refused_and_nothing_moves(
    api, spares_keeper, rma, part, bonded
):
    response = advance(
        api, spares_keeper, rma, {"warehouse": bonded.pk, "part_model": part.pk, "serial": "NOPE"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "serial"]
    assert not Reservation.objects.exists()
    assert not RmaPart.objects.exists()
    assert Rma.objects.get().owed_since is None
    level = StockLevel.objects.get(warehouse=bonded, part_model=part)
    assert (level.on_hand, level.reserved) == (2, 0)


def test_an_empty_warehouse_is_named_in_the_refusal(api, spares_keeper, rma, part):
    empty = bonded_warehouse()

    response = advance(api, spares_keeper, rma, {"warehouse": empty.pk, "part_model": part.pk})

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "warehouse"]
    assert "Polycom 上海保税库" in error["msg"]


def test_a_part_without_serial_numbers_ships_by_quantity(api, spares_keeper, rma):
    cable = media_board(name="电源线", serialised=False, market_price="50.00")
    bonded = stocked(bonded_warehouse(), cable, quantity=3, actor=spares_keeper.user)

    response = advance(api, spares_keeper, rma, {"warehouse": bonded.pk, "part_model": cable.pk})

    assert response.status_code == 201, response.content
    assert StockLevel.objects.get(warehouse=bonded, part_model=cable).on_hand == 2


def test_a_customer_contact_cannot_ship_a_replacement(api, contact_of_a, rma, part, bonded):
    response = advance(api, contact_of_a, rma, {"warehouse": bonded.pk, "part_model": part.pk})

    assert response.status_code == 403
    assert not Reservation.objects.exists()
