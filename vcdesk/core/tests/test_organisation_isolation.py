"""Organisation isolation (issue 2 item 6) on every list and detail endpoint of the API.

A customer contact sees only their own organisation's objects, in list items and in `count`;
another organisation's object answers 404 (never 403) on read and on change, and no filter
widens the view. Staff see every organisation.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.assets.choices import DeviceKind
from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.core.testing import Persona, persona_of
from vcdesk.customers.tests.factories import ContactFactory, SiteFactory


@dataclass
class Holdings:
    """One of each kind of object, all belonging to one organisation."""

    organisation: object
    site: object
    contact: object
    device_model: object
    contract: object
    device: object

    def of(self, resource: str):
        return getattr(self, RESOURCES[resource])


RESOURCES = {
    "customers": "organisation",
    "sites": "site",
    "contacts": "contact",
    "device-models": "device_model",
    "devices": "device",
    "contracts": "contract",
}

# A change each resource accepts from someone allowed to make it.
VALID_CHANGES = {
    "customers": {"address": "上海市黄浦区"},
    "sites": {"travel_minutes": 5},
    "contacts": {"phone": "02100000000"},
    "device-models": {"name": "Renamed"},
    "devices": {"firmware_version": "9.9.9"},
    "contracts": {"inspections_per_year": 2},
}

STAFF = ["duty_officer", "support_engineer", "field_engineer", "spares_keeper", "service_manager"]


def holdings_of(organisation, *, vendor: str, model_name: str, kind: DeviceKind) -> Holdings:
    site = SiteFactory(organisation=organisation)
    contract = ContractFactory(organisation=organisation)
    device_model = DeviceModelFactory(vendor=vendor, name=model_name, kind=kind)
    return Holdings(
        organisation=organisation,
        site=site,
        contact=ContactFactory(organisation=organisation),
        device_model=device_model,
        contract=contract,
        device=DeviceFactory(model=device_model, site=site, contract=contract),
    )


@pytest.fixture
def a(org_a) -> Holdings:
    return holdings_of(org_a, vendor="Polycom", model_name="RMX 2000", kind=DeviceKind.MCU)


@pytest.fixture
def b(org_b) -> Holdings:
    return holdings_of(org_b, vendor="Huawei", model_name="TE40", kind=DeviceKind.ENDPOINT)


def item_ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


parametrize_resources = pytest.mark.parametrize("resource", list(RESOURCES))


# --- lists ----------------------------------------------------------------------------------


@parametrize_resources
def test_a_customer_contact_lists_only_their_organisations_objects_and_counts(
    api, a, b, contact_of_a, contact_of_b, resource
):
    for contact, own in ((contact_of_a, a), (contact_of_b, b)):
        response = api.get(f"/api/v1/{resource}", contact)

        assert response.status_code == 200
        assert item_ids(response) == {own.of(resource).pk}
        assert response.json()["count"] == 1


@parametrize_resources
@pytest.mark.parametrize("staff", STAFF)
def test_staff_list_and_read_every_organisations_objects(api, a, b, request, staff, resource):
    who: Persona = request.getfixturevalue(staff)

    response = api.get(f"/api/v1/{resource}", who)

    assert item_ids(response) == {a.of(resource).pk, b.of(resource).pk}
    assert response.json()["count"] == 2
    for own in (a, b):
        assert api.get(f"/api/v1/{resource}/{own.of(resource).pk}", who).status_code == 200


# Every filter of every list, aimed at organisation B's objects.
WIDENING_FILTERS = [
    ("customers", "q", lambda b: b.organisation.name),
    ("customers", "industry", lambda b: b.organisation.industry),
    ("customers", "organisation", lambda b: b.organisation.pk),
    ("sites", "organisation", lambda b: b.organisation.pk),
    ("sites", "city", lambda b: b.site.city),
    ("sites", "q", lambda b: b.site.name),
    ("contacts", "organisation", lambda b: b.organisation.pk),
    ("contacts", "phone", lambda b: b.contact.phone),
    ("contacts", "q", lambda b: b.contact.name),
    ("device-models", "vendor", lambda b: b.device_model.vendor),
    ("device-models", "kind", lambda b: b.device_model.kind),
    ("device-models", "q", lambda b: b.device_model.name),
    ("device-models", "organisation", lambda b: b.organisation.pk),
    ("devices", "organisation", lambda b: b.organisation.pk),
    ("devices", "site", lambda b: b.site.pk),
    ("devices", "contract", lambda b: b.contract.pk),
    ("devices", "model", lambda b: b.device_model.pk),
    ("devices", "serial", lambda b: b.device.serial),
    ("devices", "kind", lambda b: b.device_model.kind),
    ("devices", "q", lambda b: b.device.serial),
    ("devices", "in_warranty", lambda b: "true"),
    ("contracts", "organisation", lambda b: b.organisation.pk),
    ("contracts", "number", lambda b: b.contract.number),
    ("contracts", "in_warranty", lambda b: "true"),
]


@pytest.mark.parametrize(
    "resource, name, value_of", WIDENING_FILTERS, ids=[f"{r}?{n}" for r, n, _ in WIDENING_FILTERS]
)
def test_no_filter_shows_a_customer_contact_another_organisations_objects(
    api, a, b, contact_of_a, resource, name, value_of
):
    response = api.get(f"/api/v1/{resource}", contact_of_a, **{name: value_of(b)})

    assert response.status_code == 200
    assert item_ids(response) <= {a.of(resource).pk}
    assert response.json()["count"] == len(response.json()["items"])


@pytest.mark.parametrize("resource", ["sites", "contacts", "devices", "contracts"])
def test_filtering_by_another_organisation_finds_nothing(api, a, b, contact_of_a, resource):
    response = api.get(f"/api/v1/{resource}", contact_of_a, organisation=b.organisation.pk)

    assert response.json() == {"items": [], "count": 0}


# --- one object -----------------------------------------------------------------------------


@parametrize_resources
def test_another_organisations_object_answers_404_on_read(api, a, b, contact_of_a, resource):
    own = api.get(f"/api/v1/{resource}/{a.of(resource).pk}", contact_of_a)
    other = api.get(f"/api/v1/{resource}/{b.of(resource).pk}", contact_of_a)

    assert own.status_code == 200
    assert other.status_code == 404


@parametrize_resources
def test_another_organisations_object_answers_404_on_change_and_stays_as_it_was(
    api, a, b, contact_of_a, resource
):
    target = b.of(resource)
    before = model_to_dict(target)

    response = api.patch(f"/api/v1/{resource}/{target.pk}", contact_of_a, VALID_CHANGES[resource])

    assert response.status_code == 404
    target.refresh_from_db()
    assert model_to_dict(target) == before


@parametrize_resources
def test_a_missing_object_and_another_organisations_object_answer_alike(
    api, a, b, contact_of_a, resource
):
    other = api.get(f"/api/v1/{resource}/{b.of(resource).pk}", contact_of_a)
    missing = api.get(f"/api/v1/{resource}/999999", contact_of_a)

    assert (other.status_code, other.json()) == (missing.status_code, missing.json())


@parametrize_resources
def test_a_customer_contact_may_read_but_not_change_their_own_object(
    api, a, b, contact_of_a, resource
):
    target = a.of(resource)
    before = model_to_dict(target)

    response = api.patch(f"/api/v1/{resource}/{target.pk}", contact_of_a, VALID_CHANGES[resource])

    assert response.status_code == 403
    target.refresh_from_db()
    assert model_to_dict(target) == before


def test_the_entitlement_of_another_organisations_device_answers_404(api, a, b, contact_of_a):
    own = api.get(f"/api/v1/devices/{a.device.pk}/entitlement", contact_of_a, on="2026-01-01")
    other = api.get(f"/api/v1/devices/{b.device.pk}/entitlement", contact_of_a, on="2026-01-01")

    assert own.status_code == 200
    assert other.status_code == 404


def test_staff_read_the_entitlement_of_every_organisations_devices(api, a, b, duty_officer):
    for device in (a.device, b.device):
        response = api.get(f"/api/v1/devices/{device.pk}/entitlement", duty_officer)
        assert response.status_code == 200


# --- accounts made outside the API ----------------------------------------------------------


@pytest.fixture
def contact_without_organisation(db) -> Persona:
    """A customer contact someone set up in the admin and forgot to give an organisation."""
    user = User.objects.create_user(username="orphan", password="Orphan-contact-2026")
    user.groups.add(Group.objects.get_or_create(name=Role.CUSTOMER_CONTACT.value)[0])
    return persona_of(user)


@parametrize_resources
def test_a_customer_contact_without_an_organisation_sees_nothing(
    api, a, b, contact_without_organisation, resource
):
    listed = api.get(f"/api/v1/{resource}", contact_without_organisation)
    read = api.get(f"/api/v1/{resource}/{a.of(resource).pk}", contact_without_organisation)

    assert listed.json() == {"items": [], "count": 0}
    assert read.status_code == 404


def test_a_contact_moved_to_another_organisation_sees_only_the_new_one(api, a, b, contact_of_a):
    User.objects.filter(pk=contact_of_a.user.pk).update(organisation=b.organisation)

    response = api.get("/api/v1/devices", contact_of_a)

    assert item_ids(response) == {b.device.pk}
