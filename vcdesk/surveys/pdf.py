"""The survey printed as the plan's form 客户满意度调查表 (R10.2), in Chinese: the header,
each item with its mark under 5 … 1 or 不适用, and the comments."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from vcdesk.core.pdf import pdf_response, render_pdf
from vcdesk.surveys import selectors
from vcdesk.surveys.choices import Score
from vcdesk.surveys.models import SurveyAnswer, SurveyInvitation, SurveyItem

TEMPLATE = "surveys/pdf/survey_form.html"
# The columns of marks, left to right; None is 不适用.
COLUMNS: tuple[int | None, ...] = (*Score.values, None)


@dataclass(frozen=True)
class Line:
    item: SurveyItem
    marks: tuple[bool, ...]
    comment: str


def survey_form_context(invitation: SurveyInvitation) -> dict:
    survey = selectors.survey_form(invitation)
    answers: dict[int, SurveyAnswer] = selectors.answers_by_item(invitation)
    sections = []
    for section in survey.sections.all():
        lines = []
        for item in section.items.all():
            answer = answers.get(item.pk)
            marks = tuple(answer is not None and answer.score == c for c in COLUMNS)
            lines.append(Line(item, marks, answer.comment if answer else ""))
        sections.append((section, lines))
    return {
        "invitation": invitation,
        "survey": survey,
        "sections": sections,
        "scale": [Score(v) for v in Score.values],
        "form_date": invitation.answered_at or invitation.sent_at,
    }


def survey_pdf_bytes(invitation: SurveyInvitation, *, request: HttpRequest | None = None) -> bytes:
    return render_pdf(TEMPLATE, survey_form_context(invitation), request=request)


@login_required
def survey_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_detail(user=request.user, pk=pk)
    if invitation is None:
        raise Http404
    name = f"survey-{invitation.sent_at:%Y%m%d}-{invitation.pk}.pdf"
    return pdf_response(survey_pdf_bytes(invitation, request=request), filename=name)
