"""RMAs, quotes and orders under /api/v1/ (R4.3, R4.4, R11).

Same conventions as every router: lists `{"items", "count"}` with `limit`/`offset` and the
list's filters; another organisation's object answers 404; a write the user may not make
403; bad input 422 naming the field — a line's field by its place, e.g.
`["body", "lines", 1, "unit_price"]` — and nothing is written; a step that cannot happen now
409 with the reason.
"""

import datetime as dt
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from vcdesk.core.api import (
    ErrorOut,
    Input,
    Pagination,
    PathId,
    get_visible_or_404,
    refused_as_409,
    require,
    validation_error_items,
)
from vcdesk.rma import selectors, services
from vcdesk.rma.choices import QuoteLineKind, QuoteStatus, RmaEventType, RmaStatus, RmaStep
from vcdesk.rma.filters import OrderFilter, QuoteFilter, RmaFilter
from vcdesk.rma.models import Order, Quote, Rma, RmaPart
from vcdesk.rma.permissions import may_decide_quote, may_handle_rma

router = Router(tags=["rma & quotes"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _located(item: dict) -> dict:
    """`["body", "lines.1.unit_price"]` → `["body", "lines", 1, "unit_price"]`."""
    loc: list[str | int] = []
    for part in item["loc"]:
        for piece in str(part).split("."):
            loc.append(int(piece) if piece.isdigit() else piece)
    return {**item, "loc": loc}


def _run(service: Callable, *args, **kwargs) -> Any:
    """Call a service; its refusals of input answer 422 with each line's place in `loc`."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as exc:
        raise NinjaValidationError([_located(i) for i in validation_error_items(exc)]) from exc


# --- schemas ----------------------------------------------------------------------------------


class RmaProductOut(Schema):
    id: int
    device: int | None = Field(alias="device_id")
    device_model: str
    serial: str
    quantity: int
    received_at: datetime | None
    returned_to_bonded_at: datetime | None


class RmaPartOut(Schema):
    id: int
    part_model: int = Field(alias="part_model_id")
    part_model_name: str
    serial: str
    quantity: int
    arrived_at: datetime | None
    returned_to_user_at: datetime | None
    advance: bool
    warehouse: int | None = Field(alias="warehouse_id")
    shipped_at: datetime | None

    @staticmethod
    def resolve_part_model_name(obj: RmaPart) -> str:
        return str(obj.part_model)


class RmaEventOut(Schema):
    id: int
    type: RmaEventType
    at: datetime
    note: str
    actor: int | None = Field(alias="actor_id")
    recorded_at: datetime


class RmaOut(Schema):
    id: int
    number: str
    status: RmaStatus
    filler: int = Field(alias="filler_id")
    filler_name: str
    service_record: int | None = Field(alias="service_record_id")
    service_number: str
    date: dt.date
    requested_at: datetime
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    contact_name: str
    phone: str
    fax: str
    consignee: str
    address: str
    post_code: str
    fault_symptom: str
    cause_and_measures: str
    owed_since: datetime | None
    owed_days: int | None
    products: list[RmaProductOut]
    parts: list[RmaPartOut]

    @staticmethod
    def resolve_filler_name(obj: Rma) -> str:
        return str(obj.filler)

    @staticmethod
    def resolve_owed_days(obj: Rma) -> int | None:
        return obj.owed_days_at(timezone.now())

    @staticmethod
    def resolve_products(obj: Rma):
        return list(obj.products.all())

    @staticmethod
    def resolve_parts(obj: Rma):
        return list(obj.parts.all())


class RmaDetailOut(RmaOut):
    events: list[RmaEventOut]

    @staticmethod
    def resolve_events(obj: Rma):
        return list(obj.events.all())


class RmaProductIn(Input):
    device: int | None = None
    device_model: str = Field("", max_length=200)
    serial: str = Field("", max_length=100)
    quantity: int = Field(1, ge=1, le=10_000)


class RmaIn(Input):
    organisation: int | None = None
    service_record: int | None = None
    date: dt.date | None = None
    requested_at: datetime | None = None
    contact_name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=1, max_length=50)
    fax: str = Field("", max_length=50)
    consignee: str = Field(min_length=1, max_length=100)
    address: str = Field(min_length=1, max_length=300)
    post_code: str = Field(pattern=r"^[0-9]{6}$")
    fault_symptom: str = Field(min_length=1, max_length=5000)
    cause_and_measures: str = Field("", max_length=5000)
    products: list[RmaProductIn] = Field(default_factory=list, max_length=50)


class RmaPatchIn(Input):
    service_record: int | None = None
    date: dt.date | None = None
    contact_name: str = Field(None, min_length=1, max_length=100)
    phone: str = Field(None, min_length=1, max_length=50)
    fax: str = Field(None, max_length=50)
    consignee: str = Field(None, min_length=1, max_length=100)
    address: str = Field(None, min_length=1, max_length=300)
    post_code: str = Field(None, pattern=r"^[0-9]{6}$")
    fault_symptom: str = Field(None, min_length=1, max_length=5000)
    cause_and_measures: str = Field(None, max_length=5000)


class RmaEventIn(Input):
    type: RmaStep
    at: datetime | None = None
    note: str = Field("", max_length=5000)


class AdvanceReplacementIn(Input):
    warehouse: int
    part_model: int
    serial: str = Field("", max_length=100)
    at: datetime | None = None
    arrived_at: datetime | None = None
    note: str = Field("", max_length=5000)


class RmaPartIn(Input):
    part_model: int
    serial: str = Field("", max_length=100)
    quantity: int = Field(1, ge=1, le=10_000)
    arrived_at: datetime | None = None
    returned_to_user_at: datetime | None = None


class RmaPartPatchIn(Input):
    serial: str = Field(None, max_length=100)
    arrived_at: datetime | None = None
    returned_to_user_at: datetime | None = None


class QuoteLineOut(Schema):
    position: int
    kind: QuoteLineKind
    part_model: int | None = Field(alias="part_model_id")
    description: str
    quantity: int
    unit_price: Decimal
    market_price: Decimal | None
    amount: Decimal


class QuoteOut(Schema):
    id: int
    number: str
    status: QuoteStatus
    organisation: int = Field(alias="organisation_id")
    device: int = Field(alias="device_id")
    rma: int | None = Field(alias="rma_id")
    service_record: int | None = Field(alias="service_record_id")
    repair_number: str
    repair_on: dt.date
    warranty_ends_on: dt.date
    note: str
    lines: list[QuoteLineOut]
    total: Decimal
    created_by: int | None = Field(alias="created_by_id")
    created_at: datetime
    sent_at: datetime | None
    accepted_at: datetime | None
    declined_at: datetime | None
    decided_by: int | None = Field(alias="decided_by_id")
    decision_note: str
    order: int | None
    order_number: str | None

    @staticmethod
    def resolve_lines(obj: Quote):
        return list(obj.lines.all())

    @staticmethod
    def resolve_order(obj: Quote) -> int | None:
        order = getattr(obj, "order", None) if obj.accepted_at else None
        return order.pk if order else None

    @staticmethod
    def resolve_order_number(obj: Quote) -> str | None:
        order = getattr(obj, "order", None) if obj.accepted_at else None
        return order.number if order else None


class QuoteLineIn(Input):
    kind: QuoteLineKind = QuoteLineKind.PART
    part_model: int | None = None
    description: str = Field("", max_length=300)
    quantity: int = Field(1, ge=1, le=10_000)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class QuoteIn(Input):
    rma: int | None = None
    service_record: int | None = None
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=5000)


class DecisionIn(Input):
    at: datetime | None = None
    note: str = Field("", max_length=2000)


class OrderOut(Schema):
    id: int
    number: str
    quote: int = Field(alias="quote_id")
    quote_number: str = Field(alias="quote.number")
    organisation: int = Field(alias="organisation_id")
    device: int = Field(alias="quote.device_id")
    ordered_at: datetime
    ordered_by: int | None = Field(alias="ordered_by_id")
    lines: list[QuoteLineOut]
    total: Decimal

    @staticmethod
    def resolve_lines(obj: Order):
        return list(obj.quote.lines.all())


# --- RMAs -------------------------------------------------------------------------------------


def _rma(request: HttpRequest, rma_id: PathId) -> Rma:
    return get_visible_or_404(selectors.rma_detail_visible(user=request.auth), rma_id)


@router.get(
    "/rmas",
    response=list[RmaOut],
    operation_id="rmas_list",
    summary="List RMAs, newest first",
)
@paginate(Pagination)
def rmas_list(request: HttpRequest, filters: Query[RmaFilter]):
    """Filters: `status`, `organisation`, `service_record`, `open`, `q` (RMA number, service
    number or serial) and `owed=true` — the RMAs whose customer owes the faulty unit for an
    advance replacement (`owed_since`, `owed_days`)."""
    return filters.filter(selectors.rma_visible(user=request.auth))


@router.post(
    "/rmas",
    response={201: RmaDetailOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="rmas_create",
    summary="File a repair request (设备维修申请表)",
)
def rmas_create(request: HttpRequest, payload: RmaIn):
    """`organisation` (the customer unit), or `service_record` (its unit and, without
    `products`, its device follow). Product lines: `device` or `device_model` + `serial`;
    a serial of the customer's device links the device."""
    require(may_handle_rma(request.auth))
    rma = _run(services.rma_create, actor=request.auth, **payload.dict())
    return Status(201, _rma(request, rma.pk))


@router.get(
    "/rmas/{int:rma_id}",
    response={200: RmaDetailOut, 404: ErrorOut},
    operation_id="rmas_read",
    summary="Read an RMA with its lines and steps",
)
def rmas_read(request: HttpRequest, rma_id: PathId):
    return _rma(request, rma_id)


@router.patch(
    "/rmas/{int:rma_id}",
    response={200: RmaDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="rmas_update",
    summary="Change an RMA's form fields",
)
def rmas_update(request: HttpRequest, rma_id: PathId, payload: RmaPatchIn):
    rma = _rma(request, rma_id)
    require(may_handle_rma(request.auth))
    changes = payload.dict(exclude_unset=True)
    if changes:
        _run(services.rma_update, rma, actor=request.auth, **changes)
    return _rma(request, rma_id)


def _rma_step(
    path: str, payload_in: type[Schema], service: Callable, *, name: str, summary: str, doc: str
) -> None:
    """Add `POST /rmas/{id}/<path>`: one step of the RMA handler, `service(rma, actor=…,
    **payload)`. Answers the RMA (201); a step the RMA's flow refuses now, 409 with the
    reason; bad input 422."""

    @router.post(
        f"/rmas/{{int:rma_id}}/{path}",
        response={201: RmaDetailOut, **WRITE_ERRORS},
        operation_id=name,
        summary=summary,
        description=doc,
    )
    def step(request: HttpRequest, rma_id: PathId, payload: payload_in):  # type: ignore[valid-type]
        rma = _rma(request, rma_id)
        require(may_handle_rma(request.auth))
        done = refused_as_409(
            lambda: _run(service, rma, actor=request.auth, **payload.dict()),
            services.RmaEventRefused,
        )
        return done if isinstance(done, Status) else Status(201, _rma(request, rma_id))


_rma_step(
    "events",
    RmaEventIn,
    services.rma_event_add,
    name="rmas_event",
    summary="Record a step: faulty unit received, sent to vendor, repaired, returned, closed",
    doc="`faulty_received`, `sent_to_vendor`, `repaired`, `returned_to_user`, `closed`, each "
    "only after the one before it; a step out of order answers 409 with the reason.",
)
_rma_step(
    "advance-replacement",
    AdvanceReplacementIn,
    services.rma_advance_replacement,
    name="rmas_advance_replacement",
    summary="Ship a replacement before the faulty unit is received (先行发货)",
    doc="Reserves and ships one `part_model` from `warehouse` at `at` (default now; a "
    "serialised part without `serial` ships the first in stock), adds it as a "
    "replacement-part line, and the RMA owes the faulty unit until `faulty_received`. After "
    "that it answers 409.",
)
_rma_step(
    "products",
    RmaProductIn,
    services.rma_product_add,
    name="rmas_product_add",
    summary="Add a faulty unit (product line)",
    doc="Refused (409) once the RMA is closed.",
)
_rma_step(
    "parts",
    RmaPartIn,
    services.rma_part_add,
    name="rmas_part_add",
    summary="Add a replacement-part line (更换零备件记录)",
    doc="Refused (409) once the RMA is closed.",
)


@router.patch(
    "/rmas/{int:rma_id}/parts/{int:part_id}",
    response={200: RmaDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="rmas_part_update",
    summary="Fill in a replacement part's arrival or return time, or its serial",
)
def rmas_part_update(
    request: HttpRequest, rma_id: PathId, part_id: PathId, payload: RmaPartPatchIn
):
    rma = _rma(request, rma_id)
    part = get_visible_or_404(rma.parts.all(), part_id)
    require(may_handle_rma(request.auth))
    changes = payload.dict(exclude_unset=True)
    if changes:
        _run(services.rma_part_update, part, actor=request.auth, **changes)
    return _rma(request, rma_id)


# --- quotes -----------------------------------------------------------------------------------


def _quote(request: HttpRequest, quote_id: PathId) -> Quote:
    return get_visible_or_404(selectors.quote_detail_visible(user=request.auth), quote_id)


@router.get("/quotes", response=list[QuoteOut], operation_id="quotes_list", summary="List quotes")
@paginate(Pagination)
def quotes_list(request: HttpRequest, filters: Query[QuoteFilter]):
    """Filters: `status` (draft, sent, accepted, declined), `organisation`, `rma`,
    `service_record`. A customer contact sees the quotes sent to their organisation."""
    return filters.filter(selectors.quote_visible(user=request.auth))


@router.post(
    "/quotes",
    response={201: QuoteOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="quotes_create",
    summary="Quote an out-of-warranty repair (labour free, parts at most market price)",
)
def quotes_create(request: HttpRequest, payload: QuoteIn):
    """For one repair: `rma` or `service_record`. Lines: `{"kind": "part", "part_model",
    "quantity", "unit_price"}` — no more than the part's recorded market price — or
    `{"kind": "labour", "description"}` at 0 (人工费全免; one is added when none is given).
    A device in warranty answers 422: parts are free in warranty."""
    require(may_handle_rma(request.auth))
    quote = _run(services.quote_create, actor=request.auth, **payload.dict())
    return Status(201, _quote(request, quote.pk))


@router.get(
    "/quotes/{int:quote_id}",
    response={200: QuoteOut, 404: ErrorOut},
    operation_id="quotes_read",
    summary="Read a quote",
)
def quotes_read(request: HttpRequest, quote_id: PathId):
    return _quote(request, quote_id)


def _quote_step(
    request: HttpRequest, quote_id: PathId, service: Callable, may: Callable, **fields
) -> Quote | Status:
    """One step of a quote: `service(quote, actor=…, **fields)` if `may(user, quote)`; a
    step the quote's state refuses answers 409 with the reason."""
    quote = _quote(request, quote_id)
    require(may(request.auth, quote))
    done = refused_as_409(
        lambda: _run(service, quote, actor=request.auth, **fields), services.QuoteRefused
    )
    return done if isinstance(done, Status) else _quote(request, quote_id)


@router.post(
    "/quotes/{int:quote_id}/send",
    response={200: QuoteOut, **WRITE_ERRORS},
    operation_id="quotes_send",
    summary="Send a draft quote to the customer",
)
def quotes_send(request: HttpRequest, quote_id: PathId):
    return _quote_step(
        request, quote_id, services.quote_send, lambda user, _quote: may_handle_rma(user)
    )


@router.post(
    "/quotes/{int:quote_id}/accept",
    response={200: QuoteOut, **WRITE_ERRORS},
    operation_id="quotes_accept",
    summary="Accept a sent quote: the order is placed",
)
def quotes_accept(request: HttpRequest, quote_id: PathId, payload: DecisionIn):
    """A contact of the quote's organisation accepts it, or staff record that the customer
    did (`at`, `note`: who accepted and how). The answer names the new order."""
    return _quote_step(request, quote_id, services.quote_accept, may_decide_quote, **payload.dict())


@router.post(
    "/quotes/{int:quote_id}/decline",
    response={200: QuoteOut, **WRITE_ERRORS},
    operation_id="quotes_decline",
    summary="Decline a sent quote, saying why",
)
def quotes_decline(request: HttpRequest, quote_id: PathId, payload: DecisionIn):
    """`note`: the customer's reason (required). A contact of the quote's organisation
    declines it, or staff record that the customer did."""
    return _quote_step(
        request, quote_id, services.quote_decline, may_decide_quote, **payload.dict()
    )


# --- orders -----------------------------------------------------------------------------------


@router.get("/orders", response=list[OrderOut], operation_id="orders_list", summary="List orders")
@paginate(Pagination)
def orders_list(request: HttpRequest, filters: Query[OrderFilter]):
    return filters.filter(selectors.order_visible(user=request.auth))


@router.get(
    "/orders/{int:order_id}",
    response={200: OrderOut, 404: ErrorOut},
    operation_id="orders_read",
    summary="Read an order",
)
def orders_read(request: HttpRequest, order_id: PathId):
    return get_visible_or_404(selectors.order_visible(user=request.auth), order_id)
