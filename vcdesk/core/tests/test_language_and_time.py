"""Chinese first, English one click away; times stored in UTC and shown in Beijing time."""

import datetime as dt

import time_machine
from django.test import Client

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.core.testing import PERSONA_PASSWORD


def signed_in(persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PERSONA_PASSWORD)
    return client


def test_pages_speak_chinese_by_default(duty_officer):
    body = signed_in(duty_officer).get("/devices/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "序列号" in body
    assert "Serial number" not in body


def test_the_language_switch_turns_pages_english_and_back(duty_officer):
    client = signed_in(duty_officer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/devices/"})
    assert response.status_code == 302
    body = client.get("/devices/").content.decode()
    assert "Serial number" in body
    assert "序列号" not in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/devices/"})
    assert "序列号" in client.get("/devices/").content.decode()


def test_api_reasons_follow_accept_language(api, service_manager, client):
    zh = api.post("/api/v1/sites", service_manager, {"name": "x"}).json()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    en = api.post(
        "/api/v1/sites",
        service_manager,
        {"organisation": 999999, "name": "x", "city": "北京", "travel_minutes": 10},
    )
    assert zh["detail"]
    assert en.status_code == 422
    assert en.json()["detail"][0]["msg"].isascii()


def test_change_history_is_stored_in_utc_and_shown_in_beijing_time(org_a, support_engineer):
    # 2026-03-01 17:30 UTC is 2026-03-02 01:30 in Beijing: the page must show the local day.
    with time_machine.travel(dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC), tick=False):
        device = DeviceFactory(site__organisation=org_a)
        device.history.update(history_date=dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC))
    body = signed_in(support_engineer).get(f"/devices/{device.pk}/").content.decode()
    assert "2026-03-02 01:30" in body


def test_every_page_names_its_icon_and_favicon_ico_leads_to_it(client, duty_officer):
    from vcdesk.core.testing import PERSONA_PASSWORD

    client.login(username=duty_officer.user.username, password=PERSONA_PASSWORD)
    page = client.get("/service/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("vcdesk/favicon.svg")
