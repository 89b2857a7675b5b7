"""Bad input to every endpoint that creates something answers 422, names the field, and
writes nothing: no RMA, line, event, quote, order, stock movement or history row."""

import pytest
import time_machine
from django.apps import apps

from vcdesk.rma.tests.factories import (
    HOUR,
    T0,
    bonded_warehouse,
    file_rma,
    media_board,
    out_of_warranty_device,
    rma_form,
    stocked,
)
from vcdesk.service.services import service_record_open


def row_counts() -> dict[str, int]:
    """Rows of every table of the RMA and spares apps, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for label in ("rma", "spares")
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def world(org_a, org_b, spares_keeper, duty_officer):
    board = media_board(serialised=True)
    device = out_of_warranty_device(org_a, serial="RMX2000-0042")
    with time_machine.travel(T0, tick=False):
        record = service_record_open(
            device=device,
            fault_class="port",
            description="端口板故障",
            caller_name="张伟",
            caller_phone="13800000000",
            actor=duty_officer.user,
        )
    return {
        "record": record,
        "org": org_a,
        "device": device,
        "other_device": out_of_warranty_device(org_b),
        "rma": file_rma(device, actor=spares_keeper.user),
        "board": board,
        "unpriced": media_board(market_price=None),
        "bonded": stocked(bonded_warehouse(), board, serials=["MPM-1"], actor=spares_keeper.user),
    }


def rma_with(world, **changes) -> dict:
    payload = rma_form(organisation=world["org"].pk, products=[{"device": world["device"].pk}])
    return {**payload, **changes}


def part(world, price="1.00", **changes) -> dict:
    return {"kind": "part", "part_model": world["board"].pk, "unit_price": price, **changes}


CASES = {
    "rmas": (
        "/api/v1/rmas",
        [
            (lambda w: rma_with(w, post_code="10002"), "post_code"),
            (lambda w: rma_with(w, post_code="1000２2"), "post_code"),
            (lambda w: rma_with(w, contact_name=""), "contact_name"),
            (lambda w: rma_with(w, consignee="x" * 101), "consignee"),
            (lambda w: rma_with(w, fault_symptom="有\x00空字符"), "fault_symptom"),
            (lambda w: rma_with(w, organisation=None), "organisation"),
            (lambda w: rma_with(w, organisation=999_999), "organisation"),
            (lambda w: rma_with(w, service_record=999_999), "service_record"),
            (lambda w: rma_with(w, products=[]), "products"),
            (lambda w: rma_with(w, products=[{"device": w["other_device"].pk}]), "device"),
            (lambda w: rma_with(w, products=[{"device_model": "RMX", "serial": ""}]), "serial"),
            (
                lambda w: rma_with(w, products=[{"device": w["device"].pk, "quantity": 0}]),
                "quantity",
            ),
            (lambda w: rma_with(w, date="2026-03-11"), "date"),
            (lambda w: rma_with(w, requested_at="2026-03-11T09:00:00+08:00"), "requested_at"),
        ],
    ),
    "events": (
        "/api/v1/rmas/{rma}/events",
        [
            (lambda w: {"type": "lost"}, "type"),
            (lambda w: {"type": "faulty_received", "at": "2026-03-12T09:00:00+08:00"}, "at"),
            (lambda w: {"type": "faulty_received", "at": "not a time"}, "at"),
        ],
    ),
    "advance-replacement": (
        "/api/v1/rmas/{rma}/advance-replacement",
        [
            (lambda w: {"warehouse": 999_999, "part_model": w["board"].pk}, "warehouse"),
            (lambda w: {"warehouse": w["bonded"].pk, "part_model": 999_999}, "part_model"),
            (lambda w: {"part_model": w["board"].pk}, "warehouse"),
            (
                lambda w: {
                    "warehouse": w["bonded"].pk,
                    "part_model": w["board"].pk,
                    "at": "2026-03-11T09:00:00+08:00",
                },
                "at",
            ),
            (
                lambda w: {"warehouse": w["bonded"].pk, "part_model": w["board"].pk, "serial": "X"},
                "serial",
            ),
        ],
    ),
    "products": (
        "/api/v1/rmas/{rma}/products",
        [
            (lambda w: {"device_model": "", "serial": "S1"}, "device_model"),
            (lambda w: {"device": w["other_device"].pk}, "device"),
            (lambda w: {"device_model": "X", "serial": "S", "quantity": -1}, "quantity"),
        ],
    ),
    "parts": (
        "/api/v1/rmas/{rma}/parts",
        [
            (lambda w: {"part_model": 999_999}, "part_model"),
            (lambda w: {"part_model": w["board"].pk, "quantity": 0}, "quantity"),
            (
                lambda w: {
                    "part_model": w["board"].pk,
                    "arrived_at": "2026-03-10T09:00:00+08:00",
                    "returned_to_user_at": "2026-03-10T08:00:00+08:00",
                },
                "returned_to_user_at",
            ),
        ],
    ),
    "quotes": (
        "/api/v1/quotes",
        [
            (lambda w: {"rma": w["rma"].pk, "lines": []}, "lines"),
            (lambda w: {"rma": w["rma"].pk, "lines": [part(w, "28000.01")]}, "unit_price"),
            (lambda w: {"rma": w["rma"].pk, "lines": [part(w, "-1")]}, "unit_price"),
            (lambda w: {"rma": w["rma"].pk, "lines": [part(w, "1.001")]}, "unit_price"),
            (lambda w: {"rma": w["rma"].pk, "lines": [part(w, None)]}, "unit_price"),
            (lambda w: {"rma": w["rma"].pk, "lines": [part(w, quantity=0)]}, "quantity"),
            (
                lambda w: {"rma": w["rma"].pk, "lines": [part(w, part_model=w["unpriced"].pk)]},
                "part_model",
            ),
            (lambda w: {"rma": w["rma"].pk, "lines": [part(w, part_model=None)]}, "part_model"),
            (lambda w: {"rma": 999_999, "lines": [part(w)]}, "rma"),
            (lambda w: {"lines": [part(w)]}, "rma"),
            (
                lambda w: {
                    "rma": w["rma"].pk,
                    "service_record": w["record"].pk,
                    "lines": [part(w)],
                },
                "rma",
            ),
            (lambda w: {"rma": w["rma"].pk, "lines": [{"kind": "travel"}]}, "kind"),
        ],
    ),
}
PARAMS = [
    pytest.param(path, make, field, id=f"{name}-{i}-{field}")
    for name, (path, cases) in CASES.items()
    for i, (make, field) in enumerate(cases)
]


@pytest.mark.parametrize(("path", "make", "field"), PARAMS)
def test_bad_input_answers_422_naming_the_field_and_writes_nothing(
    api, spares_keeper, world, path, make, field
):
    url = path.format(rma=world["rma"].pk)
    payload = make(world)
    before = row_counts()

    with time_machine.travel(T0 + HOUR, tick=False):
        response = api.post(url, spares_keeper, payload)

    assert response.status_code == 422, response.content
    locs = [error["loc"] for error in response.json()["detail"]]
    assert any(field in loc for loc in locs), locs
    assert all(error["msg"] for error in response.json()["detail"])
    assert row_counts() == before


def test_a_body_that_is_not_json_answers_422(client, spares_keeper, world):
    before = row_counts()

    response = client.post(
        "/api/v1/rmas", "{not json", content_type="application/json", **spares_keeper.auth
    )

    assert response.status_code in (400, 422)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/api/v1/rmas/{2**63}"),
        ("post", f"/api/v1/rmas/{2**64}/events"),
        ("patch", f"/api/v1/rmas/1/parts/{2**64}"),
        ("get", f"/api/v1/quotes/{2**63}"),
        ("post", f"/api/v1/quotes/{2**64}/accept"),
        ("get", f"/api/v1/orders/{2**63}"),
    ],
)
def test_a_path_id_beyond_64_bits_is_bad_input_not_a_server_error(api, spares_keeper, method, path):
    args = () if method == "get" else ({"type": "faulty_received"},)

    response = getattr(api, method)(path, spares_keeper, *args)

    assert response.status_code == 422, response.content
