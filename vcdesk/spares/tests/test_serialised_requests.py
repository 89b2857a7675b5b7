"""A spare request of more than one unit of a serialised part: it ships with one serial
number per unit, each in stock at the request's warehouse; a wrong count is refused naming
how many are needed and how many were given."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from vcdesk.spares import services
from vcdesk.spares.choices import MovementKind
from vcdesk.spares.models import StockMovement
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory
from vcdesk.spares.tests.test_api import API, everything, fields_in_error, open_record

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # Tuesday 09:00 in Beijing
HOUR = dt.timedelta(hours=1)
IN_STOCK = ["EE4-001", "EE4-002", "EE4-003", "EE4-004"]


@pytest.fixture(autouse=True)
def english(client):
    """Refusals are read in English: the services' and the API's and pages' answers."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def camera(db):
    return PartModelFactory(
        part_number="7200-87540-001", name="EagleEye IV 摄像机", serialised=True
    )


@pytest.fixture
def wuhan(camera, spares_keeper):
    warehouse = WarehouseFactory(city="武汉")
    services.stock_receive(
        warehouse=warehouse,
        part_model=camera,
        quantity=len(IN_STOCK),
        serials=IN_STOCK,
        actor=spares_keeper.user,
    )
    return warehouse


@pytest.fixture
def three(org_a, duty_officer, spares_keeper, camera, wuhan):
    """Three cameras reserved in Wuhan for a record of a site in Wuhan."""
    with time_machine.travel(T0, tick=False):
        record = open_record(org_a, actor=duty_officer.user)
        return services.spare_request_create(
            service_record=record, part_model=camera, quantity=3, actor=spares_keeper.user
        )


def ship(spare, who, serials, *, at=T0 + HOUR):
    with time_machine.travel(at, tick=False):
        return services.spare_request_ship(
            spare, carrier="顺丰速运", tracking_number="SF1", serials=serials, actor=who.user
        )


def test_three_serialised_units_ship_with_a_serial_each(three, spares_keeper, camera, wuhan):
    shipped = ship(three, spares_keeper, ["EE4-003", "EE4-001", "EE4-004"])

    assert shipped.serials == ["EE4-001", "EE4-003", "EE4-004"]
    movements = StockMovement.objects.filter(reservation=three.reservation, kind="shipped")
    assert sorted(movements.values_list("serial", "quantity")) == [
        ("EE4-001", 1),
        ("EE4-003", 1),
        ("EE4-004", 1),
    ]
    assert services.serials_in_stock(warehouse=wuhan, part_model=camera) == ["EE4-002"]
    assert three.service_record.clocks.get(kind="spare_ship").met_at == T0 + HOUR


@pytest.mark.parametrize(
    ("serials", "reason"),
    [
        (["EE4-001", "EE4-002"], "3 needed, 2 given"),
        (["EE4-001", "EE4-002", "EE4-003", "EE4-004"], "3 needed, 4 given"),
        ([], "3 needed, 0 given"),
        (["EE4-001", "EE4-001", "EE4-002"], "appears twice"),
        (["EE4-001", "EE4-002", "EE4-999"], "Not in stock at"),
    ],
)
def test_a_wrong_set_of_serials_is_refused_with_the_reason_and_ships_nothing(
    three, spares_keeper, serials, reason
):
    before = everything()

    with pytest.raises(ValidationError) as refused:
        ship(three, spares_keeper, serials)

    assert list(refused.value.message_dict) == ["serials"]
    assert reason in refused.value.message_dict["serials"][0]
    assert everything() == before


def test_the_api_ships_several_serials_and_names_the_count_when_it_is_wrong(
    api, spares_keeper, three
):
    url = f"{API}/spare-requests/{three.pk}/ship"
    payload = {"carrier": "顺丰速运", "tracking_number": "SF1"}
    with time_machine.travel(T0 + HOUR, tick=False):
        short = api.post(url, spares_keeper, payload | {"serials": ["EE4-001"]})
        shipped = api.post(url, spares_keeper, payload | {"serials": IN_STOCK[1:]})

    assert short.status_code == 422
    assert fields_in_error(short) == {"serials"}
    assert "3 needed, 1 given" in short.json()["detail"][0]["msg"]
    assert shipped.status_code == 200, shipped.content
    assert shipped.json()["serials"] == ["EE4-002", "EE4-003", "EE4-004"]
    listed = api.get(f"{API}/spare-requests", spares_keeper).json()["items"]
    assert listed[0]["serials"] == ["EE4-002", "EE4-003", "EE4-004"]


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def keeper(client, spares_keeper):
    client.force_login(spares_keeper.user)
    return client


def test_the_ship_form_lists_the_serials_in_stock_to_choose_one_per_unit(keeper, three):
    with time_machine.travel(T0 + HOUR, tick=False):
        html = keeper.get("/spares/requests/").content.decode()

    form = html.split(f'data-request="{three.pk}"', 1)[1].split("</form>", 1)[0]
    assert "Serial numbers (3, one per unit)" in form
    select = re.search(r'<select name="serials"([^>]*)>(.*?)</select>', form, re.S)
    assert "multiple" in select[1]
    assert re.findall(r'<option value="([^"]+)">', select[2]) == IN_STOCK


def test_ticking_too_few_serials_shows_the_count_next_to_them_and_ships_nothing(keeper, three):
    before = everything()

    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(
            f"/spares/requests/{three.pk}/ship/",
            {"carrier": "EMS", "tracking_number": "E1", "serials": ["EE4-001", "EE4-002"]},
        )

    assert response.status_code == 422
    html = response.content.decode()
    error = html.split(f'id="ship{three.pk}_serials_error">', 1)[1].split("<", 1)[0]
    assert error == "Give one serial number per unit: 3 needed, 2 given."
    assert everything() == before


def test_ticking_one_per_unit_ships_them_and_the_row_lists_them(keeper, three):
    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(
            f"/spares/requests/{three.pk}/ship/",
            {"carrier": "EMS", "tracking_number": "E1", "serials": IN_STOCK[:3]},
        )
        html = keeper.get("/spares/requests/").content.decode()

    assert response.status_code == 302
    row = html.split(f'data-request="{three.pk}"', 1)[1].split("</tbody>", 1)[0]
    assert "S/N EE4-001, EE4-002, EE4-003" in row


def test_several_units_of_a_serialised_part_may_be_requested_from_the_record(
    keeper, org_a, duty_officer, camera, wuhan
):
    with time_machine.travel(T0, tick=False):
        record = open_record(org_a, actor=duty_officer.user)
        response = keeper.post(
            f"/spares/requests/new/?record={record.pk}",
            {"part_model": camera.pk, "quantity": 2, "warehouse": wuhan.pk},
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert record.spare_requests.get().quantity == 2
    assert record.spare_requests.get().reservation.movements.get().kind == MovementKind.RESERVED
