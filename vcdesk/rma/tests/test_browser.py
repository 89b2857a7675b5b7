"""A real browser (Playwright driving Debian's Chromium): the spares keeper ships an advance
replacement, sees the faulty unit owed, and records it received; the customer's contact
accepts the quote in their portal."""

import pytest
from playwright.sync_api import expect

from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.core.tests.browser import sign_in
from vcdesk.rma import services
from vcdesk.rma.models import Order
from vcdesk.rma.tests.factories import (
    bonded_warehouse,
    file_rma,
    media_board,
    out_of_warranty_device,
    stocked,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_keeper_ships_ahead_and_the_owed_unit_clears_when_it_comes_in(
    page, spares_keeper, org_a
):
    board = media_board(serialised=True)
    bonded = stocked(bonded_warehouse(), board, serials=["MPM-001"], actor=spares_keeper.user)
    rma = file_rma(out_of_warranty_device(org_a), actor=spares_keeper.user, at=None)
    sign_in(page, spares_keeper.user.username, PERSONA_PASSWORD)

    page.goto(f"/rma/{rma.pk}/")
    form = page.get_by_test_id("advance-form")
    expect(form.locator("select[name=warehouse]")).to_have_value(str(bonded.pk))
    form.locator("select[name=part_model]").select_option(str(board.pk))
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("owed")).to_be_visible()
    expect(page.get_by_test_id("parts")).to_contain_text("MPM-001")

    page.goto("/rma/")
    expect(page.get_by_test_id("owed").locator(f"tr[data-rma='{rma.number}']")).to_be_visible()

    page.goto(f"/rma/{rma.pk}/")
    page.locator("li[data-step=faulty_received] button").click()
    expect(page.get_by_test_id("status")).to_have_text("已收到故障件")
    page.goto("/rma/")
    expect(page.get_by_test_id("owed")).to_have_count(0)


def sent_quote(organisation, keeper):
    """A quote of 26,500.00 for a repair of `organisation`'s device, sent to them now."""
    rma = file_rma(out_of_warranty_device(organisation), actor=keeper, at=None)
    line = {"kind": "part", "part_model": media_board().pk, "unit_price": "26500.00"}
    quote = services.quote_create(rma=rma, lines=[line], actor=keeper)
    return services.quote_send(quote, actor=keeper)


def test_the_customers_contact_accepts_a_quote_in_the_portal(
    page, spares_keeper, contact_of_a, org_a
):
    quote = sent_quote(org_a, spares_keeper.user)
    sign_in(page, contact_of_a.user.username, PERSONA_PASSWORD)

    page.goto("/quotes/")
    page.get_by_role("link", name=quote.number).click()
    expect(page.get_by_test_id("total")).to_contain_text("26500.00")
    page.once("dialog", lambda dialog: dialog.accept())  # "Accept this quote?"
    page.get_by_role("button", name="接受报价").click()

    expect(page.get_by_test_id("quote-status")).to_have_text("客户已接受")
    expect(page.get_by_test_id("order")).to_contain_text(Order.objects.get().number)
    page.goto("/orders/")
    expect(page.get_by_test_id("orders")).to_contain_text(quote.number)


def test_the_customers_contact_declines_a_quote_saying_why(
    page, spares_keeper, contact_of_a, org_a
):
    quote = sent_quote(org_a, spares_keeper.user)
    sign_in(page, contact_of_a.user.username, PERSONA_PASSWORD)
    page.goto(f"/quotes/{quote.pk}/")
    decline = page.get_by_test_id("decline-form")

    decline.get_by_role("button").click()  # no reason: the browser asks for one first
    expect(page.get_by_test_id("quote-status")).to_have_text("已发送客户")
    decline.get_by_label("拒绝原因（必填）").fill("预算不足")
    decline.get_by_role("button").click()

    expect(page.get_by_test_id("quote-status")).to_have_text("客户已拒绝")
    quote.refresh_from_db()
    assert quote.decision_note == "预算不足"
    assert not Order.objects.exists()
