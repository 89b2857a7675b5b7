"""Spares API: warehouses, part models, stock and spare requests (issue 4 items 1, 2 and 5).

Who may do what: spares keepers, support engineers and service managers write; all staff
read. A customer contact reads warehouses, part models and the spare requests of their own
organisation's service records (another organisation's answers 404); stock levels and
movements answer them 403 — the warehouses' stock is none of their business.

A step the service record cannot take now (a spare already requested, the record closed)
answers 409 with the reason, as the record's own events do; so does a spare request step
refused for the request's state (shipping one already shipped or cancelled, an arrival
before shipping, cancelling one that has shipped).
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from vcdesk.core.api import (
    ErrorOut,
    Id,
    Input,
    Pagination,
    PathId,
    crud_routes,
    get_visible_or_404,
    refused_as_409,
    require,
    validation_error_items,
)
from vcdesk.service.api import ClockOut
from vcdesk.service.selectors import service_record_visible
from vcdesk.spares import filters, reference, selectors, services
from vcdesk.spares.choices import MovementKind, SpareRequestStatus, WarehouseKind
from vcdesk.spares.models import PartModel, SpareRequest, StockLevel
from vcdesk.spares.permissions import may_manage_spares, may_see_stock

router = Router(tags=["spares"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_QUANTITY = 100_000
Serial = Annotated[str, Field(min_length=1, max_length=100)]


# --- warehouses and part models ---------------------------------------------------------------


class WarehouseOut(Schema):
    id: int
    name: str
    city: str
    kind: WarehouseKind
    address: str
    active: bool


class WarehouseIn(Input):
    name: str = Field(min_length=1, max_length=100)
    city: str = Field(min_length=1, max_length=50)
    kind: WarehouseKind = WarehouseKind.REGIONAL
    address: str = Field("", max_length=300)
    active: bool = True


class WarehousePatch(Input):
    name: str = Field(None, min_length=1, max_length=100)
    city: str = Field(None, min_length=1, max_length=50)
    kind: WarehouseKind = None
    address: str = Field(None, max_length=300)
    active: bool = None


class PartModelOut(Schema):
    id: int
    vendor: str
    part_number: str
    name: str
    serialised: bool
    device_models: list[int]
    market_price: Decimal | None
    low_stock_threshold: int

    @staticmethod
    def resolve_device_models(obj: PartModel) -> list[int]:
        return sorted(m.pk for m in obj.device_models.all())


Price = Decimal | None


class PartModelIn(Input):
    vendor: str = Field(min_length=1, max_length=100)
    part_number: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    serialised: bool = True
    device_models: list[Id] = []
    market_price: Price = Field(None, ge=0, max_digits=12, decimal_places=2)
    low_stock_threshold: int = Field(1, ge=0, le=MAX_QUANTITY)


class PartModelPatch(Input):
    vendor: str = Field(None, min_length=1, max_length=100)
    part_number: str = Field(None, min_length=1, max_length=100)
    name: str = Field(None, min_length=1, max_length=200)
    serialised: bool = None
    device_models: list[Id] = None
    market_price: Price = Field(None, ge=0, max_digits=12, decimal_places=2)
    low_stock_threshold: int = Field(None, ge=0, le=MAX_QUANTITY)


crud_routes(
    router,
    path="/warehouses",
    name="warehouses",
    out=WarehouseOut,
    create_in=WarehouseIn,
    patch_in=WarehousePatch,
    filters=filters.WarehouseFilter,
    visible=selectors.warehouse_visible,
    may_write=may_manage_spares,
    create=reference.warehouse_create,
    update=reference.warehouse_update,
)
crud_routes(
    router,
    path="/part-models",
    name="part_models",
    out=PartModelOut,
    create_in=PartModelIn,
    patch_in=PartModelPatch,
    filters=filters.PartModelFilter,
    visible=selectors.part_model_visible,
    may_write=may_manage_spares,
    create=reference.part_model_create,
    update=reference.part_model_update,
)


# --- stock -----------------------------------------------------------------------------------


class StockLevelOut(Schema):
    warehouse: int = Field(alias="warehouse_id")
    part_model: int = Field(alias="part_model_id")
    on_hand: int
    reserved: int
    available: int
    low: bool

    @staticmethod
    def resolve_low(obj: StockLevel) -> bool:
        return obj.available < obj.part_model.low_stock_threshold


class StockChangeOut(Schema):
    levels: list[StockLevelOut]


class StockMovementOut(Schema):
    id: int
    warehouse: int = Field(alias="warehouse_id")
    part_model: int = Field(alias="part_model_id")
    kind: MovementKind
    quantity: int
    serial: str
    reservation: int | None = Field(alias="reservation_id")
    at: datetime
    note: str
    actor: int | None = Field(alias="actor_id")


class StockReceiveIn(Input):
    warehouse: Id
    part_model: Id
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    serials: list[Serial] = Field([], max_length=MAX_QUANTITY)
    note: str = Field("", max_length=300)


class StockTransferIn(Input):
    from_warehouse: Id
    to_warehouse: Id
    part_model: Id
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    serials: list[Serial] = Field([], max_length=MAX_QUANTITY)


def _resolve(user, **ids: int | None) -> dict:
    """The objects named by id in a request body, looked up among those `user` may use;
    every unknown one is a 422 on its field (all of them at once)."""
    lookups = {
        "warehouse": lambda: selectors.warehouse_visible(user=user).filter(active=True),
        "from_warehouse": lambda: selectors.warehouse_visible(user=user).filter(active=True),
        "to_warehouse": lambda: selectors.warehouse_visible(user=user).filter(active=True),
        "part_model": lambda: selectors.part_model_visible(user=user),
        "service_record": lambda: service_record_visible(user=user).prefetch_related(None),
    }
    messages = {
        "service_record": _("No such service record."),
        "part_model": _("No such part model."),
    }
    found, errors = {}, {}
    for field, pk in ids.items():
        if pk is None:
            found[field] = None
            continue
        obj = lookups[field]().filter(pk=pk).first()
        if obj is None:
            errors[field] = [messages.get(field, _("No such active warehouse."))]
        found[field] = obj
    if errors:
        raise ValidationError(errors)
    return found


def _levels(*pairs) -> dict:
    return {
        "levels": [
            StockLevel.objects.select_related("part_model").get(
                warehouse=warehouse, part_model=part_model
            )
            for warehouse, part_model in pairs
        ]
    }


@router.get(
    "/stock",
    response={200: list[StockLevelOut], 403: ErrorOut},
    operation_id="stock_list",
    summary="List stock levels by warehouse and part model",
)
@paginate(Pagination)
def stock_list(request: HttpRequest, filters: Query[filters.StockLevelFilter]):
    """On hand, reserved and available per warehouse and part model; `low=true` lists those
    with fewer available than the part model's threshold. Staff only (403 to a customer)."""
    require(may_see_stock(request.auth))
    return filters.filter(selectors.stock_level_visible(user=request.auth))


@router.get(
    "/stock/movements",
    response={200: list[StockMovementOut], 403: ErrorOut},
    operation_id="stock_movements_list",
    summary="List stock movements, newest first",
)
@paginate(Pagination)
def stock_movements_list(request: HttpRequest, filters: Query[filters.StockMovementFilter]):
    """Every change of stock is one movement; staff only (403 to a customer)."""
    require(may_see_stock(request.auth))
    return filters.filter(selectors.stock_movement_visible(user=request.auth))


@router.post(
    "/stock/receive",
    response={201: StockChangeOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="stock_receive",
    summary="Receive stock into a warehouse",
)
def stock_receive(request: HttpRequest, payload: StockReceiveIn):
    """A serialised part model needs one serial number per unit; others none."""
    require(may_manage_spares(request.auth))
    found = _resolve(request.auth, warehouse=payload.warehouse, part_model=payload.part_model)
    services.stock_receive(
        warehouse=found["warehouse"],
        part_model=found["part_model"],
        quantity=payload.quantity,
        serials=payload.serials,
        note=payload.note,
        actor=request.auth,
    )
    return Status(201, _levels((found["warehouse"], found["part_model"])))


@router.post(
    "/stock/transfer",
    response={201: StockChangeOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="stock_transfer",
    summary="Move available stock from one warehouse to another",
)
def stock_transfer(request: HttpRequest, payload: StockTransferIn):
    """Answers both warehouses' new levels, the sending one first."""
    require(may_manage_spares(request.auth))
    found = _resolve(
        request.auth,
        from_warehouse=payload.from_warehouse,
        to_warehouse=payload.to_warehouse,
        part_model=payload.part_model,
    )
    services.stock_transfer(
        from_warehouse=found["from_warehouse"],
        to_warehouse=found["to_warehouse"],
        part_model=found["part_model"],
        quantity=payload.quantity,
        serials=payload.serials,
        actor=request.auth,
    )
    part_model = found["part_model"]
    return Status(
        201,
        _levels((found["from_warehouse"], part_model), (found["to_warehouse"], part_model)),
    )


# --- spare requests --------------------------------------------------------------------------


class SpareRequestOut(Schema):
    id: int
    service_record: int = Field(alias="service_record_id")
    part_model: int = Field(alias="part_model_id")
    quantity: int
    warehouse: int
    status: SpareRequestStatus
    requested_at: datetime
    carrier: str
    tracking_number: str
    serials: list[str] = Field(description="The serial numbers shipped, one per unit")
    shipped_at: datetime | None
    arrived_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    spare_ship_due_at: datetime | None = Field(alias="ship_due_at")
    spare_arrival_due_at: datetime | None = Field(alias="arrival_due_at")
    clocks: list[ClockOut]

    @staticmethod
    def resolve_warehouse(obj: SpareRequest) -> int:
        return obj.reservation.warehouse_id

    @staticmethod
    def resolve_clocks(obj: SpareRequest) -> list:
        return list(selectors.spare_clocks_of(obj).values())


class SpareRequestIn(Input):
    service_record: Id
    part_model: Id
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)
    warehouse: Id | None = None
    note: str = Field("", max_length=5000)


class SpareShipIn(Input):
    carrier: str = Field(min_length=1, max_length=50)
    tracking_number: str = Field(min_length=1, max_length=50)
    serials: list[Serial] = Field(
        [],
        max_length=MAX_QUANTITY,
        description="A serialised part: one serial number per unit, each in stock at the "
        "request's warehouse; none otherwise",
    )


class SpareCancelIn(Input):
    reason: str = Field(min_length=1, max_length=500)


class SpareArriveIn(Input):
    at: datetime | None = None


class ProposalQuery(Input):
    service_record: Id
    part_model: Id
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)


class CandidateOut(Schema):
    warehouse: WarehouseOut
    available: int
    km: int | None = Field(description="Straight-line distance; null when a city is unknown")


class ProposalOut(Schema):
    city: str = Field(description="The service record's site city")
    items: list[CandidateOut]
    count: int


def _spare_request(request: HttpRequest, pk: int) -> SpareRequest:
    return get_visible_or_404(selectors.spare_request_visible(user=request.auth), pk)


@router.get(
    "/spare-requests",
    response=list[SpareRequestOut],
    operation_id="spare_requests_list",
    summary="List spare requests, newest first",
)
@paginate(Pagination)
def spare_requests_list(request: HttpRequest, filters: Query[filters.SpareRequestFilter]):
    """A customer contact sees those of their own organisation's service records."""
    return filters.filter(selectors.spare_request_visible(user=request.auth))


@router.get(
    "/spare-requests/proposal",
    response={200: ProposalOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="spare_requests_proposal",
    summary="Warehouses that could send the spare, nearest to the site first",
)
def spare_requests_proposal(request: HttpRequest, query: Query[ProposalQuery]):
    """Active warehouses with `quantity` available, nearest to the service record's site
    city first (the vendor's bonded warehouse after a regional one at the same distance).
    Staff only (403 to a customer)."""
    require(may_see_stock(request.auth))
    try:
        found = _resolve(
            request.auth, service_record=query.service_record, part_model=query.part_model
        )
    except ValidationError as exc:
        return Status(422, {"detail": validation_error_items(exc, prefix="query")})
    record = found["service_record"]
    items = selectors.spare_request_proposal(
        record=record, part_model=found["part_model"], quantity=query.quantity
    )
    return {"city": record.site.city, "items": items, "count": len(items)}


@router.post(
    "/spare-requests",
    response={201: SpareRequestOut, **WRITE_ERRORS},
    operation_id="spare_requests_create",
    summary="Request a spare for a service record",
)
def spare_requests_create(request: HttpRequest, payload: SpareRequestIn):
    """Reserves the spare at `warehouse`, or, when it is omitted, at the nearest warehouse
    with enough available (see `/spare-requests/proposal`), and records the service
    record's `spare_requested` event: its `spare_ship` and `spare_arrival` clocks start."""
    require(may_manage_spares(request.auth))
    found = _resolve(
        request.auth,
        service_record=payload.service_record,
        part_model=payload.part_model,
        warehouse=payload.warehouse,
    )
    created = refused_as_409(
        lambda: services.spare_request_create(
            service_record=found["service_record"],
            part_model=found["part_model"],
            quantity=payload.quantity,
            warehouse=found["warehouse"],
            note=payload.note,
            actor=request.auth,
        ),
        *services.STEP_REFUSALS,
    )
    if isinstance(created, Status):
        return created
    return Status(201, _spare_request(request, created.pk))


@router.get(
    "/spare-requests/{int:request_id}",
    response={200: SpareRequestOut, 404: ErrorOut},
    operation_id="spare_requests_read",
    summary="Read one spare request",
)
def spare_requests_read(request: HttpRequest, request_id: PathId):
    return _spare_request(request, request_id)


def _spare_request_step(
    request: HttpRequest, request_id: PathId, step: Callable[[SpareRequest], object]
) -> SpareRequest | Status:
    """One step of a spare request the user may see: `step(spare_request)` by spares
    staff (403 otherwise); a step refused now answers 409 with the reason."""
    spare_request = _spare_request(request, request_id)
    require(may_manage_spares(request.auth))
    done = refused_as_409(lambda: step(spare_request), *services.STEP_REFUSALS)
    return done if isinstance(done, Status) else _spare_request(request, request_id)


@router.post(
    "/spare-requests/{int:request_id}/ship",
    response={200: SpareRequestOut, **WRITE_ERRORS},
    operation_id="spare_requests_ship",
    summary="Ship a reserved spare with its carrier and tracking number",
)
def spare_requests_ship(request: HttpRequest, request_id: PathId, payload: SpareShipIn):
    """A serialised part needs `serials`, one per unit of the request, each in stock at the
    request's warehouse (422 on `serials` otherwise). Records the service record's
    `spare_shipped` event (its `spare_ship` clock is met); 409 once shipped or cancelled."""
    return _spare_request_step(
        request,
        request_id,
        lambda spare: services.spare_request_ship(spare, actor=request.auth, **payload.dict()),
    )


@router.post(
    "/spare-requests/{int:request_id}/arrive",
    response={200: SpareRequestOut, **WRITE_ERRORS},
    operation_id="spare_requests_arrive",
    summary="Confirm that a shipped spare arrived",
)
def spare_requests_arrive(request: HttpRequest, request_id: PathId, payload: SpareArriveIn):
    """`at` defaults to now. Records the service record's `spare_arrived` event (its
    `spare_arrival` clock is met)."""
    return _spare_request_step(
        request,
        request_id,
        lambda spare: services.spare_request_arrive(spare, actor=request.auth, at=payload.at),
    )


@router.post(
    "/spare-requests/{int:request_id}/cancel",
    response={200: SpareRequestOut, **WRITE_ERRORS},
    operation_id="spare_requests_cancel",
    summary="Cancel a spare request that has not shipped",
)
def spare_requests_cancel(request: HttpRequest, request_id: PathId, payload: SpareCancelIn):
    """`reason`: why the spare is no longer needed. The reservation is released (a
    `released` stock movement: the units are available again) and the service record's
    `spare_cancelled` event stops its `spare_ship` and `spare_arrival` clocks. Once the
    spare has shipped, or when it was already cancelled, answers 409."""
    return _spare_request_step(
        request,
        request_id,
        lambda spare: services.spare_request_cancel(
            spare, actor=request.auth, reason=payload.reason
        ),
    )
