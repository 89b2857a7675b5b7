from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from vcdesk.accounts.permissions import may_handle_service
from vcdesk.assets.selectors import device_with_site_and_contract
from vcdesk.core.api import (
    ErrorOut,
    Id,
    Input,
    Pagination,
    PathId,
    get_visible_or_404,
    require,
)
from vcdesk.service import selectors, services
from vcdesk.service.choices import ClockKind, ClockState, EventType, FaultClass, RecordStatus
from vcdesk.service.filters import ServiceRecordFilter
from vcdesk.service.models import Clock, ServiceRecord

router = Router(tags=["service records"])


class ClockOut(Schema):
    kind: ClockKind
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    state: ClockState
    warning: bool
    held_minutes: int

    @staticmethod
    def resolve_state(obj: Clock) -> ClockState:
        return obj.state_at(timezone.now())

    @staticmethod
    def resolve_warning(obj: Clock) -> bool:
        return obj.warning_at(timezone.now())

    @staticmethod
    def resolve_held_minutes(obj: Clock) -> int:
        return obj.held_minutes_at(timezone.now())


class ServiceRecordOut(Schema):
    id: int
    number: str
    device: int = Field(alias="device_id")
    organisation: int = Field(alias="organisation_id")
    site: int = Field(alias="site_id")
    caller_name: str
    caller_phone: str
    caller_fax: str
    caller_email: str
    duty_officer: int | None = Field(alias="duty_officer_id")
    support_staff: int | None = Field(alias="support_staff_id")
    fault_class: FaultClass
    handling_rule: str
    description: str
    reported_at: datetime
    status: RecordStatus
    next_due_at: datetime | None
    breached: bool
    clocks: list[ClockOut]

    @staticmethod
    def resolve_breached(obj: ServiceRecord) -> bool:
        return obj.has_breach or (obj.next_due_at is not None and obj.next_due_at < timezone.now())

    @staticmethod
    def resolve_clocks(obj: ServiceRecord) -> list[Clock]:
        return list(obj.clocks.all())


class EventOut(Schema):
    id: int
    type: EventType
    at: datetime
    note: str
    engineer: int | None = Field(alias="engineer_id")
    actor: int | None = Field(alias="actor_id")
    recorded_at: datetime


class HistoryEntryOut(Schema):
    at: datetime
    symptom: str
    action: str
    author: int | None = Field(alias="author_id")


class DispatchOut(Schema):
    engineer: int = Field(alias="engineer_id")
    assigned_at: datetime
    accepted_at: datetime | None
    set_out_at: datetime | None
    arrived_at: datetime | None
    departed_at: datetime | None
    report: str


class ServiceRecordDetailOut(ServiceRecordOut):
    events: list[EventOut]
    history: list[HistoryEntryOut]
    dispatches: list[DispatchOut]

    @staticmethod
    def resolve_events(obj: ServiceRecord):
        return list(obj.events.all())

    @staticmethod
    def resolve_history(obj: ServiceRecord):
        return list(obj.history_entries.all())

    @staticmethod
    def resolve_dispatches(obj: ServiceRecord):
        return list(obj.dispatches.all())


class ServiceRecordIn(Input):
    device: Id
    fault_class: FaultClass
    description: str = Field(min_length=1, max_length=5000)
    reported_at: datetime | None = None
    caller_name: str = Field(min_length=1, max_length=100)
    caller_phone: str = Field(min_length=1, max_length=50)
    caller_fax: str = Field("", max_length=50)
    caller_email: str = Field("", max_length=254)


class EventIn(Input):
    type: EventType
    at: datetime | None = None
    note: str = Field("", max_length=5000)
    engineer: int | None = None


class HistoryEntryIn(Input):
    symptom: str = Field("", max_length=5000)
    action: str = Field("", max_length=5000)
    at: datetime | None = None


def _detail(request: HttpRequest, record_id: int) -> ServiceRecord:
    record = selectors.service_record_detail(user=request.auth, pk=record_id)
    if record is None:
        get_visible_or_404(ServiceRecord.objects.none(), record_id)
    return record


@router.get(
    "/service-records",
    response=list[ServiceRecordOut],
    operation_id="service_records_list",
    summary="List service records, next due clock first",
)
@paginate(Pagination)
def service_records_list(request: HttpRequest, filters: Query[ServiceRecordFilter]):
    # The answer names the device, site and organisation by id: no need to join them.
    return filters.filter(selectors.service_record_visible(user=request.auth).select_related(None))


@router.post(
    "/service-records",
    response={201: ServiceRecordOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="service_records_create",
    summary="Open a service record",
)
def service_records_create(request: HttpRequest, payload: ServiceRecordIn):
    """Staff open records for any device; a customer contact for their own devices."""
    fields = payload.dict()
    # The record needs the device's site and contract only (not its model or organisation).
    device = device_with_site_and_contract(user=request.auth, pk=fields.pop("device"))
    if device is None:
        raise ValidationError({"device": [_("No such device.")]})
    record = services.service_record_open(device=device, actor=request.auth, **fields)
    return Status(201, record)  # just written: no need to read it back


@router.get(
    "/service-records/{int:record_id}",
    response={200: ServiceRecordDetailOut, 404: ErrorOut},
    operation_id="service_records_read",
    summary="Read a service record with its clocks, events and history",
)
def service_records_read(request: HttpRequest, record_id: PathId):
    return _detail(request, record_id)


@router.post(
    "/service-records/{int:record_id}/events",
    response={
        201: ServiceRecordDetailOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    operation_id="service_records_event",
    summary="Record an event: the clocks follow",
)
def service_records_event(request: HttpRequest, record_id: PathId, payload: EventIn):
    """`responded`, `remote_failed`, `dispatched`, `arrived`, `spare_requested`,
    `spare_shipped`, `spare_arrived`, `spare_cancelled` (the spare request is withdrawn
    before it shipped: its `spare_ship` and `spare_arrival` clocks are cancelled),
    `customer_hold` (with a reason in `note`), `customer_release`, `resolved`, `confirmed`,
    `closed`. An event that cannot happen now answers 409 with the reason, and nothing
    changes."""
    record = _detail(request, record_id)
    require(may_handle_service(request.auth, event_type=payload.type))
    engineer = None
    if payload.engineer is not None:
        engineer = services.field_engineer_or_error(payload.engineer)
    try:
        services.service_record_event_add(
            record,
            type=payload.type,
            at=payload.at,
            note=payload.note,
            engineer=engineer,
            actor=request.auth,
        )
    except services.EventRefused as exc:
        return Status(409, {"detail": str(exc)})
    return Status(201, _detail(request, record_id))


@router.post(
    "/service-records/{int:record_id}/history",
    response={201: ServiceRecordDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="service_records_history_add",
    summary="Add a history line (time, symptom, action)",
)
def service_records_history_add(request: HttpRequest, record_id: PathId, payload: HistoryEntryIn):
    record = _detail(request, record_id)
    require(may_handle_service(request.auth))
    services.history_entry_add(record, actor=request.auth, **payload.dict())
    return Status(201, _detail(request, record_id))
