import factory

from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.models import PartModel, Warehouse


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("name",)

    name = factory.LazyAttribute(lambda o: f"{o.city}备件库")
    city = "北京"
    kind = WarehouseKind.REGIONAL


class PartModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartModel

    vendor = "Polycom"
    part_number = factory.Sequence(lambda n: f"2215-{n:05d}-001")
    name = "RMX 媒体处理板 MPMx-D"
    serialised = False
    market_price = "28000.00"
