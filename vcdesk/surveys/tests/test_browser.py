"""A customer contact answers a survey on a phone (Playwright driving Debian's Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.core.tests.browser import sign_in
from vcdesk.surveys.models import SurveyAnswer, SurveyInvitation
from vcdesk.surveys.tests.factories import invite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contact_answers_a_survey_on_a_phone_from_the_portal(phone_page, org_a, contact_of_a):
    invitation = invite(org_a, at=None, contract_name="HT-2025-0007")
    page = phone_page

    sign_in(page, contact_of_a.user.username, PERSONA_PASSWORD)
    surveys = page.get_by_test_id("portal-surveys")
    expect(surveys).to_be_visible()
    surveys.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/surveys/{invitation.pk}/answer/$"))

    # Each item's six choices fit the phone's width: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    items = page.locator(".survey .item")
    expect(items).to_have_count(15)
    for index in range(15):
        item = items.nth(index)
        if item.get_attribute("data-item") == "user_manual":
            item.get_by_text("不适用").click()
        else:
            item.get_by_text("很满意").click()
    page.locator('[data-item="attitude"] summary').click()
    page.locator('[data-item="attitude"] textarea').fill("工程师非常耐心")
    page.fill("#overall_comments", "整体满意")
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_test_id("thanks")).to_be_visible()
    scores = dict(SurveyAnswer.objects.values_list("item__key", "score"))
    assert scores["user_manual"] is None
    assert set(scores.values()) == {5, None}
    assert SurveyAnswer.objects.get(item__key="attitude").comment == "工程师非常耐心"
    assert SurveyInvitation.objects.get().overall_comments == "整体满意"

    page.goto(f"/surveys/{invitation.pk}/answer/")
    expect(page.get_by_test_id("closed")).to_be_visible()
