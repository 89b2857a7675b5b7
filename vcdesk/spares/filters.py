"""The spares lists' filters: one definition each for the pages and the API."""

from datetime import datetime
from typing import Annotated

from django.db.models import F, Q
from django.utils import timezone
from ninja import FilterLookup

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.api import Filters, Id
from vcdesk.spares.choices import MovementKind, SpareRequestStatus, WarehouseKind


def _aware(value: datetime) -> datetime:
    """A time without an offset is Beijing time, as everywhere in the plan."""
    return timezone.make_aware(value, BEIJING) if timezone.is_naive(value) else value


class WarehouseFilter(Filters):
    kind: WarehouseKind | None = None
    city: str | None = None
    active: bool | None = None
    q: Annotated[str | None, FilterLookup(["name__icontains", "city__icontains"])] = None


class PartModelFilter(Filters):
    vendor: str | None = None
    serialised: bool | None = None
    device_model: Annotated[Id | None, FilterLookup("device_models")] = None
    q: Annotated[str | None, FilterLookup(["part_number__icontains", "name__icontains"])] = None


class StockLevelFilter(Filters):
    warehouse: Annotated[Id | None, FilterLookup("warehouse_id")] = None
    part_model: Annotated[Id | None, FilterLookup("part_model_id")] = None
    low: bool | None = None
    q: Annotated[
        str | None,
        FilterLookup(["part_model__part_number__icontains", "part_model__name__icontains"]),
    ] = None

    def filter_low(self, value: bool | None) -> Q:
        """Low: fewer available (on hand minus reserved) than the part model's threshold."""
        if value is None:
            return Q()
        low = Q(on_hand__lt=F("reserved") + F("part_model__low_stock_threshold"))
        return low if value else ~low


class StockMovementFilter(Filters):
    warehouse: Annotated[Id | None, FilterLookup("warehouse_id")] = None
    part_model: Annotated[Id | None, FilterLookup("part_model_id")] = None
    kind: MovementKind | None = None
    serial: str | None = None
    after: datetime | None = None
    before: datetime | None = None

    def filter_after(self, value: datetime | None) -> Q:
        return Q(at__gte=_aware(value)) if value else Q()

    def filter_before(self, value: datetime | None) -> Q:
        return Q(at__lt=_aware(value)) if value else Q()


class SpareRequestFilter(Filters):
    service_record: Annotated[Id | None, FilterLookup("service_record_id")] = None
    part_model: Annotated[Id | None, FilterLookup("part_model_id")] = None
    warehouse: Annotated[Id | None, FilterLookup("reservation__warehouse_id")] = None
    status: SpareRequestStatus | None = None
    open: bool | None = None

    def filter_status(self, value: SpareRequestStatus | None) -> Q:
        s = SpareRequestStatus
        return {
            None: Q(),
            s.CANCELLED: Q(cancelled_at__isnull=False),
            s.ARRIVED: Q(cancelled_at__isnull=True, arrived_at__isnull=False),
            s.SHIPPED: Q(
                cancelled_at__isnull=True, arrived_at__isnull=True, shipped_at__isnull=False
            ),
            s.RESERVED: Q(cancelled_at__isnull=True, shipped_at__isnull=True),
        }[value]

    def filter_open(self, value: bool | None) -> Q:
        """Open: still owed a step (neither arrived nor cancelled)."""
        if value is None:
            return Q()
        still_owed = Q(arrived_at__isnull=True, cancelled_at__isnull=True)
        return still_owed if value else ~still_owed
