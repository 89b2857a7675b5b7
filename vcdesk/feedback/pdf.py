"""The customer issue record and its feedback record printed as the plan's forms
客户问题记录 and 客户问题回馈记录 (R10.2), in Chinese."""

from itertools import repeat

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from vcdesk.core.pdf import pdf_response, render_pdf
from vcdesk.feedback import selectors
from vcdesk.feedback.choices import IssueKind, Urgency
from vcdesk.feedback.models import IssueRecord

ISSUE_TEMPLATE = "feedback/pdf/issue_record.html"
FEEDBACK_TEMPLATE = "feedback/pdf/feedback_record.html"
# The paper form has two supervision lines; at least that many are printed.
SUPERVISION_ROWS = 2


def issue_form_context(issue: IssueRecord) -> dict:
    entries = list(issue.supervision.all())
    return {
        "issue": issue,
        "kinds": [(kind, issue.kind == kind) for kind in IssueKind],
        "urgencies": [(urgency, issue.urgency == urgency) for urgency in Urgency],
        "supervision": entries,
        "blank_supervision": list(repeat(None, max(SUPERVISION_ROWS - len(entries), 0))),
        "attachments": list(issue.attachments.all()),
    }


def issue_pdf_bytes(issue: IssueRecord, *, request: HttpRequest | None = None) -> bytes:
    return render_pdf(ISSUE_TEMPLATE, issue_form_context(issue), request=request)


def feedback_pdf_bytes(issue: IssueRecord, *, request: HttpRequest | None = None) -> bytes:
    context = {
        "issue": issue,
        "feedback": issue.feedback,
        "attachments": list(issue.attachments.all()),
    }
    return render_pdf(FEEDBACK_TEMPLATE, context, request=request)


def _issue(request: HttpRequest, pk: int) -> IssueRecord:
    issue = selectors.issue_detail(user=request.user, pk=pk)
    if issue is None:
        raise Http404
    return issue


@login_required
def issue_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    return pdf_response(issue_pdf_bytes(issue, request=request), filename=f"{issue.number}.pdf")


@login_required
def feedback_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    if getattr(issue, "feedback", None) is None:
        raise Http404
    return pdf_response(
        feedback_pdf_bytes(issue, request=request), filename=f"{issue.number}-feedback.pdf"
    )
