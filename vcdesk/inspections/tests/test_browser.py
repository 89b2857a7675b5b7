"""A field engineer fills an MCU checklist on a phone (Playwright driving Debian's Chromium)."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.core.tests.browser import sign_in
from vcdesk.inspections.tests.factories import planned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "grey").save(buffer, format="JPEG")
    return buffer.getvalue()


def jump_to_the_mcu(page) -> None:
    """Pick the MCU in the list of sites and devices (the page goes there at once)."""
    option = page.locator("#unit-jump option", has_text="82RMX4000A17")
    page.select_option("#unit-jump", value=option.get_attribute("value"))


def test_a_field_engineer_fills_an_mcu_checklist_on_a_phone(phone_page, field_engineer, org_a):
    page = phone_page
    inspection = planned(org_a, engineer=field_engineer.user)

    sign_in(page, field_engineer.user.username, PERSONA_PASSWORD)
    page.goto("/inspections/?tab=mine")
    page.locator(f'tr[data-inspection="{inspection.number}"] a').first.click()
    expect(page.get_by_test_id("inspection-number")).to_have_text(inspection.number)
    start = page.get_by_test_id("start")
    assert start.bounding_box()["width"] > 300 and start.bounding_box()["height"] >= 44
    start.click()

    page.wait_for_url(re.compile(r"/checklist/"))
    expect(page.get_by_test_id("progress")).to_contain_text("0 / 17")
    jump_to_the_mcu(page)
    page.wait_for_url(re.compile(r"\?unit=\d+$"))
    expect(page.get_by_test_id("unit-title")).to_contain_text("82RMX4000A17")
    items = page.get_by_test_id("item")
    expect(items).to_have_count(5)
    expect(items.nth(0)).to_contain_text("查看错误日志")
    expect(items.nth(4)).to_contain_text("使用管理软件进行诊断")
    # Made for a thumb: the page fits the phone, every choice is a big target.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    for choice in items.nth(0).locator("label.choice").all():
        box = choice.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 90

    for index in range(4):
        items.nth(index).locator("label.choice-ok").click()
    diagnostics = items.nth(4)
    diagnostics.locator("label.choice-problem").click()
    diagnostics.locator("textarea").fill("RMX Manager 诊断：风扇 2 转速低")
    diagnostics.locator("input[type=file]").set_input_files(
        files=[{"name": "风扇告警.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    page.get_by_test_id("save").click()

    # On to the next part with unanswered items; the MCU's five are saved.
    page.wait_for_url(re.compile(r"\?unit=0$"))
    expect(page.get_by_test_id("progress")).to_contain_text("5 / 17")
    answers = {a.label_zh: a for a in inspection.answers.filter(device__serial="82RMX4000A17")}
    assert [a.result for a in answers.values()].count("ok") == 4
    problem = answers["使用管理软件进行诊断"]
    assert (problem.result, problem.note) == ("problem", "RMX Manager 诊断：风扇 2 转速低")
    assert problem.attachment_name == "风扇告警.jpg"

    jump_to_the_mcu(page)
    diagnostics = page.get_by_test_id("item").nth(4)
    expect(diagnostics.locator("input[value=problem]")).to_be_checked()
    expect(diagnostics.locator("a.attached img")).to_be_visible()
    diagnostics.get_by_role("link", name=re.compile("转售后服务记录")).click()
    expect(page.locator("#id_description")).to_have_value("RMX Manager 诊断：风扇 2 转速低")
