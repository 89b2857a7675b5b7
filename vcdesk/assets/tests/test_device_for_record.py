"""`device_with_site_and_contract` is read on every hotline call through a statement written
once: it must answer what the ORM answers, and respect tenancy the same way."""

import pytest

from vcdesk.assets.models import Device
from vcdesk.assets.selectors import device_visible, device_with_site_and_contract
from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory


@pytest.fixture
def device_of_a(org_a):
    return DeviceFactory(site=SiteFactory(organisation=org_a, travel_minutes=45))


def orm(user, pk):
    return device_visible(user=user).select_related("site", "contract").filter(pk=pk).first()


def same(a, b):
    for obj_a, obj_b in ((a, b), (a.site, b.site), (a.contract, b.contract)):
        assert type(obj_a) is type(obj_b)
        for field in type(obj_a)._meta.concrete_fields:
            value_a, value_b = getattr(obj_a, field.attname), getattr(obj_b, field.attname)
            assert value_a == value_b and type(value_a) is type(value_b), field.name
        assert obj_a._state.adding is False and obj_a._state.db == obj_b._state.db


def test_staff_read_the_same_device_site_and_contract_as_through_the_orm(
    duty_officer, device_of_a, django_assert_num_queries
):
    assert duty_officer.user.role  # read with the user on a request
    with django_assert_num_queries(1):
        device = device_with_site_and_contract(user=duty_officer.user, pk=device_of_a.pk)
        assert device.site.travel_minutes == 45  # loaded: no further query
        assert device.contract.response_minutes
    same(device, orm(duty_officer.user, device_of_a.pk))


def test_a_customer_contact_reads_only_their_own_organisations_devices(
    contact_of_a, contact_of_b, device_of_a
):
    own = device_with_site_and_contract(user=contact_of_a.user, pk=device_of_a.pk)
    same(own, orm(contact_of_a.user, device_of_a.pk))
    assert device_with_site_and_contract(user=contact_of_b.user, pk=device_of_a.pk) is None


def test_no_device_for_an_unknown_id_a_deactivated_contact_or_nobody(contact_of_a, device_of_a):
    assert device_with_site_and_contract(user=contact_of_a.user, pk=device_of_a.pk + 999) is None
    assert device_with_site_and_contract(user=None, pk=device_of_a.pk) is None
    contact_of_a.user.is_active = False
    assert device_with_site_and_contract(user=contact_of_a.user, pk=device_of_a.pk) is None
    assert Device.objects.filter(pk=device_of_a.pk).exists()


def test_opening_a_record_for_a_device_id_beyond_64_bits_is_refused_clearly(api, duty_officer):
    response = api.post(
        "/api/v1/service-records",
        duty_officer,
        {
            "device": 2**64,
            "fault_class": "software",
            "description": "x",
            "caller_name": "a",
            "caller_phone": "1",
        },
    )
    assert response.status_code == 422
    assert "device" in response.content.decode()
