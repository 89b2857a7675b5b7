"""Cancelling a spare request before it ships: the reservation is released through a stock
movement, the record's spare_cancelled event stops the spare clocks, and the reason is kept;
once shipped it is refused (409 in the API, a message on the pages)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from vcdesk.service.choices import EventType
from vcdesk.spares import services
from vcdesk.spares.choices import MovementKind, SpareRequestStatus
from vcdesk.spares.models import SpareRequest, StockMovement
from vcdesk.spares.tests.test_api import (
    API,
    a_part,
    everything,
    fields_in_error,
    open_record,
    stock_of,
    stocked_depots,
)

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # Tuesday 09:00 in Beijing
HOUR = dt.timedelta(hours=1)
REASON = "重启后恢复，不再需要备件"


@pytest.fixture(autouse=True)
def english(client):
    """Refusals are read in English: the services' and the API's and pages' answers."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def part(db):
    return a_part()


@pytest.fixture
def depots(part, spares_keeper):
    return stocked_depots(part, actor=spares_keeper.user)


@pytest.fixture
def spare(org_a, duty_officer, spares_keeper, part, depots) -> SpareRequest:
    """One unit reserved in Beijing at T0 for a record of a site in Beijing."""
    with time_machine.travel(T0, tick=False):
        record = open_record(org_a, city="北京", actor=duty_officer.user)
        return services.spare_request_create(
            service_record=record, part_model=part, actor=spares_keeper.user
        )


def cancel(spare, who, *, at=T0 + HOUR, reason=REASON):
    with time_machine.travel(at, tick=False):
        return services.spare_request_cancel(spare, reason=reason, actor=who.user)


def ship(spare, who, *, at=T0 + HOUR):
    with time_machine.travel(at, tick=False):
        return services.spare_request_ship(
            spare, carrier="顺丰速运", tracking_number="SF1", actor=who.user
        )


# --- the service -------------------------------------------------------------------------------


def test_cancelling_releases_the_reservation_through_a_movement_and_stops_the_spare_clocks(
    spare, spares_keeper, depots, part
):
    assert stock_of(depots["beijing"], part) == (2, 1)

    cancelled = cancel(spare, spares_keeper)

    assert cancelled.status == SpareRequestStatus.CANCELLED
    assert (cancelled.cancelled_at, cancelled.cancel_reason) == (T0 + HOUR, REASON)
    assert stock_of(depots["beijing"], part) == (2, 0)
    released = StockMovement.objects.get(reservation=spare.reservation, kind=MovementKind.RELEASED)
    assert (released.quantity, released.note, released.at) == (1, REASON, T0 + HOUR)
    assert cancelled.reservation.released_at == T0 + HOUR
    record = spare.service_record
    event = record.events.get(type=EventType.SPARE_CANCELLED)
    assert (event.note, event.at, event.actor) == (REASON, T0 + HOUR, spares_keeper.user)
    clocks = {c.kind: c for c in record.clocks.filter(kind__in=["spare_ship", "spare_arrival"])}
    assert {k: (c.cancelled_at, c.met_at) for k, c in clocks.items()} == {
        "spare_ship": (T0 + HOUR, None),
        "spare_arrival": (T0 + HOUR, None),
    }


def test_after_cancelling_another_spare_may_be_requested_for_the_record(spare, spares_keeper, part):
    cancel(spare, spares_keeper)

    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        again = services.spare_request_create(
            service_record=spare.service_record, part_model=part, actor=spares_keeper.user
        )

    assert again.status == SpareRequestStatus.RESERVED
    assert spare.service_record.clocks.filter(
        kind="spare_ship", cancelled_at__isnull=True, met_at__isnull=True
    ).exists()


def test_a_shipped_spare_cannot_be_cancelled_and_nothing_changes(spare, spares_keeper):
    ship(spare, spares_keeper)
    before = everything()

    with pytest.raises(services.SpareRequestRefused, match="already shipped"):
        cancel(spare, spares_keeper, at=T0 + 2 * HOUR)

    assert everything() == before


def test_a_spare_request_is_cancelled_once(spare, spares_keeper):
    cancel(spare, spares_keeper)
    before = everything()

    with pytest.raises(services.SpareRequestRefused, match="already cancelled"):
        cancel(spare, spares_keeper, at=T0 + 2 * HOUR)

    assert everything() == before


def test_a_cancelled_spare_cannot_ship(spare, spares_keeper):
    cancel(spare, spares_keeper)

    with pytest.raises(services.SpareRequestRefused):
        ship(spare, spares_keeper, at=T0 + 2 * HOUR)


def test_cancelling_needs_a_reason(spare, spares_keeper):
    before = everything()

    with pytest.raises(ValidationError) as refused:
        cancel(spare, spares_keeper, reason="   ")

    assert set(refused.value.message_dict) == {"reason"}
    assert everything() == before


# --- the API -----------------------------------------------------------------------------------


def api_cancel(api, who, spare, payload=None, *, at=T0 + HOUR):
    with time_machine.travel(at, tick=False):
        return api.post(
            f"{API}/spare-requests/{spare.pk}/cancel", who, payload or {"reason": REASON}
        )


def test_the_api_cancels_a_reserved_spare_and_answers_it_cancelled(
    api, spares_keeper, spare, depots, part
):
    response = api_cancel(api, spares_keeper, spare)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["cancel_reason"]) == ("cancelled", REASON)
    assert {c["kind"]: c["state"] for c in body["clocks"]} == {
        "spare_ship": "cancelled",
        "spare_arrival": "cancelled",
    }
    assert stock_of(depots["beijing"], part) == (2, 0)


def test_the_api_answers_409_once_the_spare_shipped_and_changes_nothing(api, spares_keeper, spare):
    ship(spare, spares_keeper)
    before = everything()

    response = api_cancel(api, spares_keeper, spare, at=T0 + 2 * HOUR)

    assert response.status_code == 409
    assert "already shipped" in response.json()["detail"]
    assert everything() == before


def test_the_api_answers_422_on_the_reason_when_it_is_missing(api, spares_keeper, spare):
    before = everything()

    response = api_cancel(api, spares_keeper, spare, {"reason": ""})

    assert response.status_code == 422
    assert fields_in_error(response) == {"reason"}
    assert everything() == before


@pytest.mark.parametrize(("who", "status"), [("duty_officer", 403), ("contact_of_a", 403)])
def test_only_spares_staff_cancel(api, request, spare, who, status):
    before = everything()

    assert api_cancel(api, request.getfixturevalue(who), spare).status_code == status
    assert everything() == before


def test_another_organisations_spare_answers_404(api, contact_of_b, spare):
    assert api_cancel(api, contact_of_b, spare).status_code == 404


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def keeper(client, spares_keeper):
    client.force_login(spares_keeper.user)
    return client


def test_the_requests_page_offers_cancelling_a_reserved_spare_with_a_reason(keeper, spare):
    with time_machine.travel(T0 + HOUR, tick=False):
        html = keeper.get("/spares/requests/").content.decode()

    row = html.split(f'data-request="{spare.pk}"', 1)[1].split("</tbody>", 1)[0]
    form = row.split('data-testid="cancel-spare"', 1)[1].split("</form>", 1)[0]
    assert f'action="/spares/requests/{spare.pk}/cancel/"' in form
    assert 'name="reason"' in form and "required" in form
    assert "confirm(" in form


def test_the_keeper_cancels_from_the_records_page_and_lands_back_on_it(keeper, spare):
    record_page = f"/service/{spare.service_record_id}/"
    with time_machine.travel(T0 + HOUR, tick=False):
        assert 'data-testid="cancel-spare"' in keeper.get(record_page).content.decode()
        response = keeper.post(
            f"/spares/requests/{spare.pk}/cancel/", {"reason": REASON, "next": record_page}
        )
        page = keeper.get(record_page).content.decode()

    assert (response.status_code, response["Location"]) == (302, record_page)
    spare.refresh_from_db()
    assert spare.status == SpareRequestStatus.CANCELLED
    section = page.split('data-testid="record-spares"', 1)[1].split("</section>", 1)[0]
    assert REASON in section
    assert 'data-testid="cancel-spare"' not in section


def test_a_cancel_without_a_reason_says_so_and_changes_nothing(keeper, spare):
    before = everything()

    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(f"/spares/requests/{spare.pk}/cancel/", {"reason": ""}, follow=True)

    assert "This field is required." in response.content.decode()
    assert everything() == before


def test_a_shipped_spare_offers_no_cancelling_and_a_forged_post_is_refused_with_the_reason(
    keeper, spares_keeper, spare
):
    ship(spare, spares_keeper)
    before = everything()

    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        html = keeper.get("/spares/requests/").content.decode()
        response = keeper.post(
            f"/spares/requests/{spare.pk}/cancel/", {"reason": REASON}, follow=True
        )

    row = html.split(f'data-request="{spare.pk}"', 1)[1].split("</tbody>", 1)[0]
    assert 'data-testid="cancel-spare"' not in row
    assert "already shipped" in response.content.decode()
    assert everything() == before


def test_a_next_address_off_the_site_is_not_followed(keeper, spare):
    with time_machine.travel(T0 + HOUR, tick=False):
        response = keeper.post(
            f"/spares/requests/{spare.pk}/cancel/",
            {"reason": REASON, "next": "https://evil.example/"},
        )

    assert response["Location"] == "/spares/requests/"
