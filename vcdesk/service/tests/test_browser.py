"""Real-browser tests of the hotline pages (Playwright driving Debian's Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.core.tests.browser import sign_in
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service import services
from vcdesk.service.choices import EventType, RecordStatus
from vcdesk.service.dispatch import dispatch_assign
from vcdesk.service.models import ServiceRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTDOWN = re.compile(r"^\d\d:\d\d$")


def open_record(device, *, actor, fault_class="congestion"):
    return services.service_record_open(
        device=device,
        fault_class=fault_class,
        description="会议画面卡顿",
        caller_name="李娜",
        caller_phone="13800002222",
        actor=actor,
    )


def test_duty_officer_takes_a_call_and_finds_the_record_at_the_top_of_the_queue(
    page, duty_officer, org_a
):
    site = SiteFactory(organisation=org_a, name="演播室机房", travel_minutes=50)
    rmx = DeviceModelFactory(vendor="Polycom", name="RMX 4000", kind="mcu")
    DeviceFactory(site=site, model=rmx, serial="82RMX4000A17")
    DeviceFactory.create_batch(3, site=site)
    # Already in the queue: an engineer is on the way, due in 3 hours.
    waiting = open_record(
        DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=120)),
        actor=duty_officer.user,
    )
    for event_type in (EventType.RESPONDED, EventType.REMOTE_FAILED):
        services.service_record_event_add(waiting, type=event_type, actor=duty_officer.user)

    sign_in(page, duty_officer.user.username, PERSONA_PASSWORD)
    page.goto("/service/new/")
    page.fill("#device-search", "4000A")
    result = page.locator("#device-results button.pick")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("82RMX4000A17")
    result.click()
    picked = page.get_by_test_id("picked-device")
    expect(picked).to_contain_text("82RMX4000A17")
    expect(picked.get_by_test_id("travel")).to_contain_text("50")
    expect(picked.get_by_test_id("warranty-badge")).to_be_visible()

    page.select_option("#id_fault_class", "node_down")
    expect(page.locator('.rule[data-rule="node_down"]')).to_be_visible()
    expect(page.locator('.rule[data-rule="port"]')).to_be_hidden()
    page.select_option("#id_fault_class", "port")
    expect(page.locator('.rule[data-rule="port"]')).to_be_visible()
    expect(page.locator('.rule[data-rule="node_down"]')).to_be_hidden()
    page.select_option("#id_fault_class", "node_down")
    page.fill("#id_description", "主会场MCU无法登录，所有会议中断")
    page.fill("#id_caller_name", "张伟")
    page.fill("#id_caller_phone", "13800001111")
    page.click("#intake-form button[type=submit]")

    page.wait_for_url(re.compile(r"/service/\d+/$"))
    record = ServiceRecord.objects.exclude(pk=waiting.pk).get()
    expect(page.get_by_test_id("record-number")).to_have_text(record.number)
    response_clock = page.locator('tr[data-clock="response"]')
    expect(response_clock.get_by_test_id("countdown")).to_have_text(COUNTDOWN)
    expect(page.locator('tr[data-clock="restore"]')).to_be_visible()

    page.goto("/service/")
    first = page.locator("#queue-rows tr").first
    expect(first).to_have_attribute("data-record", record.number)
    countdown = first.get_by_test_id("countdown")
    expect(countdown).to_have_text(re.compile(r"^(5\d:\d\d|01:00)$"))
    ticking = countdown.inner_text()
    expect(countdown).not_to_have_text(ticking)  # it counts down by itself
    expect(page.locator("#queue-rows tr").nth(1)).to_have_attribute("data-record", waiting.number)


def test_field_engineer_walks_a_job_through_on_a_phone(
    phone_page, duty_officer, field_engineer, org_a
):
    page = phone_page
    site = SiteFactory(organisation=org_a, name="一号会议室", address="北京市朝阳区建国路98号")
    record = open_record(DeviceFactory(site=site), actor=duty_officer.user, fault_class="port")
    dispatch_assign(record, engineer=field_engineer.user, actor=duty_officer.user)

    sign_in(page, field_engineer.user.username, PERSONA_PASSWORD)
    page.goto("/service/my-jobs/")
    job = page.get_by_test_id("job")
    expect(job).to_have_count(1)
    expect(job).to_contain_text(record.number)
    expect(job).to_contain_text("建国路98号")
    expect(job.get_by_test_id("countdown")).to_have_text(COUNTDOWN)
    # Made for a thumb: the page fits the phone and the button spans the card.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    accept = job.locator('form[action$="/accept/"] button')
    assert accept.bounding_box()["width"] > 300
    assert accept.bounding_box()["height"] >= 44

    accept.click()
    job.locator('form[action$="/set-out/"] button').click()
    job.locator('form[action$="/check-in/"] button').click()
    expect(job.locator("form.checkout textarea")).to_be_visible()
    job.locator("form.checkout button").click()  # no report yet
    expect(job.locator(".field-error")).to_be_visible()
    job.locator("form.checkout textarea").fill("更换端口板，会议恢复正常")
    job.locator("form.checkout input[type=checkbox]").check()
    job.locator("form.checkout button").click()

    expect(page.get_by_test_id("job")).to_have_count(0)
    record.refresh_from_db()
    assert record.status == RecordStatus.RESOLVED
    visit = record.dispatches.get()
    assert visit.accepted_at <= visit.set_out_at <= visit.arrived_at <= visit.departed_at
    assert visit.report == "更换端口板，会议恢复正常"
