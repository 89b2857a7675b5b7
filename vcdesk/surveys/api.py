"""Satisfaction surveys under /api/v1/ (R9.1): definitions, invitations, answers, results.

Same conventions as every router: lists `{"items", "count"}` with `limit`/`offset` and the
list's filters; another organisation's invitation answers 404; a write the user may not
make 403; bad input 422 naming the field — an answer by its place, e.g.
`["body", "answers", 2, "score"]` — and nothing is written. A survey already answered
answers 409, an expired link 410.

The customer's personal link is also a credential: `GET /survey-link` and
`POST /survey-link/answers` take `Authorization: Bearer <the link's token>` instead of an
API token, so an app can show and answer the survey without an account.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.security import HttpBearer

from vcdesk.core.api import (
    ErrorOut,
    Input,
    Pagination,
    PathId,
    get_visible_or_404,
    require,
    validation_error_items,
)
from vcdesk.surveys import selectors, services
from vcdesk.surveys.choices import InvitationState, InvitationTrigger, ResultGrouping, Score
from vcdesk.surveys.filters import InvitationFilter, ResultFilter
from vcdesk.surveys.models import Survey, SurveyInvitation, SurveyItem, SurveySection
from vcdesk.surveys.permissions import may_answer, may_send_surveys

router = Router(tags=["satisfaction surveys"])


class SurveyLinkAuth(HttpBearer):
    """`Authorization: Bearer <token>` where the token is the one in a survey link."""

    def authenticate(self, request: HttpRequest, token: str):
        return selectors.invitation_by_token(token)


def _located(item: dict) -> dict:
    """`["body", "answers.2.score"]` → `["body", "answers", 2, "score"]`."""
    loc: list[str | int] = []
    for part in item["loc"]:
        for piece in str(part).split("."):
            loc.append(int(piece) if piece.isdigit() else piece)
    return {**item, "loc": loc}


def _run(service, *args, **kwargs) -> Any:
    """Call a service; its refusals of input answer 422 naming the field; a survey that can
    no longer be answered 409 (answered) or 410 (expired)."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as exc:
        raise NinjaValidationError([_located(i) for i in validation_error_items(exc)]) from exc


# --- schemas ----------------------------------------------------------------------------------


class ScaleOut(Schema):
    value: int
    label: str


class SurveyItemOut(Schema):
    id: int
    key: str
    position: int
    text_zh: str
    text_en: str
    text: str


class SurveySectionOut(Schema):
    id: int
    key: str
    position: int
    title_zh: str
    title_en: str
    title: str
    items: list[SurveyItemOut]

    @staticmethod
    def resolve_items(obj: SurveySection) -> list[SurveyItem]:
        return list(obj.items.all())


class SurveyOut(Schema):
    id: int
    key: str
    title_zh: str
    title_en: str
    phase_zh: str
    phase_en: str
    footnote_zh: str
    footnote_en: str
    is_default: bool
    active: bool
    scale: list[ScaleOut]
    sections: list[SurveySectionOut]

    @staticmethod
    def resolve_scale(obj: Survey) -> list[dict]:
        """5 (very satisfied) … 1 (very dissatisfied); `null` is "not applicable"."""
        return [{"value": s.value, "label": str(s.label)} for s in Score]

    @staticmethod
    def resolve_sections(obj: Survey) -> list[SurveySection]:
        return list(obj.sections.all())


class InvitationOut(Schema):
    id: int
    survey: int = Field(alias="survey_id")
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    trigger: InvitationTrigger
    state: InvitationState
    service_record: int | None = Field(alias="service_record_id")
    contract: int | None = Field(alias="contract_id")
    inspection: int | None = Field(alias="inspection_id")
    milestone_on: date | None
    contract_name: str
    product_name: str
    customer_name: str
    contact_name: str
    address: str
    phone_fax: str
    implementing_department: str
    implementing_staff: str
    surveying_department: str
    surveyor: str
    engineers: list[int]
    recipient_name: str
    recipient_email: str
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    answered_by: int | None = Field(alias="answered_by_id")
    overall_comments: str

    @staticmethod
    def resolve_state(obj: SurveyInvitation) -> InvitationState:
        return obj.state_at(timezone.now())

    @staticmethod
    def resolve_engineers(obj: SurveyInvitation) -> list[int]:
        return [e.pk for e in obj.engineers.all()]


class AnswerOut(Schema):
    item: int = Field(alias="item_id")
    item_key: str = Field(alias="item.key")
    section: int = Field(alias="item.section_id")
    score: int | None
    not_applicable: bool
    comment: str


class InvitationDetailOut(InvitationOut):
    answers: list[AnswerOut]

    @staticmethod
    def resolve_answers(obj: SurveyInvitation):
        return list(obj.answers.all()) if obj.answered_at else []


class InvitationSentOut(InvitationOut):
    link: str = Field(description="The personal link; answered only now, never again.")


class SurveyLinkOut(Schema):
    """What a personal link opens: the header, the survey and whether it can be answered."""

    state: InvitationState
    expires_at: datetime
    answered_at: datetime | None
    customer_name: str
    contact_name: str
    contract_name: str
    product_name: str
    about: str
    survey: SurveyOut


class AnswerIn(Input):
    item: int
    score: int | None = Field(
        ..., ge=1, le=5, description="5 (very satisfied) … 1 (very dissatisfied); null: N/A"
    )
    comment: str = Field("", max_length=2000)


class AnswersIn(Input):
    answers: list[AnswerIn] = Field(max_length=500)
    overall_comments: str = Field("", max_length=5000)


class InvitationIn(Input):
    organisation: int
    survey: int | None = None
    service_record: int | None = None
    contract: int | None = None
    recipient_name: str = Field("", max_length=100)
    recipient_email: str = Field("", max_length=254)
    engineers: list[int] = Field(default_factory=list, max_length=20)
    contract_name: str = Field("", max_length=200)
    product_name: str = Field("", max_length=300)
    contact_name: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    phone_fax: str = Field("", max_length=100)
    implementing_department: str = Field("", max_length=100)
    implementing_staff: str = Field("", max_length=300)
    surveying_department: str = Field("", max_length=100)
    surveyor: str = Field("", max_length=100)


class ResultRowOut(Schema):
    key: str
    label: str
    average: float | None
    scores: int
    not_applicable: int
    surveys: int


class OverallOut(Schema):
    average: float | None
    scores: int
    not_applicable: int
    surveys: int


class ResultsOut(Schema):
    group_by: ResultGrouping
    overall: OverallOut
    rows: list[ResultRowOut]


WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut, 422: ErrorOut}


# --- definitions ------------------------------------------------------------------------------


@router.get(
    "/survey-definitions",
    response=list[SurveyOut],
    operation_id="survey_definitions_list",
    summary="List survey definitions (sections and items)",
)
@paginate(Pagination)
def survey_definitions_list(request: HttpRequest):
    return selectors.survey_visible(user=request.auth)


@router.get(
    "/survey-definitions/{int:survey_id}",
    response={200: SurveyOut, 404: ErrorOut},
    operation_id="survey_definitions_read",
    summary="Read a survey definition",
)
def survey_definitions_read(request: HttpRequest, survey_id: PathId):
    return get_visible_or_404(selectors.survey_visible(user=request.auth), survey_id)


# --- invitations ------------------------------------------------------------------------------


def _invitation(request: HttpRequest, invitation_id: int) -> SurveyInvitation:
    invitation = selectors.invitation_detail(user=request.auth, pk=invitation_id)
    if invitation is None:
        get_visible_or_404(SurveyInvitation.objects.none(), invitation_id)
    return invitation


@router.get(
    "/survey-invitations",
    response=list[InvitationOut],
    operation_id="survey_invitations_list",
    summary="List survey invitations, newest first",
)
@paginate(Pagination)
def survey_invitations_list(request: HttpRequest, filters: Query[InvitationFilter]):
    """Filters: `state` (pending, answered, expired), `trigger`, `organisation`,
    `service_record`, `contract`, `engineer`."""
    return filters.filter(selectors.invitation_visible(user=request.auth))


@router.post(
    "/survey-invitations",
    response={201: InvitationSentOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="survey_invitations_create",
    summary="Send a survey by hand",
)
def survey_invitations_create(request: HttpRequest, payload: InvitationIn):
    """Sends `survey` (default: the plan's) to `recipient_email`, else to the organisation's
    first customer contact with an e-mail address. The answer carries the personal `link`;
    only its hash is kept."""
    require(may_send_surveys(request.auth))
    invitation = _run(services.survey_send, actor=request.auth, **payload.dict())
    sent = _invitation(request, invitation.pk)
    sent.link = invitation.link
    return Status(201, sent)


@router.get(
    "/survey-invitations/{int:invitation_id}",
    response={200: InvitationDetailOut, 404: ErrorOut},
    operation_id="survey_invitations_read",
    summary="Read an invitation with its answers",
)
def survey_invitations_read(request: HttpRequest, invitation_id: PathId):
    return _invitation(request, invitation_id)


def _answer(request: HttpRequest, invitation: SurveyInvitation, payload: AnswersIn, actor):
    try:
        _run(
            services.survey_answer,
            invitation,
            answers=[a.dict() for a in payload.answers],
            overall_comments=payload.overall_comments,
            actor=actor,
        )
    except services.SurveyExpired as exc:
        return Status(410, {"detail": str(exc)})
    except services.SurveyAlreadyAnswered as exc:
        return Status(409, {"detail": str(exc)})
    return None


@router.post(
    "/survey-invitations/{int:invitation_id}/answers",
    response={201: InvitationDetailOut, **WRITE_ERRORS},
    operation_id="survey_invitations_answer",
    summary="Answer a survey (a customer contact; or staff transcribing a paper form)",
)
def survey_invitations_answer(request: HttpRequest, invitation_id: PathId, payload: AnswersIn):
    """One answer per item: `{"item": id, "score": 5…1 or null (not applicable),
    "comment"}`. Answered once: again answers 409; past its link's end 410."""
    invitation = _invitation(request, invitation_id)
    require(may_answer(request.auth, invitation))
    refused = _answer(request, invitation, payload, request.auth)
    return refused or Status(201, _invitation(request, invitation_id))


# --- the personal link ------------------------------------------------------------------------


@router.get(
    "/survey-link",
    auth=SurveyLinkAuth(),
    response={200: SurveyLinkOut, 401: ErrorOut},
    operation_id="survey_link_read",
    summary="The survey a personal link opens (the link's token as the bearer token)",
)
def survey_link_read(request: HttpRequest):
    return _link_out(request.auth)


def _link_out(invitation: SurveyInvitation) -> dict:
    return {
        "state": invitation.state_at(timezone.now()),
        "expires_at": invitation.expires_at,
        "answered_at": invitation.answered_at,
        "customer_name": invitation.customer_name,
        "contact_name": invitation.contact_name,
        "contract_name": invitation.contract_name,
        "product_name": invitation.product_name,
        "about": invitation.about,
        "survey": selectors.survey_form(invitation),
    }


@router.post(
    "/survey-link/answers",
    auth=SurveyLinkAuth(),
    response={201: SurveyLinkOut, 401: ErrorOut, 409: ErrorOut, 410: ErrorOut, 422: ErrorOut},
    operation_id="survey_link_answer",
    summary="Answer the survey of a personal link, once",
)
def survey_link_answer(request: HttpRequest, payload: AnswersIn):
    invitation: SurveyInvitation = request.auth
    refused = _answer(request, invitation, payload, None)
    if refused:
        return refused
    invitation.refresh_from_db()
    return Status(201, _link_out(invitation))


# --- results ----------------------------------------------------------------------------------


@router.get(
    "/survey-results",
    response={200: ResultsOut},
    operation_id="survey_results",
    summary="Scores rolled up per item, section, engineer, organisation or period",
)
def survey_results(request: HttpRequest, filters: Query[ResultFilter]):
    """`group_by`: item, section (default), engineer, organisation, month, quarter, year;
    filters: `organisation`, `engineer`, `survey`, `trigger`, `answered_from`,
    `answered_to` (Beijing dates). "Not applicable" never counts: `average` is over the
    `scores` given; `not_applicable` counts those answers apart. A customer contact sees
    their own organisation's scores."""
    answers = filters.filter(selectors.answer_visible(user=request.auth))
    group_by = filters.group_by or ResultGrouping.SECTION
    return {
        "group_by": group_by,
        "overall": selectors.overall_average(answers),
        "rows": selectors.survey_results(answers, group_by=group_by),
    }
