"""The RMA (设备维修申请表, R4.3): every field of the form, its number, and the status flow
requested → faulty unit received → sent to vendor → repaired/replaced → returned to user →
closed, derived from one event per step; a step out of order is refused and changes nothing."""

import pytest
import time_machine
from django.forms.models import model_to_dict

from vcdesk.rma import services
from vcdesk.rma.choices import RmaStatus
from vcdesk.rma.models import Rma, RmaEvent
from vcdesk.rma.tests.factories import (
    DAY,
    HOUR,
    T0,
    device_of,
    file_rma,
    media_board,
    rma_form,
    step,
)
from vcdesk.service.services import service_record_open

RMAS = "/api/v1/rmas"
STEPS = ["faulty_received", "sent_to_vendor", "repaired", "returned_to_user", "closed"]


@pytest.fixture
def device(org_a):
    return device_of(org_a, serial="RMX2000-0042")


@pytest.fixture
def rma(device, spares_keeper):
    return file_rma(device, actor=spares_keeper.user)


def everything_about(rma: Rma) -> tuple:
    rma.refresh_from_db()
    return (
        model_to_dict(rma),
        list(rma.events.values_list("type", "at")),
        list(rma.products.values_list("received_at", "returned_to_bonded_at")),
        rma.history.count(),
    )


def test_an_rma_keeps_every_field_of_the_form(api, spares_keeper, device, org_a):
    payload = rma_form(organisation=org_a.pk, products=[{"device": device.pk}])
    with time_machine.travel(T0, tick=False):
        response = api.post(RMAS, spares_keeper, payload)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "RMA-2026-0001"
    assert body["filler"] == spares_keeper.user.pk
    assert body["date"] == "2026-03-10"
    assert body["organisation_name"] == "北京广播电视台"
    for field in ("contact_name", "phone", "fax", "consignee", "address", "post_code"):
        assert body[field] == payload[field]
    assert body["fault_symptom"] == "MCU 媒体板告警，4 个端口无法呼通"
    assert body["cause_and_measures"] == ""
    assert body["status"] == "requested"
    (product,) = body["products"]
    assert product["device"] == device.pk
    assert product["device_model"] == "Polycom RMX 2000"
    assert (product["serial"], product["quantity"]) == ("RMX2000-0042", 1)
    assert [e["type"] for e in body["events"]] == ["requested"]
    assert body["events"][0]["actor"] == spares_keeper.user.pk


def test_rma_numbers_count_per_year(device, spares_keeper):
    first = file_rma(device, actor=spares_keeper.user)
    second = file_rma(device, actor=spares_keeper.user, at=T0 + HOUR)
    backdated = file_rma(device, actor=spares_keeper.user, date=T0.date().replace(year=2025))

    assert (first.number, second.number) == ("RMA-2026-0001", "RMA-2026-0002")
    assert backdated.number == "RMA-2025-0001"


def test_an_rma_from_a_service_record_takes_its_customer_and_device_and_shows_its_number(
    api, spares_keeper, duty_officer, device
):
    with time_machine.travel(T0, tick=False):
        record = service_record_open(
            device=device,
            fault_class="port",
            description="端口板故障",
            caller_name="张伟",
            caller_phone="13800000000",
            actor=duty_officer.user,
        )
        response = api.post(RMAS, spares_keeper, rma_form(service_record=record.pk))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service_record"] == record.pk
    assert body["service_number"] == record.number
    assert body["organisation"] == device.organisation_id
    assert body["products"][0]["device"] == device.pk


def test_a_serial_of_the_customers_device_links_the_device(spares_keeper, device, org_a):
    with time_machine.travel(T0, tick=False):
        rma = services.rma_create(
            organisation=org_a,
            products=[{"device_model": "RMX 2000", "serial": "RMX2000-0042"}],
            actor=spares_keeper.user,
            **rma_form(),
        )

    assert rma.products.get().device == device


def test_a_unit_the_customer_does_not_own_is_kept_without_a_device(spares_keeper, org_a):
    with time_machine.travel(T0, tick=False):
        rma = services.rma_create(
            organisation=org_a,
            products=[{"device_model": "HDX 9000 电源", "serial": "PSU-1"}],
            actor=spares_keeper.user,
            **rma_form(),
        )

    assert rma.products.get().device is None


def test_the_steps_in_order_move_the_status_and_fill_the_forms_times(rma, spares_keeper):
    statuses = []
    for i, type in enumerate(STEPS, start=1):
        step(rma, type, actor=spares_keeper.user, at=T0 + i * DAY, note=f"第{i}步")
        rma.refresh_from_db()
        statuses.append(rma.status)

    assert statuses == [
        RmaStatus.FAULTY_RECEIVED,
        RmaStatus.SENT_TO_VENDOR,
        RmaStatus.REPAIRED,
        RmaStatus.RETURNED_TO_USER,
        RmaStatus.CLOSED,
    ]
    product = rma.products.get()
    assert product.received_at == T0 + DAY
    assert product.returned_to_bonded_at == T0 + 2 * DAY
    events = list(rma.events.values_list("type", "actor", "note"))
    assert events[0][0] == "requested"
    assert events[1:] == [(t, spares_keeper.user.pk, f"第{i}步") for i, t in enumerate(STEPS, 1)]


def test_a_replacement_parts_return_to_the_user_is_the_steps_time(rma, spares_keeper):
    services.rma_part_add(
        rma,
        part_model=media_board(),
        serial="MPM-7",
        arrived_at=T0 + HOUR,
        actor=spares_keeper.user,
    )
    for i, type in enumerate(STEPS[:4], start=1):
        step(rma, type, actor=spares_keeper.user, at=T0 + i * DAY)

    part = rma.parts.get()
    assert (part.arrived_at, part.returned_to_user_at) == (T0 + HOUR, T0 + 4 * DAY)


@pytest.mark.parametrize(
    ("done", "type", "reason"),
    [
        ([], "sent_to_vendor", "cannot come yet: first “Faulty unit received”"),
        ([], "closed", "cannot come yet: first “Faulty unit received”"),
        (["faulty_received"], "repaired", "first “Sent to the vendor”"),
        (["faulty_received"], "faulty_received", "already recorded"),
        (STEPS[:3], "closed", "first “Returned to the user”"),
        (STEPS, "closed", "closed; nothing can happen after that"),
        (STEPS, "faulty_received", "closed; nothing can happen after that"),
    ],
)
def test_a_step_out_of_order_answers_409_with_the_reason_and_changes_nothing(
    api, rma, spares_keeper, done, type, reason
):
    for i, earlier in enumerate(done, start=1):
        step(rma, earlier, actor=spares_keeper.user, at=T0 + i * HOUR)
    before = everything_about(rma)

    with time_machine.travel(T0 + DAY, tick=False):
        response = api.post(f"{RMAS}/{rma.pk}/events", spares_keeper, {"type": type})

    assert response.status_code == 409, response.content
    assert reason in response.json()["detail"]
    assert everything_about(rma) == before


def test_a_step_before_the_latest_one_is_refused(api, rma, spares_keeper):
    step(rma, "faulty_received", actor=spares_keeper.user, at=T0 + 2 * HOUR)

    with time_machine.travel(T0 + DAY, tick=False):
        response = api.post(
            f"{RMAS}/{rma.pk}/events",
            spares_keeper,
            {"type": "sent_to_vendor", "at": (T0 + HOUR).isoformat()},
        )

    assert response.status_code == 409
    assert "before the RMA's latest step" in response.json()["detail"]


def test_a_step_in_the_future_is_bad_input(api, rma, spares_keeper):
    with time_machine.travel(T0, tick=False):
        response = api.post(
            f"{RMAS}/{rma.pk}/events",
            spares_keeper,
            {"type": "faulty_received", "at": (T0 + DAY).isoformat()},
        )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "at"]
    assert RmaEvent.objects.filter(rma=rma).count() == 1


def test_requested_is_not_a_step_anyone_records(api, rma, spares_keeper):
    with time_machine.travel(T0 + HOUR, tick=False):
        response = api.post(f"{RMAS}/{rma.pk}/events", spares_keeper, {"type": "requested"})

    assert response.status_code == 422


@pytest.mark.parametrize("who", ["spares_keeper", "support_engineer", "service_manager"])
def test_the_spares_keeper_support_engineers_and_service_managers_record_steps(
    api, rma, request, who
):
    with time_machine.travel(T0 + HOUR, tick=False):
        response = api.post(
            f"{RMAS}/{rma.pk}/events", request.getfixturevalue(who), {"type": "faulty_received"}
        )

    assert response.status_code == 201


@pytest.mark.parametrize("who", ["duty_officer", "field_engineer", "contact_of_a"])
def test_others_may_read_an_rma_but_not_record_its_steps(api, rma, request, who):
    persona = request.getfixturevalue(who)
    assert api.get(f"{RMAS}/{rma.pk}", persona).status_code == 200

    with time_machine.travel(T0 + HOUR, tick=False):
        response = api.post(f"{RMAS}/{rma.pk}/events", persona, {"type": "faulty_received"})

    assert response.status_code == 403
    assert Rma.objects.get().status == RmaStatus.REQUESTED


def test_the_form_fields_can_be_completed_later_and_history_keeps_who_changed_them(
    api, rma, support_engineer
):
    response = api.patch(
        f"{RMAS}/{rma.pk}",
        support_engineer,
        {"cause_and_measures": "媒体板 DSP 芯片损坏，返厂更换媒体板", "post_code": "100020"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["cause_and_measures"] == "媒体板 DSP 芯片损坏，返厂更换媒体板"
    latest = rma.history.order_by("-history_id").first()
    assert latest.history_user == support_engineer.user
    assert latest.post_code == "100020"


def test_a_change_to_a_bad_post_code_is_refused(api, rma, spares_keeper):
    response = api.patch(f"{RMAS}/{rma.pk}", spares_keeper, {"post_code": "10002"})

    assert response.status_code == 422
    assert "post_code" in response.json()["detail"][0]["loc"]
    rma.refresh_from_db()
    assert rma.post_code == "100022"


def test_the_list_filters_by_status_and_finds_an_rma_by_serial(api, rma, device, spares_keeper):
    other = file_rma(device, actor=spares_keeper.user)
    step(other, "faulty_received", actor=spares_keeper.user, at=T0 + HOUR)

    received = api.get(RMAS, spares_keeper, status="faulty_received").json()
    by_serial = api.get(RMAS, spares_keeper, q="RMX2000-0042").json()

    assert [r["number"] for r in received["items"]] == [other.number]
    assert by_serial["count"] == 2
