from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup

from vcdesk.core.api import Filters


class ContractFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    number: str | None = None
    in_warranty: bool | None = None

    def filter_in_warranty(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        today = timezone.localdate()
        covered = Q(accepted_on__lte=today, warranty_ends_on__gt=today)
        return covered if value else ~covered
