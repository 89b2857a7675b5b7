"""The number of queries a list answers with does not grow with the page size (issue 2,
"no query count that grows with the page size")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcdesk.assets.choices import DeviceKind
from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.customers.tests.factories import ContactFactory, SiteFactory

# Token and role (2), the count (1), the page (1).
QUERIES_PER_LIST = 4


@pytest.fixture
def installed_base(org_a, org_b):
    """105 devices of organisation A, spread over models, sites and contracts, and a few of B."""
    models = [
        DeviceModelFactory(vendor="Polycom", name="RMX 2000", kind=DeviceKind.MCU),
        DeviceModelFactory(vendor="Huawei", name="TE40", kind=DeviceKind.ENDPOINT),
        DeviceModelFactory(vendor="Cisco", name="Room Kit", kind=DeviceKind.ENDPOINT),
    ]
    for organisation, devices in ((org_a, 105), (org_b, 5)):
        sites = SiteFactory.create_batch(5, organisation=organisation)
        contracts = ContractFactory.create_batch(3, organisation=organisation)
        ContactFactory.create_batch(12, organisation=organisation)
        for index in range(devices):
            DeviceFactory(
                model=models[index % 3], site=sites[index % 5], contract=contracts[index % 3]
            )


def queries_for(api, who, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, who, **params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["duty_officer", "contact_of_a"])
def test_the_device_list_takes_as_many_queries_for_100_devices_as_for_5(
    api, installed_base, request, who
):
    persona = request.getfixturevalue(who)

    five = queries_for(api, persona, "/api/v1/devices", limit=5)
    hundred = queries_for(api, persona, "/api/v1/devices", limit=100)

    assert hundred == five <= QUERIES_PER_LIST


def test_a_filtered_device_list_takes_as_many_queries_for_100_devices_as_for_5(
    api, installed_base, duty_officer, django_assert_max_num_queries
):
    filters = {"kind": "endpoint", "in_warranty": "true"}

    five = queries_for(api, duty_officer, "/api/v1/devices", limit=5, **filters)
    with django_assert_max_num_queries(five):
        api.get("/api/v1/devices", duty_officer, limit=100, **filters)


@pytest.mark.parametrize(
    "resource", ["customers", "sites", "contacts", "device-models", "contracts"]
)
@pytest.mark.parametrize("who", ["duty_officer", "contact_of_a"])
def test_every_other_list_takes_as_many_queries_for_a_long_page_as_for_a_short_one(
    api, installed_base, request, who, resource
):
    persona = request.getfixturevalue(who)

    short = queries_for(api, persona, f"/api/v1/{resource}", limit=1)
    long = queries_for(api, persona, f"/api/v1/{resource}", limit=100)

    assert long == short <= QUERIES_PER_LIST


def test_deep_pages_answer_the_same_rows_as_shallow_ones(api, service_manager, monkeypatch):
    from vcdesk.assets.tests.factories import DeviceFactory
    from vcdesk.core import api as core_api

    DeviceFactory.create_batch(8)
    shallow = api.get("/api/v1/devices", service_manager, limit=3, offset=4).json()
    monkeypatch.setattr(core_api, "DEEP_OFFSET", 2)
    deep = api.get("/api/v1/devices", service_manager, limit=3, offset=4).json()
    assert deep == shallow
    assert [d["id"] for d in deep["items"]] == sorted(d["id"] for d in deep["items"])
    assert deep["count"] == 8
