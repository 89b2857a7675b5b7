"""Entitlement (R1.4, issue 2 item 5): what a device is owed on a date, at every boundary."""

import datetime as dt
from datetime import date, timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from vcdesk.accounts.choices import Role
from vcdesk.assets.models import DeviceModel
from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.contracts.entitlement import Charge, entitlement_on
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.core.testing import persona
from vcdesk.customers.tests.factories import SiteFactory

ACCEPTED_ON = date(2025, 3, 1)  # three years of warranty end on 1 March 2028


def entitlement(on: date, *, accepted_on=ACCEPTED_ON, warranty_years=3, repair_until=None):
    return entitlement_on(
        on=on, accepted_on=accepted_on, warranty_years=warranty_years, repair_until=repair_until
    )


# --- warranty -------------------------------------------------------------------------------


def test_the_acceptance_day_is_in_warranty_and_parts_are_free():
    owed = entitlement(ACCEPTED_ON)

    assert owed.in_warranty
    assert owed.warranty_ends_on == date(2028, 3, 1)
    assert owed.parts == Charge.FREE


def test_the_day_before_acceptance_is_not_in_warranty():
    owed = entitlement(ACCEPTED_ON - timedelta(days=1))

    assert not owed.in_warranty
    assert owed.parts == Charge.CHARGED_AT_MOST_MARKET_PRICE


def test_the_last_day_of_warranty_is_the_day_before_the_anniversary():
    # 2028 is a leap year: the last day is 29 February.
    owed = entitlement(date(2028, 2, 29))

    assert owed.in_warranty
    assert owed.parts == Charge.FREE


def test_the_anniversary_is_out_of_warranty_and_parts_are_charged_at_most_market_price():
    owed = entitlement(date(2028, 3, 1))

    assert not owed.in_warranty
    assert owed.warranty_ends_on == date(2028, 3, 1)
    assert owed.parts == Charge.CHARGED_AT_MOST_MARKET_PRICE


def test_accepted_on_29_february_the_warranty_ends_on_28_february():
    accepted_on = date(2024, 2, 29)

    last_day = entitlement(date(2027, 2, 27), accepted_on=accepted_on)
    end = entitlement(date(2027, 2, 28), accepted_on=accepted_on)

    assert end.warranty_ends_on == date(2027, 2, 28)
    assert last_day.in_warranty
    assert not end.in_warranty


def test_accepted_on_29_february_four_years_of_warranty_end_on_29_february():
    owed = entitlement(date(2028, 2, 28), accepted_on=date(2024, 2, 29), warranty_years=4)

    assert owed.warranty_ends_on == date(2028, 2, 29)
    assert owed.in_warranty


def test_labour_remote_support_and_upgrades_stay_free_in_and_after_warranty():
    for day in (ACCEPTED_ON, date(2028, 3, 1), date(2040, 1, 1)):
        owed = entitlement(day)
        assert (owed.labour, owed.remote_support, owed.upgrades) == (Charge.FREE,) * 3


# --- repair ---------------------------------------------------------------------------------


def test_repair_until_is_three_years_after_end_of_production():
    model = DeviceModel(vendor="Polycom", name="RMX 2000", end_of_production=date(2022, 6, 30))

    assert model.repair_until == date(2025, 6, 30)


def test_end_of_production_plus_three_years_is_the_last_day_repair_is_available():
    repair_until = DeviceModel(end_of_production=date(2022, 6, 30)).repair_until

    assert entitlement(date(2025, 6, 30), repair_until=repair_until).repair_available
    assert not entitlement(date(2025, 7, 1), repair_until=repair_until).repair_available


def test_end_of_production_on_29_february_repair_ends_on_28_february():
    repair_until = DeviceModel(end_of_production=date(2024, 2, 29)).repair_until

    assert repair_until == date(2027, 2, 28)
    assert not entitlement(date(2027, 3, 1), repair_until=repair_until).repair_available


def test_a_model_still_in_production_is_repaired_for_life():
    repair_until = DeviceModel(end_of_production=None).repair_until

    owed = entitlement(date(2099, 12, 31), repair_until=repair_until)

    assert owed.repair_until is None
    assert owed.repair_available


# --- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
years = st.integers(min_value=0, max_value=50)
repair_untils = st.none() | days


@given(on=days, accepted_on=days, warranty_years=years, repair_until=repair_untils)
def test_in_warranty_exactly_from_acceptance_until_the_day_before_warranty_ends(
    on, accepted_on, warranty_years, repair_until
):
    owed = entitlement_on(
        on=on, accepted_on=accepted_on, warranty_years=warranty_years, repair_until=repair_until
    )

    assert owed.in_warranty == (accepted_on <= on < owed.warranty_ends_on)
    assert (owed.parts == Charge.FREE) == owed.in_warranty
    assert owed.repair_available == (repair_until is None or on <= repair_until)
    assert owed.repair_until == repair_until
    assert (owed.labour, owed.remote_support, owed.upgrades) == (Charge.FREE,) * 3


@given(accepted_on=days, warranty_years=years)
def test_warranty_ends_in_the_anniversary_year_never_after_the_same_month_and_day(
    accepted_on, warranty_years
):
    ends = entitlement_on(
        on=accepted_on, accepted_on=accepted_on, warranty_years=warranty_years, repair_until=None
    ).warranty_ends_on

    assert ends.year == accepted_on.year + warranty_years
    assert (ends.month, ends.day) <= (accepted_on.month, accepted_on.day)
    if (accepted_on.month, accepted_on.day) != (2, 29):
        assert (ends.month, ends.day) == (accepted_on.month, accepted_on.day)
    else:
        assert ends.day in (28, 29)


@given(accepted_on=days, warranty_years=st.integers(min_value=1, max_value=50))
def test_a_warranty_of_whole_years_covers_the_acceptance_day_and_the_day_before_its_end(
    accepted_on, warranty_years
):
    ends = entitlement_on(
        on=accepted_on, accepted_on=accepted_on, warranty_years=warranty_years, repair_until=None
    ).warranty_ends_on

    for day, covered in ((accepted_on, True), (ends - timedelta(days=1), True), (ends, False)):
        owed = entitlement_on(
            on=day, accepted_on=accepted_on, warranty_years=warranty_years, repair_until=None
        )
        assert owed.in_warranty is covered


# --- GET /api/v1/devices/{id}/entitlement ---------------------------------------------------


@pytest.fixture
def device(db):
    return DeviceFactory(
        model=DeviceModelFactory(vendor="Huawei", name="TE40"),
        contract=ContractFactory(accepted_on=ACCEPTED_ON, warranty_years=3),
        site=SiteFactory(),
    )


def entitlement_url(device) -> str:
    return f"/api/v1/devices/{device.pk}/entitlement"


def test_the_api_answers_every_entitlement_field_on_the_last_day_of_warranty(
    api, duty_officer, device
):
    response = api.get(entitlement_url(device), duty_officer, on="2028-02-29")

    assert response.status_code == 200
    assert response.json() == {
        "in_warranty": True,
        "warranty_ends_on": "2028-03-01",
        "repair_until": None,
        "repair_available": True,
        "parts": "free",
        "labour": "free",
        "remote_support": "free",
        "upgrades": "free",
    }


def test_the_api_charges_parts_on_the_anniversary(api, duty_officer, device):
    response = api.get(entitlement_url(device), duty_officer, on="2028-03-01")

    assert response.json()["in_warranty"] is False
    assert response.json()["parts"] == "charged_at_most_market_price"
    assert response.json()["labour"] == "free"


def test_the_api_ends_repair_the_day_after_end_of_production_plus_three_years(
    api, duty_officer, device
):
    DeviceModel.objects.filter(pk=device.model_id).update(end_of_production=date(2026, 6, 30))

    last_day = api.get(entitlement_url(device), duty_officer, on="2029-06-30").json()
    day_after = api.get(entitlement_url(device), duty_officer, on="2029-07-01").json()

    assert last_day["repair_until"] == "2029-06-30"
    assert last_day["repair_available"] is True
    assert day_after["repair_available"] is False


def test_a_contract_without_free_upgrades_charges_for_upgrades(api, duty_officer, device):
    device.contract.free_upgrades = False
    device.contract.save()

    response = api.get(entitlement_url(device), duty_officer, on="2026-01-01")

    assert response.json()["upgrades"] == "charged"


SHANGHAI_1_MARCH_0030 = dt.datetime(2028, 2, 29, 16, 30, tzinfo=dt.UTC)
SHANGHAI_29_FEBRUARY_2330 = dt.datetime(2028, 2, 29, 15, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "now, in_warranty",
    [(SHANGHAI_29_FEBRUARY_2330, True), (SHANGHAI_1_MARCH_0030, False)],
    ids=["23:30 on the last day in Shanghai", "00:30 on the anniversary in Shanghai"],
)
def test_without_a_date_the_api_answers_for_today_in_shanghai(api, device, now, in_warranty):
    # Both moments are 29 February in UTC; only the Shanghai date tells them apart.
    with time_machine.travel(now, tick=False):
        officer = persona("night_duty", Role.DUTY_OFFICER)
        response = api.get(entitlement_url(device), officer)

    assert response.status_code == 200
    assert response.json()["in_warranty"] is in_warranty


@pytest.mark.parametrize("bad", ["2025-02-30", "tomorrow", "01/03/2028", "2028-13-01"])
def test_a_malformed_date_answers_422_naming_on(api, duty_officer, device, bad):
    response = api.get(entitlement_url(device), duty_officer, on=bad)

    assert response.status_code == 422
    assert any(error["loc"][-1] == "on" and error["msg"] for error in response.json()["detail"])


def test_the_entitlement_of_a_missing_device_answers_404(api, duty_officer, db):
    response = api.get("/api/v1/devices/999999/entitlement", duty_officer)

    assert response.status_code == 404
