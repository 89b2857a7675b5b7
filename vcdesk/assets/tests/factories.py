import factory

from vcdesk.assets.choices import DeviceKind
from vcdesk.assets.models import Device, DeviceModel
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.customers.tests.factories import SiteFactory


class DeviceModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceModel
        django_get_or_create = ("vendor", "name")

    vendor = "Polycom"
    name = "RealPresence Group 500"
    kind = DeviceKind.ENDPOINT


class DeviceFactory(factory.django.DjangoModelFactory):
    """A device at a site whose organisation also holds its contract."""

    class Meta:
        model = Device

    model = factory.SubFactory(DeviceModelFactory)
    vendor = factory.SelfAttribute("model.vendor")
    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    site = factory.SubFactory(SiteFactory)
    organisation = factory.SelfAttribute("site.organisation")
    contract = factory.SubFactory(
        ContractFactory, organisation=factory.SelfAttribute("..site.organisation")
    )
    firmware_version = "6.2.2"
