"""Real-browser tests of the spares keeper's pages (Playwright driving Debian's Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.core.tests.browser import sign_in
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.services import service_record_open
from vcdesk.spares import services
from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.models import SpareRequest
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTDOWN = re.compile(r"^\d\d:\d\d$")


@pytest.fixture
def spare(org_a, duty_officer, spares_keeper) -> SpareRequest:
    """A port board reserved in Wuhan for a record of a site in Wuhan."""
    rmx = DeviceModelFactory(vendor="Polycom", name="RMX 4000", kind="mcu")
    board = PartModelFactory(part_number="2215-28431-001", name="RMX 媒体处理板 MPMx-D")
    board.device_models.add(rmx)
    wuhan = WarehouseFactory(city="武汉")
    WarehouseFactory(name="Polycom 上海保税库", city="上海", kind=WarehouseKind.BONDED)
    services.stock_receive(warehouse=wuhan, part_model=board, quantity=3, actor=spares_keeper.user)
    site = SiteFactory(organisation=org_a, name="湖北省政府视频会议室", city="武汉")
    record = service_record_open(
        device=DeviceFactory(site=site, model=rmx),
        fault_class="port",
        description="MCU 端口板故障，部分会场无法入会",
        caller_name="张伟",
        caller_phone="13800001111",
        actor=duty_officer.user,
    )
    return services.spare_request_create(
        service_record=record, part_model=board, actor=spares_keeper.user
    )


def test_the_spares_keeper_ships_a_spare_and_the_records_spare_ship_clock_is_met(
    page, spares_keeper, spare
):
    record = spare.service_record

    sign_in(page, spares_keeper.user.username, PERSONA_PASSWORD)
    page.goto("/spares/requests/")
    row = page.locator(f'tbody[data-request="{spare.pk}"]')
    expect(row).to_contain_text(record.number)
    expect(row).to_contain_text("2215-28431-001")
    expect(row.get_by_test_id("countdown")).to_have_text(COUNTDOWN)

    form = row.locator("form.ship-form")
    other = form.locator("[data-other-carrier]")
    expect(other).to_be_hidden()
    form.locator("select[name=carrier]").select_option("other")
    expect(other).to_be_visible()  # a carrier not on the list can be named
    form.locator("select[name=carrier]").select_option("京东物流")
    expect(other).to_be_hidden()
    form.locator("input[name=tracking_number]").fill("JD0012345678")
    form.locator("button[type=submit]").click()

    expect(page.locator(".messages li")).to_contain_text("JD0012345678")
    row = page.locator(f'tbody[data-request="{spare.pk}"]')
    expect(row.get_by_test_id("spare-status")).to_have_text(re.compile(r"已发出|Shipped"))
    expect(row.get_by_test_id("shipment")).to_contain_text("京东物流 JD0012345678")
    expect(row.locator("form.ship-form")).to_have_count(0)
    # The step now owed is the arrival, due at the end of the 2nd working day.
    expect(row.get_by_test_id("countdown")).to_be_visible()

    page.goto(f"/service/{record.pk}/")
    ship_clock = page.locator('tr[data-clock="spare_ship"]')
    expect(ship_clock.get_by_test_id("clock-state")).to_have_text(re.compile(r"已达成|Met"))
    spare.refresh_from_db()
    assert (spare.carrier, spare.tracking_number) == ("京东物流", "JD0012345678")
    clock = record.clocks.get(kind="spare_ship")
    assert clock.met_at == spare.shipped_at


def test_a_ship_form_missing_the_tracking_number_says_so_and_ships_nothing(
    page, spares_keeper, spare
):
    sign_in(page, spares_keeper.user.username, PERSONA_PASSWORD)
    page.goto("/spares/requests/")
    form = page.locator(f'tbody[data-request="{spare.pk}"] form.ship-form')
    form.locator("button[type=submit]").click()

    form = page.locator(f'tbody[data-request="{spare.pk}"] form.ship-form')
    expect(form.locator(".field-error")).to_be_visible()
    spare.refresh_from_db()
    assert spare.shipped_at is None


def test_the_keeper_requests_a_spare_for_a_record_and_lands_back_on_it(
    page, org_a, duty_officer, spares_keeper, spare
):
    site = SiteFactory(organisation=org_a, name="第二会议室", city="上海")
    record = service_record_open(
        device=DeviceFactory(site=site, model=spare.service_record.device.model),
        fault_class="hot_swap_part",
        description="电源模块告警",
        caller_name="李娜",
        caller_phone="13900002222",
        actor=duty_officer.user,
    )

    sign_in(page, spares_keeper.user.username, PERSONA_PASSWORD)
    page.goto(f"/spares/requests/new/?record={record.pk}")
    expect(page.get_by_test_id("record")).to_contain_text(record.number)
    page.select_option("#id_part_model", str(spare.part_model_id))
    page.click("#part-form button[type=submit]")
    first = page.locator("table.candidates tbody tr").first
    expect(first).to_contain_text("武汉备件库")
    expect(first.locator("input[type=radio]")).to_be_checked()
    page.click("#confirm-form button[type=submit]")

    page.wait_for_url(re.compile(rf"/service/{record.pk}/$"))
    expect(page.locator('tr[data-clock="spare_ship"]')).to_be_visible()
    assert SpareRequest.objects.filter(service_record=record).count() == 1


def test_the_stock_and_requests_pages_fit_a_phone(phone_page, spares_keeper, spare):
    page = phone_page
    sign_in(page, spares_keeper.user.username, PERSONA_PASSWORD)

    for url in ("/spares/requests/", "/spares/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url

    page.goto("/spares/requests/")
    button = page.locator(f'tbody[data-request="{spare.pk}"] form.ship-form button')
    assert button.bounding_box()["width"] > 300


def test_the_keeper_cancels_a_spare_from_the_records_page_after_confirming(
    page, spares_keeper, spare
):
    record = spare.service_record
    sign_in(page, spares_keeper.user.username, PERSONA_PASSWORD)
    page.goto(f"/service/{record.pk}/")
    cancel = page.locator(f'tr[data-spare="{spare.pk}"]').get_by_test_id("cancel-spare")
    cancel.locator("summary").click()
    cancel.locator("input[name=reason]").fill("重启后恢复")
    dialogs = []

    def first_dismiss_then_accept(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", first_dismiss_then_accept)
    cancel.locator("button[type=submit]").click()
    spare.refresh_from_db()
    assert spare.cancelled_at is None  # dismissed: nothing happens

    cancel.locator("button[type=submit]").click()

    page.wait_for_url(re.compile(rf"/service/{record.pk}/$"))
    row = page.locator(f'tr[data-spare="{spare.pk}"]')
    expect(row.get_by_test_id("spare-status")).to_have_text(re.compile(r"已取消|Cancelled"))
    expect(row.get_by_test_id("cancel-reason")).to_contain_text("重启后恢复")
    assert len(dialogs) == 2
    spare.refresh_from_db()
    assert spare.cancel_reason == "重启后恢复"
    assert record.clocks.get(kind="spare_ship").cancelled_at == spare.cancelled_at
