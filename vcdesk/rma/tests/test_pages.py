"""The RMA and quote pages, persona by persona: the spares keeper files and advances RMAs and
prepares quotes; the customer contact reads their own and answers a sent quote."""

import re

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape

from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.rma import services
from vcdesk.rma.choices import RmaStatus
from vcdesk.rma.models import Order, Quote, Rma
from vcdesk.rma.tests.factories import (
    DAY,
    HOUR,
    T0,
    bonded_warehouse,
    device_of,
    file_rma,
    media_board,
    out_of_warranty_device,
    rma_form,
    stocked,
)
from vcdesk.service.services import service_record_open


def signed_in(who) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=who.user.username, password=PERSONA_PASSWORD)
    return client


def text_of(response) -> str:
    """The page's visible text, tags dropped and whitespace squeezed."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def keeper(spares_keeper) -> Client:
    return signed_in(spares_keeper)


@pytest.fixture
def rma(org_a, spares_keeper):
    return file_rma(out_of_warranty_device(org_a, serial="RMX2000-0042"), actor=spares_keeper.user)


# --- the list -------------------------------------------------------------------------------


def test_the_keeper_sees_rmas_by_status_and_the_faulty_units_owed_with_days_highlighted(
    keeper, spares_keeper, org_a
):
    board = media_board(serialised=True)
    bonded = stocked(
        bonded_warehouse(), board, serials=["M-1", "M-2", "M-3"], actor=spares_keeper.user
    )
    rmas = [file_rma(device_of(org_a), actor=spares_keeper.user) for _ in range(3)]
    for rma, shipped in zip(rmas, (T0, T0 + 10 * DAY, T0 + 19 * DAY), strict=True):
        with time_machine.travel(shipped, tick=False):
            services.rma_advance_replacement(
                rma, warehouse=bonded, part_model=board, actor=spares_keeper.user
            )

    with time_machine.travel(T0 + 20 * DAY, tick=False):
        response = keeper.get("/rma/")

    assert response.status_code == 200
    html = response.content.decode()
    owed = html.split('data-testid="owed"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr class="owed-(\w+)" data-rma="([^"]+)"', owed)
    assert rows == [("bad", rmas[0].number), ("warn", rmas[1].number), ("info", rmas[2].number)]
    assert re.findall(r'data-testid="owed-days">(\d+) days?<', owed) == ["20", "10", "1"]
    assert 'data-status="requested"' in html
    assert "3" in html.split('data-status="requested"', 1)[1].split("</a>", 1)[0]


def test_the_list_shows_one_status_at_a_time(keeper, spares_keeper, rma):
    with time_machine.travel(T0 + HOUR, tick=False):
        services.rma_event_add(rma, type="faulty_received", actor=spares_keeper.user)

    requested = keeper.get("/rma/", {"status": "requested"}).content.decode()
    received = keeper.get("/rma/", {"status": "faulty_received"}).content.decode()

    assert f'data-rma="{rma.number}"' not in requested
    assert f'data-rma="{rma.number}"' in received


# --- new and edit ---------------------------------------------------------------------------


def new_rma_post(org, **changes) -> dict:
    data = rma_form(
        organisation=org.pk,
        date="2026-03-10",
        product_model="Polycom RMX 2000",
        product_serial="RMX2000-0042",
        product_quantity=1,
    )
    return {**data, **changes}


def test_the_new_rma_form_shows_errors_next_to_the_fields_and_files_nothing(keeper, org_a):
    with time_machine.travel(T0, tick=False):
        response = keeper.post(
            "/rma/new/", new_rma_post(org_a, post_code="1000", consignee="", product_serial="")
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_post_code_error"' in html
    assert "A post code is six digits." in html
    assert 'id="id_consignee_error"' in html
    assert not Rma.objects.exists()


def test_a_unit_without_a_serial_is_refused_next_to_the_serial(keeper, org_a):
    with time_machine.travel(T0, tick=False):
        response = keeper.post(
            "/rma/new/", new_rma_post(org_a, product_model="RMX", product_serial="")
        )

    assert response.status_code == 200
    assert 'id="id_product_serial_error"' in response.content.decode()
    assert not Rma.objects.exists()


def test_the_keeper_files_an_rma_and_the_serial_links_the_device(keeper, org_a, spares_keeper):
    device = out_of_warranty_device(org_a, serial="RMX2000-0042")

    with time_machine.travel(T0, tick=False):
        response = keeper.post("/rma/new/", new_rma_post(org_a))

    rma = Rma.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/rma/{rma.pk}/"
    assert rma.filler == spares_keeper.user
    assert rma.products.get().device == device


def test_the_new_rma_form_is_prefilled_from_a_service_record(keeper, org_a, duty_officer):
    device = out_of_warranty_device(org_a, serial="RMX2000-0042")
    with time_machine.travel(T0, tick=False):
        record = service_record_open(
            device=device,
            fault_class="port",
            description="MCU 第 3 块媒体板端口无法呼通",
            caller_name="王强",
            caller_phone="13801010003",
            actor=duty_officer.user,
        )
        response = keeper.get("/rma/new/", {"record": record.pk})

    html = response.content.decode()
    assert record.number in html
    assert 'value="王强"' in html
    assert 'value="13801010003"' in html
    assert 'value="RMX2000-0042"' in html
    assert "MCU 第 3 块媒体板端口无法呼通" in html
    assert f'<option value="{org_a.pk}" selected>' in html

    with time_machine.travel(T0 + HOUR, tick=False):
        form = {
            "service_record": record.pk,
            "product_device": device.pk,
            **new_rma_post(org_a, contact_name="王强", phone="13801010003"),
        }
        keeper.post("/rma/new/", form)
    assert Rma.objects.get().service_record == record


def test_a_customer_contact_cannot_open_the_new_rma_form(org_a, contact_of_a):
    assert signed_in(contact_of_a).get("/rma/new/").status_code == 403


def test_cause_analysis_is_filled_in_later_on_the_edit_page(keeper, rma):
    data = {**rma_form(cause_and_measures="媒体板损坏，返厂更换"), "date": "2026-03-10"}
    with time_machine.travel(T0 + DAY, tick=False):
        response = keeper.post(f"/rma/{rma.pk}/edit/", data)

    assert response.status_code == 302
    rma.refresh_from_db()
    assert rma.cause_and_measures == "媒体板损坏，返厂更换"


# --- the RMA page ---------------------------------------------------------------------------


def test_the_rma_page_shows_the_forms_blocks_the_steps_and_the_pdf_link(keeper, rma):
    response = keeper.get(f"/rma/{rma.pk}/")

    text = text_of(response)
    html = response.content.decode()
    for words in ("Customer information", "Products under repair", "Replacement-part record"):
        assert words in text
    assert escape("北京市朝阳区建国路 98 号 12 层设备间") in html
    assert f'href="/rma/{rma.pk}/form.pdf"' in html
    next_buttons = re.findall(r'<button type="submit" name="type" value="(\w+)"', html)
    assert next_buttons == ["faulty_received"]


def test_the_next_step_is_recorded_from_its_button(keeper, rma):
    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(
            f"/rma/{rma.pk}/events/", {"type": "faulty_received", "note": "顺丰到件"}
        )

    assert response.status_code == 302
    rma.refresh_from_db()
    assert rma.status == RmaStatus.FAULTY_RECEIVED


def test_a_step_out_of_order_shows_the_reason_and_changes_nothing(keeper, rma):
    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(f"/rma/{rma.pk}/events/", {"type": "repaired"}, follow=True)

    assert "cannot come yet" in text_of(response)
    rma.refresh_from_db()
    assert rma.status == RmaStatus.REQUESTED
    assert rma.events.count() == 1


def test_the_keeper_ships_an_advance_replacement_from_the_page(keeper, spares_keeper, rma):
    board = media_board(serialised=True)
    bonded = stocked(bonded_warehouse(), board, serials=["M-1"], actor=spares_keeper.user)
    page = keeper.get(f"/rma/{rma.pk}/").content.decode()
    assert re.search(rf'<option value="{bonded.pk}" selected>', page)

    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(
            f"/rma/{rma.pk}/advance/", {"warehouse": bonded.pk, "part_model": board.pk}, follow=True
        )

    assert "the faulty unit is owed" in text_of(response)
    rma.refresh_from_db()
    assert rma.owed_since == T0 + HOUR
    assert rma.parts.get().serial == "M-1"


def test_the_customer_contact_reads_their_rma_without_any_buttons(contact_of_a, rma):
    client = signed_in(contact_of_a)
    html = client.get(f"/rma/{rma.pk}/").content.decode()

    assert rma.number in html
    assert 'name="type"' not in html
    assert f"/rma/{rma.pk}/advance/" not in html
    with time_machine.travel(T0 + HOUR, tick=False):
        assert client.post(f"/rma/{rma.pk}/events/", {"type": "faulty_received"}).status_code == 403


# --- quotes ---------------------------------------------------------------------------------


def quote_post(rma, *rows) -> dict:
    data = {
        "rma": rma.pk,
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "note": "",
    }
    for i, (part, quantity, price) in enumerate(rows):
        data |= {
            f"lines-{i}-part_model": part.pk,
            f"lines-{i}-quantity": quantity,
            f"lines-{i}-unit_price": price,
        }
    return data


def test_the_keeper_prepares_a_quote_with_parts_at_most_their_market_price(keeper, rma):
    board = media_board()

    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post("/quotes/new/", quote_post(rma, (board, 1, "28000.00")))

    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quotes/{quote.pk}/"
    assert [(line.kind, line.unit_price) for line in quote.lines.all()] == [
        ("part", 28000),
        ("labour", 0),
    ]


def test_a_price_above_the_market_price_is_shown_next_to_the_lines_price(keeper, rma):
    cheap, board = media_board(name="风扇", market_price="300.00"), media_board()

    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(
            "/quotes/new/", quote_post(rma, (cheap, 1, "300.00"), (board, 1, "28000.01"))
        )

    assert response.status_code == 200
    errors = re.findall(r'data-testid="price-error">([^<]+)<', response.content.decode())
    assert len(errors) == 1
    assert "Line 2" in errors[0] and "28000.00" in errors[0]
    assert not Quote.objects.exists()


def test_the_quote_page_says_so_when_the_device_is_in_warranty(keeper, org_a, spares_keeper):
    rma = file_rma(device_of(org_a), actor=spares_keeper.user)

    with time_machine.travel(T0 + HOUR, tick=False):
        html = keeper.get("/quotes/new/", {"rma": rma.pk}).content.decode()

    assert 'data-testid="in-warranty"' in html


def sent_quote(rma, actor) -> Quote:
    with time_machine.travel(T0 + HOUR, tick=False):
        line = {"kind": "part", "part_model": media_board().pk, "unit_price": "1000.00"}
        quote = services.quote_create(rma=rma, lines=[line], actor=actor)
        return services.quote_send(quote, actor=actor)


def test_the_customer_contact_accepts_a_sent_quote_on_its_page(contact_of_a, spares_keeper, rma):
    quote = sent_quote(rma, spares_keeper.user)
    client = signed_in(contact_of_a)
    assert 'data-testid="decide"' in client.get(f"/quotes/{quote.pk}/").content.decode()

    with time_machine.travel(T0 + DAY, tick=False):
        response = client.post(f"/quotes/{quote.pk}/accept/", follow=True)

    assert "the order is placed" in text_of(response)
    order = Order.objects.get()
    assert order.ordered_by == contact_of_a.user
    assert order.number in response.content.decode()


def test_the_customer_contact_declines_a_sent_quote_saying_why(contact_of_a, spares_keeper, rma):
    quote = sent_quote(rma, spares_keeper.user)
    client = signed_in(contact_of_a)
    page = client.get(f"/quotes/{quote.pk}/").content.decode()
    decline_form = page.split('data-testid="decline-form"', 1)[1].split("</form>", 1)[0]
    assert '<textarea id="decline-note" name="note"' in decline_form

    with time_machine.travel(T0 + DAY, tick=False):
        response = client.post(
            f"/quotes/{quote.pk}/decline/", {"note": "预算不足，明年再修"}, follow=True
        )

    quote.refresh_from_db()
    assert quote.declined_at == T0 + DAY
    assert (quote.decided_by, quote.decision_note) == (contact_of_a.user, "预算不足，明年再修")
    assert not Order.objects.exists()
    assert "Reason for declining 预算不足，明年再修" in text_of(response)


def test_a_decline_without_a_reason_is_refused_with_the_reason_and_changes_nothing(
    contact_of_a, spares_keeper, rma
):
    quote = sent_quote(rma, spares_keeper.user)

    with time_machine.travel(T0 + DAY, tick=False):
        response = signed_in(contact_of_a).post(
            f"/quotes/{quote.pk}/decline/", {"note": "  "}, follow=True
        )

    assert "Say why the quote is declined." in text_of(response)
    quote.refresh_from_db()
    assert quote.declined_at is None


def test_a_customer_contact_cannot_backdate_their_answer(contact_of_a, spares_keeper, rma):
    quote = sent_quote(rma, spares_keeper.user)

    with time_machine.travel(T0 + DAY, tick=False):
        signed_in(contact_of_a).post(
            f"/quotes/{quote.pk}/accept/", {"note": "好", "at": "2026-03-10T10:00"}
        )

    quote.refresh_from_db()
    assert quote.accepted_at == T0 + DAY


def test_a_customer_contact_cannot_send_a_quote_nor_see_a_draft(contact_of_a, spares_keeper, rma):
    with time_machine.travel(T0 + HOUR, tick=False):
        line = {"kind": "part", "part_model": media_board().pk, "unit_price": "1.00"}
        draft = services.quote_create(rma=rma, lines=[line], actor=spares_keeper.user)
    client = signed_in(contact_of_a)

    assert client.get(f"/quotes/{draft.pk}/").status_code == 404
    assert client.post(f"/quotes/{draft.pk}/send/").status_code == 404
    assert draft.number not in client.get("/quotes/").content.decode()


def test_staff_record_the_customers_answer_with_a_note(keeper, spares_keeper, rma):
    quote = sent_quote(rma, spares_keeper.user)

    with time_machine.travel(T0 + DAY, tick=False):
        keeper.post(
            f"/quotes/{quote.pk}/accept/", {"note": "张伟电话确认", "at": "2026-03-10T15:00"}
        )

    quote.refresh_from_db()
    assert quote.decision_note == "张伟电话确认"
    assert quote.accepted_at == T0 + 6 * HOUR  # 15:00 in Beijing
    assert quote.decided_by == spares_keeper.user
