"""Real-browser tests of the installed-base pages (Playwright driving Debian's Chromium)."""

import pytest
from playwright.sync_api import expect

from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.core.tests.browser import sign_in
from vcdesk.customers.tests.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_duty_officer_signs_in_and_finds_a_device_by_serial(page, duty_officer, org_a):
    site = SiteFactory(organisation=org_a, name="演播室机房")
    rmx = DeviceModelFactory(vendor="Polycom", name="RMX 4000", kind="mcu")
    DeviceFactory(site=site, model=rmx, serial="82RMX4000A17", firmware_version="8.7.5")
    DeviceFactory.create_batch(3, site=site)

    sign_in(page, duty_officer.user.username, PERSONA_PASSWORD)
    expect(page.locator("h1")).to_contain_text("设备")  # home: the installed base
    page.get_by_role("link", name="设备", exact=True).click()
    page.get_by_role("searchbox").fill("82RMX4000A17")
    page.get_by_role("searchbox").press("Enter")

    expect(page.locator("h1")).to_contain_text("RMX 4000")
    expect(page.locator("h1")).to_contain_text("82RMX4000A17")
    expect(page.get_by_test_id("warranty-badge")).to_be_visible()
    expect(page.get_by_text("演播室机房")).to_be_visible()


def test_partial_serial_lists_the_matching_devices(page, service_manager, org_a):
    site = SiteFactory(organisation=org_a)
    DeviceFactory(site=site, serial="FTT2101AAAA")
    DeviceFactory(site=site, serial="FTT2101BBBB")
    DeviceFactory(site=site, serial="210235XYZ")

    sign_in(page, service_manager.user.username, PERSONA_PASSWORD)
    page.goto("/devices/?q=FTT2101")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("warranty-badge")).to_be_visible()
