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
