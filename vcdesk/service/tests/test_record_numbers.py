"""Service numbers (issue 3 item 2): `SR-YYYYMMDD-NNNN`, numbered per Beijing day of the reported
time, one after another, and never the same twice even when calls are opened at once."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.service.models import ServiceRecord
from vcdesk.service.tests.test_clock_rules import MINUTE, RECORDS, T0, Desk, beijing


@pytest.fixture
def desk(api, duty_officer) -> Desk:
    return Desk(api, duty_officer)


@pytest.fixture
def device(org_a):
    return DeviceFactory(site__organisation=org_a)


@pytest.mark.parametrize(
    ("reported", "number"),
    [
        pytest.param(beijing(2026, 3, 10, 9, 0), "SR-20260310-0001", id="a-morning-call"),
        pytest.param(
            dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC),
            "SR-20260310-0001",
            id="23h30-utc-is-the-next-beijing-day",
        ),
        pytest.param(beijing(2026, 3, 10, 23, 59, 59), "SR-20260310-0001", id="23h59-beijing"),
        pytest.param(beijing(2026, 3, 11, 0, 0), "SR-20260311-0001", id="midnight-beijing"),
    ],
)
def test_the_number_carries_the_beijing_date_of_the_reported_time(desk, device, reported, number):
    assert desk.open(device, now=reported)["number"] == number


def test_a_call_entered_after_midnight_is_numbered_by_the_day_it_was_reported(desk, device):
    record = desk.open(
        device, now=beijing(2026, 3, 11, 0, 10), reported_at="2026-03-10T23:50:00+08:00"
    )

    assert record["number"] == "SR-20260310-0001"


def test_numbers_follow_one_another_within_a_day_and_start_again_the_next_day(desk, device):
    first_day = [desk.open(device, now=T0 + n * MINUTE)["number"] for n in range(3)]
    next_day = [
        desk.open(device, now=T0 + dt.timedelta(days=1, minutes=n))["number"] for n in range(2)
    ]
    back_entered = desk.open(
        device, now=T0 + dt.timedelta(days=1, minutes=5), reported_at=T0.isoformat()
    )["number"]

    assert first_day == ["SR-20260310-0001", "SR-20260310-0002", "SR-20260310-0003"]
    assert next_day == ["SR-20260311-0001", "SR-20260311-0002"]
    assert back_entered == "SR-20260310-0004"


CALLS_AT_ONCE = 16


@pytest.mark.django_db(transaction=True)
def test_calls_opened_at_the_same_moment_get_different_numbers(device, duty_officer):
    """Each call on its own connection, all released together, as parallel web processes."""
    start = threading.Barrier(CALLS_AT_ONCE)
    answers: list[int] = []

    def call(index: int) -> None:
        try:
            start.wait()
            response = Client(raise_request_exception=False).post(
                RECORDS,
                {
                    "device": device.pk,
                    "fault_class": "port",
                    "description": f"第{index}路端口无信号",
                    "caller_name": "张伟",
                    "caller_phone": "13800001111",
                    "reported_at": T0.isoformat(),
                },
                content_type="application/json",
                **duty_officer.auth,
            )
            answers.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(CALLS_AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [201] * CALLS_AT_ONCE
    numbers = sorted(ServiceRecord.objects.values_list("number", flat=True))
    assert numbers == [f"SR-20260310-{n:04d}" for n in range(1, CALLS_AT_ONCE + 1)]
