"""Stock (issue 4 item 1): every movement kind changes on hand / reserved / available as it
should, the quantities are derived from the movements, a refused movement writes nothing, and
a serialised part is counted one serial per unit."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from vcdesk.spares import services
from vcdesk.spares.choices import MOVEMENT_EFFECT, MovementKind
from vcdesk.spares.models import Reservation, StockLevel, StockMovement
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory


def stock(warehouse, part) -> tuple[int, int, int]:
    """(on hand, reserved, available) of a part in a warehouse; zeros when never stocked."""
    level = StockLevel.objects.filter(warehouse=warehouse, part_model=part).first()
    return (0, 0, 0) if level is None else (level.on_hand, level.reserved, level.available)


def everything_written() -> tuple:
    """Every stock row, to show that a refused step wrote nothing."""
    return (
        list(StockMovement.objects.order_by("id").values_list()),
        list(Reservation.objects.order_by("id").values_list()),
        list(StockLevel.objects.order_by("id").values_list()),
    )


@pytest.fixture(autouse=True)
def english():
    """Refusals are read in English, the language they are written in."""
    with translation.override("en"):
        yield


@pytest.fixture
def keeper(spares_keeper):
    return spares_keeper.user


@pytest.fixture
def part(db):
    return PartModelFactory(serialised=False)


@pytest.fixture
def serialised(db):
    return PartModelFactory(serialised=True, name="HDX 摄像机")


@pytest.fixture
def beijing(db):
    return WarehouseFactory(city="北京")


@pytest.fixture
def shanghai(db):
    return WarehouseFactory(city="上海")


# --- each movement kind --------------------------------------------------------------------


def test_every_movement_kind_has_its_effect_on_on_hand_and_reserved():
    assert set(MOVEMENT_EFFECT) == set(MovementKind)


def test_receiving_puts_units_on_hand_and_makes_them_available(keeper, part, beijing):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)

    assert stock(beijing, part) == (3, 0, 3)
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.quantity, movement.actor) == (MovementKind.RECEIVED, 3, keeper)


def test_reserving_holds_units_on_hand_and_takes_them_out_of_available(keeper, part, beijing):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)

    reservation = services.stock_reserve(
        warehouse=beijing, part_model=part, quantity=2, actor=keeper, purpose="meeting:42"
    )

    assert stock(beijing, part) == (3, 2, 1)
    assert reservation.is_open and reservation.purpose == "meeting:42"
    assert reservation.movements.get().kind == MovementKind.RESERVED


def test_releasing_a_reservation_makes_its_units_available_again(keeper, part, beijing):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)
    reservation = services.stock_reserve(
        warehouse=beijing, part_model=part, quantity=2, actor=keeper
    )

    services.stock_release(reservation, actor=keeper)

    assert stock(beijing, part) == (3, 0, 3)
    reservation.refresh_from_db()
    assert reservation.released_at is not None and not reservation.is_open
    assert [m.kind for m in reservation.movements.order_by("id")] == [
        MovementKind.RESERVED,
        MovementKind.RELEASED,
    ]


def test_shipping_takes_the_reserved_units_off_hand_and_out_of_the_reserve(keeper, part, beijing):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)
    reservation = services.stock_reserve(
        warehouse=beijing, part_model=part, quantity=2, actor=keeper
    )

    services.stock_ship(reservation, actor=keeper)

    assert stock(beijing, part) == (1, 0, 1)
    reservation.refresh_from_db()
    assert reservation.shipped_at is not None and not reservation.is_open


def test_a_returned_unit_is_back_on_hand(keeper, part, beijing):
    services.stock_receive(
        warehouse=beijing, part_model=part, quantity=1, actor=keeper, kind=MovementKind.RETURNED
    )

    assert stock(beijing, part) == (1, 0, 1)
    assert StockMovement.objects.get().kind == MovementKind.RETURNED


def test_scrapping_takes_units_off_hand(keeper, part, beijing):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)

    services.stock_scrap(
        warehouse=beijing, part_model=part, quantity=2, actor=keeper, note="进水损坏"
    )

    assert stock(beijing, part) == (1, 0, 1)
    scrapped = StockMovement.objects.get(kind=MovementKind.SCRAPPED)
    assert (scrapped.quantity, scrapped.note) == (2, "进水损坏")


def test_a_transfer_moves_units_from_one_warehouse_to_the_other(keeper, part, beijing, shanghai):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)

    services.stock_transfer(
        from_warehouse=beijing, to_warehouse=shanghai, part_model=part, quantity=2, actor=keeper
    )

    assert stock(beijing, part) == (1, 0, 1)
    assert stock(shanghai, part) == (2, 0, 2)
    assert sorted(StockMovement.objects.values_list("warehouse__city", "kind")) == [
        ("上海", MovementKind.TRANSFERRED_IN),
        ("北京", MovementKind.RECEIVED),
        ("北京", MovementKind.TRANSFERRED_OUT),
    ]


def test_only_what_is_not_reserved_can_be_transferred_or_scrapped(keeper, part, beijing, shanghai):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)
    services.stock_reserve(warehouse=beijing, part_model=part, quantity=2, actor=keeper)

    services.stock_transfer(
        from_warehouse=beijing, to_warehouse=shanghai, part_model=part, quantity=1, actor=keeper
    )

    assert stock(beijing, part) == (2, 2, 0)
    for refused in (
        lambda: services.stock_transfer(
            from_warehouse=beijing, to_warehouse=shanghai, part_model=part, quantity=1, actor=keeper
        ),
        lambda: services.stock_scrap(warehouse=beijing, part_model=part, quantity=1, actor=keeper),
    ):
        with pytest.raises(ValidationError):
            refused()
    assert stock(beijing, part) == (2, 2, 0)


def test_the_stock_levels_are_what_the_movements_add_up_to(keeper, part, beijing, shanghai):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=5, actor=keeper)
    shipped = services.stock_reserve(warehouse=beijing, part_model=part, quantity=2, actor=keeper)
    services.stock_ship(shipped, actor=keeper)
    released = services.stock_reserve(warehouse=beijing, part_model=part, quantity=1, actor=keeper)
    services.stock_release(released, actor=keeper)
    services.stock_reserve(warehouse=beijing, part_model=part, quantity=1, actor=keeper)
    services.stock_transfer(
        from_warehouse=beijing, to_warehouse=shanghai, part_model=part, quantity=1, actor=keeper
    )
    services.stock_scrap(warehouse=shanghai, part_model=part, quantity=1, actor=keeper)
    services.stock_receive(
        warehouse=shanghai, part_model=part, quantity=2, actor=keeper, kind=MovementKind.RETURNED
    )

    assert stock(beijing, part) == (2, 1, 1)
    assert stock(shanghai, part) == (2, 0, 2)
    assert services.stock_levels_rebuild() == 0


def test_the_rebuild_puts_right_a_level_edited_by_hand(keeper, part, beijing, shanghai):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=2, actor=keeper)
    StockLevel.objects.filter(warehouse=beijing).update(on_hand=7)
    StockLevel.objects.create(warehouse=shanghai, part_model=part, on_hand=3)

    assert services.stock_levels_rebuild() == 2

    assert stock(beijing, part) == (2, 0, 2)
    assert stock(shanghai, part) == (0, 0, 0)
    assert services.stock_levels_rebuild() == 0


# --- a refused movement writes nothing ------------------------------------------------------


@pytest.fixture
def stocked(keeper, part, beijing, shanghai):
    """北京: 3 on hand, 2 of them reserved (one open reservation, one released); 上海: none."""
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)
    released = services.stock_reserve(warehouse=beijing, part_model=part, quantity=1, actor=keeper)
    services.stock_release(released, actor=keeper)
    shipped = services.stock_reserve(warehouse=beijing, part_model=part, quantity=1, actor=keeper)
    services.stock_receive(warehouse=beijing, part_model=part, quantity=1, actor=keeper)
    services.stock_ship(shipped, actor=keeper)
    open_ = services.stock_reserve(warehouse=beijing, part_model=part, quantity=2, actor=keeper)
    assert stock(beijing, part) == (3, 2, 1)
    return {"released": released, "shipped": shipped, "open": open_}


REFUSED = {
    "reserving-more-than-is-available": lambda s, k, p, bj, sh: services.stock_reserve(
        warehouse=bj, part_model=p, quantity=2, actor=k
    ),
    "reserving-where-there-is-none": lambda s, k, p, bj, sh: services.stock_reserve(
        warehouse=sh, part_model=p, quantity=1, actor=k
    ),
    "reserving-nothing": lambda s, k, p, bj, sh: services.stock_reserve(
        warehouse=bj, part_model=p, quantity=0, actor=k
    ),
    "receiving-nothing": lambda s, k, p, bj, sh: services.stock_receive(
        warehouse=bj, part_model=p, quantity=0, actor=k
    ),
    "reserving-a-negative-quantity": lambda s, k, p, bj, sh: services.stock_reserve(
        warehouse=bj, part_model=p, quantity=-1, actor=k
    ),
    "scrapping-a-negative-quantity": lambda s, k, p, bj, sh: services.stock_scrap(
        warehouse=bj, part_model=p, quantity=-1, actor=k
    ),
    "releasing-a-released-reservation": lambda s, k, p, bj, sh: services.stock_release(
        s["released"], actor=k
    ),
    "releasing-a-shipped-reservation": lambda s, k, p, bj, sh: services.stock_release(
        s["shipped"], actor=k
    ),
    "shipping-a-released-reservation": lambda s, k, p, bj, sh: services.stock_ship(
        s["released"], actor=k
    ),
    "shipping-a-shipped-reservation": lambda s, k, p, bj, sh: services.stock_ship(
        s["shipped"], actor=k
    ),
    "shipping-a-serial-of-a-part-without-serials": lambda s, k, p, bj, sh: services.stock_ship(
        s["open"], actor=k, serials=["X1", "X2"]
    ),
    "transferring-reserved-units": lambda s, k, p, bj, sh: services.stock_transfer(
        from_warehouse=bj, to_warehouse=sh, part_model=p, quantity=2, actor=k
    ),
    "transferring-from-an-empty-warehouse": lambda s, k, p, bj, sh: services.stock_transfer(
        from_warehouse=sh, to_warehouse=bj, part_model=p, quantity=1, actor=k
    ),
    "transferring-to-the-same-warehouse": lambda s, k, p, bj, sh: services.stock_transfer(
        from_warehouse=bj, to_warehouse=bj, part_model=p, quantity=1, actor=k
    ),
    "scrapping-reserved-units": lambda s, k, p, bj, sh: services.stock_scrap(
        warehouse=bj, part_model=p, quantity=2, actor=k
    ),
    "scrapping-in-an-empty-warehouse": lambda s, k, p, bj, sh: services.stock_scrap(
        warehouse=sh, part_model=p, quantity=1, actor=k
    ),
}


@pytest.mark.parametrize("step", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_movement_writes_nothing(step, stocked, keeper, part, beijing, shanghai):
    before = everything_written()

    with pytest.raises(ValidationError):
        step(stocked, keeper, part, beijing, shanghai)

    assert everything_written() == before
    assert stock(beijing, part) == (3, 2, 1)


def test_a_refusal_says_how_many_are_available_where(keeper, part, beijing):
    services.stock_receive(warehouse=beijing, part_model=part, quantity=1, actor=keeper)

    with pytest.raises(ValidationError) as refused:
        services.stock_reserve(warehouse=beijing, part_model=part, quantity=2, actor=keeper)

    assert refused.value.message_dict == {"quantity": ["Only 1 available in 北京备件库."]}


def test_a_receipt_is_only_a_receipt_or_a_return(keeper, part, beijing):
    with pytest.raises(ValueError):
        services.stock_receive(
            warehouse=beijing, part_model=part, quantity=1, actor=keeper, kind=MovementKind.RESERVED
        )
    assert everything_written() == ([], [], [])


# --- serialised parts: one serial per unit -------------------------------------------------


def test_a_serialised_part_is_received_one_serial_per_unit(keeper, serialised, beijing):
    services.stock_receive(
        warehouse=beijing,
        part_model=serialised,
        quantity=2,
        serials=["CAM-2", "CAM-1"],
        actor=keeper,
    )

    assert stock(beijing, serialised) == (2, 0, 2)
    assert sorted(StockMovement.objects.values_list("serial", "quantity")) == [
        ("CAM-1", 1),
        ("CAM-2", 1),
    ]
    assert services.serials_in_stock(warehouse=beijing, part_model=serialised) == [
        "CAM-1",
        "CAM-2",
    ]


@pytest.mark.parametrize(
    "serials",
    [
        pytest.param([], id="none"),
        pytest.param(["CAM-1"], id="fewer-than-the-units"),
        pytest.param(["CAM-1", "CAM-2", "CAM-3"], id="more-than-the-units"),
        pytest.param(["CAM-1", " "], id="a-blank-one"),
        pytest.param(["CAM-1", "CAM-1"], id="the-same-one-twice"),
    ],
)
def test_a_serialised_part_without_one_distinct_serial_per_unit_is_refused(
    keeper, serialised, beijing, serials
):
    with pytest.raises(ValidationError) as refused:
        services.stock_receive(
            warehouse=beijing, part_model=serialised, quantity=2, serials=serials, actor=keeper
        )

    assert "serials" in refused.value.message_dict
    assert everything_written() == ([], [], [])


def test_a_part_without_serial_numbers_refuses_serials(keeper, part, beijing):
    with pytest.raises(ValidationError) as refused:
        services.stock_receive(
            warehouse=beijing, part_model=part, quantity=1, serials=["X1"], actor=keeper
        )

    assert "serials" in refused.value.message_dict


@pytest.mark.parametrize(
    "where", ["the-same-warehouse", "another-warehouse", "the-warehouse-it-was-transferred-to"]
)
def test_a_serial_in_stock_cannot_be_received_again(keeper, serialised, beijing, shanghai, where):
    services.stock_receive(
        warehouse=beijing, part_model=serialised, quantity=1, serials=["CAM-1"], actor=keeper
    )
    if where == "the-warehouse-it-was-transferred-to":
        services.stock_transfer(
            from_warehouse=beijing,
            to_warehouse=shanghai,
            part_model=serialised,
            quantity=1,
            serials=["CAM-1"],
            actor=keeper,
        )
    again_at = beijing if where == "the-same-warehouse" else shanghai
    before = everything_written()

    for kind in (MovementKind.RECEIVED, MovementKind.RETURNED):
        with pytest.raises(ValidationError) as refused:
            services.stock_receive(
                warehouse=again_at,
                part_model=serialised,
                quantity=2,
                serials=["CAM-9", "CAM-1"],
                actor=keeper,
                kind=kind,
            )
        assert refused.value.message_dict == {
            "serials": ["Serial number CAM-1 is already in stock."]
        }

    assert everything_written() == before


def test_the_same_serial_of_another_part_model_is_another_unit(keeper, serialised, beijing):
    other = PartModelFactory(serialised=True, vendor="Cisco")
    for part in (serialised, other):
        services.stock_receive(
            warehouse=beijing, part_model=part, quantity=1, serials=["0001"], actor=keeper
        )

    assert stock(beijing, serialised)[0] == stock(beijing, other)[0] == 1


def test_a_shipped_serial_can_come_back_as_a_return(keeper, serialised, beijing, shanghai):
    services.stock_receive(
        warehouse=beijing, part_model=serialised, quantity=1, serials=["CAM-1"], actor=keeper
    )
    reservation = services.stock_reserve(
        warehouse=beijing, part_model=serialised, quantity=1, actor=keeper
    )
    services.stock_ship(reservation, serials=["CAM-1"], actor=keeper)

    services.stock_receive(
        warehouse=shanghai,
        part_model=serialised,
        quantity=1,
        serials=["CAM-1"],
        actor=keeper,
        kind=MovementKind.RETURNED,
    )

    assert services.serials_in_stock(warehouse=beijing, part_model=serialised) == []
    assert services.serials_in_stock(warehouse=shanghai, part_model=serialised) == ["CAM-1"]


@pytest.mark.parametrize(
    ("serials", "why"),
    [
        pytest.param(["CAM-SH"], "it is in another warehouse", id="in-another-warehouse"),
        pytest.param(["CAM-404"], "it was never received", id="never-received"),
        pytest.param(["CAM-GONE"], "it was shipped already", id="already-shipped"),
        pytest.param(["CAM-SCRAP"], "it was scrapped", id="scrapped"),
        pytest.param([], "no serial was given", id="no-serial"),
        pytest.param(["CAM-BJ", "CAM-BJ2"], "two serials for one unit", id="two-serials"),
    ],
)
def test_only_a_serial_in_stock_at_the_warehouse_can_ship(
    keeper, serialised, beijing, shanghai, serials, why
):
    receive = services.stock_receive
    receive(warehouse=shanghai, part_model=serialised, quantity=1, serials=["CAM-SH"], actor=keeper)
    receive(
        warehouse=beijing,
        part_model=serialised,
        quantity=4,
        serials=["CAM-BJ", "CAM-BJ2", "CAM-GONE", "CAM-SCRAP"],
        actor=keeper,
    )
    gone = services.stock_reserve(
        warehouse=beijing, part_model=serialised, quantity=1, actor=keeper
    )
    services.stock_ship(gone, serials=["CAM-GONE"], actor=keeper)
    services.stock_scrap(
        warehouse=beijing, part_model=serialised, quantity=1, serials=["CAM-SCRAP"], actor=keeper
    )
    reservation = services.stock_reserve(
        warehouse=beijing, part_model=serialised, quantity=1, actor=keeper
    )
    before = everything_written()

    with pytest.raises(ValidationError) as refused:
        services.stock_ship(reservation, serials=serials, actor=keeper)

    assert "serials" in refused.value.message_dict, why
    assert everything_written() == before
    assert reservation.movements.count() == 1


@pytest.mark.parametrize(
    "serial", ["CAM-SH", "CAM-404", "CAM-RESERVED-ONLY"], ids=["elsewhere", "unknown", "reserved"]
)
def test_only_a_serial_in_stock_at_the_warehouse_can_be_transferred(
    keeper, serialised, beijing, shanghai, serial
):
    services.stock_receive(
        warehouse=shanghai, part_model=serialised, quantity=1, serials=["CAM-SH"], actor=keeper
    )
    services.stock_receive(
        warehouse=beijing,
        part_model=serialised,
        quantity=1,
        serials=["CAM-RESERVED-ONLY"],
        actor=keeper,
    )
    services.stock_reserve(warehouse=beijing, part_model=serialised, quantity=1, actor=keeper)
    before = everything_written()

    with pytest.raises(ValidationError):
        services.stock_transfer(
            from_warehouse=beijing,
            to_warehouse=shanghai,
            part_model=serialised,
            quantity=1,
            serials=[serial],
            actor=keeper,
        )

    assert everything_written() == before


def test_the_serials_in_stock_follow_the_movements(keeper, serialised, beijing, shanghai):
    def serials():
        return (
            services.serials_in_stock(warehouse=beijing, part_model=serialised),
            services.serials_in_stock(warehouse=shanghai, part_model=serialised),
        )

    services.stock_receive(
        warehouse=beijing,
        part_model=serialised,
        quantity=3,
        serials=["A", "B", "C"],
        actor=keeper,
    )
    assert serials() == (["A", "B", "C"], [])

    services.stock_transfer(
        from_warehouse=beijing,
        to_warehouse=shanghai,
        part_model=serialised,
        quantity=1,
        serials=["B"],
        actor=keeper,
    )
    assert serials() == (["A", "C"], ["B"])

    reservation = services.stock_reserve(
        warehouse=beijing, part_model=serialised, quantity=1, actor=keeper
    )
    assert serials() == (["A", "C"], ["B"])  # reserved is still in stock
    services.stock_ship(reservation, serials=["A"], actor=keeper)
    assert serials() == (["C"], ["B"])

    services.stock_scrap(
        warehouse=beijing, part_model=serialised, quantity=1, serials=["C"], actor=keeper
    )
    assert serials() == ([], ["B"])

    services.stock_receive(
        warehouse=beijing,
        part_model=serialised,
        quantity=1,
        serials=["A"],
        actor=keeper,
        kind=MovementKind.RETURNED,
    )
    services.stock_transfer(
        from_warehouse=shanghai,
        to_warehouse=beijing,
        part_model=serialised,
        quantity=1,
        serials=["B"],
        actor=keeper,
    )
    assert serials() == (["A", "B"], [])
    assert stock(beijing, serialised) == (2, 0, 2)
    assert stock(shanghai, serialised) == (0, 0, 0)
    assert services.stock_levels_rebuild() == 0


# --- any sequence of steps: never below zero, always what the movements add up to ---------

WAREHOUSE = st.sampled_from([0, 1])
QUANTITY = st.integers(min_value=1, max_value=4)
PICK = st.integers(min_value=0, max_value=50)  # which of the reservations so far
SERIAL = st.sampled_from(["S1", "S2", "S3", "S4", "S5"])


class StockSteps(RuleBasedStateMachine):
    """Random steps on two warehouses, beside a plain account of what the stock should be.
    Every step the account refuses must be refused by the services and write nothing; after
    every step the levels are the account's, never negative, and what the movements add up to.
    Each run happens inside a savepoint, rolled back at its end."""

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.warehouses = [WarehouseFactory(city="北京"), WarehouseFactory(city="上海")]
        self.part = self.make_part()

    def make_part(self):
        return PartModelFactory(serialised=False)

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    def attempt(self, allowed: bool, step):
        """Run `step`; when it is not allowed, check it was refused and wrote nothing."""
        if allowed:
            return step()
        before = everything_written()
        with pytest.raises(ValidationError):
            step()
        assert everything_written() == before
        return None


class CountedStockSteps(StockSteps):
    def __init__(self):
        super().__init__()
        self.account = [[0, 0], [0, 0]]  # [on hand, reserved] per warehouse
        self.reservations: list[list] = []  # [reservation, warehouse, quantity, open]

    def available(self, w: int) -> int:
        on_hand, reserved = self.account[w]
        return on_hand - reserved

    @rule(w=WAREHOUSE, quantity=QUANTITY, kind=st.sampled_from(["received", "returned"]))
    def receive(self, w, quantity, kind):
        services.stock_receive(
            warehouse=self.warehouses[w],
            part_model=self.part,
            quantity=quantity,
            actor=None,
            kind=MovementKind(kind),
        )
        self.account[w][0] += quantity

    @rule(w=WAREHOUSE, quantity=QUANTITY)
    def reserve(self, w, quantity):
        reservation = self.attempt(
            self.available(w) >= quantity,
            lambda: services.stock_reserve(
                warehouse=self.warehouses[w], part_model=self.part, quantity=quantity, actor=None
            ),
        )
        if reservation is not None:
            self.account[w][1] += quantity
            self.reservations.append([reservation, w, quantity, True])

    @precondition(lambda self: self.reservations)
    @rule(pick=PICK, ship=st.booleans())
    def release_or_ship(self, pick, ship):
        held = self.reservations[pick % len(self.reservations)]
        reservation, w, quantity, is_open = held
        step = services.stock_ship if ship else services.stock_release
        self.attempt(is_open, lambda: step(reservation, actor=None))
        if is_open:
            held[3] = False
            self.account[w][1] -= quantity
            self.account[w][0] -= quantity if ship else 0

    @rule(w=WAREHOUSE, quantity=QUANTITY)
    def transfer(self, w, quantity):
        allowed = self.available(w) >= quantity
        self.attempt(
            allowed,
            lambda: services.stock_transfer(
                from_warehouse=self.warehouses[w],
                to_warehouse=self.warehouses[1 - w],
                part_model=self.part,
                quantity=quantity,
                actor=None,
            ),
        )
        if allowed:
            self.account[w][0] -= quantity
            self.account[1 - w][0] += quantity

    @rule(w=WAREHOUSE, quantity=QUANTITY)
    def scrap(self, w, quantity):
        allowed = self.available(w) >= quantity
        self.attempt(
            allowed,
            lambda: services.stock_scrap(
                warehouse=self.warehouses[w], part_model=self.part, quantity=quantity, actor=None
            ),
        )
        if allowed:
            self.account[w][0] -= quantity

    @invariant()
    def the_levels_are_the_account_and_what_the_movements_add_up_to(self):
        for warehouse, (on_hand, reserved) in zip(self.warehouses, self.account, strict=True):
            assert stock(warehouse, self.part) == (on_hand, reserved, on_hand - reserved)
            assert on_hand >= reserved >= 0
        assert services.stock_levels_rebuild() == 0


class SerialStockSteps(StockSteps):
    """Serialised units: each serial is in one warehouse or none, and moves only from there."""

    def make_part(self):
        return PartModelFactory(serialised=True)

    def __init__(self):
        super().__init__()
        self.where: dict[str, int] = {}  # serial → warehouse it is in

    def receive_step(self, w, serial, kind):
        return lambda: services.stock_receive(
            warehouse=self.warehouses[w],
            part_model=self.part,
            quantity=1,
            serials=[serial],
            actor=None,
            kind=MovementKind(kind),
        )

    @rule(w=WAREHOUSE, serial=SERIAL, kind=st.sampled_from(["received", "returned"]))
    def receive(self, w, serial, kind):
        allowed = serial not in self.where
        self.attempt(allowed, self.receive_step(w, serial, kind))
        if allowed:
            self.where[serial] = w

    @rule(w=WAREHOUSE, serial=SERIAL)
    def ship(self, w, serial):
        in_stock = any(at == w for at in self.where.values())
        reservation = self.attempt(
            in_stock,
            lambda: services.stock_reserve(
                warehouse=self.warehouses[w], part_model=self.part, quantity=1, actor=None
            ),
        )
        if reservation is None:
            return
        allowed = self.where.get(serial) == w
        self.attempt(
            allowed, lambda: services.stock_ship(reservation, serials=[serial], actor=None)
        )
        if allowed:
            del self.where[serial]
        else:
            services.stock_release(reservation, actor=None)

    @rule(w=WAREHOUSE, serial=SERIAL)
    def transfer(self, w, serial):
        allowed = self.where.get(serial) == w
        self.attempt(
            allowed,
            lambda: services.stock_transfer(
                from_warehouse=self.warehouses[w],
                to_warehouse=self.warehouses[1 - w],
                part_model=self.part,
                quantity=1,
                serials=[serial],
                actor=None,
            ),
        )
        if allowed:
            self.where[serial] = 1 - w

    @rule(w=WAREHOUSE, serial=SERIAL)
    def scrap(self, w, serial):
        allowed = self.where.get(serial) == w
        self.attempt(
            allowed,
            lambda: services.stock_scrap(
                warehouse=self.warehouses[w],
                part_model=self.part,
                quantity=1,
                serials=[serial],
                actor=None,
            ),
        )
        if allowed:
            del self.where[serial]

    @invariant()
    def each_serial_is_where_its_movements_put_it(self):
        for w, warehouse in enumerate(self.warehouses):
            here = sorted(s for s, at in self.where.items() if at == w)
            assert services.serials_in_stock(warehouse=warehouse, part_model=self.part) == here
            assert stock(warehouse, self.part) == (len(here), 0, len(here))
        assert services.stock_levels_rebuild() == 0


RUNS = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_any_sequence_of_steps_keeps_stock_non_negative_and_derived_from_movements():
    run_state_machine_as_test(CountedStockSteps, settings=RUNS)


@pytest.mark.django_db
def test_any_sequence_of_steps_keeps_each_serial_in_one_place_at_most():
    run_state_machine_as_test(SerialStockSteps, settings=RUNS)
