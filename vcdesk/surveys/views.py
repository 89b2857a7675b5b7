"""The survey pages: the answer page a personal link opens (no password, made for a phone),
the same page for a signed-in customer contact, the invitations and one invitation's
answers, and the staff's roll-up of scores. Each view parses its input, calls one service
or selector, and renders."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vcdesk.accounts.models import User
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.customers.selectors import organisation_visible
from vcdesk.surveys import selectors, services
from vcdesk.surveys.choices import InvitationState, InvitationTrigger, ResultGrouping, Score
from vcdesk.surveys.filters import InvitationFilter, ResultFilter
from vcdesk.surveys.models import SurveyInvitation
from vcdesk.surveys.permissions import may_answer

NOT_APPLICABLE = "na"
# The scale as the form shows it, left to right: 5 … 1, then "not applicable".
SCALE = [(str(score.value), score.label) for score in Score]


def _staff(user) -> bool:
    return user.is_authenticated and user.is_active and not user.is_customer_contact


def _answers_from_post(post, survey) -> tuple[list[dict], dict[int, str], dict[int, str]]:
    """The answers of the form (`score_<item>`: 5…1 or "na", `comment_<item>`), and what
    was chosen and written, to show the form again after an error."""
    answers, chosen, comments = [], {}, {}
    for section in survey.sections.all():
        for item in section.items.all():
            value = post.get(f"score_{item.pk}", "")
            comment = post.get(f"comment_{item.pk}", "")
            comments[item.pk] = comment
            if value == NOT_APPLICABLE:
                score = None
            elif value.isdigit() and int(value) in Score.values:
                score = int(value)
            else:
                continue  # unanswered: the service names it
            chosen[item.pk] = value
            answers.append({"item": item.pk, "score": score, "comment": comment})
    return answers, chosen, comments


def _form_sections(survey, chosen: dict[int, str], comments: dict[int, str]) -> list:
    """[(section, [(item, chosen value, comment), …]), …] for the answer form."""
    return [
        (
            section,
            [
                (item, chosen.get(item.pk, ""), comments.get(item.pk, ""))
                for item in section.items.all()
            ],
        )
        for section in survey.sections.all()
    ]


def _answer_page(request: HttpRequest, invitation: SurveyInvitation | None) -> HttpResponse:
    """GET shows the survey (or why it cannot be answered); POST records the answers."""
    context: dict = {"invitation": invitation, "scale": SCALE, "not_applicable": NOT_APPLICABLE}
    if invitation is None:
        context["closed"] = _("This survey link is not valid. Please check the address.")
        return render(request, "surveys/answer.html", context, status=404)
    survey = selectors.survey_form(invitation)
    context |= {"survey": survey, "form_sections": _form_sections(survey, {}, {})}
    state = invitation.state_at(timezone.now())
    if request.method == "POST":
        answers, chosen, comments = _answers_from_post(request.POST, survey)
        context["form_sections"] = _form_sections(survey, chosen, comments)
        context["overall_comments"] = request.POST.get("overall_comments", "")
        try:
            services.survey_answer(
                invitation,
                answers=answers,
                overall_comments=context["overall_comments"],
                actor=request.user,
            )
        except services.SurveyClosed as exc:
            context["closed"] = str(exc)
            return render(request, "surveys/answer.html", context, status=409)
        except ValidationError as exc:
            context["errors"] = exc.messages
            return render(request, "surveys/answer.html", context, status=422)
        context["thanks"] = True
        return render(request, "surveys/answer.html", context)
    if state == InvitationState.ANSWERED:
        context["closed"] = _("This survey has already been answered. Thank you!")
    elif state == InvitationState.EXPIRED:
        context["closed"] = _("This survey link expired on %(date)s.") % {
            "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d")
        }
    return render(request, "surveys/answer.html", context)


@never_cache
def survey_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The page a personal link opens: no password; answered once; expires."""
    return _answer_page(request, selectors.invitation_by_token(token))


@never_cache
@login_required
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in customer contact answers their organisation's survey from the portal;
    staff who may send surveys transcribe an answer given on the paper form."""
    invitation = selectors.invitation_visible(user=request.user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    if not may_answer(request.user, invitation):
        raise PermissionDenied
    return _answer_page(request, invitation)


@login_required
def survey_invitation_list(request: HttpRequest) -> HttpResponse:
    filters, errors = filters_from_request(InvitationFilter, request)
    page = page_of(request, filters.filter(selectors.invitation_visible(user=request.user)))
    now = timezone.now()
    for invitation in page:
        invitation.state = invitation.state_at(now)
    return render(
        request,
        "surveys/invitation_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": errors,
            "states": InvitationState.choices,
            "triggers": InvitationTrigger.choices,
            "organisations": organisation_visible(user=request.user).only("id", "name")
            if _staff(request.user)
            else [],
            "staff": _staff(request.user),
        },
    )


@login_required
def survey_invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_detail(user=request.user, pk=pk)
    if invitation is None:
        raise Http404
    survey = selectors.survey_form(invitation)
    answers = selectors.answers_by_item(invitation)
    sections = [
        (section, [(item, answers.get(item.pk)) for item in section.items.all()])
        for section in survey.sections.all()
    ]
    return render(
        request,
        "surveys/invitation_detail.html",
        {
            "invitation": invitation,
            "survey": survey,
            "sections": sections,
            "state": invitation.state_at(timezone.now()),
            "staff": _staff(request.user),
            "may_answer": may_answer(request.user, invitation),
        },
    )


@login_required
def survey_results(request: HttpRequest) -> HttpResponse:
    """Scores per item, section, engineer, organisation and period; staff only."""
    if not _staff(request.user):
        raise PermissionDenied
    filters, errors = filters_from_request(ResultFilter, request)
    answers = filters.filter(selectors.answer_visible(user=request.user))
    group_by = filters.group_by or ResultGrouping.SECTION
    return render(
        request,
        "surveys/results.html",
        {
            "filters": filters,
            "filter_errors": errors,
            "group_by": group_by,
            "groupings": ResultGrouping.choices,
            "rows": selectors.survey_results(answers, group_by=group_by),
            "overall": selectors.overall_average(answers),
            "organisations": organisation_visible(user=request.user).only("id", "name"),
            "engineers": User.objects.filter(survey_invitations__isnull=False)
            .distinct()
            .order_by("full_name", "username"),
            "triggers": InvitationTrigger.choices,
        },
    )
