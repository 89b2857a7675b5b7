"""Meeting assurance under /api/v1/assurance/ (R6).

Same conventions as every router: lists `{"items", "count"}` with `limit`/`offset` and the
list's filters; another organisation's booking answers 404; a write the user may not make
403; bad input 422 naming the field, and nothing is written; a step that cannot happen now
(a cancelled booking, an engineer already guarding another meeting, nobody free) 409 with
the reason.
"""

from datetime import date, datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from vcdesk.assurance import selectors, services
from vcdesk.assurance.choices import (
    BookingStatus,
    CheckKind,
    CheckResult,
    Importance,
    Outcome,
    Staffing,
)
from vcdesk.assurance.filters import BookingFilter
from vcdesk.assurance.models import Assignment, Booking, Check, Incident, KitItem
from vcdesk.assurance.permissions import may_book, may_change_booking, may_guard, may_staff
from vcdesk.contracts.selectors import contract_visible
from vcdesk.core.api import (
    ErrorOut,
    Input,
    Pagination,
    get_visible_or_404,
    require,
    step_route,
    update_route,
)
from vcdesk.customers.selectors import site_visible
from vcdesk.service.choices import FaultClass

router = Router(tags=["meeting assurance"])


# --- schemas ----------------------------------------------------------------------------------


class SiteRef(Schema):
    id: int
    name: str
    city: str


class AssignmentOut(Schema):
    engineer: int = Field(alias="engineer_id")
    engineer_name: str
    assigned_at: datetime
    checked_in_at: datetime | None

    @staticmethod
    def resolve_engineer_name(obj: Assignment) -> str:
        return str(obj.engineer)


class BookingOut(Schema):
    id: int
    title: str
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    contract: int = Field(alias="contract_id")
    contract_number: str = Field(alias="contract.number")
    sites: list[SiteRef]
    starts_at: datetime
    ends_at: datetime
    importance: Importance
    expected_participants: int
    contact_name: str
    contact_phone: str
    notes: str
    booked_by: int | None = Field(alias="booked_by_id")
    booked_at: datetime
    contract_year: int
    extra: bool
    engineers_required: int
    engineers: list[AssignmentOut]
    staffing: Staffing
    status: BookingStatus
    cancelled_at: datetime | None
    cancel_reason: str
    outcome: Outcome | None
    outcome_note: str
    outcome_recorded_at: datetime | None

    @staticmethod
    def resolve_sites(obj: Booking):
        return list(obj.sites.all())

    @staticmethod
    def resolve_engineers(obj: Booking):
        return obj.live_assignments

    @staticmethod
    def resolve_outcome(obj: Booking) -> str | None:
        return obj.outcome or None


class CheckOut(Schema):
    id: int
    kind: CheckKind
    site: int | None = Field(alias="site_id")
    result: CheckResult
    note: str
    checked_at: datetime
    checked_by: int | None = Field(alias="checked_by_id")
    checked_by_name: str

    @staticmethod
    def resolve_checked_by_name(obj: Check) -> str:
        return str(obj.checked_by) if obj.checked_by_id else ""


class KitItemOut(Schema):
    id: int
    part_model: int = Field(alias="reservation.part_model_id")
    part_model_name: str
    quantity: int = Field(alias="reservation.quantity")
    warehouse: int = Field(alias="reservation.warehouse_id")
    site: int | None = Field(alias="site_id")
    reserved: bool

    @staticmethod
    def resolve_part_model_name(obj: KitItem) -> str:
        return str(obj.reservation.part_model)

    @staticmethod
    def resolve_reserved(obj: KitItem) -> bool:
        return obj.reservation.is_open


class IncidentOut(Schema):
    id: int
    occurred_at: datetime
    description: str
    site: int | None = Field(alias="site_id")
    device: int | None = Field(alias="device_id")
    service_record: int | None = Field(alias="service_record_id")
    service_number: str | None

    @staticmethod
    def resolve_service_number(obj: Incident) -> str | None:
        return obj.service_record.number if obj.service_record_id else None


class BookingDetailOut(BookingOut):
    checks: list[CheckOut]
    kit: list[KitItemOut]
    incidents: list[IncidentOut]

    @staticmethod
    def resolve_checks(obj: Booking):
        return list(obj.checks.all())

    @staticmethod
    def resolve_kit(obj: Booking):
        return list(obj.kit.all())

    @staticmethod
    def resolve_incidents(obj: Booking):
        return list(obj.incidents.all())


class BookingIn(Input):
    contract: int
    sites: list[int] = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime
    importance: Importance = Importance.NORMAL
    expected_participants: int = Field(ge=1, le=100_000)
    contact_name: str = Field(min_length=1, max_length=100)
    contact_phone: str = Field(min_length=1, max_length=50)
    notes: str = Field("", max_length=5000)


class BookingPatchIn(Input):
    sites: list[int] = Field(None, min_length=1, max_length=500)
    title: str = Field(None, min_length=1, max_length=200)
    starts_at: datetime = None
    ends_at: datetime = None
    importance: Importance = None
    expected_participants: int = Field(None, ge=1, le=100_000)
    contact_name: str = Field(None, min_length=1, max_length=100)
    contact_phone: str = Field(None, min_length=1, max_length=50)
    notes: str = Field(None, max_length=5000)


class CancelIn(Input):
    reason: str = Field("", max_length=300)


class AssignIn(Input):
    engineers: list[int] = Field(default_factory=list, max_length=10)


class ReleaseIn(Input):
    engineer: int


class DeviceCheckIn(Input):
    site: int
    result: CheckResult
    note: str = Field("", max_length=5000)
    checked_at: datetime | None = None


class RehearsalIn(Input):
    result: CheckResult
    note: str = Field("", max_length=5000)
    checked_at: datetime | None = None


class CheckInIn(Input):
    engineer: int | None = None
    at: datetime | None = None


class OutcomeIn(Input):
    outcome: Outcome
    note: str = Field("", max_length=5000)


class IncidentIn(Input):
    description: str = Field(min_length=1, max_length=5000)
    occurred_at: datetime | None = None
    site: int | None = None
    device: int | None = None
    open_service_record: bool = False
    fault_class: FaultClass | None = None


class IncidentRecordIn(Input):
    fault_class: FaultClass
    device: int | None = None


class KitIn(Input):
    warehouse: int
    part_model: int
    quantity: int = Field(1, ge=1, le=1000)
    site: int | None = None


class QuotaOut(Schema):
    contract: int
    contract_number: str
    organisation: int
    contract_year: int
    starts_on: date
    ends_on: date
    included: int
    used: int
    in_quota: int
    extra: int
    remaining: int

    @staticmethod
    def resolve_contract(obj: selectors.QuotaUse) -> int:
        return obj.contract.pk

    @staticmethod
    def resolve_contract_number(obj: selectors.QuotaUse) -> str:
        return obj.contract.number

    @staticmethod
    def resolve_organisation(obj: selectors.QuotaUse) -> int:
        return obj.contract.organisation_id


class EngineerOut(Schema):
    id: int
    username: str
    full_name: str


# --- bookings ---------------------------------------------------------------------------------


def _booking(request: HttpRequest, booking_id: int) -> Booking:
    booking = selectors.booking_detail(user=request.auth, pk=booking_id)
    if booking is None:
        get_visible_or_404(Booking.objects.none(), booking_id)
    return booking


def _visible_sites(user, ids: list[int]) -> list[int]:
    """The ids as given, when the user may see every one of those sites; else 422."""
    visible = set(site_visible(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    if any(i not in visible for i in ids):
        raise ValidationError({"sites": [_("No such site.")]})
    return ids


@router.get(
    "/assurance/bookings",
    response=list[BookingOut],
    operation_id="assurance_bookings_list",
    summary="List meeting assurance bookings, latest meeting first",
)
@paginate(Pagination)
def bookings_list(request: HttpRequest, filters: Query[BookingFilter]):
    """Filters: `organisation`, `contract`, `importance`, `extra`, `status` (booked,
    under_way, done, cancelled), `staffing` (understaffed, staffed), `engineer`,
    `starts_from` / `starts_until` (Beijing dates), `q` (title or contact person)."""
    return filters.filter(selectors.booking_visible(user=request.auth)).order_by(
        "-starts_at", "-id"
    )


@router.post(
    "/assurance/bookings",
    response={201: BookingDetailOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    operation_id="assurance_bookings_create",
    summary="Book a meeting assurance (会议保障申请)",
)
def bookings_create(request: HttpRequest, payload: BookingIn):
    """A customer contact books for their own organisation (and not in the past); staff for
    any. The `contract` must cover every site (a device there is under it). Beyond the
    contract year's quota the booking is made with `extra: true`."""
    require(may_book(request.auth))
    fields = payload.dict()
    contract = contract_visible(user=request.auth).filter(pk=fields.pop("contract")).first()
    if contract is None:
        raise ValidationError({"contract": [_("No such contract.")]})
    fields["sites"] = _visible_sites(request.auth, fields["sites"])
    booking = services.booking_create(contract=contract, actor=request.auth, **fields)
    return Status(201, _booking(request, booking.pk))


@router.get(
    "/assurance/bookings/{int:booking_id}",
    response={200: BookingDetailOut, 404: ErrorOut},
    operation_id="assurance_bookings_read",
    summary="Read a booking with its engineers, checks, spare kit and incidents",
)
def bookings_read(request: HttpRequest, booking_id: int):
    return _booking(request, booking_id)


def _update(booking: Booking, *, actor, **changes) -> Booking:
    if "sites" in changes:
        changes["sites"] = _visible_sites(actor, changes["sites"])
    return services.booking_update(booking, actor=actor, **changes)


update_route(
    router,
    "/assurance/bookings/{int:booking_id}",
    load=_booking,
    allowed=may_change_booking,
    update=_update,
    payload_in=BookingPatchIn,
    out=BookingDetailOut,
    refusals=(services.BookingRefused,),
    id_type=int,
    operation_id="assurance_bookings_update",
    summary="Change a booking before its meeting",
    description="Sites, times and importance stay once the meeting has started (409); a move "
    "into\nanother contract year counts there; new times must suit the assigned engineers "
    "(409).",
)


def _step(path: str, **route) -> None:
    """Add `POST /assurance/bookings/{id}/<path>`: one step of a booking (core `step_route`),
    answering the booking (201), 409 with the reason when the step cannot happen now."""
    step_route(
        router,
        f"/assurance/bookings/{{int:booking_id}}/{path}",
        load=_booking,
        out=BookingDetailOut,
        refusals=(services.BookingRefused,),
        id_type=int,
        **route,
    )


def _check_in(booking: Booking, *, actor, engineer: int | None, at: datetime | None):
    engineer = engineer if engineer is not None else actor.pk
    if engineer != actor.pk:
        require(may_staff(actor))
    return services.booking_check_in(booking, engineer=engineer, at=at, actor=actor)


def _kit_release(booking: Booking, *, actor, item_id: int):
    item = get_visible_or_404(booking.kit.all(), item_id)
    return services.kit_item_release(item, actor=actor)


def _incident_service_record(booking: Booking, *, actor, incident_id: int, **fields):
    incident = get_visible_or_404(booking.incidents.all(), incident_id)
    return services.incident_open_service_record(incident, actor=actor, **fields)


def _guard(user, booking) -> bool:
    return may_guard(user)


def _staff(user, booking) -> bool:
    return may_staff(user)


_step(
    "cancel",
    payload_in=CancelIn,
    step=services.booking_cancel,
    allowed=may_change_booking,
    operation_id="assurance_bookings_cancel",
    summary="Cancel a booking before its meeting starts",
    description="Frees its quota slot, its engineers and its spare kit. After the start: 409.",
)
_step(
    "engineers",
    payload_in=AssignIn,
    step=services.booking_assign,
    allowed=_staff,
    operation_id="assurance_bookings_assign",
    summary="Assign senior engineers",
    description="`engineers`: user ids of senior field engineers (422 for anyone else). "
    "Empty: as many free ones as the meeting still needs are picked, least busy first. An "
    "engineer guarding another meeting at an overlapping time, more engineers than needed, "
    "or nobody free: 409 with the reason. A meeting needs 1, or 2 when critical or when "
    "more than VCDESK_ASSURANCE_SECOND_ENGINEER_SITES sites take part.",
)
_step(
    "engineers/release",
    payload_in=ReleaseIn,
    step=services.booking_release_engineer,
    allowed=_staff,
    operation_id="assurance_bookings_release_engineer",
    summary="Take an engineer off the meeting (before they check in)",
    description="After the engineer has checked in: 409.",
)
_step(
    "checks",
    payload_in=DeviceCheckIn,
    step=partial(services.check_record, kind=CheckKind.DEVICE_CHECK),
    allowed=_guard,
    operation_id="assurance_bookings_device_check",
    summary="Record the device check of a participating site",
    description="Result `passed` or `problem`, with a note. A check done again is recorded "
    "again; the latest counts.",
)
_step(
    "rehearsal",
    payload_in=RehearsalIn,
    step=partial(services.check_record, kind=CheckKind.REHEARSAL),
    allowed=_guard,
    operation_id="assurance_bookings_rehearsal",
    summary="Record the rehearsal of the meeting flow",
    description="Result `passed` or `problem`, with a note.",
)
_step(
    "kit",
    payload_in=KitIn,
    step=services.kit_item_reserve,
    allowed=_guard,
    operation_id="assurance_bookings_kit_reserve",
    summary="Reserve a spare for the meeting's spare kit",
    description="Reserved through the spares stock (purpose `meeting-assurance:<id>`); not "
    "enough available: 422 on `quantity`. Released when the booking is cancelled or its "
    "outcome recorded.",
)
_step(
    "check-in",
    payload_in=CheckInIn,
    step=_check_in,
    allowed=_guard,
    operation_id="assurance_bookings_check_in",
    summary="An assigned engineer checks in at the meeting",
    description="`engineer` defaults to the caller (a service manager or duty officer may "
    "check in another). Open from 4 hours before the start until the end; otherwise 409.",
)
_step(
    "outcome",
    payload_in=OutcomeIn,
    step=services.booking_outcome,
    allowed=_guard,
    operation_id="assurance_bookings_outcome",
    summary="Record the meeting's outcome",
    description="`successful`, `with_incidents` or `failed`; before the start: 409.",
)
_step(
    "incidents",
    payload_in=IncidentIn,
    step=services.incident_record,
    allowed=_guard,
    operation_id="assurance_bookings_incident",
    summary="Record an incident; optionally open a service record for it",
    description="With `open_service_record: true`, `device` and `fault_class` are required "
    "and a service record is opened (its clocks start at `occurred_at`) and linked.",
)
_step(
    "kit/{int:item_id}/release",
    step=_kit_release,
    allowed=_guard,
    operation_id="assurance_bookings_kit_release",
    summary="Give a spare kit part back to stock",
)
_step(
    "incidents/{int:incident_id}/service-record",
    payload_in=IncidentRecordIn,
    step=_incident_service_record,
    allowed=_guard,
    operation_id="assurance_bookings_incident_service_record",
    summary="Open the service record of an incident recorded without one",
)


# --- quota and engineers ----------------------------------------------------------------------


@router.get(
    "/assurance/quota",
    response={200: QuotaOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="assurance_quota",
    summary="A contract's meeting assurances used / included in a contract year",
)
def quota(request: HttpRequest, contract: int, on: date | None = None):
    """The contract year containing `on` (default: today, Beijing time): `included` by the
    contract, `in_quota` booked against it, `extra` booked beyond it, `used` = both,
    `remaining`. Cancelled bookings count in none. Before acceptance: 422 on `on`."""
    found = get_visible_or_404(contract_visible(user=request.auth), contract)
    use = selectors.quota_use(contract=found, on=on)
    if use is None:
        raise ValidationError({"on": [_("The contract was not yet accepted then.")]})
    return use


@router.get(
    "/assurance/engineers/free",
    response={200: list[EngineerOut], 403: ErrorOut, 422: ErrorOut},
    operation_id="assurance_engineers_free",
    summary="Senior field engineers free for a time range",
)
def engineers_free(request: HttpRequest, start: datetime, end: datetime):
    require(may_staff(request.auth))
    if end <= start:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    start, end = services.aware(start), services.aware(end)
    return list(selectors.engineers_free(start=start, end=end))
