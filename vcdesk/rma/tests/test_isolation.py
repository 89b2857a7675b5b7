"""Organisation isolation of RMAs, quotes and orders, in the API and on the pages: a customer
contact sees only their own organisation's, in list items and in `count`; another
organisation's answers 404 on read and on every change, and no filter widens the view. Staff
see every organisation."""

from dataclasses import dataclass

import pytest
import time_machine
from django.forms.models import model_to_dict

from vcdesk.rma import services
from vcdesk.rma.models import Order, Quote, Rma
from vcdesk.rma.tests.factories import (
    DAY,
    HOUR,
    T0,
    bonded_warehouse,
    file_rma,
    media_board,
    out_of_warranty_device,
    stocked,
)

STAFF = ["duty_officer", "support_engineer", "field_engineer", "spares_keeper", "service_manager"]


@dataclass
class Holdings:
    rma: Rma
    quote: Quote
    order: Order


def holdings_of(organisation, actor, board) -> Holdings:
    rma = file_rma(out_of_warranty_device(organisation), actor=actor)
    line = {"kind": "part", "part_model": board.pk, "unit_price": "100.00"}
    with time_machine.travel(T0 + HOUR, tick=False):
        quote = services.quote_create(rma=rma, lines=[line], actor=actor)
        services.quote_send(quote, actor=actor)
        order = services.quote_accept(quote, actor=actor, note="电话确认")
    return Holdings(rma=rma, quote=quote, order=order)


@pytest.fixture
def board():
    return media_board(serialised=True)


@pytest.fixture
def of_a(org_a, spares_keeper, board) -> Holdings:
    return holdings_of(org_a, spares_keeper.user, board)


@pytest.fixture
def of_b(org_b, spares_keeper, board) -> Holdings:
    return holdings_of(org_b, spares_keeper.user, board)


LISTS = {
    "rmas": lambda h: h.rma,
    "quotes": lambda h: h.quote,
    "orders": lambda h: h.order,
}


@pytest.mark.parametrize("resource", LISTS)
def test_a_customer_contact_lists_only_their_own_organisations(
    api, contact_of_a, of_a, of_b, resource
):
    body = api.get(f"/api/v1/{resource}", contact_of_a).json()

    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [LISTS[resource](of_a).pk]


@pytest.mark.parametrize("resource", LISTS)
def test_no_filter_widens_a_customer_contacts_view(api, contact_of_a, of_a, of_b, org_b, resource):
    body = api.get(f"/api/v1/{resource}", contact_of_a, organisation=org_b.pk).json()

    assert body == {"items": [], "count": 0}


@pytest.mark.parametrize("resource", LISTS)
def test_another_organisations_object_answers_404_and_their_own_200(
    api, contact_of_a, of_a, of_b, resource
):
    url = f"/api/v1/{resource}/{{}}"
    assert api.get(url.format(LISTS[resource](of_a).pk), contact_of_a).status_code == 200
    assert api.get(url.format(LISTS[resource](of_b).pk), contact_of_a).status_code == 404


@pytest.mark.parametrize("who", STAFF)
@pytest.mark.parametrize("resource", LISTS)
def test_staff_see_every_organisation(api, request, of_a, of_b, who, resource):
    body = api.get(f"/api/v1/{resource}", request.getfixturevalue(who)).json()

    assert body["count"] == 2


def everything_about(holdings: Holdings) -> tuple:
    rma, quote = Rma.objects.get(pk=holdings.rma.pk), Quote.objects.get(pk=holdings.quote.pk)
    return (
        model_to_dict(rma),
        rma.events.count(),
        rma.parts.count(),
        rma.products.count(),
        model_to_dict(quote),
        Order.objects.count(),
    )


def writes(holdings: Holdings, board, bonded) -> list[tuple[str, str, dict]]:
    rma, quote = holdings.rma.pk, holdings.quote.pk
    part_line = {"part_model": board.pk, "serial": "X"}
    return [
        ("patch", f"/api/v1/rmas/{rma}", {"post_code": "200000"}),
        ("post", f"/api/v1/rmas/{rma}/events", {"type": "faulty_received"}),
        (
            "post",
            f"/api/v1/rmas/{rma}/advance-replacement",
            {"warehouse": bonded.pk, "part_model": board.pk},
        ),
        ("post", f"/api/v1/rmas/{rma}/products", {"device_model": "X", "serial": "Y"}),
        ("post", f"/api/v1/rmas/{rma}/parts", part_line),
        ("post", f"/api/v1/quotes/{quote}/send", {}),
        ("post", f"/api/v1/quotes/{quote}/accept", {}),
        ("post", f"/api/v1/quotes/{quote}/decline", {}),
    ]


def test_every_change_to_another_organisations_objects_answers_404_and_changes_nothing(
    api, contact_of_a, spares_keeper, of_a, of_b, board
):
    bonded = stocked(bonded_warehouse(), board, serials=["MPM-9"], actor=spares_keeper.user)
    before = everything_about(of_b)

    with time_machine.travel(T0 + DAY, tick=False):
        for method, url, payload in writes(of_b, board, bonded):
            response = getattr(api, method)(url, contact_of_a, payload)
            assert response.status_code == 404, (method, url)

    assert everything_about(of_b) == before


# --- pages ----------------------------------------------------------------------------------


PAGES = {
    "/rma/{rma}/": "rma",
    "/rma/{rma}/form.pdf": "rma",
    "/quotes/{quote}/": "quote",
}


@pytest.mark.parametrize("page", PAGES)
def test_a_customer_contact_opens_their_own_pages_and_not_another_organisations(
    client, contact_of_a, of_a, of_b, page
):
    client.force_login(contact_of_a.user)
    own = page.format(rma=of_a.rma.pk, quote=of_a.quote.pk)
    other = page.format(rma=of_b.rma.pk, quote=of_b.quote.pk)

    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404


@pytest.mark.parametrize(
    ("page", "attr"), [("/rma/", "rma"), ("/quotes/", "quote"), ("/orders/", "order")]
)
def test_a_customer_contacts_lists_show_only_their_own(
    client, contact_of_a, of_a, of_b, page, attr
):
    client.force_login(contact_of_a.user)
    html = client.get(page, {"open": ""}).content.decode()

    assert getattr(of_a, attr).number in html
    assert getattr(of_b, attr).number not in html


@pytest.mark.parametrize("action", ["accept", "decline", "send"])
def test_answering_another_organisations_quote_on_its_page_answers_404_and_changes_nothing(
    client, contact_of_a, spares_keeper, org_b, board, action
):
    rma = file_rma(out_of_warranty_device(org_b), actor=spares_keeper.user)
    line = {"kind": "part", "part_model": board.pk, "unit_price": "100.00"}
    with time_machine.travel(T0 + HOUR, tick=False):
        quote = services.quote_create(rma=rma, lines=[line], actor=spares_keeper.user)
        services.quote_send(quote, actor=spares_keeper.user)
    client.force_login(contact_of_a.user)

    with time_machine.travel(T0 + DAY, tick=False):
        response = client.post(f"/quotes/{quote.pk}/{action}/", {"note": "不要"})

    assert response.status_code == 404
    quote.refresh_from_db()
    assert (quote.accepted_at, quote.declined_at) == (None, None)
    assert not Order.objects.exists()
