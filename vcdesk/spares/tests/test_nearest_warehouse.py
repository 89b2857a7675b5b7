"""The warehouse a spare comes from (issue 4 item 2): the nearest active one, by city, that
has enough available; a regional warehouse before the vendor's bonded one at the same
distance; an unknown city last."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.services import service_record_open
from vcdesk.spares import services
from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.cities import FAR, distance_km
from vcdesk.spares.models import Reservation, SpareRequest, StockMovement
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory


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
    return PartModelFactory()


def stocked(keeper, part, city: str, quantity: int = 2, **fields):
    warehouse = WarehouseFactory(city=city, **fields)
    services.stock_receive(warehouse=warehouse, part_model=part, quantity=quantity, actor=keeper)
    return warehouse


def proposal(part, city: str, quantity: int = 1) -> list[str]:
    """The warehouses proposed for a site in `city`, nearest first, by name."""
    return [
        w.name
        for w, _available, _km in services.warehouses_by_distance(
            part_model=part, quantity=quantity, city=city
        )
    ]


def record_in(city: str, organisation, actor):
    device = DeviceFactory(site=SiteFactory(organisation=organisation, city=city))
    return service_record_open(
        device=device,
        fault_class="port",
        description="端口板故障",
        caller_name="张伟",
        caller_phone="13800000000",
        actor=actor,
    )


# --- the distance table ----------------------------------------------------------------------


def test_a_city_is_no_distance_from_itself_with_or_without_its_suffix():
    assert distance_km("北京", "北京") == distance_km("北京市", "北京") == 0
    assert distance_km("喀什", " 喀什市 ") == 0


def test_the_distance_between_cities_is_the_straight_line_between_their_centres():
    assert distance_km("武汉", "上海") == pytest.approx(690, abs=15)
    assert distance_km("武汉", "广州") == pytest.approx(840, abs=15)
    assert distance_km("武汉", "北京") == pytest.approx(1_050, abs=15)
    assert distance_km("上海", "武汉") == distance_km("武汉", "上海")


def test_a_city_missing_from_the_table_is_farther_than_any_known_city():
    assert distance_km("喀什", "北京") == distance_km("北京", "喀什") == FAR
    assert distance_km("乌鲁木齐", "海口") < FAR


# --- the proposal ----------------------------------------------------------------------------


def test_the_warehouse_in_the_same_city_comes_first(keeper, part):
    stocked(keeper, part, "宜昌")  # ≈ 290 km from 武汉
    stocked(keeper, part, "武汉")

    assert proposal(part, "武汉") == ["武汉备件库", "宜昌备件库"]


def test_the_others_follow_by_distance(keeper, part):
    for city in ("北京", "广州", "上海", "成都"):
        stocked(keeper, part, city)

    # From 武汉: 上海 ≈ 690 km, 广州 ≈ 840 km, 成都 ≈ 980 km, 北京 ≈ 1,050 km.
    assert proposal(part, "武汉") == ["上海备件库", "广州备件库", "成都备件库", "北京备件库"]
    assert proposal(part, "深圳") == ["广州备件库", "上海备件库", "成都备件库", "北京备件库"]


def test_each_proposal_says_what_is_available_and_how_far(keeper, part):
    stocked(keeper, part, "上海", quantity=3)

    [(warehouse, available, km)] = services.warehouses_by_distance(
        part_model=part, quantity=1, city="武汉"
    )

    assert (warehouse.city, available, round(km, -1)) == ("上海", 3, 690)


def test_a_warehouse_without_enough_available_is_skipped(keeper, part):
    wuhan = stocked(keeper, part, "武汉", quantity=2)
    stocked(keeper, part, "上海", quantity=2)
    stocked(keeper, part, "北京", quantity=1)
    services.stock_reserve(warehouse=wuhan, part_model=part, quantity=1, actor=keeper)

    assert proposal(part, "武汉", quantity=1) == ["武汉备件库", "上海备件库", "北京备件库"]
    assert proposal(part, "武汉", quantity=2) == ["上海备件库"]
    assert proposal(part, "武汉", quantity=3) == []


def test_a_warehouse_that_never_stocked_the_part_is_skipped(keeper, part):
    WarehouseFactory(city="武汉")
    stocked(keeper, part, "上海")
    stocked(keeper, PartModelFactory(), "宜昌")  # another part

    assert proposal(part, "武汉") == ["上海备件库"]


def test_an_inactive_warehouse_is_skipped(keeper, part):
    stocked(keeper, part, "武汉", active=False)
    stocked(keeper, part, "上海")

    assert proposal(part, "武汉") == ["上海备件库"]


def test_at_the_same_distance_a_regional_warehouse_comes_before_the_vendors_bonded_one(
    keeper, part
):
    stocked(keeper, part, "上海", name="Polycom 上海保税库", kind=WarehouseKind.BONDED)
    stocked(keeper, part, "上海", name="上海备件库", kind=WarehouseKind.REGIONAL)
    stocked(keeper, part, "北京", name="Polycom 北京保税库", kind=WarehouseKind.BONDED)

    assert proposal(part, "上海") == ["上海备件库", "Polycom 上海保税库", "Polycom 北京保税库"]
    assert proposal(part, "武汉") == ["上海备件库", "Polycom 上海保税库", "Polycom 北京保税库"]


def test_a_nearer_bonded_warehouse_comes_before_a_farther_regional_one(keeper, part):
    stocked(keeper, part, "北京", name="北京备件库")
    stocked(keeper, part, "上海", name="Polycom 上海保税库", kind=WarehouseKind.BONDED)

    assert proposal(part, "武汉") == ["Polycom 上海保税库", "北京备件库"]


def test_a_warehouse_in_a_city_missing_from_the_table_comes_last(keeper, part):
    stocked(keeper, part, "喀什")
    stocked(keeper, part, "乌鲁木齐")  # ≈ 2,700 km from 武汉, but known
    stocked(keeper, part, "拉萨")

    assert proposal(part, "武汉") == ["拉萨备件库", "乌鲁木齐备件库", "喀什备件库"]


def test_a_site_in_a_city_missing_from_the_table_gets_its_own_city_first_then_any(keeper, part):
    stocked(keeper, part, "北京", name="Polycom 北京保税库", kind=WarehouseKind.BONDED)
    stocked(keeper, part, "上海")
    stocked(keeper, part, "喀什")

    assert proposal(part, "喀什") == ["喀什备件库", "上海备件库", "Polycom 北京保税库"]


# --- the spare request takes the proposal's first --------------------------------------------


def test_a_spare_request_reserves_at_the_nearest_warehouse_with_stock(org_a, keeper, part):
    stocked(keeper, part, "北京")
    shanghai = stocked(keeper, part, "上海")
    stocked(keeper, part, "武汉", active=False)
    stocked(keeper, part, "宜昌", quantity=1)
    record = record_in("武汉", org_a, keeper)

    request = services.spare_request_create(
        service_record=record, part_model=part, quantity=2, actor=keeper
    )

    assert request.warehouse == shanghai
    assert request.reservation.service_record == record
    assert request.reservation.quantity == 2


def test_a_spare_request_may_name_its_warehouse(org_a, keeper, part):
    beijing = stocked(keeper, part, "北京")
    stocked(keeper, part, "武汉")
    record = record_in("武汉", org_a, keeper)

    request = services.spare_request_create(
        service_record=record, part_model=part, warehouse=beijing, actor=keeper
    )

    assert request.warehouse == beijing


def test_a_spare_request_may_not_name_an_inactive_warehouse(org_a, keeper, part):
    closed = stocked(keeper, part, "武汉", active=False)
    record = record_in("武汉", org_a, keeper)

    with pytest.raises(ValidationError) as refused:
        services.spare_request_create(
            service_record=record, part_model=part, warehouse=closed, actor=keeper
        )

    assert "warehouse" in refused.value.message_dict
    assert not Reservation.objects.exists()


def test_no_stock_anywhere_is_a_clear_refusal_about_the_part_model(org_a, keeper, part):
    stocked(keeper, part, "上海", quantity=1)
    stocked(keeper, part, "武汉", active=False)
    record = record_in("武汉", org_a, keeper)
    movements = StockMovement.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.spare_request_create(
            service_record=record, part_model=part, quantity=2, actor=keeper
        )

    assert refused.value.message_dict == {
        "part_model": [f"No warehouse has 2 of {part} available."]
    }
    assert not Reservation.objects.exists()
    assert not SpareRequest.objects.exists()
    assert StockMovement.objects.count() == movements
    assert not record.events.exists()
    assert not record.clocks.filter(kind__startswith="spare").exists()
