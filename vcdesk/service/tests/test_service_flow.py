"""The hotline flow through the API: open, respond, dispatch, arrive, resolve, close."""

import datetime as dt

import time_machine

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing, a Tuesday


def clocks_by_kind(body):
    return {c["kind"]: c for c in body["clocks"]}


def test_a_node_down_call_runs_response_and_restore_clocks_then_closes(
    api, duty_officer, field_engineer, org_a
):
    device = DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=50))
    with time_machine.travel(T0, tick=False):
        created = api.post(
            "/api/v1/service-records",
            duty_officer,
            {
                "device": device.pk,
                "fault_class": "node_down",
                "description": "主会场MCU无法登录，所有会议中断",
                "caller_name": "张伟",
                "caller_phone": "13800001111",
            },
        )
    assert created.status_code == 201, created.content
    record = created.json()
    assert record["number"] == "SR-20260310-0001"
    clocks = clocks_by_kind(record)
    assert set(clocks) == {"response", "restore"}
    assert clocks["response"]["due_at"].startswith("2026-03-10T02:00")
    assert clocks["restore"]["due_at"].startswith("2026-03-11T01:00")
    url = f"/api/v1/service-records/{record['id']}/events"

    with time_machine.travel(T0 + dt.timedelta(minutes=20), tick=False):
        assert api.post(url, duty_officer, {"type": "responded"}).status_code == 201
        refused = api.post(url, duty_officer, {"type": "arrived"})
        assert refused.status_code == 409
        assert refused.json()["detail"]
        body = api.post(
            url, duty_officer, {"type": "dispatched", "engineer": field_engineer.user.pk}
        ).json()
    onsite = clocks_by_kind(body)["onsite"]
    assert onsite["due_at"].startswith("2026-03-10T03:10")  # +50 travel +60
    assert clocks_by_kind(body)["response"]["state"] == "met"

    with time_machine.travel(T0 + dt.timedelta(minutes=90), tick=False):
        body = api.post(url, field_engineer, {"type": "arrived"}).json()
        assert body["status"] == "on_site"
        body = api.post(url, field_engineer, {"type": "resolved", "note": "更换主控板"}).json()
        assert body["status"] == "resolved"
        body = api.post(url, duty_officer, {"type": "closed"}).json()
    states = {c["kind"]: c["state"] for c in body["clocks"]}
    assert states == {"response": "met", "restore": "met", "onsite": "met", "fix_on_site": "met"}
    assert body["status"] == "closed"
    assert api.post(url, duty_officer, {"type": "responded"}).status_code == 409


def test_customer_hold_pauses_onsite_and_moves_its_due_time(api, duty_officer, org_a):
    device = DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=30))
    with time_machine.travel(T0, tick=False):
        record = api.post(
            "/api/v1/service-records",
            duty_officer,
            {
                "device": device.pk,
                "fault_class": "congestion",
                "description": "会议卡顿",
                "caller_name": "李娜",
                "caller_phone": "13800002222",
            },
        ).json()
        url = f"/api/v1/service-records/{record['id']}/events"
        api.post(url, duty_officer, {"type": "remote_failed"})
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert api.post(url, duty_officer, {"type": "customer_hold"}).status_code == 422
        body = api.post(url, duty_officer, {"type": "customer_hold", "note": "会议室占用"}).json()
        assert clocks_by_kind(body)["onsite"]["state"] == "paused"
        assert clocks_by_kind(body)["response"]["state"] == "running"
    with time_machine.travel(T0 + dt.timedelta(minutes=70), tick=False):
        body = api.post(url, duty_officer, {"type": "customer_release"}).json()
    onsite = clocks_by_kind(body)["onsite"]
    assert onsite["held_minutes"] == 60
    assert onsite["due_at"].startswith("2026-03-10T03:30")  # 01:00 + 30 + 60 min + 60 held
    assert onsite["state"] == "running"


def test_the_first_support_engineer_to_act_becomes_the_records_support_staff(
    api, duty_officer, support_engineer, org_a
):
    device = DeviceFactory(site=SiteFactory(organisation=org_a))
    record = api.post(
        "/api/v1/service-records",
        duty_officer,
        {
            "device": device.pk,
            "fault_class": "software",
            "description": "终端无法注册",
            "caller_name": "王芳",
            "caller_phone": "13800003333",
        },
    ).json()
    assert record["duty_officer"] == duty_officer.user.pk
    assert record["support_staff"] is None
    url = f"/api/v1/service-records/{record['id']}/events"
    body = api.post(url, support_engineer, {"type": "responded"}).json()
    assert body["support_staff"] == support_engineer.user.pk
