"""The installed-base pages: what each persona sees, and what a customer contact never sees."""

import pytest
from django.test import Client
from django.urls import reverse

from vcdesk.assets.models import Device, FirmwareChange
from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.customers.tests.factories import ContactFactory, SiteFactory


@pytest.fixture
def two_orgs(org_a, org_b):
    device_a = DeviceFactory(site=SiteFactory(organisation=org_a), serial="A-SERIAL-1")
    device_b = DeviceFactory(site=SiteFactory(organisation=org_b), serial="B-SERIAL-1")
    ContactFactory(organisation=org_a, name="甲方联系人")
    ContactFactory(organisation=org_b, name="乙方联系人")
    return device_a, device_b


def signed_in(persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PERSONA_PASSWORD)
    return client


def test_pages_need_a_signed_in_user(client, two_orgs):
    device_a, _ = two_orgs
    for url in ["/", "/organisations/", "/devices/", f"/devices/{device_a.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_customer_contact_sees_only_their_organisation_on_every_page(two_orgs, contact_of_a):
    device_a, device_b = two_orgs
    client = signed_in(contact_of_a)
    pages = {
        "/": [],
        "/organisations/": [device_a.site.organisation.name],
        f"/organisations/{device_a.site.organisation_id}/": ["甲方联系人", device_a.site.name],
        "/devices/": ["A-SERIAL-1"],
        f"/devices/{device_a.pk}/": ["A-SERIAL-1"],
    }
    for url, expected in pages.items():
        body = client.get(url).content.decode()
        for text in expected:
            assert text in body, (url, text)
        for text in ["B-SERIAL-1", device_b.site.organisation.name, "乙方联系人"]:
            assert text not in body, (url, text)


def test_another_organisations_objects_answer_404_not_403_on_pages(two_orgs, contact_of_a):
    _, device_b = two_orgs
    client = signed_in(contact_of_a)
    for url in [
        f"/organisations/{device_b.site.organisation_id}/",
        f"/devices/{device_b.pk}/",
        f"/devices/{device_b.pk}/edit/",
        f"/sites/{device_b.site_id}/edit/",
        f"/contracts/{device_b.contract_id}/edit/",
    ]:
        assert client.get(url).status_code == 404, url


def test_customer_contact_cannot_reach_edit_forms_or_import(two_orgs, contact_of_a):
    device_a, _ = two_orgs
    client = signed_in(contact_of_a)
    for url in [f"/devices/{device_a.pk}/edit/", "/devices/new/", "/devices/import/"]:
        assert client.get(url).status_code == 403, url


def test_home_counts_only_the_contacts_own_devices(two_orgs, contact_of_a, service_manager):
    assert signed_in(contact_of_a).get("/").context["devices"]["total"] == 1
    assert signed_in(service_manager).get("/").context["devices"]["total"] == 2


def test_device_list_filter_cannot_widen_a_contacts_scope(two_orgs, contact_of_a):
    _, device_b = two_orgs
    client = signed_in(contact_of_a)
    response = client.get("/devices/", {"organisation": device_b.site.organisation_id})
    assert response.context["page"].paginator.count == 0
    response = client.get("/devices/", {"q": "B-SERIAL-1"})
    assert response.context["page"].paginator.count == 0


def test_device_export_of_a_contact_holds_only_their_devices(two_orgs, contact_of_a):
    import io

    from openpyxl import load_workbook

    response = signed_in(contact_of_a).get("/devices/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    cells = {str(c) for row in rows for c in row if c is not None}
    assert "A-SERIAL-1" in cells
    assert "B-SERIAL-1" not in cells


def test_a_full_serial_in_search_opens_the_device(two_orgs, service_manager):
    device_a, _ = two_orgs
    response = signed_in(service_manager).get("/devices/", {"q": "A-SERIAL-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("device_detail", args=[device_a.pk])


def test_device_list_ignores_a_malformed_filter_and_says_so(two_orgs, service_manager):
    response = signed_in(service_manager).get("/devices/", {"organisation": "abc"})
    assert response.status_code == 200
    assert "organisation" in response.context["filter_errors"]
    assert response.context["page"].paginator.count == 2


def test_editing_a_device_in_the_form_records_firmware_change_and_history(
    two_orgs, support_engineer
):
    device_a, _ = two_orgs
    client = signed_in(support_engineer)
    form = client.get(f"/devices/{device_a.pk}/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"firmware_version": "6.2.2.1", "note": "巡检时升级"})
    response = client.post(f"/devices/{device_a.pk}/edit/", data)
    assert response.status_code == 302
    change = FirmwareChange.objects.get(device=device_a, to_version="6.2.2.1")
    assert change.from_version == "6.2.2"
    assert change.note == "巡检时升级"
    assert change.changed_by == support_engineer.user
    assert device_a.history.first().history_user == support_engineer.user


def test_device_form_shows_a_duplicate_serial_next_to_the_field_and_saves_nothing(
    two_orgs, service_manager
):
    device_a, _ = two_orgs
    client = signed_in(service_manager)
    before = Device.objects.count()
    response = client.post(
        "/devices/new/",
        {
            "model": device_a.model_id,
            "serial": "A-SERIAL-1",
            "site": device_a.site_id,
            "contract": device_a.contract_id,
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Device.objects.count() == before


def test_device_form_rejects_a_contract_of_another_organisation(two_orgs, service_manager):
    device_a, device_b = two_orgs
    client = signed_in(service_manager)
    response = client.post(
        "/devices/new/",
        {
            "model": device_a.model_id,
            "serial": "NEW-1",
            "site": device_a.site_id,
            "contract": device_b.contract_id,
            "status": "active",
        },
    )
    assert "contract" in response.context["form"].errors
    assert not Device.objects.filter(serial="NEW-1").exists()


def test_site_form_rejects_negative_travel_time_next_to_the_field(org_a, service_manager):
    client = signed_in(service_manager)
    response = client.post(
        "/sites/new/",
        {"organisation": org_a.pk, "name": "三号会议室", "city": "北京", "travel_minutes": -5},
    )
    assert response.status_code == 200
    assert "travel_minutes" in response.context["form"].errors
    assert 'id="id_travel_minutes_error"' in response.content.decode()
