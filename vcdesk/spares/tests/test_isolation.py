"""Organisation isolation of spares (issue 4): a customer contact sees the spare requests of
their own organisation's service records only — another organisation's answer 404, on the
API and the pages — may change none of them, and sees nothing of the warehouses' stock
(403)."""

import pytest
import time_machine

from vcdesk.service.tests.test_clock_rules import T0
from vcdesk.spares import services
from vcdesk.spares.tests.test_api import (
    API,
    HOUR,
    a_part,
    everything,
    open_record,
    request_spare,
    ship,
    stocked_depots,
)


@pytest.fixture
def part(db):
    return a_part()


@pytest.fixture
def depots(part, spares_keeper):
    return stocked_depots(part, actor=spares_keeper.user)


@pytest.fixture
def spares(org_a, org_b, duty_officer, spares_keeper, part, depots) -> dict:
    """A spare request on a record of organisation A and one on a record of B."""
    made = {}
    with time_machine.travel(T0, tick=False):
        for key, org in (("a", org_a), ("b", org_b)):
            record = open_record(org, actor=duty_officer.user)
            made[key] = services.spare_request_create(
                service_record=record, part_model=part, actor=spares_keeper.user
            )
    return made


def test_a_customer_contact_lists_only_their_own_organisations_spare_requests(
    api, contact_of_a, contact_of_b, spares
):
    mine = api.get(f"{API}/spare-requests", contact_of_a).json()
    assert [r["id"] for r in mine["items"]] == [spares["a"].pk]
    assert mine["count"] == 1
    theirs = api.get(f"{API}/spare-requests", contact_of_b).json()
    assert [r["id"] for r in theirs["items"]] == [spares["b"].pk]


def test_a_customer_contact_reads_their_own_spare_request_with_its_clocks(
    api, contact_of_a, spares
):
    response = api.get(f"{API}/spare-requests/{spares['a'].pk}", contact_of_a)

    assert response.status_code == 200
    assert {c["kind"] for c in response.json()["clocks"]} == {"spare_ship", "spare_arrival"}


def test_another_organisations_spare_request_answers_404_to_a_customer_contact(
    api, contact_of_a, spares
):
    other = spares["b"].pk
    before = everything()

    assert api.get(f"{API}/spare-requests/{other}", contact_of_a).status_code == 404
    assert ship(api, contact_of_a, other).status_code == 404
    assert api.post(f"{API}/spare-requests/{other}/arrive", contact_of_a, {}).status_code == 404
    filtered = api.get(
        f"{API}/spare-requests", contact_of_a, service_record=spares["b"].service_record_id
    )
    assert filtered.json()["count"] == 0
    assert everything() == before


def test_a_customer_contact_may_not_ship_their_own_spare_or_confirm_its_arrival(
    api, contact_of_a, spares
):
    mine = spares["a"].pk
    before = everything()

    assert ship(api, contact_of_a, mine).status_code == 403
    assert api.post(f"{API}/spare-requests/{mine}/arrive", contact_of_a, {}).status_code == 403
    assert everything() == before


def test_a_customer_contact_may_not_request_a_spare_even_for_their_own_record(
    api, contact_of_a, org_a, duty_officer, part, depots
):
    record = open_record(org_a, actor=duty_officer.user)
    before = everything()

    assert request_spare(api, contact_of_a, record, part, at=T0 + HOUR).status_code == 403
    assert everything() == before


def test_a_customer_contact_sees_nothing_of_the_warehouses_stock(
    api, contact_of_a, spares, part, depots
):
    record = spares["a"].service_record
    assert api.get(f"{API}/stock", contact_of_a).status_code == 403
    assert api.get(f"{API}/stock", contact_of_a, low="true").status_code == 403
    assert api.get(f"{API}/stock/movements", contact_of_a).status_code == 403
    proposal = api.get(
        f"{API}/spare-requests/proposal",
        contact_of_a,
        service_record=record.pk,
        part_model=part.pk,
    )
    assert proposal.status_code == 403
    before = everything()
    receive = {"warehouse": depots["beijing"].pk, "part_model": part.pk, "quantity": 5}
    assert api.post(f"{API}/stock/receive", contact_of_a, receive).status_code == 403
    transfer = {
        "from_warehouse": depots["beijing"].pk,
        "to_warehouse": depots["guangzhou"].pk,
        "part_model": part.pk,
        "quantity": 1,
    }
    assert api.post(f"{API}/stock/transfer", contact_of_a, transfer).status_code == 403
    assert everything() == before


@pytest.mark.parametrize(
    "url", ["/spares/", "/spares/requests/", "/spares/requests/new/?record={record}"]
)
def test_the_spares_pages_are_not_for_customer_contacts(client, contact_of_a, spares, url):
    client.force_login(contact_of_a.user)

    response = client.get(url.format(record=spares["a"].service_record_id))

    assert response.status_code == 403


def test_the_spares_pages_refuse_another_organisations_request_as_not_found(
    client, spares_keeper, contact_of_a, spares
):
    client.force_login(contact_of_a.user)
    payload = {"carrier": "顺丰速运", "tracking_number": "SF1"}

    response = client.post(f"/spares/requests/{spares['b'].pk}/ship/", payload)

    assert response.status_code in (403, 404)
    spares["b"].refresh_from_db()
    assert spares["b"].shipped_at is None
