"""A real browser (Playwright driving Debian's Chromium): a customer's contact books a meeting
assurance and sees the quota counted; a senior engineer checks in on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vcdesk.assurance import services
from vcdesk.assurance.models import Booking
from vcdesk.assurance.tests.factories import book, contract_with_sites, senior_engineer
from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local_minute(moment) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")


def test_a_customer_contact_books_a_meeting_and_sees_the_quota_counted(page, contact_of_a, org_a):
    contract, sites = contract_with_sites(org_a, n_sites=3, accepted_on=timezone.localdate())
    day = (timezone.now() + timedelta(days=7)).astimezone(BEIJING)
    starts = day.replace(hour=9, minute=0, second=0, microsecond=0)
    sign_in(page, contact_of_a.user.username, PERSONA_PASSWORD)

    page.get_by_role("link", name="会议保障", exact=True).click()
    expect(page.get_by_test_id("quota-used")).to_have_text("0")
    page.get_by_role("link", name="申请会议保障").click()
    page.get_by_label("会议名称").fill("全台年度工作会议")
    page.fill("input[name=starts_at]", local_minute(starts))
    page.fill("input[name=ends_at]", local_minute(starts - timedelta(hours=1)))
    page.get_by_label("特别重要").check()
    page.get_by_label(f"{sites[0].name} · {sites[0].city}").check()
    page.get_by_label(f"{sites[2].name} · {sites[2].city}").check()
    page.get_by_label("预计参会人数").fill("150")
    page.get_by_label("联系电话").fill("13800001111")
    page.get_by_role("button", name="提交申请").click()

    # Refused next to the field, nothing booked; the rest of the form is kept.
    expect(page.locator("#id_ends_at_error")).to_contain_text("晚于开始时间")
    assert not Booking.objects.exists()
    expect(page.get_by_label("会议名称")).to_have_value("全台年度工作会议")
    page.fill("input[name=ends_at]", local_minute(starts + timedelta(hours=3)))
    page.get_by_role("button", name="提交申请").click()

    expect(page.get_by_test_id("status")).to_have_text("已预约")
    expect(page.get_by_test_id("staffing")).to_contain_text("人员未配齐 0/2")
    booking = Booking.objects.get()
    assert (booking.title, booking.importance, booking.organisation) == (
        "全台年度工作会议",
        "critical",
        org_a,
    )
    assert sorted(s.pk for s in booking.sites.all()) == sorted([sites[0].pk, sites[2].pk])
    page.get_by_role("link", name="会议保障", exact=True).click()
    expect(page.get_by_test_id("quota-used")).to_have_text("1")
    expect(page.get_by_test_id("quota-included")).to_have_text("4")
    expect(page.get_by_test_id("bookings")).to_contain_text("全台年度工作会议")


def test_the_senior_engineer_checks_in_on_a_phone(phone_page, org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, n_sites=1, accepted_on=timezone.localdate())
    chen = senior_engineer("chen", full_name="陈志强")
    booking = book(
        contract,
        sites,
        actor=duty_officer.user,
        starts_at=timezone.now() + timedelta(hours=1),
        title="省委常委扩大会议",
    )
    services.booking_assign(booking, actor=duty_officer.user, engineers=[chen])
    sign_in(phone_page, "chen", PERSONA_PASSWORD)

    phone_page.goto("/assurance/mine/")
    phone_page.get_by_role("link", name="省委常委扩大会议").click()
    phone_page.get_by_role("button", name="会场签到").click()

    expect(phone_page.get_by_test_id("engineers")).to_contain_text("已签到")
    expect(phone_page.get_by_test_id("status")).to_have_text("保障中")
    assert booking.assignments.get().checked_in_at is not None


def test_on_a_phone_the_bookings_list_keeps_each_title_readable(phone_page, contact_of_a, org_a):
    contract, sites = contract_with_sites(org_a, n_sites=2, accepted_on=timezone.localdate())
    starts = timezone.now() + timedelta(days=3)
    for n in range(3):
        book(
            contract,
            sites,
            actor=contact_of_a.user,
            starts_at=starts + timedelta(days=n),
            title="党组理论学习中心组视频会",
            importance="critical",
        )
    sign_in(phone_page, contact_of_a.user.username, PERSONA_PASSWORD)

    phone_page.goto("/assurance/")

    title = phone_page.get_by_test_id("bookings").locator("td.title").first
    expect(title).to_be_visible()
    assert title.bounding_box()["width"] >= 110  # not one character per line
    expect(phone_page.get_by_role("columnheader", name="重要程度")).to_be_hidden()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_phone_the_reason_for_cancelling_stacks_above_its_button(
    phone_page, contact_of_a, org_a
):
    contract, sites = contract_with_sites(org_a, n_sites=2, accepted_on=timezone.localdate())
    starts = timezone.now() + timedelta(days=3)
    booking = book(contract, sites, actor=contact_of_a.user, starts_at=starts)
    sign_in(phone_page, contact_of_a.user.username, PERSONA_PASSWORD)

    phone_page.goto(f"/assurance/{booking.pk}/")

    form = phone_page.get_by_test_id("cancel-form")
    reason = form.get_by_label("取消原因").bounding_box()
    button = form.get_by_role("button", name="取消申请").bounding_box()
    change = phone_page.get_by_role("link", name="修改", exact=True).bounding_box()
    assert reason["width"] >= 340 and button["width"] >= 340  # across the page
    assert change["y"] + change["height"] <= reason["y"] < reason["y"] + reason["height"]
    assert reason["y"] + reason["height"] <= button["y"]
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    form.get_by_label("取消原因").fill("会议延期")
    form.get_by_role("button", name="取消申请").click()
    expect(phone_page.get_by_test_id("status")).to_have_text("已取消")
    booking.refresh_from_db()
    assert booking.cancel_reason == "会议延期"
