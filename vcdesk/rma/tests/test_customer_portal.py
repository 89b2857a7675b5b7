"""The customer contact's side of RMAs, quotes and orders, in pages: their organisation's
RMAs with the steps taken so far and the printable form, the quotes sent to them with an
answer to give, and the orders their acceptances placed."""

import re

import pytest
import time_machine
from django.test import Client

from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.rma import services
from vcdesk.rma.choices import RmaStep
from vcdesk.rma.tests.factories import DAY, HOUR, T0, file_rma, media_board, out_of_warranty_device


def signed_in(who) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=who.user.username, password=PERSONA_PASSWORD)
    return client


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def rma(org_a, spares_keeper):
    return file_rma(out_of_warranty_device(org_a, serial="RMX2000-0042"), actor=spares_keeper.user)


def quote_for(rma, actor, *, send=True):
    line = {"kind": "part", "part_model": media_board().pk, "unit_price": "1000.00"}
    with time_machine.travel(T0 + HOUR, tick=False):
        quote = services.quote_create(rma=rma, lines=[line], actor=actor)
        return services.quote_send(quote, actor=actor) if send else quote


def test_the_customer_follows_their_rmas_steps_with_times_and_prints_the_form(
    contact_of_a, spares_keeper, rma
):
    with time_machine.travel(T0 + DAY, tick=False):
        services.rma_event_add(rma, type=RmaStep.FAULTY_RECEIVED, actor=spares_keeper.user)
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        services.rma_event_add(
            rma, type=RmaStep.SENT_TO_VENDOR, note="DHL 1234", actor=spares_keeper.user
        )
    client = signed_in(contact_of_a)

    listed = client.get("/rma/").content.decode()
    html = client.get(f"/rma/{rma.pk}/").content.decode()
    pdf = client.get(f"/rma/{rma.pk}/form.pdf")

    row = listed.split(f'data-rma="{rma.number}"', 1)[1].split("</tr>", 1)[0]
    assert "Sent to the vendor" in text_of(row)
    done = re.findall(r'<li class="done" data-step="(\w+)">\s*<b>[^<]+</b>\s*<time>([^<]+)', html)
    assert done == [
        ("requested", "2026-03-10 09:00"),
        ("faulty_received", "2026-03-11 09:00"),
        ("sent_to_vendor", "2026-03-12 09:00"),
    ]
    assert "Sent to the vendor — DHL 1234" in text_of(html)
    assert f'href="/rma/{rma.pk}/form.pdf"' in html
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")


def test_the_customer_sees_a_sent_quote_with_both_answers_and_no_staff_fields(
    contact_of_a, spares_keeper, rma
):
    quote = quote_for(rma, spares_keeper.user)
    client = signed_in(contact_of_a)

    listed = client.get("/quotes/").content.decode()
    html = client.get(f"/quotes/{quote.pk}/").content.decode()

    assert f'data-quote="{quote.number}"' in listed
    decide = html.split('data-testid="decide"', 1)[1].split("</section>", 1)[0]
    assert f'action="/quotes/{quote.pk}/accept/"' in decide
    assert f'action="/quotes/{quote.pk}/decline/"' in decide
    assert 'name="at"' not in decide  # the customer answers now, not for another time
    assert "Why do you decline? (required)" in text_of(decide)


def test_an_accepted_quote_lists_its_order_on_the_customers_orders_page(
    contact_of_a, spares_keeper, rma
):
    quote = quote_for(rma, spares_keeper.user)
    client = signed_in(contact_of_a)
    with time_machine.travel(T0 + DAY, tick=False):
        client.post(f"/quotes/{quote.pk}/accept/")
    order = quote.order

    html = client.get("/orders/").content.decode()

    row = html.split(f'data-order="{order.number}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/quotes/{quote.pk}/"' in row
    assert "2026-03-11 09:00" in row
    assert "1,000.00" in row
    assert 'name="organisation"' not in html  # one organisation: nothing to choose
    assert 'href="/orders/"' in client.get("/quotes/").content.decode()


def test_a_customer_without_orders_is_told_so(contact_of_a):
    assert "No orders." in text_of(signed_in(contact_of_a).get("/orders/").content.decode())
