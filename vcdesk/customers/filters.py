"""One filter definition per list, shared by the pages, the API and exports."""

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup

from vcdesk.core.api import Filters
from vcdesk.customers.choices import Industry


class OrganisationFilter(Filters):
    industry: Industry | None = None
    q: str | None = None

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(name__icontains=value) | Q(short_name__icontains=value)


class SiteFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    city: str | None = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = None


class ContactFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    phone: str | None = None
    q: Annotated[str | None, FilterLookup(["name__icontains", "phone__startswith"])] = None
