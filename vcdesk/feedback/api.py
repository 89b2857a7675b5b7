"""Customer issue records and issue feedback records under /api/v1/ (R9.2, R9.3).

Same conventions as every router: lists `{"items", "count"}` with `limit`/`offset` and the
list's filters; another organisation's record answers 404; a write the user may not make
403; bad input 422 naming the field, and nothing is written; a step that cannot happen now
(an opinion of an unresolved issue, a second opinion) 409 with the reason.
"""

from datetime import date, datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.api import (
    ErrorOut,
    Input,
    Pagination,
    PathId,
    get_visible_or_404,
    require,
    step_route,
    update_route,
    validation_error_items,
)
from vcdesk.feedback import selectors, services
from vcdesk.feedback.choices import IssueKind, IssueStatus, Urgency
from vcdesk.feedback.filters import FeedbackFilter, IssueFilter
from vcdesk.feedback.models import FeedbackRecord, IssueRecord
from vcdesk.feedback.permissions import (
    may_attach,
    may_give_customer_opinion,
    may_handle_issues,
    may_raise_issue,
)

router = Router(tags=["customer issues & feedback"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _run(service, *args, **kwargs) -> Any:
    """Call a service; its refusals of input answer 422 naming the field."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as exc:
        raise NinjaValidationError(validation_error_items(exc)) from exc


# --- schemas ----------------------------------------------------------------------------------


class SupervisionOut(Schema):
    id: int
    period_from: date
    period_to: date
    resolution: str
    recorded_by: int | None = Field(alias="recorded_by_id")
    recorded_at: datetime


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploaded_by: int | None = Field(alias="uploaded_by_id")
    uploaded_at: datetime


class IssueOut(Schema):
    id: int
    number: str
    status: IssueStatus
    overdue: bool
    received_on: date
    recorder: int | None = Field(alias="recorder_id")
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    contact_name: str
    contact_phone: str
    contact_fax: str
    contact_email: str
    details: str
    kind: IssueKind
    urgency: Urgency
    service_record: int | None = Field(alias="service_record_id")
    passed_to: str
    passed_on: date | None
    expected_resolution_on: date | None
    planned_measures: str
    responsible_person: str
    specialist: int | None = Field(alias="specialist_id")
    resolved_on: date | None
    managers_alerted_at: datetime | None
    overdue_notified_at: datetime | None
    feedback: int | None
    created_at: datetime

    @staticmethod
    def resolve_overdue(obj: IssueRecord) -> bool:
        return obj.is_overdue_on(timezone.localdate(timezone=BEIJING))

    @staticmethod
    def resolve_feedback(obj: IssueRecord) -> int | None:
        feedback = getattr(obj, "feedback", None)
        return feedback.pk if feedback else None


class IssueDetailOut(IssueOut):
    supervision: list[SupervisionOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_supervision(obj: IssueRecord):
        return list(obj.supervision.all())

    @staticmethod
    def resolve_attachments(obj: IssueRecord):
        return list(obj.attachments.all())


class IssueIn(Input):
    organisation: int | None = Field(None, description="Staff only; a customer's is theirs.")
    contact_name: str = Field(min_length=1, max_length=100)
    contact_phone: str = Field("", max_length=50)
    contact_fax: str = Field("", max_length=50)
    contact_email: str = Field("", max_length=254)
    details: str = Field(min_length=1, max_length=10000)
    kind: IssueKind = IssueKind.REQUEST
    urgency: Urgency = Urgency.NORMAL
    service_record: int | None = None
    received_on: date | None = None
    passed_to: str = Field("", max_length=100)
    passed_on: date | None = None
    expected_resolution_on: date | None = None
    planned_measures: str = Field("", max_length=5000)
    responsible_person: str = Field("", max_length=100)
    specialist: int | None = None


class IssuePatchIn(Input):
    contact_name: str = Field(None, min_length=1, max_length=100)
    contact_phone: str = Field(None, max_length=50)
    contact_fax: str = Field(None, max_length=50)
    contact_email: str = Field(None, max_length=254)
    details: str = Field(None, min_length=1, max_length=10000)
    kind: IssueKind = None
    urgency: Urgency = None
    service_record: int | None = None
    received_on: date = None
    passed_to: str = Field(None, max_length=100)
    passed_on: date | None = None
    expected_resolution_on: date | None = None
    planned_measures: str = Field(None, max_length=5000)
    responsible_person: str = Field(None, max_length=100)
    specialist: int | None = None


class SupervisionIn(Input):
    period_from: date
    period_to: date
    resolution: str = Field(min_length=1, max_length=5000)


class FeedbackOut(Schema):
    id: int
    issue: int = Field(alias="issue_id")
    issue_number: str = Field(alias="issue.number")
    organisation: int = Field(alias="issue.organisation_id")
    department: str
    result: str
    responsible_person: str
    department_head: str
    department_head_opinion: str
    resolved_on: date | None
    customer_opinion: str
    customer_opinion_at: datetime | None
    customer_opinion_by: int | None = Field(alias="customer_opinion_by_id")
    created_at: datetime
    updated_at: datetime


class FeedbackIn(Input):
    issue: int
    department: str = Field(min_length=1, max_length=100)
    result: str = Field(min_length=1, max_length=10000)
    responsible_person: str = Field(min_length=1, max_length=100)
    department_head: str = Field("", max_length=100)
    department_head_opinion: str = Field("", max_length=5000)
    resolved_on: date | None = None


class FeedbackPatchIn(Input):
    department: str = Field(None, min_length=1, max_length=100)
    result: str = Field(None, min_length=1, max_length=10000)
    responsible_person: str = Field(None, min_length=1, max_length=100)
    department_head: str = Field(None, max_length=100)
    department_head_opinion: str = Field(None, max_length=5000)
    resolved_on: date | None = None


class OpinionIn(Input):
    opinion: str = Field(min_length=1, max_length=5000)


# --- issue records ----------------------------------------------------------------------------


def _handles_issues(user, record) -> bool:
    return may_handle_issues(user)


def _issue(request: HttpRequest, issue_id: int) -> IssueRecord:
    issue = selectors.issue_detail(user=request.auth, pk=issue_id)
    if issue is None:
        get_visible_or_404(IssueRecord.objects.none(), issue_id)
    return issue


@router.get(
    "/issue-records",
    response=list[IssueOut],
    operation_id="issue_records_list",
    summary="List customer issue records, newest first",
)
@paginate(Pagination)
def issue_records_list(request: HttpRequest, filters: Query[IssueFilter]):
    """Filters: `organisation`, `kind` (request, complaint), `urgency` (normal, urgent,
    very_urgent), `status` (new, passed, resolved, closed), `open`, `overdue`,
    `service_record`, `received_from`, `received_to`, `q` (number, contact, details)."""
    return filters.filter(selectors.issue_visible(user=request.auth))


@router.post(
    "/issue-records",
    response={201: IssueDetailOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="issue_records_create",
    summary="Record a request or a complaint (客户问题记录)",
)
def issue_records_create(request: HttpRequest, payload: IssueIn):
    """Numbered CI-YYYYMMDD-NNNN. A customer contact raises it for their own organisation
    and gives the customer's fields only. A complaint or a very urgent issue is told to the
    service managers at once."""
    require(may_raise_issue(request.auth))
    issue = _run(
        services.issue_record_create, actor=request.auth, **payload.dict(exclude_unset=True)
    )
    return Status(201, _issue(request, issue.pk))


@router.get(
    "/issue-records/{int:issue_id}",
    response={200: IssueDetailOut, 404: ErrorOut},
    operation_id="issue_records_read",
    summary="Read an issue record with its supervision log and attachments",
)
def issue_records_read(request: HttpRequest, issue_id: PathId):
    return _issue(request, issue_id)


update_route(
    router,
    "/issue-records/{int:issue_id}",
    load=_issue,
    allowed=_handles_issues,
    update=partial(_run, services.issue_record_update),
    payload_in=IssuePatchIn,
    out=IssueDetailOut,
    operation_id="issue_records_update",
    summary="Change an issue record's fields (staff)",
)


step_route(
    router,
    "/issue-records/{int:issue_id}/supervision",
    load=_issue,
    allowed=_handles_issues,
    step=partial(_run, services.supervision_entry_add),
    payload_in=SupervisionIn,
    out=IssueDetailOut,
    operation_id="issue_records_supervision_add",
    summary="Add a supervision entry: the period and the degree of resolution",
)


@router.post(
    "/issue-records/{int:issue_id}/attachments",
    response={201: AttachmentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="issue_records_attachment_add",
    summary="Attach a file (multipart field `file`): a fax, a letter, a photo",
)
def issue_records_attachment_add(request: HttpRequest, issue_id: PathId, file: File[UploadedFile]):
    issue = _issue(request, issue_id)
    require(may_attach(request.auth, issue))
    attachment = _run(services.issue_attachment_add, issue, upload=file, actor=request.auth)
    return Status(201, attachment)


# --- feedback records -------------------------------------------------------------------------


def _feedback(request: HttpRequest, feedback_id: int) -> FeedbackRecord:
    return get_visible_or_404(selectors.feedback_visible(user=request.auth), feedback_id)


@router.get(
    "/feedback-records",
    response=list[FeedbackOut],
    operation_id="feedback_records_list",
    summary="List issue feedback records, newest first",
)
@paginate(Pagination)
def feedback_records_list(request: HttpRequest, filters: Query[FeedbackFilter]):
    """Filters: `organisation`, `issue`, `resolved`, `customer_opinion` (given or not)."""
    return filters.filter(selectors.feedback_visible(user=request.auth))


@router.post(
    "/feedback-records",
    response={201: FeedbackOut, **WRITE_ERRORS},
    operation_id="feedback_records_create",
    summary="Write an issue's feedback record (客户问题回馈记录)",
)
def feedback_records_create(request: HttpRequest, payload: FeedbackIn):
    """One per issue: a second answers 409 (change it with PATCH). A `resolved_on` date
    resolves the issue and stops its overdue notice."""
    fields = payload.dict()
    issue = _issue(request, fields.pop("issue"))
    require(may_handle_issues(request.auth))
    if getattr(issue, "feedback", None) is not None:
        return Status(409, {"detail": _("This issue already has a feedback record; change it.")})
    try:
        feedback = _run(services.feedback_record_save, issue, actor=request.auth, **fields)
    except services.FeedbackRefused as exc:
        return Status(409, {"detail": str(exc)})
    return Status(201, _feedback(request, feedback.pk))


@router.get(
    "/feedback-records/{int:feedback_id}",
    response={200: FeedbackOut, 404: ErrorOut},
    operation_id="feedback_records_read",
    summary="Read an issue feedback record",
)
def feedback_records_read(request: HttpRequest, feedback_id: PathId):
    return _feedback(request, feedback_id)


def _feedback_update(feedback: FeedbackRecord, *, actor, **changes) -> FeedbackRecord:
    return _run(services.feedback_record_save, feedback.issue, actor=actor, **changes)


update_route(
    router,
    "/feedback-records/{int:feedback_id}",
    load=_feedback,
    allowed=_handles_issues,
    update=_feedback_update,
    payload_in=FeedbackPatchIn,
    out=FeedbackOut,
    refusals=(services.FeedbackRefused,),
    operation_id="feedback_records_update",
    summary="Change an issue feedback record (staff)",
)


step_route(
    router,
    "/feedback-records/{int:feedback_id}/customer-opinion",
    load=_feedback,
    allowed=lambda user, feedback: may_give_customer_opinion(user, feedback.issue),
    step=partial(_run, services.feedback_customer_opinion),
    payload_in=OpinionIn,
    out=FeedbackOut,
    status=200,
    refusals=(services.FeedbackRefused,),
    operation_id="feedback_records_customer_opinion",
    summary="Give the customer's opinion of the resolution, once",
    description="A contact of the issue's organisation, or staff recording what the customer "
    "said.\nBefore the issue is resolved, or a second time, answers 409.",
)
