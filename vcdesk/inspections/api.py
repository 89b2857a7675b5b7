"""Inspection plans, inspections, checklists, findings and trainings under /api/v1/ (R5).

Same conventions as every router: lists `{"items", "count"}` with `limit`/`offset` and the
list's filters; another organisation's object answers 404; a write the user may not make
403; bad input 422 naming the field; a step that cannot happen now (starting twice,
completing with unanswered items, changing a completed or cancelled inspection) 409 with
the reason.
"""

import datetime as dt
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.selectors import contract_visible
from vcdesk.core.api import ErrorOut, Input, Pagination, PathId, get_visible_or_404, require
from vcdesk.inspections import selectors, services
from vcdesk.inspections.choices import (
    CheckArea,
    ChecklistScope,
    InspectionEventType,
    InspectionMethod,
    InspectionStatus,
    ItemResult,
)
from vcdesk.inspections.filters import FindingFilter, InspectionFilter, InspectionPlanFilter
from vcdesk.inspections.models import ChecklistAnswer, Inspection, InspectionEvent
from vcdesk.inspections.permissions import may_perform_inspection, may_plan_inspections
from vcdesk.service.choices import FaultClass

router = Router(tags=["inspections"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _today() -> dt.date:
    return timezone.now().astimezone(BEIJING).date()


# --- schemas ----------------------------------------------------------------------------------


class InspectionPlanOut(Schema):
    id: int
    contract: int = Field(alias="contract_id")
    contract_number: str = Field(alias="contract.number")
    organisation: int = Field(alias="organisation_id")
    year: int
    starts_on: dt.date
    ends_on: dt.date
    inspections_planned: int
    inspections_done: int
    inspections_cancelled: int


class InspectionOut(Schema):
    id: int
    number: str
    plan: int = Field(alias="plan_id")
    year: int = Field(alias="plan.year")
    sequence: int
    contract: int = Field(alias="contract_id")
    contract_number: str = Field(alias="contract.number")
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    method: InspectionMethod
    due_on: dt.date
    engineer: int | None = Field(alias="engineer_id")
    engineer_name: str | None
    status: InspectionStatus
    overdue: bool
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by: int | None = Field(alias="cancelled_by_id")
    cancel_reason: str
    items_total: int
    items_answered: int
    report_url: str | None

    @staticmethod
    def resolve_engineer_name(obj: Inspection) -> str | None:
        return str(obj.engineer) if obj.engineer_id else None

    @staticmethod
    def resolve_overdue(obj: Inspection) -> bool:
        return obj.is_overdue_on(_today())

    @staticmethod
    def resolve_items_total(obj: Inspection) -> int:
        total = getattr(obj, "items_total", None)
        return total if total is not None else len(obj.answers.all())

    @staticmethod
    def resolve_items_answered(obj: Inspection) -> int:
        answered = getattr(obj, "items_answered", None)
        return answered if answered is not None else sum(1 for a in obj.answers.all() if a.result)

    @staticmethod
    def resolve_report_url(obj: Inspection) -> str | None:
        if obj.completed_at is None:
            return None
        return reverse("inspection_report_pdf", args=[obj.pk])


class ChecklistAnswerOut(Schema):
    id: int
    position: int
    site: int = Field(alias="site_id")
    site_name: str = Field(alias="site.name")
    device: int | None = Field(alias="device_id")
    device_serial: str | None
    scope: ChecklistScope
    area: CheckArea
    label: str
    label_zh: str
    label_en: str
    result: ItemResult | None
    note: str
    attachment_name: str
    attachment_url: str | None
    answered_at: datetime | None
    answered_by: int | None = Field(alias="answered_by_id")

    @staticmethod
    def resolve_device_serial(obj: ChecklistAnswer) -> str | None:
        return obj.device.serial if obj.device_id else None

    @staticmethod
    def resolve_result(obj: ChecklistAnswer) -> str | None:
        return obj.result or None

    @staticmethod
    def resolve_attachment_url(obj: ChecklistAnswer) -> str | None:
        if not obj.attachment:
            return None
        return reverse("inspection_attachment", args=[obj.pk])


class FindingOut(Schema):
    id: int
    inspection: int = Field(alias="inspection_id")
    answer: int | None = Field(alias="answer_id")
    device: int = Field(alias="device_id")
    service_record: int = Field(alias="service_record_id")
    service_number: str = Field(alias="service_record.number")
    fault_class: FaultClass = Field(alias="service_record.fault_class")
    description: str
    found_at: datetime
    found_by: int | None = Field(alias="found_by_id")


class TrainingOut(Schema):
    id: int
    inspection: int = Field(alias="inspection_id")
    topic: str
    attendees: str
    attendee_count: int
    duration_minutes: int
    recorded_at: datetime
    recorded_by: int | None = Field(alias="recorded_by_id")


class InspectionEventOut(Schema):
    type: InspectionEventType
    at: datetime
    actor: int | None = Field(alias="actor_id")
    reason: str
    due_on_before: dt.date | None
    due_on_after: dt.date | None
    method_before: InspectionMethod | None
    method_after: InspectionMethod | None
    engineer_before: int | None = Field(alias="engineer_before_id")
    engineer_after: int | None = Field(alias="engineer_after_id")

    @staticmethod
    def resolve_method_before(obj: InspectionEvent) -> str | None:
        return obj.method_before or None

    @staticmethod
    def resolve_method_after(obj: InspectionEvent) -> str | None:
        return obj.method_after or None


class InspectionDetailOut(InspectionOut):
    summary: str
    customer_representative: str
    answers: list[ChecklistAnswerOut]
    findings: list[FindingOut]
    trainings: list[TrainingOut]
    events: list[InspectionEventOut]

    @staticmethod
    def resolve_answers(obj: Inspection):
        return list(obj.answers.all())

    @staticmethod
    def resolve_findings(obj: Inspection):
        return list(obj.findings.all())

    @staticmethod
    def resolve_trainings(obj: Inspection):
        return list(obj.trainings.all())

    @staticmethod
    def resolve_events(obj: Inspection):
        return list(obj.events.all())


class GenerateIn(Input):
    contract: int


class RescheduleIn(Input):
    reason: str = Field(min_length=1, max_length=2000)
    due_on: dt.date | None = None
    method: InspectionMethod | None = None
    engineer: int | None = None


class InspectionCancelIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class StartIn(Input):
    at: datetime | None = None


class ChecklistAnswerIn(Input):
    result: ItemResult
    note: str = Field("", max_length=5000)
    remove_attachment: bool = False


class CompleteIn(Input):
    summary: str = Field(min_length=1, max_length=10000)
    customer_representative: str = Field("", max_length=100)
    at: datetime | None = None


class FindingIn(Input):
    fault_class: FaultClass
    description: str = Field(min_length=1, max_length=5000)
    caller_name: str = Field(min_length=1, max_length=100)
    caller_phone: str = Field(min_length=1, max_length=50)
    answer: int | None = None
    device: int | None = None


class TrainingIn(Input):
    topic: str = Field(min_length=1, max_length=200)
    attendees: str = Field(min_length=1, max_length=5000)
    attendee_count: int = Field(ge=1, le=1000)
    duration_minutes: int = Field(ge=1, le=24 * 60)


# --- helpers ----------------------------------------------------------------------------------


def _inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    inspection = selectors.inspection_detail(user=request.auth, pk=inspection_id)
    if inspection is None:
        get_visible_or_404(Inspection.objects.none(), inspection_id)
    return inspection


def _step(request: HttpRequest, inspection_id: int, service: Callable, **kwargs) -> Any:
    """Call a service on an inspection the user may carry out; a refusal answers 409."""
    inspection = _inspection(request, inspection_id)
    require(may_perform_inspection(request.auth, inspection))
    try:
        return service(inspection=inspection, actor=request.auth, **kwargs)
    except services.InspectionRefused as exc:
        return Status(409, {"detail": str(exc)})


def _answer(request: HttpRequest, inspection_id: int, item_id: int) -> ChecklistAnswer:
    inspection = _inspection(request, inspection_id)
    answer = get_visible_or_404(inspection.answers.all(), item_id)
    require(may_perform_inspection(request.auth, inspection))
    return answer


# --- plans ------------------------------------------------------------------------------------


@router.get(
    "/inspection-plans",
    response=list[InspectionPlanOut],
    operation_id="inspection_plans_list",
    summary="List inspection plans (one per contract year)",
)
@paginate(Pagination)
def inspection_plans_list(request: HttpRequest, filters: Query[InspectionPlanFilter]):
    return filters.filter(selectors.inspection_plan_visible(user=request.auth))


@router.get(
    "/inspection-plans/{int:plan_id}",
    response={200: InspectionPlanOut, 404: ErrorOut},
    operation_id="inspection_plans_read",
    summary="Read an inspection plan",
)
def inspection_plans_read(request: HttpRequest, plan_id: PathId):
    return get_visible_or_404(selectors.inspection_plan_visible(user=request.auth), plan_id)


@router.post(
    "/inspection-plans/generate",
    response={200: list[InspectionOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="inspection_plans_generate",
    summary="Plan a contract's inspections for the years due (idempotent)",
)
def inspection_plans_generate(request: HttpRequest, payload: GenerateIn):
    """Plans the contract year running today (and the first year before it begins) if it is
    not planned yet; answers the inspections created — none when already planned. The
    sweep does the same for every contract as new years begin."""
    contract = get_visible_or_404(contract_visible(user=request.auth), payload.contract)
    require(may_plan_inspections(request.auth))
    created = services.inspection_plans_ensure(contract=contract, actor=request.auth)
    return selectors.inspection_list(user=request.auth).filter(pk__in=[i.pk for i in created])


# --- inspections ------------------------------------------------------------------------------


@router.get(
    "/inspections",
    response=list[InspectionOut],
    operation_id="inspections_list",
    summary="List inspections, soonest due first",
)
@paginate(Pagination)
def inspections_list(request: HttpRequest, filters: Query[InspectionFilter]):
    """Filters: `status` (planned, in_progress, completed, cancelled), `overdue` (open and
    past due), `method`,
    `organisation`, `contract`, `plan`, `engineer`, `due_from`, `due_to`, `q` (number)."""
    return filters.filter(selectors.inspection_list(user=request.auth))


@router.get(
    "/inspections/{int:inspection_id}",
    response={200: InspectionDetailOut, 404: ErrorOut},
    operation_id="inspections_read",
    summary="Read an inspection with its checklist, findings, trainings and events",
)
def inspections_read(request: HttpRequest, inspection_id: PathId):
    return _inspection(request, inspection_id)


@router.post(
    "/inspections/{int:inspection_id}/reschedule",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    operation_id="inspections_reschedule",
    summary="Move an inspection, change its method or reassign it (with a reason)",
)
def inspections_reschedule(request: HttpRequest, inspection_id: PathId, payload: RescheduleIn):
    """A service manager gives any of `due_on`, `method`, `engineer` and the `reason`; each
    change is kept as an event. A completed or cancelled inspection answers 409."""
    inspection = _inspection(request, inspection_id)
    require(may_plan_inspections(request.auth))
    try:
        services.inspection_reschedule(inspection, actor=request.auth, **payload.dict())
    except services.InspectionRefused as exc:
        return Status(409, {"detail": str(exc)})
    return _inspection(request, inspection_id)


@router.post(
    "/inspections/{int:inspection_id}/cancel",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    operation_id="inspections_cancel",
    summary="Cancel an inspection that is not completed (with a reason)",
)
def inspections_cancel(request: HttpRequest, inspection_id: PathId, payload: InspectionCancelIn):
    """A service manager cancels a planned or started inspection, saying why (`reason`,
    required: else 422 naming it). That visit of the contract year is then not done: the
    plan keeps its count and shows it cancelled, planning never creates it again, and no
    reminder or overdue notice is sent for it; the assigned engineer is told. To do the
    visit on another date, reschedule it instead. A completed or already cancelled
    inspection answers 409 and nothing changes."""
    inspection = _inspection(request, inspection_id)
    require(may_plan_inspections(request.auth))
    try:
        services.inspection_cancel(inspection, actor=request.auth, reason=payload.reason)
    except services.InspectionRefused as exc:
        return Status(409, {"detail": str(exc)})
    return _inspection(request, inspection_id)


@router.post(
    "/inspections/{int:inspection_id}/start",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    operation_id="inspections_start",
    summary="Start an inspection: its checklist is drawn up",
)
def inspections_start(request: HttpRequest, inspection_id: PathId, payload: StartIn):
    """The checklist lists, per site of the contract's active devices, the environment
    checks, then each device's checks by its kind (MCU, endpoint, other)."""
    done = _step(
        request,
        inspection_id,
        lambda inspection, **kw: services.inspection_start(inspection, **kw),
        at=payload.at,
    )
    return done if isinstance(done, Status) else _inspection(request, inspection_id)


@router.patch(
    "/inspections/{int:inspection_id}/items/{int:item_id}",
    response={200: ChecklistAnswerOut, **WRITE_ERRORS},
    operation_id="inspections_item_answer",
    summary="Answer one checklist item: ok, problem or not applicable, with a note",
)
def inspections_item_answer(
    request: HttpRequest, inspection_id: PathId, item_id: PathId, payload: ChecklistAnswerIn
):
    """A `problem` needs a `note` saying what. `remove_attachment` drops the item's file
    (it stays in the item's history)."""
    answer = _answer(request, inspection_id, item_id)
    try:
        return services.checklist_answer_record(answer, actor=request.auth, **payload.dict())
    except services.InspectionRefused as exc:
        return Status(409, {"detail": str(exc)})


@router.post(
    "/inspections/{int:inspection_id}/items/{int:item_id}/attachment",
    response={200: ChecklistAnswerOut, **WRITE_ERRORS},
    operation_id="inspections_item_attach",
    summary="Attach a photo or file to an answered checklist item (multipart `file`)",
)
def inspections_item_attach(
    request: HttpRequest, inspection_id: PathId, item_id: PathId, file: File[UploadedFile]
):
    """JPG, PNG or WebP photos, PDF, ZIP or text files (log, cfg, …), checked by content,
    at most VCDESK_INSPECTION_UPLOAD_MAX_MB (default 10) MB. Answer the item first."""
    answer = _answer(request, inspection_id, item_id)
    try:
        return services.checklist_answer_record(
            answer, result=answer.result, note=answer.note, attachment=file, actor=request.auth
        )
    except services.InspectionRefused as exc:
        return Status(409, {"detail": str(exc)})


@router.post(
    "/inspections/{int:inspection_id}/complete",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    operation_id="inspections_complete",
    summary="Complete an inspection: its report is printed and archived",
)
def inspections_complete(request: HttpRequest, inspection_id: PathId, payload: CompleteIn):
    """Every checklist item must be answered (else 409, saying how many are not). The
    report (`report_url`) is archived as printed now and never changes after."""
    done = _step(
        request,
        inspection_id,
        lambda inspection, **kw: services.inspection_complete(inspection, **kw),
        **payload.dict(),
    )
    return done if isinstance(done, Status) else _inspection(request, inspection_id)


# --- findings and trainings -------------------------------------------------------------------


@router.get(
    "/inspection-findings",
    response=list[FindingOut],
    operation_id="inspection_findings_list",
    summary="List inspection findings and the service records they became",
)
@paginate(Pagination)
def inspection_findings_list(request: HttpRequest, filters: Query[FindingFilter]):
    return filters.filter(selectors.finding_visible(user=request.auth))


@router.post(
    "/inspections/{int:inspection_id}/findings",
    response={201: FindingOut, **WRITE_ERRORS},
    operation_id="inspections_finding_open",
    summary="Pass a problem not fixed on the spot to technical support (a service record)",
)
def inspections_finding_open(request: HttpRequest, inspection_id: PathId, payload: FindingIn):
    """Opens a service record of `fault_class` for `device` (default: the device of the
    checklist item `answer`, which must be answered as a problem); `caller_name` and
    `caller_phone` are the customer's person to call back. The record's clocks start now."""
    done = _step(request, inspection_id, services.finding_open, **payload.dict())
    return done if isinstance(done, Status) else Status(201, done)


@router.get(
    "/inspections/{int:inspection_id}/trainings",
    response={200: list[TrainingOut], 404: ErrorOut},
    operation_id="inspections_trainings_list",
    summary="List the training given during an inspection",
)
def inspections_trainings_list(request: HttpRequest, inspection_id: PathId):
    return list(_inspection(request, inspection_id).trainings.all())


@router.post(
    "/inspections/{int:inspection_id}/trainings",
    response={201: TrainingOut, **WRITE_ERRORS},
    operation_id="inspections_training_record",
    summary="Record training given during the visit (topic, attendees, duration)",
)
def inspections_training_record(request: HttpRequest, inspection_id: PathId, payload: TrainingIn):
    done = _step(request, inspection_id, services.training_record, **payload.dict())
    return done if isinstance(done, Status) else Status(201, done)
