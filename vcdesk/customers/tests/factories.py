import factory

from vcdesk.customers.choices import Industry
from vcdesk.customers.models import Contact, Organisation, Site


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试客户单位{n}")
    short_name = factory.Sequence(lambda n: f"客户{n}")
    industry = Industry.GOVERNMENT
    address = "北京市东城区"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"{n}号会议室")
    city = "北京"
    travel_minutes = 45


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
