"""Post-warranty maintenance (R11, plan 1.4): out of warranty a repair gets a quote — labour
free (人工费全免), each part at no more than its recorded market price — which the customer
accepts (in their portal, or as recorded by staff) and an order follows. In warranty parts
are free: no quote."""

import datetime as dt

import pytest
import time_machine

from vcdesk.rma.models import Order, Quote, QuoteLine
from vcdesk.rma.services import rma_create
from vcdesk.rma.tests.factories import (
    DAY,
    HOUR,
    T0,
    device_of,
    file_rma,
    media_board,
    out_of_warranty_device,
    rma_form,
)
from vcdesk.service.services import service_record_open

QUOTES = "/api/v1/quotes"


@pytest.fixture
def old_device(org_a):
    return out_of_warranty_device(org_a, serial="RMX2000-0007")


@pytest.fixture
def rma(old_device, spares_keeper):
    return file_rma(old_device, actor=spares_keeper.user)


@pytest.fixture
def board():
    return media_board()  # market price 28,000.00


def part_line(part, price, quantity=1) -> dict:
    return {"kind": "part", "part_model": part.pk, "quantity": quantity, "unit_price": price}


def create(api, who, payload, *, at=T0 + HOUR):
    with time_machine.travel(at, tick=False):
        return api.post(QUOTES, who, payload)


def sent_quote(api, who, rma, board) -> dict:
    quote = create(api, who, {"rma": rma.pk, "lines": [part_line(board, "28000.00")]}).json()
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        return api.post(f"{QUOTES}/{quote['id']}/send", who, {}).json()


def test_a_part_exactly_at_its_market_price_is_quoted_with_labour_free(
    api, spares_keeper, rma, board
):
    response = create(
        api, spares_keeper, {"rma": rma.pk, "lines": [part_line(board, "28000.00", 2)]}
    )

    assert response.status_code == 201, response.content
    quote = response.json()
    assert quote["number"] == "QT-2026-0001"
    assert quote["status"] == "draft"
    assert quote["organisation"] == rma.organisation_id
    assert quote["rma"] == rma.pk
    assert quote["repair_number"] == rma.number
    assert quote["warranty_ends_on"] == "2023-01-01"
    part, labour = quote["lines"]
    assert (part["kind"], part["unit_price"], part["market_price"], part["amount"]) == (
        "part",
        "28000.00",
        "28000.00",
        "56000.00",
    )
    assert (labour["kind"], labour["unit_price"], labour["amount"]) == ("labour", "0.00", "0.00")
    assert quote["total"] == "56000.00"


def test_one_fen_above_the_market_price_is_refused_naming_the_line_and_the_cap(
    api, spares_keeper, rma, board
):
    cheap = media_board(name="风扇模块", market_price="300.00")
    payload = {"rma": rma.pk, "lines": [part_line(cheap, "300.00"), part_line(board, "28000.01")]}

    response = create(api, spares_keeper, payload)

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "lines", 1, "unit_price"]
    assert "Line 2" in error["msg"]
    assert "28000.01" in error["msg"] and "28000.00" in error["msg"]
    assert "at most the market price" in error["msg"]
    assert not Quote.objects.exists()
    assert not QuoteLine.objects.exists()


def test_a_part_without_a_recorded_market_price_cannot_be_quoted(api, spares_keeper, rma):
    unpriced = media_board(market_price=None)

    response = create(api, spares_keeper, {"rma": rma.pk, "lines": [part_line(unpriced, "10.00")]})

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "lines", 0, "part_model"]
    assert "no recorded market price" in error["msg"]
    assert not Quote.objects.exists()


def test_labour_is_free_so_a_price_for_it_is_refused(api, spares_keeper, rma, board):
    labour = {"kind": "labour", "description": "现场维修", "unit_price": "200.00"}

    response = create(
        api, spares_keeper, {"rma": rma.pk, "lines": [part_line(board, "1.00"), labour]}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "lines", 1, "unit_price"]
    assert "人工费全免" in response.json()["detail"][0]["msg"]


def test_a_given_labour_line_is_kept_at_zero_and_none_is_added(api, spares_keeper, rma, board):
    labour = {"kind": "labour", "description": "返厂维修人工"}

    quote = create(
        api, spares_keeper, {"rma": rma.pk, "lines": [labour, part_line(board, "100.00")]}
    ).json()

    assert [(line["kind"], line["description"]) for line in quote["lines"]] == [
        ("labour", "返厂维修人工"),
        ("part", str(board)),
    ]


def test_in_warranty_there_is_no_quote_because_parts_are_free(api, spares_keeper, org_a, board):
    rma = file_rma(device_of(org_a, accepted_on=dt.date(2025, 3, 1)), actor=spares_keeper.user)

    response = create(api, spares_keeper, {"rma": rma.pk, "lines": [part_line(board, "1.00")]})

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert "parts are free in warranty" in error["msg"].lower()
    assert "2028-02-29" in error["msg"]
    assert not Quote.objects.exists()


def test_the_warranty_is_judged_on_the_repairs_date(api, spares_keeper, org_a, board):
    # Accepted 2023-03-10: warranty until 2026-03-09, the day before T0.
    device = device_of(org_a, accepted_on=dt.date(2023, 3, 10))
    in_warranty = file_rma(device, actor=spares_keeper.user, date=dt.date(2026, 3, 9))
    after = file_rma(device, actor=spares_keeper.user, date=dt.date(2026, 3, 10))

    refused = create(api, spares_keeper, {"rma": in_warranty.pk, "lines": [part_line(board, "1")]})
    quoted = create(api, spares_keeper, {"rma": after.pk, "lines": [part_line(board, "1")]})

    assert (refused.status_code, quoted.status_code) == (422, 201)


def test_a_service_records_repair_is_quoted_too(
    api, support_engineer, duty_officer, old_device, board
):
    with time_machine.travel(T0, tick=False):
        record = service_record_open(
            device=old_device,
            fault_class="port",
            description="端口板故障",
            caller_name="张伟",
            caller_phone="13800000000",
            actor=duty_officer.user,
        )

    response = create(
        api, support_engineer, {"service_record": record.pk, "lines": [part_line(board, "20000")]}
    )

    assert response.status_code == 201, response.content
    assert response.json()["repair_number"] == record.number
    assert response.json()["device"] == old_device.pk


def test_a_quote_names_one_repair(api, spares_keeper, rma, board):
    neither = create(api, spares_keeper, {"lines": [part_line(board, "1.00")]})

    assert neither.status_code == 422
    assert neither.json()["detail"][0]["loc"] == ["body", "rma"]


def test_an_rma_without_a_linked_device_cannot_be_judged_for_warranty(
    api, spares_keeper, org_a, board
):
    with time_machine.travel(T0, tick=False):
        rma = rma_create(
            organisation=org_a,
            products=[{"device_model": "未知型号", "serial": "X-1"}],
            actor=spares_keeper.user,
            **rma_form(),
        )

    response = create(api, spares_keeper, {"rma": rma.pk, "lines": [part_line(board, "1.00")]})

    assert response.status_code == 422
    assert "Link the faulty device" in response.json()["detail"][0]["msg"]


# --- send, accept, decline, order ---------------------------------------------------------------


def test_the_customers_contact_accepts_a_sent_quote_and_the_order_is_placed(
    api, spares_keeper, contact_of_a, rma, board
):
    quote = sent_quote(api, spares_keeper, rma, board)
    assert quote["status"] == "sent"

    with time_machine.travel(T0 + DAY, tick=False):
        response = api.post(f"{QUOTES}/{quote['id']}/accept", contact_of_a, {})

    assert response.status_code == 200, response.content
    accepted = response.json()
    assert accepted["status"] == "accepted"
    assert accepted["decided_by"] == contact_of_a.user.pk
    assert accepted["accepted_at"] == "2026-03-11T01:00:00Z"
    order = Order.objects.get()
    assert accepted["order_number"] == order.number == "ORD-2026-0001"
    assert order.ordered_by == contact_of_a.user
    assert order.total == 28000
    orders = api.get("/api/v1/orders", contact_of_a).json()
    assert [o["number"] for o in orders["items"]] == ["ORD-2026-0001"]
    assert orders["items"][0]["total"] == "28000.00"


def test_staff_record_the_customers_acceptance_with_who_and_when(
    api, spares_keeper, service_manager, rma, board
):
    quote = sent_quote(api, spares_keeper, rma, board)

    with time_machine.travel(T0 + DAY, tick=False):
        response = api.post(
            f"{QUOTES}/{quote['id']}/accept",
            service_manager,
            {"at": (T0 + 5 * HOUR).isoformat(), "note": "张伟来电确认接受报价"},
        )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["decided_by"] == service_manager.user.pk
    assert body["accepted_at"] == "2026-03-10T06:00:00Z"
    assert body["decision_note"] == "张伟来电确认接受报价"
    assert Order.objects.get().ordered_at == T0 + 5 * HOUR


def test_a_customer_cannot_backdate_their_own_answer_and_nothing_changes(
    api, spares_keeper, contact_of_a, rma, board
):
    quote = sent_quote(api, spares_keeper, rma, board)

    with time_machine.travel(T0 + DAY, tick=False):
        response = api.post(
            f"{QUOTES}/{quote['id']}/accept", contact_of_a, {"at": (T0 + HOUR).isoformat()}
        )

    assert response.status_code == 422
    assert "at" in response.content.decode()
    assert Quote.objects.get(pk=quote["id"]).accepted_at is None
    assert not Order.objects.exists()


def test_the_customer_may_decline_and_no_order_follows(
    api, spares_keeper, contact_of_a, rma, board
):
    quote = sent_quote(api, spares_keeper, rma, board)

    with time_machine.travel(T0 + DAY, tick=False):
        response = api.post(f"{QUOTES}/{quote['id']}/decline", contact_of_a, {"note": "预算不足"})

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert not Order.objects.exists()


def test_another_organisations_contact_cannot_accept_the_quote_it_is_not_found(
    api, spares_keeper, contact_of_b, rma, board
):
    quote = sent_quote(api, spares_keeper, rma, board)

    with time_machine.travel(T0 + DAY, tick=False):
        accept = api.post(f"{QUOTES}/{quote['id']}/accept", contact_of_b, {})
        decline = api.post(f"{QUOTES}/{quote['id']}/decline", contact_of_b, {})

    assert (accept.status_code, decline.status_code) == (404, 404)
    assert Quote.objects.get().status == "sent"
    assert not Order.objects.exists()


def test_a_draft_is_the_integrators_own_until_it_is_sent(
    api, spares_keeper, contact_of_a, rma, board
):
    draft = create(api, spares_keeper, {"rma": rma.pk, "lines": [part_line(board, "1.00")]}).json()

    assert api.get(QUOTES, contact_of_a).json()["count"] == 0
    assert api.get(f"{QUOTES}/{draft['id']}", contact_of_a).status_code == 404
    with time_machine.travel(T0 + DAY, tick=False):
        assert api.post(f"{QUOTES}/{draft['id']}/accept", contact_of_a, {}).status_code == 404


def test_a_decline_without_a_reason_answers_422_on_the_note_and_changes_nothing(
    api, spares_keeper, contact_of_a, rma, board
):
    quote = create(api, spares_keeper, {"rma": rma.pk, "lines": [part_line(board, "1.00")]}).json()
    with time_machine.travel(T0 + DAY, tick=False):
        api.post(f"{QUOTES}/{quote['id']}/send", spares_keeper, {})
        response = api.post(f"{QUOTES}/{quote['id']}/decline", contact_of_a, {"note": " "})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "note"]
    assert Quote.objects.get(pk=quote["id"]).declined_at is None


@pytest.mark.parametrize(
    ("steps", "action", "reason"),
    [
        ([], "accept", "draft: send it to the customer first"),
        (["send"], "send", "already sent"),
        (["send", "accept"], "accept", "already accepted"),
        (["send", "accept"], "decline", "already accepted"),
        (["send", "decline"], "accept", "already declined"),
    ],
)
def test_a_quote_that_cannot_move_so_answers_409(
    api, spares_keeper, rma, board, steps, action, reason
):
    quote = create(api, spares_keeper, {"rma": rma.pk, "lines": [part_line(board, "1.00")]}).json()
    url = f"{QUOTES}/{quote['id']}"
    with time_machine.travel(T0 + DAY, tick=False):
        for earlier in steps:
            answer = {"note": "客户电话告知"}
            assert api.post(f"{url}/{earlier}", spares_keeper, answer).status_code == 200
        orders = Order.objects.count()

        response = api.post(f"{url}/{action}", spares_keeper, {})

    assert response.status_code == 409
    assert reason in response.json()["detail"]
    assert Order.objects.count() == orders


@pytest.mark.parametrize("who", ["duty_officer", "field_engineer", "contact_of_a"])
def test_only_repair_staff_prepare_and_send_quotes(api, request, spares_keeper, rma, board, who):
    persona = request.getfixturevalue(who)
    draft = create(api, spares_keeper, {"rma": rma.pk, "lines": [part_line(board, "1.00")]}).json()

    created = create(api, persona, {"rma": rma.pk, "lines": [part_line(board, "1.00")]})
    with time_machine.travel(T0 + DAY, tick=False):
        sent = api.post(f"{QUOTES}/{draft['id']}/send", persona, {})

    assert created.status_code == 403
    assert sent.status_code in (403, 404)  # a customer contact does not see a draft at all
    assert Quote.objects.count() == 1


def test_a_decision_before_the_quote_was_sent_is_bad_input(api, spares_keeper, rma, board):
    quote = sent_quote(api, spares_keeper, rma, board)

    with time_machine.travel(T0 + DAY, tick=False):
        response = api.post(f"{QUOTES}/{quote['id']}/accept", spares_keeper, {"at": T0.isoformat()})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "at"]
    assert not Order.objects.exists()
