"""The customer issue pages: the list, raising an issue (staff, or a customer contact in the
portal), the issue with its supervision log, attachments and feedback record, and the
customer's opinion of the resolution. Each view parses its input, calls one service or
selector, and renders; a refusal is shown next to the fields or as a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.history import history_entries
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.core.views import add_service_errors
from vcdesk.customers.selectors import organisation_visible
from vcdesk.feedback import forms, selectors, services
from vcdesk.feedback.choices import IssueKind, IssueStatus, Urgency
from vcdesk.feedback.filters import IssueFilter
from vcdesk.feedback.models import IssueRecord
from vcdesk.feedback.permissions import (
    may_attach,
    may_give_customer_opinion,
    may_handle_issues,
    may_raise_issue,
)


def _today():
    return timezone.localdate(timezone=BEIJING)


def _issue_or_404(request: HttpRequest, pk: int) -> IssueRecord:
    issue = selectors.issue_detail(user=request.user, pk=pk)
    if issue is None:
        raise Http404
    return issue


def _show_errors(request: HttpRequest, exc: ValidationError, form=None) -> None:
    labels = {name: field.label for name, field in form.fields.items()} if form else {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                label = labels.get(field)
                messages.error(request, f"{label}: {error}" if label else error)
    else:
        for error in exc.messages:
            messages.error(request, error)


@login_required
def issue_list(request: HttpRequest) -> HttpResponse:
    filters, filter_errors = filters_from_request(IssueFilter, request)
    page = page_of(request, filters.filter(selectors.issue_visible(user=request.user)))
    today = _today()
    for issue in page:
        issue.overdue = issue.is_overdue_on(today)
    return render(
        request,
        "feedback/issue_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": filter_errors,
            "statuses": IssueStatus.choices,
            "kinds": IssueKind.choices,
            "urgencies": Urgency.choices,
            "organisations": []
            if request.user.is_customer_contact
            else organisation_visible(user=request.user).only("id", "name"),
            "may_raise": may_raise_issue(request.user),
        },
    )


@login_required
def issue_create(request: HttpRequest) -> HttpResponse:
    """Record a request or a complaint (staff), or raise one (a customer contact)."""
    if not may_raise_issue(request.user):
        raise PermissionDenied
    staff = may_handle_issues(request.user)
    form = forms.IssueForm(request.POST or None, user=request.user, staff=staff)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            issue = services.issue_record_create(actor=request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Issue %(number)s recorded.") % {"number": issue.number})
            return redirect("issue_detail", pk=issue.pk)
    elif request.method != "POST":
        me = request.user
        form.initial.update(received_on=_today())
        if me.is_customer_contact:
            form.initial.update(contact_name=me.full_name, contact_email=me.email)
        record_id = request.GET.get("service_record", "")
        if record_id.isdigit():
            form.initial["service_record"] = int(record_id)
    return render(request, "feedback/issue_form.html", {"form": form, "issue": None})


@login_required
def issue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_or_404(request, pk)
    if not may_handle_issues(request.user):
        raise PermissionDenied
    names = [
        "received_on",
        "contact_name",
        "contact_phone",
        "contact_fax",
        "contact_email",
        "details",
        "kind",
        "urgency",
        "service_record",
        "passed_to",
        "passed_on",
        "expected_resolution_on",
        "planned_measures",
        "responsible_person",
        "specialist",
    ]
    initial = {name: getattr(issue, name) for name in names}
    form = forms.IssueForm(
        request.POST or None, user=request.user, staff=True, editing=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.issue_record_update(issue, actor=request.user, **changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("issue_detail", pk=issue.pk)
    return render(request, "feedback/issue_form.html", {"form": form, "issue": issue})


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_or_404(request, pk)
    staff = may_handle_issues(request.user)
    feedback = getattr(issue, "feedback", None)
    return render(
        request,
        "feedback/issue_detail.html",
        {
            "issue": issue,
            "feedback": feedback,
            "overdue": issue.is_overdue_on(_today()),
            "staff": staff,
            "may_attach": may_attach(request.user, issue),
            "may_give_opinion": may_give_customer_opinion(request.user, issue)
            and feedback is not None
            and feedback.resolved_on is not None
            and feedback.customer_opinion_at is None,
            "supervision_form": forms.SupervisionForm(initial={"period_to": _today()}),
            "attachment_form": forms.AttachmentForm(),
            "opinion_form": forms.OpinionForm(),
            "history": history_entries(issue, limit=20) if staff else [],
        },
    )


@login_required
@require_POST
def issue_supervision_add(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_or_404(request, pk)
    if not may_handle_issues(request.user):
        raise PermissionDenied
    form = forms.SupervisionForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_entry_add(issue, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(request, exc, form)
        else:
            messages.success(request, _("Supervision entry added."))
    else:
        _show_errors(request, ValidationError(form.errors), form)
    return redirect("issue_detail", pk=pk)


@login_required
@require_POST
def issue_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_or_404(request, pk)
    if not may_attach(request.user, issue):
        raise PermissionDenied
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.issue_attachment_add(
                issue, upload=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as exc:
            _show_errors(request, exc, form)
        else:
            messages.success(request, _("File attached."))
    else:
        _show_errors(request, ValidationError(form.errors), form)
    return redirect("issue_detail", pk=pk)


@login_required
def issue_attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Always a download (never shown inline), to whoever may see the issue."""
    attachment = (
        selectors.attachment_visible(user=request.user)
        .filter(pk=attachment_pk, record_id=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def feedback_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The department's part of the feedback record: result, people, resolution date."""
    issue = _issue_or_404(request, pk)
    if not may_handle_issues(request.user):
        raise PermissionDenied
    feedback = getattr(issue, "feedback", None)
    initial = {"department": issue.passed_to, "responsible_person": issue.responsible_person}
    if feedback is not None:
        initial = {name: getattr(feedback, name) for name in forms.FeedbackForm.base_fields}
    form = forms.FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = (
            form.cleaned_data
            if feedback is None
            else {name: form.cleaned_data[name] for name in form.changed_data}
        )
        try:
            services.feedback_record_save(issue, actor=request.user, **changes)
        except services.FeedbackRefused as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Feedback record saved."))
            return redirect("issue_detail", pk=issue.pk)
    return render(request, "feedback/feedback_form.html", {"form": form, "issue": issue})


@login_required
@require_POST
def feedback_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's opinion of the resolution, given once."""
    issue = _issue_or_404(request, pk)
    feedback = getattr(issue, "feedback", None)
    if feedback is None:
        raise Http404
    if not may_give_customer_opinion(request.user, issue):
        raise PermissionDenied
    form = forms.OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_customer_opinion(
                feedback, opinion=form.cleaned_data["opinion"], actor=request.user
            )
        except services.FeedbackRefused as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _show_errors(request, exc, form)
        else:
            messages.success(request, _("Thank you for your opinion."))
    else:
        _show_errors(request, ValidationError(form.errors), form)
    return redirect("issue_detail", pk=pk)
