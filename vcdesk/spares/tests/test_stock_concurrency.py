"""Stock never goes below zero under concurrent requests (issue 4 item 1).

Each request runs in its own thread on its own database connection, all released at the
same instant, as parallel web processes or workers would. On PostgreSQL they race for the
stock level's row lock; on SQLite for the database's write lock (IMMEDIATE transactions).
"""

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.services import service_record_open
from vcdesk.spares import services
from vcdesk.spares.choices import MovementKind
from vcdesk.spares.models import Reservation, SpareRequest, StockLevel, StockMovement
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(calls: list[Callable]) -> list:
    """Run every call in a thread of its own, released together; what each returned, or the
    exception it raised."""
    start = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index: int, call: Callable) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test looks at
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


class LevelWatch:
    """Reads the stock levels over and over on a connection of its own while a race runs,
    keeping every (on hand, reserved) it saw."""

    def __init__(self):
        self.seen: set[tuple[int, int]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        try:
            while not self._stop.wait(0.002):
                self.seen.update(StockLevel.objects.values_list("on_hand", "reserved"))
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()


def refusals(outcomes: list) -> list[ValidationError]:
    return [o for o in outcomes if isinstance(o, ValidationError)]


def failures(outcomes: list) -> list[Exception]:
    """Anything but a clean refusal: a deadlock, a constraint violation, a locked database."""
    return [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ValidationError)]


def stock(warehouse, part) -> tuple[int, int]:
    level = StockLevel.objects.get(warehouse=warehouse, part_model=part)
    return level.on_hand, level.reserved


@pytest.fixture
def keeper(spares_keeper):
    return spares_keeper.user


# (units in stock, requests at once, units each asks for). One test, not one per case:
# every transactional test empties and re-seeds the database afterwards.
LAST_UNITS = [(3, 12, 1), (5, 8, 2), (1, 10, 1)]


def test_concurrent_reservations_take_no_more_than_there_is(keeper):
    warehouse = WarehouseFactory(city="北京")
    for units, requests, each in LAST_UNITS:
        part = PartModelFactory()
        services.stock_receive(warehouse=warehouse, part_model=part, quantity=units, actor=keeper)

        with LevelWatch() as watch:
            outcomes = at_once(
                [
                    lambda part=part, each=each: services.stock_reserve(
                        warehouse=warehouse, part_model=part, quantity=each, actor=keeper
                    )
                ]
                * requests
            )

        granted = units // each
        assert failures(outcomes) == []
        assert sum(isinstance(o, Reservation) for o in outcomes) == granted
        assert len(refusals(outcomes)) == requests - granted
        assert stock(warehouse, part) == (units, granted * each)
        assert all(on_hand >= reserved >= 0 for on_hand, reserved in watch.seen)
        assert Reservation.objects.filter(part_model=part).count() == granted
        reserved = StockMovement.objects.filter(part_model=part, kind=MovementKind.RESERVED)
        assert reserved.count() == granted
    assert services.stock_levels_rebuild() == 0


def test_concurrent_receipts_into_a_new_stock_level_all_count(keeper):
    part, warehouse = PartModelFactory(), WarehouseFactory(city="北京")

    outcomes = at_once(
        [
            lambda: services.stock_receive(
                warehouse=warehouse, part_model=part, quantity=1, actor=keeper
            )
        ]
        * 8
    )

    assert failures(outcomes) == refusals(outcomes) == []
    assert StockLevel.objects.filter(warehouse=warehouse, part_model=part).count() == 1
    assert stock(warehouse, part) == (8, 0)
    assert services.stock_levels_rebuild() == 0


def test_concurrent_receipts_of_one_serial_into_two_warehouses_let_only_one_in(keeper):
    camera = PartModelFactory(serialised=True)
    beijing, shanghai = WarehouseFactory(city="北京"), WarehouseFactory(city="上海")

    for round_ in range(5):
        serial = f"CAM-{round_}"
        outcomes = at_once(
            [
                lambda w=w, s=serial: services.stock_receive(
                    warehouse=w, part_model=camera, quantity=1, serials=[s], actor=keeper
                )
                for w in (beijing, shanghai, beijing, shanghai)
            ]
        )

        assert failures(outcomes) == []
        assert len(refusals(outcomes)) == 3
        in_stock = services.serials_in_stock(
            warehouse=beijing, part_model=camera
        ) + services.serials_in_stock(warehouse=shanghai, part_model=camera)
        assert sorted(in_stock) == [f"CAM-{r}" for r in range(round_ + 1)]
    assert services.stock_levels_rebuild() == 0


def test_shipping_and_transferring_the_same_serial_at_once_moves_it_once(keeper):
    camera = PartModelFactory(serialised=True)
    beijing, shanghai = WarehouseFactory(city="北京"), WarehouseFactory(city="上海")

    for round_ in range(5):
        wanted, other = f"CAM-{round_}-A", f"CAM-{round_}-B"
        services.stock_receive(
            warehouse=beijing, part_model=camera, quantity=2, serials=[wanted, other], actor=keeper
        )
        reservation = services.stock_reserve(
            warehouse=beijing, part_model=camera, quantity=1, actor=keeper
        )

        shipped, transferred = at_once(
            [
                lambda r=reservation, s=wanted: services.stock_ship(r, serials=[s], actor=keeper),
                lambda s=wanted: services.stock_transfer(
                    from_warehouse=beijing,
                    to_warehouse=shanghai,
                    part_model=camera,
                    quantity=1,
                    serials=[s],
                    actor=keeper,
                ),
            ]
        )

        assert failures([shipped, transferred]) == []
        assert len(refusals([shipped, transferred])) == 1
        in_beijing = services.serials_in_stock(warehouse=beijing, part_model=camera)
        in_shanghai = services.serials_in_stock(warehouse=shanghai, part_model=camera)
        assert (wanted in in_beijing, wanted in in_shanghai) == (
            False,
            isinstance(shipped, Exception),
        )
        assert other in in_beijing
        if isinstance(shipped, Exception):  # the transfer won: the spare ships the other unit
            services.stock_ship(reservation, serials=[other], actor=keeper)
        else:
            services.stock_scrap(
                warehouse=beijing, part_model=camera, quantity=1, serials=[other], actor=keeper
            )
        assert stock(beijing, camera) == (0, 0)
        assert services.stock_levels_rebuild() == 0


def test_shipping_and_transferring_the_same_stock_at_once_never_takes_reserved_units(keeper):
    part = PartModelFactory()
    beijing, shanghai = WarehouseFactory(city="北京"), WarehouseFactory(city="上海")
    services.stock_receive(warehouse=beijing, part_model=part, quantity=3, actor=keeper)
    reservation = services.stock_reserve(
        warehouse=beijing, part_model=part, quantity=2, actor=keeper
    )

    with LevelWatch() as watch:
        outcomes = at_once(
            [lambda: services.stock_ship(reservation, actor=keeper)]
            + [
                lambda: services.stock_transfer(
                    from_warehouse=beijing,
                    to_warehouse=shanghai,
                    part_model=part,
                    quantity=1,
                    actor=keeper,
                )
            ]
            * 4
        )

    assert failures(outcomes) == []
    assert not isinstance(outcomes[0], Exception)  # the reserved units always ship
    assert len(refusals(outcomes)) == 3  # one unit was free to transfer
    assert stock(beijing, part) == (0, 0)
    assert stock(shanghai, part) == (1, 0)
    assert all(on_hand >= reserved >= 0 for on_hand, reserved in watch.seen)
    assert services.stock_levels_rebuild() == 0


def test_opposite_transfers_at_once_do_not_deadlock(keeper):
    part = PartModelFactory()
    beijing, shanghai = WarehouseFactory(city="北京"), WarehouseFactory(city="上海")
    for warehouse in (beijing, shanghai):
        services.stock_receive(warehouse=warehouse, part_model=part, quantity=20, actor=keeper)

    def transfer(source, target):
        return lambda: services.stock_transfer(
            from_warehouse=source, to_warehouse=target, part_model=part, quantity=1, actor=keeper
        )

    for _ in range(3):
        outcomes = at_once([transfer(beijing, shanghai), transfer(shanghai, beijing)] * 4)

        assert failures(outcomes) == refusals(outcomes) == []
        assert stock(beijing, part) == stock(shanghai, part) == (20, 0)
    assert StockMovement.objects.filter(kind=MovementKind.TRANSFERRED_OUT).count() == 24
    assert services.stock_levels_rebuild() == 0


def test_concurrent_spare_requests_fall_back_to_the_next_nearest_warehouse_with_stock(
    org_a, keeper
):
    part = PartModelFactory()
    shanghai = WarehouseFactory(city="上海")  # 武汉 → 上海 ≈ 690 km
    guangzhou = WarehouseFactory(city="广州")  # 武汉 → 广州 ≈ 840 km
    for warehouse in (shanghai, guangzhou):
        services.stock_receive(warehouse=warehouse, part_model=part, quantity=1, actor=keeper)
    site = SiteFactory(organisation=org_a, city="武汉")
    records = [
        service_record_open(
            device=DeviceFactory(site=site),
            fault_class="port",
            description="端口板故障",
            caller_name="张伟",
            caller_phone="13800000000",
            actor=keeper,
        )
        for _ in range(3)
    ]

    outcomes = at_once(
        [
            lambda r=record: services.spare_request_create(
                service_record=r, part_model=part, actor=keeper
            )
            for record in records
        ]
    )

    assert failures(outcomes) == []
    assert len(refusals(outcomes)) == 1
    assert sorted(
        r.warehouse.city for r in SpareRequest.objects.select_related("reservation__warehouse")
    ) == sorted(["上海", "广州"])
    assert stock(shanghai, part) == stock(guangzhou, part) == (1, 1)
    [refused] = refusals(outcomes)
    assert "part_model" in refused.message_dict
    [unserved] = [r for r, o in zip(records, outcomes, strict=True) if o is refused]
    assert not unserved.clocks.filter(kind__startswith="spare").exists()
    assert not unserved.events.exists()
    assert services.stock_levels_rebuild() == 0
