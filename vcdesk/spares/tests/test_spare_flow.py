"""A spare for a service record: nearest warehouse, reserve, ship, arrive — clocks follow."""

import pytest
from django.core.exceptions import ValidationError

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.services import service_record_open
from vcdesk.spares import services
from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.models import StockLevel
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory


@pytest.fixture
def record(org_a, duty_officer):
    device = DeviceFactory(site=SiteFactory(organisation=org_a, city="武汉"))
    return service_record_open(
        device=device,
        fault_class="port",
        description="端口板故障",
        caller_name="张伟",
        caller_phone="13800000000",
        actor=duty_officer.user,
    )


def test_the_spare_comes_from_the_nearest_warehouse_with_stock_and_its_clocks_follow(
    record, spares_keeper
):
    part = PartModelFactory()
    beijing = WarehouseFactory(city="北京")
    guangzhou = WarehouseFactory(city="广州")
    bonded = WarehouseFactory(name="Polycom 上海保税库", city="上海", kind=WarehouseKind.BONDED)
    for warehouse in (beijing, guangzhou, bonded):
        services.stock_receive(
            warehouse=warehouse, part_model=part, quantity=2, actor=spares_keeper.user
        )

    request = services.spare_request_create(
        service_record=record, part_model=part, actor=spares_keeper.user
    )
    # 武汉 → 广州 ≈ 840 km, → 上海 ≈ 690 km, → 北京 ≈ 1,050 km: the bonded warehouse in 上海.
    assert request.warehouse == bonded
    kinds = set(record.clocks.values_list("kind", flat=True))
    assert {"spare_ship", "spare_arrival"} <= kinds
    level = StockLevel.objects.get(warehouse=bonded, part_model=part)
    assert (level.on_hand, level.reserved) == (2, 1)

    services.spare_request_ship(
        request, carrier="顺丰速运", tracking_number="SF1234567890", actor=spares_keeper.user
    )
    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (1, 0)
    services.spare_request_arrive(request, actor=spares_keeper.user)
    met = dict(record.clocks.values_list("kind", "met_at"))
    assert met["spare_ship"] is not None and met["spare_arrival"] is not None
    assert services.stock_levels_rebuild() == 0


def test_a_reservation_beyond_the_available_stock_is_refused_and_changes_nothing(spares_keeper):
    part = PartModelFactory()
    warehouse = WarehouseFactory()
    services.stock_receive(
        warehouse=warehouse, part_model=part, quantity=1, actor=spares_keeper.user
    )
    services.stock_reserve(
        warehouse=warehouse, part_model=part, quantity=1, actor=spares_keeper.user
    )
    with pytest.raises(ValidationError):
        services.stock_reserve(
            warehouse=warehouse, part_model=part, quantity=1, actor=spares_keeper.user
        )
    level = StockLevel.objects.get(warehouse=warehouse, part_model=part)
    assert (level.on_hand, level.reserved) == (1, 1)
