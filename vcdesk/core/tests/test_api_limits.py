"""The API's bounds that keep every list and lookup cheap and every bad number a 422: a
list counts its matches up to 1,000 (1,001 says "more"), whatever the history holds."""

import pytest

from vcdesk.core.api import COUNT_LIMIT
from vcdesk.customers.choices import Industry
from vcdesk.customers.models import Organisation


def organisations(n: int, *, industry: str = Industry.OTHER) -> None:
    Organisation.objects.bulk_create(
        Organisation(name=f"{industry}-{i:05d}", industry=industry) for i in range(n)
    )


def test_a_list_with_more_than_a_thousand_matches_counts_1001(api, duty_officer, db):
    organisations(COUNT_LIMIT + 5)

    body = api.get("/api/v1/customers", duty_officer, limit=3).json()

    assert body["count"] == COUNT_LIMIT + 1 == 1001
    assert len(body["items"]) == 3


def test_a_list_with_at_most_a_thousand_matches_counts_them_exactly(api, duty_officer, db):
    before = Organisation.objects.count()
    organisations(COUNT_LIMIT - before)
    organisations(7, industry=Industry.FINANCE)

    everything = api.get("/api/v1/customers", duty_officer, limit=3).json()
    finance = api.get("/api/v1/customers", duty_officer, industry=Industry.FINANCE).json()

    assert everything["count"] == 1001  # 1,007 in all
    assert finance["count"] == Organisation.objects.filter(industry=Industry.FINANCE).count()
    assert finance["count"] >= 7


def test_exactly_a_thousand_matches_count_a_thousand(api, duty_officer, db):
    organisations(COUNT_LIMIT - Organisation.objects.count())

    assert api.get("/api/v1/customers", duty_officer).json()["count"] == 1000


def test_pages_past_the_counted_thousand_still_answer_their_items(api, duty_officer, db):
    organisations(COUNT_LIMIT + 20)
    total = Organisation.objects.count()

    body = api.get("/api/v1/customers", duty_officer, offset=total - 4, limit=10).json()

    assert body["count"] == 1001
    assert len(body["items"]) == 4


def paged_list_schemas(document: dict) -> dict[str, dict]:
    """Every list answer's schema in the OpenAPI document, by its operation id."""
    schemas = document["components"]["schemas"]
    found = {}
    for item in document["paths"].values():
        for operation in item.values():
            ref = (
                operation.get("responses", {})
                .get("200", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref", "")
            )
            schema = schemas.get(ref.rsplit("/", 1)[-1], {})
            if set(schema.get("properties", {})) == {"items", "count"}:
                found[operation["operationId"]] = schema
    return found


@pytest.mark.django_db
def test_the_openapi_document_says_every_lists_count_stops_at_1001(client):
    document = client.get("/api/v1/openapi.json").json()

    lists = paged_list_schemas(document)

    assert {"service_records_list", "customers_list", "devices_list"} <= set(lists)
    for schema in lists.values():
        count = schema["properties"]["count"]
        assert count["maximum"] == 1001
        assert "1,001 means more than 1,000" in count["description"]


# --- numbers beyond 64 bits: 422 naming the parameter, never a server error -----------------

BEYOND = [2**63, 2**64, -(2**63) - 1]


@pytest.mark.parametrize("number", BEYOND)
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/sites", "organisation"),
        ("/api/v1/devices", "organisation"),
        ("/api/v1/service-records", "organisation"),
    ],
)
def test_an_id_filter_beyond_64_bits_is_bad_input(api, duty_officer, path, parameter, number):
    response = api.get(path, duty_officer, **{parameter: number})

    assert response.status_code == 422, response.content
    assert any(parameter in error["loc"] for error in response.json()["detail"])


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/customers/{2**63}",
        f"/api/v1/devices/{2**64}",
        f"/api/v1/service-records/{2**63}",
        f"/api/v1/service-records/{2**64}/events",
    ],
)
def test_a_path_id_beyond_64_bits_is_bad_input(api, duty_officer, path):
    if path.endswith("/events"):
        response = api.post(path, duty_officer, {"type": "responded"})
    else:
        response = api.get(path, duty_officer)

    assert response.status_code == 422, response.content


def test_the_largest_64_bit_id_is_simply_not_found(api, duty_officer):
    assert api.get(f"/api/v1/customers/{2**63 - 1}", duty_officer).status_code == 404
    assert api.get(f"/api/v1/service-records/{2**63 - 1}", duty_officer).status_code == 404
    assert api.get("/api/v1/sites", duty_officer, organisation=2**63 - 1).json()["count"] == 0


@pytest.mark.parametrize("field", ["device", "engineer"])
def test_an_id_in_a_request_body_beyond_64_bits_is_bad_input(api, duty_officer, org_a, field):
    from vcdesk.assets.tests.factories import DeviceFactory

    device = DeviceFactory(site__organisation=org_a)
    if field == "device":
        response = api.post(
            "/api/v1/service-records",
            duty_officer,
            {
                "device": 2**64,
                "fault_class": "other",
                "description": "x",
                "caller_name": "王",
                "caller_phone": "1",
            },
        )
    else:
        record = api.post(
            "/api/v1/service-records",
            duty_officer,
            {
                "device": device.pk,
                "fault_class": "other",
                "description": "x",
                "caller_name": "王",
                "caller_phone": "1",
            },
        ).json()
        response = api.post(
            f"/api/v1/service-records/{record['id']}/events",
            duty_officer,
            {"type": "dispatched", "engineer": 2**64},
        )

    assert response.status_code == 422, response.content
    assert any(field in error["loc"] for error in response.json()["detail"])
