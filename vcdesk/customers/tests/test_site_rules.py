import pytest
from django.core.exceptions import ValidationError

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.services import site_update
from vcdesk.customers.tests.factories import SiteFactory


def test_a_site_with_devices_cannot_move_to_another_organisation(org_a, org_b, service_manager):
    site = SiteFactory(organisation=org_a)
    DeviceFactory(site=site)
    with pytest.raises(ValidationError) as caught:
        site_update(site, actor=service_manager.user, organisation=org_b)
    assert "organisation" in caught.value.message_dict
    site.refresh_from_db()
    assert site.organisation == org_a


def test_an_empty_site_may_move_and_history_names_who_moved_it(org_a, org_b, service_manager):
    site = SiteFactory(organisation=org_a)
    site_update(site, actor=service_manager.user, organisation=org_b)
    site.refresh_from_db()
    assert site.organisation == org_b
    assert site.history.first().history_user == service_manager.user


def test_a_device_carries_its_sites_organisation(org_a, service_manager, api):
    device = DeviceFactory(site=SiteFactory(organisation=org_a))
    other_site = SiteFactory(organisation=org_a)
    response = api.patch(f"/api/v1/devices/{device.pk}", service_manager, {"site": other_site.pk})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.organisation_id == other_site.organisation_id == org_a.pk
