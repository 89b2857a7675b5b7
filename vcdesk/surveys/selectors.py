"""Reads of surveys, invitations and scores, scoped to what the user may see (tenancy).

A customer contact sees their own organisation's invitations and scores; another
organisation's answers 404. Roll-ups never count "not applicable": it is a NULL score, and
SQL's AVG and COUNT(score) leave NULLs out.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.tenancy import scope_to_user
from vcdesk.surveys.choices import ResultGrouping
from vcdesk.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyItem,
    SurveySection,
    localised,
    token_hash,
)


def survey_visible(*, user) -> QuerySet[Survey]:
    """Survey definitions with their sections and items (the same for everyone)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Survey.objects.none()
    return survey_with_items(Survey.objects.all())


def survey_with_items(queryset: QuerySet[Survey]) -> QuerySet[Survey]:
    return queryset.prefetch_related(
        Prefetch(
            "sections",
            queryset=SurveySection.objects.order_by("position", "id").prefetch_related(
                Prefetch("items", queryset=SurveyItem.objects.order_by("position", "id"))
            ),
        )
    )


def invitation_visible(*, user) -> QuerySet[SurveyInvitation]:
    return scope_to_user(
        SurveyInvitation.objects.select_related(
            "survey", "organisation", "service_record", "contract", "answered_by", "sent_by"
        ).prefetch_related("engineers"),
        user=user,
        organisation_path="organisation_id",
    )


def invitation_detail(*, user, pk: int) -> SurveyInvitation | None:
    return (
        invitation_visible(user=user)
        .prefetch_related(
            Prefetch("answers", queryset=SurveyAnswer.objects.select_related("item__section"))
        )
        .filter(pk=pk)
        .first()
    )


def invitation_by_token(raw: str) -> SurveyInvitation | None:
    """The invitation a link's token opens, whatever its state; None for an unknown token."""
    if not raw or len(raw) > 200:
        return None
    return (
        SurveyInvitation.objects.select_related("survey", "organisation", "service_record")
        .filter(token_hash=token_hash(raw))
        .first()
    )


def invitation_to_answer(*, user, now: datetime | None = None) -> QuerySet[SurveyInvitation]:
    """The invitations of the user's organisation still waiting for an answer."""
    now = now or timezone.now()
    return invitation_visible(user=user).filter(answered_at__isnull=True, expires_at__gt=now)


def survey_form(invitation: SurveyInvitation) -> Survey:
    """The invitation's survey with its sections and items, in order."""
    return survey_with_items(Survey.objects.filter(pk=invitation.survey_id)).get()


def answers_by_item(invitation: SurveyInvitation) -> dict[int, SurveyAnswer]:
    return {answer.item_id: answer for answer in invitation.answers.all()}


# --- roll-ups ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """One group's scores: the average of the scores given (not applicable left out)."""

    key: str
    label: str
    average: float | None
    scores: int
    not_applicable: int
    surveys: int


_PERIODS = {
    ResultGrouping.MONTH: (TruncMonth, "%Y-%m"),
    ResultGrouping.QUARTER: (TruncQuarter, None),
    ResultGrouping.YEAR: (TruncYear, "%Y"),
}


def answer_visible(*, user) -> QuerySet[SurveyAnswer]:
    return scope_to_user(
        SurveyAnswer.objects.filter(invitation__answered_at__isnull=False),
        user=user,
        organisation_path="invitation__organisation_id",
    )


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def survey_results(answers: QuerySet[SurveyAnswer], *, group_by: ResultGrouping) -> list[ResultRow]:
    """Average score, number of scores, of "not applicable" answers and of surveys, per
    item, section, engineer, organisation or period (Beijing calendar), in a natural order."""
    figures = {
        "average": Avg("score"),
        "scores": Count("score"),
        "not_applicable": Count("id", filter=Q(score__isnull=True)),
        "surveys": Count("invitation_id", distinct=True),
    }
    group_by = ResultGrouping(group_by)
    answers = answers.order_by()
    if group_by == ResultGrouping.ITEM:
        rows = answers.values(
            group=F("item_id"),
            zh=F("item__text_zh"),
            en=F("item__text_en"),
            s_pos=F("item__section__position"),
            pos=F("item__position"),
        ).annotate(**figures)
        rows = sorted(rows, key=lambda r: (r["s_pos"], r["pos"], r["group"]))
        label = lambda r: localised(r["zh"], r["en"])  # noqa: E731
    elif group_by == ResultGrouping.SECTION:
        rows = answers.values(
            group=F("item__section_id"),
            zh=F("item__section__title_zh"),
            en=F("item__section__title_en"),
            pos=F("item__section__position"),
        ).annotate(**figures)
        rows = sorted(rows, key=lambda r: (r["pos"], r["group"]))
        label = lambda r: localised(r["zh"], r["en"])  # noqa: E731
    elif group_by == ResultGrouping.ENGINEER:
        rows = (
            answers.filter(invitation__engineers__isnull=False)
            .values(
                group=F("invitation__engineers__id"),
                full_name=F("invitation__engineers__full_name"),
                username=F("invitation__engineers__username"),
            )
            .annotate(**figures)
        )
        rows = sorted(rows, key=lambda r: (r["full_name"] or r["username"], r["group"]))
        label = lambda r: r["full_name"] or r["username"]  # noqa: E731
    elif group_by == ResultGrouping.ORGANISATION:
        rows = answers.values(
            group=F("invitation__organisation_id"), name=F("invitation__organisation__name")
        ).annotate(**figures)
        rows = sorted(rows, key=lambda r: (r["name"], r["group"]))
        label = lambda r: r["name"]  # noqa: E731
    else:
        trunc, fmt = _PERIODS[group_by]
        rows = (
            answers.annotate(period=trunc("invitation__answered_at", tzinfo=BEIJING))
            .values(group=F("period"))
            .annotate(**figures)
        )
        rows = sorted(rows, key=lambda r: r["group"])

        def label(r) -> str:
            day = timezone.localtime(r["group"], BEIJING).date()
            return _quarter(day) if fmt is None else day.strftime(fmt)

    return [
        ResultRow(
            key=label(r) if group_by in _PERIODS else str(r["group"]),
            label=label(r),
            average=None if r["average"] is None else round(float(r["average"]), 2),
            scores=r["scores"],
            not_applicable=r["not_applicable"],
            surveys=r["surveys"],
        )
        for r in rows
    ]


def overall_average(answers: QuerySet[SurveyAnswer]) -> dict:
    figures = answers.order_by().aggregate(
        average=Avg("score"),
        scores=Count("score"),
        not_applicable=Count("id", filter=Q(score__isnull=True)),
        surveys=Count("invitation_id", distinct=True),
    )
    if figures["average"] is not None:
        figures["average"] = round(float(figures["average"]), 2)
    return figures
