"""Reads of warehouses, part models, stock and spare requests, scoped to what the user may see.

Warehouses and part models are reference data every signed-in user may read. Stock levels
and movements are staff business: a customer contact gets nothing (the API answers 403, see
vcdesk.spares.permissions.may_see_stock). A customer contact sees the spare requests of
their own organisation's service records only.
"""

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)

from vcdesk.assets.models import DeviceModel
from vcdesk.core.tenancy import scope_to_user
from vcdesk.service.choices import ClockKind
from vcdesk.service.models import Clock
from vcdesk.spares.choices import MovementKind
from vcdesk.spares.cities import FAR
from vcdesk.spares.models import PartModel, SpareRequest, StockLevel, StockMovement, Warehouse
from vcdesk.spares.permissions import may_see_stock
from vcdesk.spares.services import warehouses_by_distance


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def warehouse_visible(*, user) -> QuerySet[Warehouse]:
    return Warehouse.objects.all() if _signed_in(user) else Warehouse.objects.none()


def part_model_visible(*, user) -> QuerySet[PartModel]:
    if not _signed_in(user):
        return PartModel.objects.none()
    return PartModel.objects.prefetch_related(
        Prefetch("device_models", queryset=DeviceModel.objects.only("id", "vendor", "name"))
    )


def stock_level_visible(*, user) -> QuerySet[StockLevel]:
    """Stock levels, warehouse by warehouse; nothing for a customer contact."""
    if not may_see_stock(user):
        return StockLevel.objects.none()
    return StockLevel.objects.select_related("warehouse", "part_model").order_by(
        "warehouse__kind",
        "warehouse__city",
        "warehouse__name",
        "part_model__vendor",
        "part_model__part_number",
    )


def stock_movement_visible(*, user) -> QuerySet[StockMovement]:
    """Every stock movement, newest first; nothing for a customer contact."""
    if not may_see_stock(user):
        return StockMovement.objects.none()
    return StockMovement.objects.select_related("warehouse", "part_model", "actor").order_by(
        "-at", "-id"
    )


def stock_matrix(
    *, user, part_models: list[PartModel], warehouses: list[Warehouse]
) -> dict[tuple[int, int], tuple[int, int]]:
    """(on hand, reserved) of these part models in these warehouses, by (part model,
    warehouse); a pair missing from it was never stocked there. Numbers only: the stock
    page has the part models and warehouses already, and a page holds hundreds of levels."""
    levels = (
        stock_level_visible(user=user)
        .filter(part_model__in=part_models, warehouse__in=warehouses)
        .order_by()
        .values_list("part_model_id", "warehouse_id", "on_hand", "reserved")
    )
    return {(p, w): (on_hand, reserved) for p, w, on_hand, reserved in levels}


SPARE_CLOCKS = (ClockKind.SPARE_SHIP, ClockKind.SPARE_ARRIVAL)


def _spare_clock_due(kind: ClockKind) -> Subquery:
    """The due time of the record's clock of `kind` that the request's spare_requested event
    started (the clock starts at the event's time, which is the request's requested_at)."""
    return Subquery(
        Clock.objects.filter(
            record=OuterRef("service_record_id"), kind=kind, started_at=OuterRef("requested_at")
        ).values("due_at")[:1],
        output_field=DateTimeField(),
    )


def spare_request_visible(*, user) -> QuerySet[SpareRequest]:
    """Spare requests with their spare clocks' due times (`ship_due_at`, `arrival_due_at`)
    and `next_due_at`, the due time of the step still owed (shipping, then arrival)."""
    queryset = (
        SpareRequest.objects.select_related(
            "reservation__warehouse",
            "part_model",
            "service_record__organisation",
            "service_record__site",
            "service_record__device__model",
        )
        .prefetch_related(
            # The serials shipped (SpareRequest.serials), not every movement of the request.
            Prefetch(
                "reservation__movements",
                queryset=StockMovement.objects.filter(kind=MovementKind.SHIPPED)
                .exclude(serial="")
                .only("id", "reservation_id", "kind", "serial"),
            ),
            Prefetch(
                "service_record__clocks",
                queryset=Clock.objects.filter(kind__in=SPARE_CLOCKS).order_by("started_at"),
                to_attr="spare_clocks",
            ),
        )
        .annotate(
            ship_due_at=_spare_clock_due(ClockKind.SPARE_SHIP),
            arrival_due_at=_spare_clock_due(ClockKind.SPARE_ARRIVAL),
        )
        .annotate(
            next_due_at=Case(
                When(shipped_at__isnull=True, then=F("ship_due_at")),
                default=F("arrival_due_at"),
                output_field=DateTimeField(),
            )
        )
    )
    return scope_to_user(
        queryset, user=user, organisation_path="service_record__organisation_id"
    ).order_by("-requested_at", "-id")


def spare_request_by_due(*, user) -> QuerySet[SpareRequest]:
    """Spare requests, the one whose owed step (shipping, then arrival) falls due first
    first; those owing nothing (arrived, cancelled) last."""
    owed = Q(arrived_at__isnull=True, cancelled_at__isnull=True)
    return spare_request_visible(user=user).order_by(
        Case(When(owed, then=0), default=1), F("next_due_at").asc(nulls_last=True), "id"
    )


def spare_request_open(*, user) -> QuerySet[SpareRequest]:
    """Requests still owed a step (not arrived, not cancelled), the one due first first."""
    return spare_request_by_due(user=user).filter(
        arrived_at__isnull=True, cancelled_at__isnull=True
    )


def spare_clocks_of(request: SpareRequest) -> dict[str, Clock]:
    """The request's spare clocks by kind (from the prefetched `spare_clocks` of its record):
    those its spare_requested event started, at the request's requested_at."""
    return {
        clock.kind: clock
        for clock in request.service_record.spare_clocks
        if clock.started_at == request.requested_at
    }


def part_models_for_record(*, user, record) -> QuerySet[PartModel]:
    """Part models, those that serve the record's device model first."""
    return (
        part_model_visible(user=user)
        .annotate(serves=Count("device_models", filter=Q(device_models=record.device.model_id)))
        .order_by("-serves", "vendor", "part_number")
    )


def spare_request_proposal(*, record, part_model: PartModel, quantity: int) -> list[dict]:
    """The active warehouses with `quantity` available, nearest to the record's site city
    first: {warehouse, available, km}; km is None when a city is not in the distance table."""
    return [
        {"warehouse": warehouse, "available": available, "km": None if km >= FAR else round(km)}
        for warehouse, available, km in warehouses_by_distance(
            part_model=part_model, quantity=quantity, city=record.site.city
        )
    ]
