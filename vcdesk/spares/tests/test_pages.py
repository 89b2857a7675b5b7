"""The spares keeper's pages (issue 4 item 5): stock by warehouse with low-stock marks, the
receive and transfer forms, open spare requests by due time with their ship form and arrival
button, and a spare requested from a service record."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from vcdesk.assets.tests.factories import DeviceModelFactory
from vcdesk.service.tests.test_clock_rules import T0
from vcdesk.spares import services
from vcdesk.spares.models import SpareRequest, StockMovement
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory
from vcdesk.spares.tests.test_api import (
    HOUR,
    a_part,
    everything,
    open_record,
    stock_of,
    stocked_depots,
)


@pytest.fixture
def part(db):
    return a_part()


@pytest.fixture
def depots(part, spares_keeper):
    return stocked_depots(part, actor=spares_keeper.user)


@pytest.fixture
def keeper(client, spares_keeper):
    client.force_login(spares_keeper.user)
    return client


def cell(html: str, part_number: str, warehouse) -> str:
    """The stock page's cell of a part model in a warehouse."""
    row = re.search(rf'<tr data-part="{re.escape(part_number)}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {part_number}"
    found = re.search(
        rf'<td class="cell ([a-z ]*)" data-warehouse="{warehouse.pk}"[^>]*>(.*?)</td>', row[1], re.S
    )
    return f"{found[1].strip()}|{re.sub(r'<[^>]+>', ' ', found[2]).split()[0]}" if found else "—"


def part_rows(response) -> list[str]:
    """The part numbers of the stock page's rows, in order."""
    return re.findall(r'<tr data-part="([^"]+)">', response.content.decode())


# --- stock by warehouse ------------------------------------------------------------------------


def test_the_stock_page_shows_available_stock_per_warehouse_with_low_stock_marked(
    keeper, spares_keeper, part, depots
):
    scarce = PartModelFactory(part_number="2215-12345-001", name="风扇模块", low_stock_threshold=3)
    services.stock_receive(
        warehouse=depots["beijing"], part_model=scarce, quantity=2, actor=spares_keeper.user
    )
    gone = PartModelFactory(part_number="2215-00000-001", name="电源模块")
    services.stock_receive(
        warehouse=depots["guangzhou"], part_model=gone, quantity=1, actor=spares_keeper.user
    )
    services.stock_reserve(
        warehouse=depots["guangzhou"], part_model=gone, quantity=1, actor=spares_keeper.user
    )

    html = keeper.get("/spares/").content.decode()

    assert cell(html, part.part_number, depots["bonded"]) == "|2"
    assert cell(html, scarce.part_number, depots["beijing"]) == "warn|2"
    assert cell(html, gone.part_number, depots["guangzhou"]) == "bad|0"
    assert cell(html, gone.part_number, depots["beijing"]) == "—"  # never kept there
    total = re.search(
        rf'<tr data-part="{gone.part_number}">.*?<td class="cell total ([a-z]*)"', html, re.S
    )
    assert total[1] == "bad"  # none available anywhere


def test_the_stock_page_filters_by_warehouse_part_model_and_low_stock(
    keeper, spares_keeper, part, depots
):
    scarce = PartModelFactory(part_number="2215-12345-001", low_stock_threshold=3)
    services.stock_receive(
        warehouse=depots["beijing"], part_model=scarce, quantity=2, actor=spares_keeper.user
    )

    assert part_rows(keeper.get("/spares/", {"low": "true"})) == ["2215-12345-001"]
    assert part_rows(keeper.get("/spares/", {"part_model": part.pk})) == [part.part_number]
    assert part_rows(keeper.get("/spares/", {"q": "12345"})) == ["2215-12345-001"]
    one = keeper.get("/spares/", {"warehouse": depots["guangzhou"].pk}).content.decode()
    assert re.findall(r'<th class="wh" scope="col">([^<]+)<', one) == ["广州备件库"]


def test_the_stock_page_costs_the_same_few_queries_however_many_part_models(
    keeper, spares_keeper, part, depots
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert keeper.get("/spares/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        other = PartModelFactory()
        services.stock_receive(
            warehouse=depots["beijing"], part_model=other, quantity=n + 1, actor=spares_keeper.user
        )
    assert queries() == few


def test_the_keeper_receives_stock_from_the_stock_page(keeper, spares_keeper, part):
    warehouse = WarehouseFactory(city="成都")

    response = keeper.post(
        "/spares/receive/",
        {"warehouse": warehouse.pk, "part_model": part.pk, "quantity": 4, "note": "PO-17"},
    )

    assert response.status_code == 302
    assert stock_of(warehouse, part) == (4, 0)
    assert "4" in keeper.get(response["Location"]).content.decode()


def test_the_receive_page_is_filled_from_the_stock_pages_filters_and_goes_back_to_them(
    keeper, part, depots
):
    beijing = depots["beijing"]
    query = f"warehouse={beijing.pk}&part_model={part.pk}"
    stock = keeper.get(f"/spares/?{query}").content.decode()
    assert f'href="/spares/receive/?{query.replace("&", "&amp;")}"' in stock

    page = keeper.get(f"/spares/receive/?{query}").content.decode()
    response = keeper.post(
        f"/spares/receive/?{query}", {"warehouse": beijing.pk, "part_model": part.pk, "quantity": 3}
    )

    assert f'<option value="{beijing.pk}" selected>' in page
    assert f'<option value="{part.pk}" selected>' in page
    assert (response.status_code, response["Location"]) == (302, f"/spares/?{query}")
    assert stock_of(beijing, part) == (5, 0)


def test_receiving_a_serialised_part_without_serials_shows_the_reason_next_to_the_field(
    keeper, spares_keeper
):
    serialised = PartModelFactory(serialised=True)
    warehouse = WarehouseFactory()
    before = everything()

    response = keeper.post(
        "/spares/receive/", {"warehouse": warehouse.pk, "part_model": serialised.pk, "quantity": 2}
    )

    assert response.status_code == 422
    assert 'id="receive_serials_error"' in response.content.decode()
    assert everything() == before


def test_the_keeper_transfers_stock_and_a_transfer_beyond_the_stock_is_refused(
    keeper, part, depots
):
    payload = {
        "from_warehouse": depots["beijing"].pk,
        "to_warehouse": depots["guangzhou"].pk,
        "part_model": part.pk,
        "quantity": 1,
    }
    assert keeper.post("/spares/transfer/", payload).status_code == 302
    assert stock_of(depots["guangzhou"], part) == (3, 0)

    before = everything()
    refused = keeper.post("/spares/transfer/", payload | {"quantity": 5})
    assert refused.status_code == 422
    assert 'id="transfer_quantity_error"' in refused.content.decode()
    assert everything() == before


@pytest.mark.parametrize("who", ["duty_officer", "field_engineer"])
def test_other_staff_see_the_stock_but_not_the_forms_and_may_not_post_them(
    client, request, part, depots, who
):
    client.force_login(request.getfixturevalue(who).user)

    html = client.get("/spares/").content.decode()

    assert 'data-part="' in html and 'data-testid="receive-link"' not in html
    payload = {"warehouse": depots["beijing"].pk, "part_model": part.pk, "quantity": 1}
    assert client.get("/spares/receive/").status_code == 403
    assert client.post("/spares/receive/", payload).status_code == 403
    assert stock_of(depots["beijing"], part) == (2, 0)


# --- open spare requests -----------------------------------------------------------------------


def make_spare(org, part, *, at, duty_officer, spares_keeper, **fields) -> SpareRequest:
    with time_machine.travel(at, tick=False):
        record = open_record(org, actor=duty_officer.user)
        return services.spare_request_create(
            service_record=record, part_model=part, actor=spares_keeper.user, **fields
        )


def test_open_requests_are_listed_by_the_due_time_of_the_step_they_owe(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    later = make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)
    shipped = make_spare(
        org_a, part, at=T0 - 2 * HOUR, duty_officer=duty_officer, spares_keeper=spares_keeper
    )
    with time_machine.travel(T0 + HOUR, tick=False):
        services.spare_request_ship(
            shipped, carrier="顺丰速运", tracking_number="SF1", actor=spares_keeper.user
        )
    first = make_spare(
        org_a, part, at=T0 - HOUR, duty_officer=duty_officer, spares_keeper=spares_keeper
    )
    arrived = make_spare(
        org_a, part, at=T0 - 3 * HOUR, duty_officer=duty_officer, spares_keeper=spares_keeper
    )
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        services.spare_request_ship(
            arrived, carrier="EMS", tracking_number="E1", actor=spares_keeper.user
        )
        services.spare_request_arrive(arrived, actor=spares_keeper.user)

    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        html = keeper.get("/spares/requests/").content.decode()

    # Ship-by: first T0+23h, later T0+24h; the shipped one owes arrival (end of Thursday).
    order = [int(pk) for pk in re.findall(r'data-request="(\d+)"', html)]
    assert order == [first.pk, later.pk, shipped.pk]
    assert arrived.pk not in order


def test_a_request_past_its_ship_by_time_is_marked_overdue(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    spare = make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)

    with time_machine.travel(T0 + 25 * HOUR, tick=False):
        html = keeper.get("/spares/requests/").content.decode()

    assert re.search(rf'<tbody class="request row-bad" data-request="{spare.pk}"', html)


def test_the_keeper_ships_a_spare_from_the_requests_page(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    spare = make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)

    with time_machine.travel(T0 + 3 * HOUR, tick=False):
        response = keeper.post(
            f"/spares/requests/{spare.pk}/ship/",
            {"carrier": "other", "carrier_other": "跨越速运", "tracking_number": "KY778899"},
        )

    assert response.status_code == 302
    spare.refresh_from_db()
    assert (spare.carrier, spare.tracking_number) == ("跨越速运", "KY778899")
    met = dict(spare.service_record.clocks.values_list("kind", "met_at"))
    assert met["spare_ship"] == T0 + 3 * HOUR


@pytest.mark.parametrize(
    ("payload", "error_id"),
    [
        ({"carrier": "顺丰速运", "tracking_number": ""}, "tracking_number"),
        ({"carrier": "other", "carrier_other": "", "tracking_number": "X1"}, "carrier_other"),
        ({"carrier": "pigeon", "tracking_number": "X1"}, "carrier"),
    ],
)
def test_a_ship_form_with_bad_input_answers_422_and_ships_nothing(
    keeper, org_a, duty_officer, spares_keeper, part, depots, payload, error_id
):
    spare = make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)
    before = everything()

    response = keeper.post(f"/spares/requests/{spare.pk}/ship/", payload)

    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert f'id="ship{spare.pk}_{error_id}"' in html
    assert everything() == before


def test_a_serialised_spare_is_shipped_with_a_serial_chosen_from_those_in_stock(
    keeper, org_a, duty_officer, spares_keeper
):
    serialised = PartModelFactory(serialised=True)
    wuhan = WarehouseFactory(city="武汉")
    services.stock_receive(
        warehouse=wuhan,
        part_model=serialised,
        quantity=2,
        serials=["82G500A001", "82G500A002"],
        actor=spares_keeper.user,
    )
    spare = make_spare(
        org_a, serialised, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper
    )

    html = keeper.get("/spares/requests/").content.decode()
    assert '<option value="82G500A001">' in html and '<option value="82G500A002">' in html

    missing = keeper.post(
        f"/spares/requests/{spare.pk}/ship/", {"carrier": "EMS", "tracking_number": "E1"}
    )
    assert missing.status_code == 422
    shipped = keeper.post(
        f"/spares/requests/{spare.pk}/ship/",
        {"carrier": "EMS", "tracking_number": "E1", "serials": "82G500A002"},
    )
    assert shipped.status_code == 302
    assert services.serials_in_stock(warehouse=wuhan, part_model=serialised) == ["82G500A001"]


def test_the_keeper_confirms_the_arrival_and_the_request_leaves_the_open_list(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    spare = make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)
    with time_machine.travel(T0 + HOUR, tick=False):
        services.spare_request_ship(
            spare, carrier="京东物流", tracking_number="JD1", actor=spares_keeper.user
        )

    with time_machine.travel(T0 + 20 * HOUR, tick=False):
        html = keeper.get("/spares/requests/").content.decode()
        assert "京东物流 JD1" in html
        response = keeper.post(f"/spares/requests/{spare.pk}/arrive/")

    assert response.status_code == 302
    spare.refresh_from_db()
    assert spare.arrived_at == T0 + 20 * HOUR
    assert f'data-request="{spare.pk}"' not in keeper.get("/spares/requests/").content.decode()
    done = keeper.get("/spares/requests/", {"open": "false"}).content.decode()
    assert f'data-request="{spare.pk}"' in done


def test_arriving_before_shipping_is_refused_with_a_message(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    spare = make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)

    response = keeper.post(f"/spares/requests/{spare.pk}/arrive/", follow=True)

    assert 'class="error"' in response.content.decode()
    spare.refresh_from_db()
    assert spare.arrived_at is None


def test_the_requests_page_costs_the_same_few_queries_however_many_requests(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    for warehouse in depots.values():
        services.stock_receive(
            warehouse=warehouse, part_model=part, quantity=10, actor=spares_keeper.user
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert keeper.get("/spares/requests/").status_code == 200
        return len(captured)

    make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)
    one = queries()
    for n in range(5):
        make_spare(
            org_a, part, at=T0 + n * HOUR, duty_officer=duty_officer, spares_keeper=spares_keeper
        )
    assert queries() == one


# --- a spare for a service record --------------------------------------------------------------


def test_requesting_a_spare_offers_the_parts_for_the_device_first_and_the_nearest_warehouse(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    rmx = DeviceModelFactory(vendor="Polycom", name="RMX 4000", kind="mcu")
    board = PartModelFactory(part_number="2215-99999-001", name="RMX 4000 控制板")
    board.device_models.add(rmx)
    with time_machine.travel(T0, tick=False):
        record = open_record(org_a, actor=duty_officer.user, device_model=rmx)

    page = keeper.get("/spares/requests/new/", {"record": record.pk}).content.decode()
    options = re.findall(r'<option value="(\d+)"', page)
    assert options[0] == str(board.pk)
    assert "RMX 4000" in page

    proposal = keeper.get(
        "/spares/requests/new/", {"record": record.pk, "part_model": part.pk, "quantity": 1}
    ).content.decode()
    rows = [int(w) for w in re.findall(r'<tr class="[^"]*" data-warehouse="(\d+)"', proposal)]
    assert rows == [depots["bonded"].pk, depots["guangzhou"].pk, depots["beijing"].pk]
    assert re.search(rf'value="{depots["bonded"].pk}" id="wh\d+" checked', proposal)


def test_confirming_reserves_the_spare_and_goes_back_to_the_record(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    with time_machine.travel(T0, tick=False):
        record = open_record(org_a, actor=duty_officer.user)

    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(
            f"/spares/requests/new/?record={record.pk}",
            {"part_model": part.pk, "quantity": 1, "warehouse": depots["guangzhou"].pk},
        )

    assert response.status_code == 302
    assert response["Location"] == f"/service/{record.pk}/"
    spare = SpareRequest.objects.get()
    assert spare.warehouse == depots["guangzhou"]
    assert stock_of(depots["guangzhou"], part) == (2, 1)
    assert set(record.clocks.values_list("kind", flat=True)) >= {"spare_ship", "spare_arrival"}


def test_a_second_spare_while_one_is_outstanding_is_refused_on_the_page(
    keeper, org_a, duty_officer, spares_keeper, part, depots
):
    make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)
    record = SpareRequest.objects.get().service_record
    before = everything()

    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(
            f"/spares/requests/new/?record={record.pk}", {"part_model": part.pk, "quantity": 1}
        )

    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert everything() == before


def test_no_warehouse_with_enough_stock_is_said_plainly(keeper, org_a, duty_officer, part, depots):
    record = open_record(org_a, actor=duty_officer.user)

    html = keeper.get(
        "/spares/requests/new/", {"record": record.pk, "part_model": part.pk, "quantity": 9}
    ).content.decode()

    assert "confirm-form" in html and 'name="warehouse"' not in html
    assert StockMovement.objects.filter(kind="reserved").count() == 0


@pytest.mark.parametrize("who", ["duty_officer", "field_engineer"])
def test_only_spares_people_request_spares_on_the_page(client, request, org_a, part, depots, who):
    persona = request.getfixturevalue(who)
    record = open_record(org_a, actor=persona.user)
    client.force_login(persona.user)

    assert client.get("/spares/requests/new/", {"record": record.pk}).status_code == 403


def test_an_unknown_record_is_not_found(keeper):
    assert keeper.get("/spares/requests/new/", {"record": 999_999}).status_code == 404
    assert keeper.get("/spares/requests/new/", {"record": "x"}).status_code == 404
    assert keeper.get("/spares/requests/new/").status_code == 404


def test_the_pages_time_is_beijing_time(keeper, org_a, duty_officer, spares_keeper, part, depots):
    spare = make_spare(
        org_a,
        part,
        at=dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC),
        duty_officer=duty_officer,
        spares_keeper=spares_keeper,
    )
    html = keeper.get("/spares/requests/").content.decode()
    assert f'data-request="{spare.pk}"' in html
    assert "03-10 09:00" in html  # requested at 01:00 UTC


def record_spares(record, user) -> str:
    """The service record page's spares section, as `{% record_spares record %}` renders it."""
    request = RequestFactory().get("/")
    request.user = user
    tag = Template("{% load spares %}{% record_spares record %}")
    return tag.render(Context({"request": request, "record": record}))


def test_the_record_page_lists_the_records_spares_and_offers_the_keeper_to_request_one(
    org_a, duty_officer, spares_keeper, part, depots
):
    spare = make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)

    html = record_spares(spare.service_record, spares_keeper.user)

    assert f'data-spare="{spare.pk}"' in html and part.part_number in html
    assert f"/spares/requests/new/?record={spare.service_record_id}" in html


def test_the_record_page_shows_a_customer_their_spares_without_the_request_button(
    org_a, contact_of_a, duty_officer, spares_keeper, part, depots
):
    spare = make_spare(org_a, part, at=T0, duty_officer=duty_officer, spares_keeper=spares_keeper)

    html = record_spares(spare.service_record, contact_of_a.user)

    assert f'data-spare="{spare.pk}"' in html
    assert "/spares/requests/new/" not in html


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_edits_warehouses_and_part_models_and_shows_stock_read_only(
    admin_client, spares_keeper, part, depots
):
    for model in ("warehouse", "partmodel", "stocklevel", "stockmovement", "sparerequest"):
        assert admin_client.get(f"/admin/spares/{model}/").status_code == 200
    assert admin_client.get("/admin/spares/stockmovement/add/").status_code == 403
    page = admin_client.get(f"/admin/spares/partmodel/{part.pk}/change/").content.decode()
    assert 'name="serialised"' not in page  # it has movements: it stays as it is
