import datetime

import factory

from vcdesk.contracts.models import Contract
from vcdesk.customers.tests.factories import OrganisationFactory


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"HT-2025-{n:04d}")
    organisation = factory.SubFactory(OrganisationFactory)
    signed_on = datetime.date(2025, 1, 10)
    accepted_on = datetime.date(2025, 3, 1)
