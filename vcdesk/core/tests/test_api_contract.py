"""The API contract of issue 2 item 7: tokens, field names, lists and filters, bad input,
who may write what, accounts, history and the OpenAPI document."""

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.forms.models import model_to_dict

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.contracts.models import Contract
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.core.testing import PERSONA_PASSWORD, Persona, persona, persona_of
from vcdesk.customers.choices import Industry
from vcdesk.customers.models import Contact, Organisation, Site
from vcdesk.customers.tests.factories import ContactFactory, OrganisationFactory, SiteFactory

RESOURCES = ["customers", "sites", "contacts", "device-models", "devices", "contracts"]
MODELS = {
    "customers": Organisation,
    "sites": Site,
    "contacts": Contact,
    "device-models": DeviceModel,
    "devices": Device,
    "contracts": Contract,
}

# Issue 2 item 7, word for word; every object also answers with its `id`.
ISSUE_FIELDS = {
    "customers": {"name", "short_name", "industry", "address"},
    "sites": {"organisation", "name", "city", "address", "travel_minutes"},
    "contacts": {"organisation", "name", "phone", "fax", "email", "role"},
    "device-models": {"vendor", "name", "kind", "end_of_production"},
    "devices": {
        "model",
        "serial",
        "site",
        "contract",
        "firmware_version",
        "installed_on",
        "status",
    },
    "contracts": {
        "number",
        "organisation",
        "signed_on",
        "accepted_on",
        "warranty_years",
        "inspections_per_year",
        "assurance_visits_per_year",
        "free_upgrades",
    },
}
# What the API answers beyond the issue's list, on purpose: a device's organisation (for
# lists that span sites), and a contract's derived warranty end and its service levels
# (issue 2 item 4).
EXTRA_FIELDS = {
    "devices": {"organisation"},
    "contracts": {
        "warranty_ends_on",
        "response_minutes",
        "onsite_extra_minutes",
        "fix_on_site_minutes",
        "spare_ship_hours",
        "spare_arrival_working_days",
        "restore_hours",
    },
}

STAFF = ["duty_officer", "support_engineer", "field_engineer", "spares_keeper", "service_manager"]
EVERYONE = [*STAFF, "contact_of_a"]

# Who may create and change each resource.
WRITERS = {
    "customers": {"support_engineer", "service_manager"},
    "sites": {"support_engineer", "service_manager"},
    "contacts": {"duty_officer", "support_engineer", "service_manager"},
    "device-models": {"support_engineer", "service_manager"},
    "devices": {"support_engineer", "service_manager"},
    "contracts": {"service_manager"},
}


@dataclass
class World:
    """Organisation A's installed base, and organisation B with a contract of its own."""

    organisation: Organisation
    site: Site
    contact: Contact
    device_model: DeviceModel
    contract: Contract
    device: Device
    other_organisation: Organisation
    other_site: Site
    other_contract: Contract

    def of(self, resource: str):
        return {
            "customers": self.organisation,
            "sites": self.site,
            "contacts": self.contact,
            "device-models": self.device_model,
            "devices": self.device,
            "contracts": self.contract,
        }[resource]


@pytest.fixture
def world(org_a, org_b) -> World:
    site = SiteFactory(organisation=org_a, name="一号演播室")
    contract = ContractFactory(organisation=org_a, number="HT-2025-A")
    device_model = DeviceModelFactory(vendor="Polycom", name="RMX 2000", kind=DeviceKind.MCU)
    return World(
        organisation=org_a,
        site=site,
        contact=ContactFactory(organisation=org_a),
        device_model=device_model,
        contract=contract,
        device=DeviceFactory(model=device_model, site=site, contract=contract, serial="RMX-0001"),
        other_organisation=org_b,
        other_site=SiteFactory(organisation=org_b),
        other_contract=ContractFactory(organisation=org_b, number="HT-2025-B"),
    )


def valid_payload(resource: str, w: World) -> dict:
    return {
        "customers": {
            "name": "成都市人民政府",
            "short_name": "成都市政府",
            "industry": "government",
            "address": "成都市锦城大道",
        },
        "sites": {
            "organisation": w.organisation.pk,
            "name": "三号会议室",
            "city": "北京",
            "address": "复兴门外大街",
            "travel_minutes": 40,
        },
        "contacts": {
            "organisation": w.organisation.pk,
            "name": "王工",
            "phone": "13900000000",
            "fax": "010-88880000",
            "email": "wang@example.com",
            "role": "IT",
        },
        "device-models": {
            "vendor": "Cisco",
            "name": "TelePresence SX80",
            "kind": "endpoint",
            "end_of_production": None,
        },
        "devices": {
            "model": w.device_model.pk,
            "serial": "RMX-0002",
            "site": w.site.pk,
            "contract": w.contract.pk,
            "firmware_version": "8.1.2",
            "installed_on": "2025-03-01",
            "status": "active",
        },
        "contracts": {
            "number": "HT-2026-0001",
            "organisation": w.organisation.pk,
            "signed_on": "2026-01-05",
            "accepted_on": "2026-02-01",
            "warranty_years": 3,
            "inspections_per_year": 1,
            "assurance_visits_per_year": 4,
            "free_upgrades": True,
        },
        "users": {
            "username": "new_engineer",
            "password": "Tele-presence-2026",
            "full_name": "新工程师",
            "role": "field_engineer",
        },
    }[resource]


# A change each resource accepts from someone allowed to make it.
VALID_CHANGES = {
    "customers": {"address": "北京市西城区"},
    "sites": {"travel_minutes": 90},
    "contacts": {"phone": "02100000000"},
    "device-models": {"end_of_production": "2026-06-30"},
    "devices": {"firmware_version": "8.2.0"},
    "contracts": {"inspections_per_year": 2},
}


def row_counts() -> dict[str, int]:
    """Rows of every business table and its history, and group memberships."""
    counts = {
        model._meta.label: model._default_manager.count()
        for label in ("customers", "assets", "contracts", "accounts")
        for model in apps.get_app_config(label).get_models()
    }
    counts["user groups"] = User.groups.through.objects.count()
    return counts


def errors_name(response, field: str) -> bool:
    """The answer says what is wrong with `field`."""
    return any(
        field in error["loc"] and isinstance(error["msg"], str) and error["msg"]
        for error in response.json()["detail"]
    )


parametrize_resources = pytest.mark.parametrize("resource", RESOURCES)


# --- tokens ---------------------------------------------------------------------------------


def test_a_username_and_password_get_a_bearer_token_that_opens_the_api(api, duty_officer):
    response = api.post(
        "/api/v1/auth/token", None, {"username": "duty", "password": PERSONA_PASSWORD}
    )

    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    bearer = Persona(user=duty_officer.user, token=response.json()["token"])
    assert api.get("/api/v1/customers", bearer).status_code == 200


@pytest.mark.parametrize(
    "username, password",
    [("duty", "wrong-password"), ("nobody", PERSONA_PASSWORD), ("duty", "")],
    ids=["wrong password", "unknown user", "empty password"],
)
def test_wrong_credentials_get_401_and_no_token(api, duty_officer, username, password):
    response = api.post("/api/v1/auth/token", None, {"username": username, "password": password})

    assert response.status_code == 401
    assert "token" not in response.json()


def test_a_deactivated_user_gets_no_token(api, duty_officer):
    User.objects.filter(pk=duty_officer.user.pk).update(is_active=False)

    response = api.post(
        "/api/v1/auth/token", None, {"username": "duty", "password": PERSONA_PASSWORD}
    )

    assert response.status_code == 401


@pytest.fixture
def bad_credentials(duty_officer) -> dict[str, dict[str, str]]:
    expired = persona_of(duty_officer.user, valid_for=-timedelta(seconds=1))
    deactivated = persona_of(User.objects.create_user(username="gone", is_active=False))
    return {
        "no token": {},
        "a made-up token": {"HTTP_AUTHORIZATION": "Bearer not-a-token"},
        "an expired token": expired.auth,
        "a deactivated user's token": deactivated.auth,
        "a token without the Bearer scheme": {"HTTP_AUTHORIZATION": duty_officer.token},
    }


CREDENTIAL_KINDS = [
    "no token",
    "a made-up token",
    "an expired token",
    "a deactivated user's token",
    "a token without the Bearer scheme",
]


def operations(w: World) -> list[tuple[str, str]]:
    """Every operation of issue 2, with the ids of objects that exist."""
    result = [("POST", "/api/v1/users")]
    for resource in RESOURCES:
        pk = w.of(resource).pk
        result += [
            ("GET", f"/api/v1/{resource}"),
            ("POST", f"/api/v1/{resource}"),
            ("GET", f"/api/v1/{resource}/{pk}"),
            ("PATCH", f"/api/v1/{resource}/{pk}"),
        ]
    return [*result, ("GET", f"/api/v1/devices/{w.device.pk}/entitlement")]


@pytest.mark.parametrize("kind", CREDENTIAL_KINDS)
def test_every_endpoint_answers_401_without_a_valid_token(client, world, bad_credentials, kind):
    before = row_counts()

    for method, url in operations(world):
        response = client.generic(method, url, "{}", "application/json", **bad_credentials[kind])
        assert response.status_code == 401, (method, url)

    assert row_counts() == before


def test_every_operation_in_the_openapi_document_except_the_token_demands_a_token(client, world):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for path, methods in paths.items():
        if path == "/api/v1/auth/token":
            continue
        url = re.sub(r"\{[^}]+\}", str(world.device.pk), path)
        for method in methods:
            response = client.generic(method.upper(), url, "{}", "application/json")
            assert response.status_code == 401, (method, path)


def test_the_openapi_document_lists_every_path_and_method(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/v1/auth/token": {"post"},
        "/api/v1/users": {"post"},
        "/api/v1/devices/{device_id}/entitlement": {"get"},
    }
    for resource in RESOURCES:
        expected[f"/api/v1/{resource}"] = {"get", "post"}
        expected[f"/api/v1/{resource}/{{obj_id}}"] = {"get", "patch"}
    for path, methods in expected.items():
        assert path in paths
        assert methods <= set(paths[path])


def test_no_two_schemas_of_the_api_share_a_name(client, db):
    """The OpenAPI document names each body and answer schema by its class name; two
    classes of one name would silently document one endpoint with the other's fields."""
    from ninja import Schema

    import vcdesk.api  # noqa: F401  (every app's schemas are defined once it is imported)
    from vcdesk.core.api import Input

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    documented = set(client.get("/api/v1/openapi.json").json()["components"]["schemas"])
    by_name: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls is Input:  # the base of every body, never one itself
            continue
        if cls.__module__.startswith("vcdesk.") and cls.__name__ in documented:
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: places for name, places in by_name.items() if len(places) > 1} == {}


# --- field names ----------------------------------------------------------------------------


@parametrize_resources
def test_every_object_answers_with_its_id_and_the_issues_field_names(
    api, world, duty_officer, resource
):
    expected = {"id"} | ISSUE_FIELDS[resource] | EXTRA_FIELDS.get(resource, set())

    one = api.get(f"/api/v1/{resource}/{world.of(resource).pk}", duty_officer).json()
    listed = api.get(f"/api/v1/{resource}", duty_officer).json()["items"]

    assert set(one) == expected
    assert all(set(item) == expected for item in listed)
    assert one["id"] == world.of(resource).pk


def test_references_are_ids(api, world, duty_officer):
    device = api.get(f"/api/v1/devices/{world.device.pk}", duty_officer).json()
    site = api.get(f"/api/v1/sites/{world.site.pk}", duty_officer).json()
    contract = api.get(f"/api/v1/contracts/{world.contract.pk}", duty_officer).json()
    contact = api.get(f"/api/v1/contacts/{world.contact.pk}", duty_officer).json()

    assert (device["model"], device["site"], device["contract"]) == (
        world.device_model.pk,
        world.site.pk,
        world.contract.pk,
    )
    assert device["organisation"] == world.organisation.pk
    assert site["organisation"] == contract["organisation"] == contact["organisation"]
    assert site["organisation"] == world.organisation.pk


def test_a_contract_answers_the_plans_default_service_levels(api, world, service_manager):
    response = api.post("/api/v1/contracts", service_manager, valid_payload("contracts", world))

    assert response.status_code == 201
    assert (
        response.json().items()
        >= {
            "warranty_years": 3,
            "warranty_ends_on": "2029-02-01",
            "inspections_per_year": 1,
            "assurance_visits_per_year": 4,
            "free_upgrades": True,
            "response_minutes": 60,
            "onsite_extra_minutes": 60,
            "fix_on_site_minutes": 120,
            "spare_ship_hours": 24,
            "spare_arrival_working_days": 2,
            "restore_hours": 24,
        }.items()
    )


# --- lists ----------------------------------------------------------------------------------


@pytest.fixture
def many(world):
    """Several objects of every resource, across three organisations."""
    for index in range(3):
        organisation = OrganisationFactory()
        ContactFactory(organisation=organisation)
        DeviceModelFactory(name=f"Group {index}")
        DeviceFactory.create_batch(2, site=SiteFactory(organisation=organisation))
    return world


@parametrize_resources
def test_a_list_answers_items_and_count_and_pages_through_with_limit_and_offset(
    api, many, duty_officer, resource
):
    total = MODELS[resource].objects.count()
    everything = api.get(f"/api/v1/{resource}", duty_officer, limit=500).json()
    pages = [
        api.get(f"/api/v1/{resource}", duty_officer, limit=2, offset=offset).json()
        for offset in range(0, total, 2)
    ]

    assert set(everything) == {"items", "count"}
    assert everything["count"] == total >= 4
    assert all(page["count"] == total for page in pages)
    assert all(len(page["items"]) == 2 for page in pages[:-1])
    paged_ids = [item["id"] for page in pages for item in page["items"]]
    assert paged_ids == [item["id"] for item in everything["items"]]


def test_objects_that_sort_alike_are_each_on_exactly_one_page(api, world, duty_officer):
    namesakes = {ContactFactory(organisation=world.organisation, name="张工").pk for _ in range(4)}

    pages = [
        api.get("/api/v1/contacts", duty_officer, q="张工", limit=1, offset=offset).json()
        for offset in range(4)
    ]

    assert [item["id"] for page in pages for item in page["items"]] == sorted(namesakes)


def test_an_offset_past_the_end_answers_an_empty_page_with_the_count(api, many, duty_officer):
    response = api.get("/api/v1/devices", duty_officer, offset=10_000)

    assert response.json() == {"items": [], "count": Device.objects.count()}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**20}, "offset"),
    ],
    ids=["limit 0", "limit above 500", "limit not a number", "negative offset", "huge offset"],
)
def test_a_limit_or_offset_out_of_range_answers_422(api, world, duty_officer, params, field):
    response = api.get("/api/v1/devices", duty_officer, **params)

    assert response.status_code == 422
    assert errors_name(response, field)


# --- filters --------------------------------------------------------------------------------


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


def test_sites_contacts_devices_and_contracts_filter_by_organisation(api, world, duty_officer):
    other_device = DeviceFactory(site=world.other_site, contract=world.other_contract)
    other_contact = ContactFactory(organisation=world.other_organisation)
    b = world.other_organisation.pk

    assert ids(api.get("/api/v1/sites", duty_officer, organisation=b)) == {world.other_site.pk}
    assert ids(api.get("/api/v1/contacts", duty_officer, organisation=b)) == {other_contact.pk}
    assert ids(api.get("/api/v1/devices", duty_officer, organisation=b)) == {other_device.pk}
    assert ids(api.get("/api/v1/contracts", duty_officer, organisation=b)) == {
        world.other_contract.pk
    }


def test_devices_filter_by_site_serial_and_kind(api, world, duty_officer):
    endpoint_model = DeviceModelFactory(vendor="Huawei", name="TE60", kind=DeviceKind.ENDPOINT)
    second_site = SiteFactory(organisation=world.organisation)
    endpoint = DeviceFactory(
        model=endpoint_model, site=second_site, contract=world.contract, serial="TE60-7"
    )

    by_site = api.get("/api/v1/devices", duty_officer, site=second_site.pk)
    by_serial = api.get("/api/v1/devices", duty_officer, serial="RMX-0001")
    by_kind = api.get("/api/v1/devices", duty_officer, kind="endpoint")

    assert ids(by_site) == {endpoint.pk}
    assert ids(by_serial) == {world.device.pk}
    assert ids(by_kind) == {endpoint.pk}
    assert by_kind.json()["count"] == 1


def test_device_models_filter_by_kind(api, world, duty_officer):
    endpoint_model = DeviceModelFactory(vendor="Huawei", name="TE60", kind=DeviceKind.ENDPOINT)

    assert ids(api.get("/api/v1/device-models", duty_officer, kind="endpoint")) == {
        endpoint_model.pk
    }
    assert ids(api.get("/api/v1/device-models", duty_officer, kind="mcu")) == {
        world.device_model.pk
    }


def test_customers_filter_by_industry(api, world, duty_officer):
    bank = OrganisationFactory(industry=Industry.FINANCE)

    assert ids(api.get("/api/v1/customers", duty_officer, industry="finance")) == {bank.pk}


@pytest.fixture
def old_and_new_contracts(world):
    """On 1 July 2026: the world's contract (accepted 1 March 2025) is in warranty; this
    one, accepted 1 July 2023, ended at midnight."""
    expired = ContractFactory(organisation=world.organisation, accepted_on=date(2023, 7, 1))
    old_device = DeviceFactory(site=world.site, contract=expired, model=world.device_model)
    return expired, old_device


JULY_1_2026_IN_SHANGHAI = dt.datetime(2026, 6, 30, 16, 5, tzinfo=dt.UTC)


def test_devices_and_contracts_filter_by_in_warranty_today_in_shanghai(
    api, world, old_and_new_contracts
):
    expired, old_device = old_and_new_contracts
    with time_machine.travel(JULY_1_2026_IN_SHANGHAI, tick=False):
        officer = persona("early_duty", Role.DUTY_OFFICER)
        covered = api.get("/api/v1/devices", officer, in_warranty="true")
        not_covered = api.get("/api/v1/devices", officer, in_warranty="false")
        contracts = api.get("/api/v1/contracts", officer, in_warranty="true")

    assert ids(covered) == {world.device.pk}
    assert ids(not_covered) == {old_device.pk}
    assert world.contract.pk in ids(contracts)
    assert expired.pk not in ids(contracts)


@pytest.mark.parametrize(
    "resource, params, field",
    [
        ("devices", {"kind": "router"}, "kind"),
        ("devices", {"organisation": "北京台"}, "organisation"),
        ("devices", {"in_warranty": "perhaps"}, "in_warranty"),
        ("devices", {"status": "lost"}, "status"),
        ("sites", {"organisation": "1.5"}, "organisation"),
        ("device-models", {"kind": "router"}, "kind"),
        ("customers", {"industry": "banking"}, "industry"),
    ],
)
def test_a_filter_with_a_bad_value_answers_422_naming_it(
    api, world, duty_officer, resource, params, field
):
    response = api.get(f"/api/v1/{resource}", duty_officer, **params)

    assert response.status_code == 422
    assert errors_name(response, field)


# --- creating -------------------------------------------------------------------------------


@parametrize_resources
def test_a_writer_creates_an_object_and_gets_it_back_with_its_id(
    api, world, service_manager, resource
):
    payload = valid_payload(resource, world)

    response = api.post(f"/api/v1/{resource}", service_manager, payload)

    assert response.status_code == 201
    created = response.json()
    assert MODELS[resource].objects.filter(pk=created["id"]).exists()
    assert {key: created[key] for key in payload} == payload


def test_the_same_serial_from_a_different_vendor_is_another_device(api, world, service_manager):
    huawei = DeviceModelFactory(vendor="Huawei", name="MCU 9600", kind=DeviceKind.MCU)
    payload = valid_payload("devices", world) | {"model": huawei.pk, "serial": "RMX-0001"}

    response = api.post("/api/v1/devices", service_manager, payload)

    assert response.status_code == 201
    assert Device.objects.filter(serial="RMX-0001").count() == 2


MISSING = object()


def same_vendor_and_name(w: World) -> dict:
    return {"vendor": w.device_model.vendor, "name": w.device_model.name}


# (resource, change to a valid payload, the field the answer must name). A callable change
# is given the world.
BAD_CREATES = [
    ("customers", {"name": MISSING}, "name", "missing name"),
    ("customers", {"name": ["北京台"]}, "name", "name not text"),
    ("customers", {"name": ""}, "name", "empty name"),
    ("customers", {"industry": "banking"}, "industry", "unknown industry"),
    ("customers", lambda w: {"name": w.organisation.name}, "name", "name taken"),
    ("sites", {"organisation": MISSING}, "organisation", "missing organisation"),
    ("sites", {"city": MISSING}, "city", "missing city"),
    ("sites", {"travel_minutes": MISSING}, "travel_minutes", "missing travel time"),
    ("sites", {"travel_minutes": -1}, "travel_minutes", "negative travel time"),
    ("sites", {"travel_minutes": "forty"}, "travel_minutes", "travel time not a number"),
    ("sites", {"organisation": 999_999}, "organisation", "no such organisation"),
    ("sites", {"organisation": "北京台"}, "organisation", "organisation not an id"),
    ("sites", lambda w: {"name": w.site.name}, "name", "name taken in the organisation"),
    ("contacts", {"name": MISSING}, "name", "missing name"),
    ("contacts", {"organisation": 999_999}, "organisation", "no such organisation"),
    ("contacts", {"email": "not-an-address"}, "email", "bad e-mail"),
    ("contacts", {"phone": 13900000000}, "phone", "phone not text"),
    ("device-models", {"vendor": MISSING}, "vendor", "missing vendor"),
    ("device-models", {"kind": "router"}, "kind", "unknown kind"),
    ("device-models", {"kind": MISSING}, "kind", "missing kind"),
    ("device-models", {"end_of_production": "soon"}, "end_of_production", "date not a date"),
    ("device-models", same_vendor_and_name, "name", "model taken"),
    ("devices", {"serial": MISSING}, "serial", "missing serial"),
    ("devices", {"serial": ""}, "serial", "empty serial"),
    ("devices", {"model": 999_999}, "model", "no such model"),
    ("devices", {"site": 999_999}, "site", "no such site"),
    ("devices", {"contract": 999_999}, "contract", "no such contract"),
    ("devices", {"contract": MISSING}, "contract", "missing contract"),
    ("devices", {"status": "broken"}, "status", "unknown status"),
    ("devices", {"installed_on": "last spring"}, "installed_on", "date not a date"),
    ("devices", {"serial": "RMX-0001"}, "serial", "serial taken at the vendor"),
    ("devices", {"serial": " RMX-0001 "}, "serial", "serial taken, with spaces"),
    (
        "devices",
        lambda w: {"contract": w.other_contract.pk},
        "contract",
        "contract of another organisation than the site",
    ),
    (
        "devices",
        lambda w: {"site": w.other_site.pk},
        "site",
        "site of another organisation than the contract",
    ),
    ("contracts", {"number": MISSING}, "number", "missing number"),
    ("contracts", {"number": "HT-2025-A"}, "number", "number taken"),
    ("contracts", {"organisation": 999_999}, "organisation", "no such organisation"),
    ("contracts", {"accepted_on": MISSING}, "accepted_on", "missing acceptance"),
    ("contracts", {"signed_on": "2026-02-30"}, "signed_on", "no such day"),
    ("contracts", {"warranty_years": -1}, "warranty_years", "negative warranty"),
    ("contracts", {"warranty_years": 2.5}, "warranty_years", "warranty not whole years"),
    ("contracts", {"free_upgrades": "perhaps"}, "free_upgrades", "not a yes or no"),
    ("contracts", {"accepted_on": "9999-06-01"}, "accepted_on", "warranty past year 9999"),
    ("contracts", {"response_minutes": 0}, "response_minutes", "no time to respond"),
    ("users", {"username": MISSING}, "username", "missing username"),
    ("users", {"role": "admin"}, "role", "unknown role"),
    ("users", {"password": "Ab1-x"}, "password", "short password"),
    ("users", {"password": "password123"}, "password", "common password"),
    ("users", {"password": "80731295604"}, "password", "numeric password"),
    ("users", {"password": "new_engineer1"}, "password", "password like the username"),
    ("users", {"username": "manager"}, "username", "username taken"),
    ("users", {"role": "customer_contact"}, "organisation", "contact without organisation"),
    (
        "users",
        lambda w: {"role": "duty_officer", "organisation": w.organisation.pk},
        "organisation",
        "staff with an organisation",
    ),
    (
        "users",
        {"role": "customer_contact", "organisation": 999_999},
        "organisation",
        "contact of no such organisation",
    ),
]


def apply(payload: dict, change, w: World) -> dict:
    change = change(w) if callable(change) else change
    merged = payload | change
    return {key: value for key, value in merged.items() if value is not MISSING}


@pytest.mark.parametrize(
    "resource, change, field",
    [case[:3] for case in BAD_CREATES],
    ids=[f"{case[0]}: {case[3]}" for case in BAD_CREATES],
)
def test_bad_input_on_create_answers_422_naming_the_field_and_writes_nothing(
    api, world, service_manager, resource, change, field
):
    payload = apply(valid_payload(resource, world), change, world)
    before = row_counts()

    response = api.post(f"/api/v1/{resource}", service_manager, payload)

    assert response.status_code == 422, response.content
    assert errors_name(response, field), response.json()
    assert row_counts() == before


TEXT_FIELDS = {
    "customers": "name",
    "sites": "city",
    "contacts": "phone",
    "device-models": "vendor",
    "devices": "serial",
    "contracts": "number",
    "users": "full_name",
}


@pytest.mark.parametrize("resource", list(TEXT_FIELDS))
def test_text_with_a_nul_character_is_refused_on_create(api, world, service_manager, resource):
    # PostgreSQL cannot store NUL; it must be refused as bad input, not crash, on both databases.
    field = TEXT_FIELDS[resource]
    payload = valid_payload(resource, world) | {field: "A\x00B"}
    before = row_counts()

    response = api.post(f"/api/v1/{resource}", service_manager, payload)

    assert response.status_code == 422
    assert errors_name(response, field)
    assert row_counts() == before


@pytest.mark.parametrize(
    "url, params, field",
    [
        ("/api/v1/devices", {"serial": "A\x00B"}, "serial"),
        ("/api/v1/sites", {"q": "A\x00B"}, "q"),
        ("/api/v1/customers", {"q": "A\x00B"}, "q"),
    ],
)
def test_a_nul_character_in_a_filter_answers_422(api, world, duty_officer, url, params, field):
    response = api.get(url, duty_officer, **params)

    assert response.status_code == 422
    assert errors_name(response, field)


def test_a_nul_character_in_a_username_gets_no_token(api, duty_officer):
    response = api.post(
        "/api/v1/auth/token", None, {"username": "du\x00ty", "password": PERSONA_PASSWORD}
    )

    assert response.status_code in (401, 422)


# --- who may write --------------------------------------------------------------------------


@parametrize_resources
@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_resources_writers_may_create_it(api, world, request, who, resource):
    persona: Persona = request.getfixturevalue(who)
    before = row_counts()

    response = api.post(f"/api/v1/{resource}", persona, valid_payload(resource, world))

    if who in WRITERS[resource]:
        assert response.status_code == 201
    else:
        assert response.status_code == 403
        assert row_counts() == before


@parametrize_resources
@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_resources_writers_may_change_it(api, world, request, who, resource):
    persona: Persona = request.getfixturevalue(who)
    target = world.of(resource)
    before = model_to_dict(target)

    response = api.patch(f"/api/v1/{resource}/{target.pk}", persona, VALID_CHANGES[resource])

    target.refresh_from_db()
    if who in WRITERS[resource]:
        assert response.status_code == 200
        assert model_to_dict(target) != before
    else:
        assert response.status_code == 403
        assert model_to_dict(target) == before


def test_a_duty_officer_may_record_a_contact_but_not_a_device(api, world, duty_officer):
    contact = api.post("/api/v1/contacts", duty_officer, valid_payload("contacts", world))
    device = api.post("/api/v1/devices", duty_officer, valid_payload("devices", world))

    assert contact.status_code == 201
    assert device.status_code == 403


# --- changing -------------------------------------------------------------------------------


@parametrize_resources
def test_a_patch_changes_only_the_fields_it_names(api, world, service_manager, resource):
    url = f"/api/v1/{resource}/{world.of(resource).pk}"
    before = api.get(url, service_manager).json()

    response = api.patch(url, service_manager, VALID_CHANGES[resource])

    assert response.status_code == 200
    assert response.json() == before | VALID_CHANGES[resource]
    assert api.get(url, service_manager).json() == response.json()


def taken_model_name(w: World) -> dict:
    DeviceModelFactory(vendor="Polycom", name="RMX 4000", kind=DeviceKind.MCU)
    return {"name": "RMX 4000"}


def vendor_whose_serial_is_taken(w: World) -> dict:
    # Renaming the vendor would give two devices of one vendor the same serial.
    huawei = DeviceModelFactory(vendor="Huawei", name="MCU 9600", kind=DeviceKind.MCU)
    DeviceFactory(model=huawei, serial=w.device.serial, site=w.site, contract=w.contract)
    return {"vendor": "Huawei"}


def taken_serial(w: World) -> dict:
    DeviceFactory(model=w.device_model, serial="RMX-0099", site=w.site, contract=w.contract)
    return {"serial": "RMX-0099"}


def taken_site_name(w: World) -> dict:
    SiteFactory(organisation=w.organisation, name="二号演播室")
    return {"name": "二号演播室"}


BAD_PATCHES = [
    ("customers", {"industry": "banking"}, "industry", "unknown industry"),
    ("customers", {"name": ""}, "name", "empty name"),
    ("customers", {"name": None}, "name", "name cleared"),
    ("customers", lambda w: {"name": w.other_organisation.name}, "name", "name taken"),
    ("sites", {"travel_minutes": -5}, "travel_minutes", "negative travel time"),
    ("sites", {"travel_minutes": None}, "travel_minutes", "travel time cleared"),
    ("sites", taken_site_name, "name", "name taken in the organisation"),
    ("contacts", {"email": "nope"}, "email", "bad e-mail"),
    ("contacts", {"name": ""}, "name", "empty name"),
    ("device-models", {"kind": "router"}, "kind", "unknown kind"),
    ("device-models", taken_model_name, "name", "model taken"),
    ("device-models", vendor_whose_serial_is_taken, "vendor", "vendor rename clashes serials"),
    ("devices", lambda w: {"contract": w.other_contract.pk}, "contract", "other org contract"),
    ("devices", lambda w: {"site": w.other_site.pk}, "site", "other org site"),
    ("devices", taken_serial, "serial", "serial taken at the vendor"),
    ("devices", {"site": 999_999}, "site", "no such site"),
    ("devices", {"model": None}, "model", "model cleared"),
    ("devices", {"status": "lost"}, "status", "unknown status"),
    ("devices", {"firmware_version": "A\x00B"}, "firmware_version", "NUL character"),
    ("contracts", lambda w: {"number": w.other_contract.number}, "number", "number taken"),
    ("contracts", {"warranty_years": -1}, "warranty_years", "negative warranty"),
    ("contracts", {"accepted_on": "not a date"}, "accepted_on", "date not a date"),
    ("contracts", {"accepted_on": "9999-06-01"}, "accepted_on", "warranty past year 9999"),
]


@pytest.mark.parametrize(
    "resource, change, field",
    [case[:3] for case in BAD_PATCHES],
    ids=[f"{case[0]}: {case[3]}" for case in BAD_PATCHES],
)
def test_a_bad_patch_answers_422_naming_the_field_and_changes_nothing(
    api, world, service_manager, resource, change, field
):
    target = world.of(resource)
    payload = change(world) if callable(change) else change
    before, history_before = model_to_dict(target), target.history.count()
    counts_before = row_counts()

    response = api.patch(f"/api/v1/{resource}/{target.pk}", service_manager, payload)

    assert response.status_code == 422, response.content
    assert errors_name(response, field), response.json()
    target.refresh_from_db()
    assert model_to_dict(target) == before
    assert target.history.count() == history_before
    assert row_counts() == counts_before


def test_renaming_a_vendor_carries_its_devices_along(api, world, service_manager):
    response = api.patch(
        f"/api/v1/device-models/{world.device_model.pk}", service_manager, {"vendor": "Poly"}
    )

    assert response.status_code == 200
    world.device.refresh_from_db()
    assert world.device.vendor == "Poly"


def test_changing_acceptance_moves_the_end_of_warranty(api, world, service_manager):
    response = api.patch(
        f"/api/v1/contracts/{world.contract.pk}", service_manager, {"accepted_on": "2024-02-29"}
    )

    assert response.json()["warranty_ends_on"] == "2027-02-28"


# --- accounts -------------------------------------------------------------------------------


@pytest.fixture
def superuser(db) -> Persona:
    return persona_of(User.objects.create_superuser(username="root", password="Root-of-trust-2026"))


@pytest.mark.parametrize("who", ["service_manager", "superuser"])
def test_service_managers_and_superusers_create_accounts_that_can_sign_in(api, world, request, who):
    creator: Persona = request.getfixturevalue(who)

    response = api.post("/api/v1/users", creator, valid_payload("users", world))

    assert response.status_code == 201
    assert response.json() | {"id": 0} == {
        "id": 0,
        "username": "new_engineer",
        "full_name": "新工程师",
        "email": "",
        "role": "field_engineer",
        "organisation": None,
        "is_senior": False,
    }
    user = User.objects.get(username="new_engineer")
    assert user.role == Role.FIELD_ENGINEER
    token = api.post(
        "/api/v1/auth/token", None, {"username": "new_engineer", "password": "Tele-presence-2026"}
    )
    assert token.status_code == 200


@pytest.mark.parametrize("who", [*STAFF[:4], "contact_of_a"])
def test_no_one_else_creates_accounts(api, world, request, who):
    creator: Persona = request.getfixturevalue(who)
    before = row_counts()

    response = api.post("/api/v1/users", creator, valid_payload("users", world))

    assert response.status_code == 403
    assert row_counts() == before


def test_a_new_customer_contact_sees_only_their_organisation(api, world, service_manager):
    payload = valid_payload("users", world) | {
        "username": "li_contact",
        "role": "customer_contact",
        "organisation": world.other_organisation.pk,
    }

    created = api.post("/api/v1/users", service_manager, payload)
    token = api.post(
        "/api/v1/auth/token", None, {"username": "li_contact", "password": payload["password"]}
    ).json()["token"]
    contact = Persona(user=User.objects.get(username="li_contact"), token=token)

    assert created.json()["organisation"] == world.other_organisation.pk
    assert ids(api.get("/api/v1/customers", contact)) == {world.other_organisation.pk}
    assert api.get(f"/api/v1/devices/{world.device.pk}", contact).status_code == 404


# --- history --------------------------------------------------------------------------------


@parametrize_resources
def test_a_change_through_the_api_is_kept_in_history_with_its_author(
    api, world, support_engineer, service_manager, resource
):
    author = service_manager if resource == "contracts" else support_engineer
    target = world.of(resource)

    response = api.patch(f"/api/v1/{resource}/{target.pk}", author, VALID_CHANGES[resource])

    assert response.status_code == 200
    latest = target.history.order_by("-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == author.user
    field, value = next(iter(VALID_CHANGES[resource].items()))
    assert str(getattr(latest, field)) == str(value)


@parametrize_resources
def test_a_creation_through_the_api_is_kept_in_history_with_its_author(
    api, world, service_manager, resource
):
    response = api.post(f"/api/v1/{resource}", service_manager, valid_payload(resource, world))

    created = MODELS[resource].objects.get(pk=response.json()["id"])
    (first,) = created.history.all()
    assert first.history_type == "+"
    assert first.history_user == service_manager.user


def test_an_account_creation_is_kept_in_history_with_its_author(api, world, service_manager):
    api.post("/api/v1/users", service_manager, valid_payload("users", world))

    (first,) = User.objects.get(username="new_engineer").history.all()
    assert first.history_user == service_manager.user


def test_changing_the_firmware_version_records_a_firmware_change(api, world, support_engineer):
    url = f"/api/v1/devices/{world.device.pk}"

    api.patch(url, support_engineer, {"firmware_version": "8.2.0"})
    api.patch(url, support_engineer, {"status": DeviceStatus.RETIRED.value})

    latest = FirmwareChange.objects.filter(device=world.device).first()
    assert (latest.from_version, latest.to_version) == ("6.2.2", "8.2.0")
    assert latest.changed_by == support_engineer.user
    assert FirmwareChange.objects.filter(device=world.device, to_version="8.2.0").count() == 1


def test_a_new_device_records_the_firmware_it_was_installed_with(api, world, support_engineer):
    response = api.post("/api/v1/devices", support_engineer, valid_payload("devices", world))

    (installed,) = FirmwareChange.objects.filter(device_id=response.json()["id"])
    assert (installed.from_version, installed.to_version) == ("", "8.1.2")
    assert installed.changed_by == support_engineer.user


def test_an_empty_patch_changes_nothing_and_records_nothing(api, service_manager, org_a):
    before = org_a.history.count()
    response = api.patch(f"/api/v1/customers/{org_a.pk}", service_manager, {})
    assert response.status_code == 200
    assert response.json()["name"] == org_a.name
    assert org_a.history.count() == before
