"""The device list's filters: one definition for the page, the API and the XLSX export."""

from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup

from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.core.api import Filters


class DeviceModelFilter(Filters):
    vendor: str | None = None
    kind: DeviceKind | None = None
    q: Annotated[str | None, FilterLookup(["name__icontains", "vendor__icontains"])] = None


class DeviceFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    site: Annotated[int | None, FilterLookup("site_id")] = None
    contract: Annotated[int | None, FilterLookup("contract_id")] = None
    model: Annotated[int | None, FilterLookup("model_id")] = None
    serial: str | None = None
    kind: Annotated[DeviceKind | None, FilterLookup("model__kind")] = None
    status: DeviceStatus | None = None
    in_warranty: bool | None = None
    q: str | None = None

    def filter_in_warranty(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        today = timezone.localdate()
        covered = Q(contract__accepted_on__lte=today, contract__warranty_ends_on__gt=today)
        return covered if value else ~covered

    def filter_q(self, value: str | None) -> Q:
        """Free search for the page: a serial (exact or its beginning)."""
        if not value:
            return Q()
        value = value.strip()
        return Q(serial=value) | Q(serial__istartswith=value)
