"""The inspection pages: the list, an inspection's page, the engineer's checklist (made for
a phone: one site or device at a time, big touch targets), the manager's reschedule and
cancel forms, and the calendar of inspections and meeting assurance bookings.

Each view parses its input, calls one service or selector, and renders; a step that cannot
happen now is shown as a message, bad input next to its field.
"""

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.history import history_entries
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.core.views import add_service_errors
from vcdesk.customers.selectors import organisation_visible
from vcdesk.inspections import forms, selectors, services
from vcdesk.inspections.choices import InspectionMethod, InspectionStatus, ItemResult
from vcdesk.inspections.filters import InspectionFilter
from vcdesk.inspections.models import OPEN_Q, STATUS_Q, Inspection, overdue_q
from vcdesk.inspections.permissions import may_perform_inspection, may_plan_inspections
from vcdesk.inspections.uploads import ALLOWED, content_type

try:  # meeting assurance (issue 5's other half) may not be installed
    from vcdesk.assurance.selectors import bookings_between
except ImportError:  # pragma: no cover - depends on the installed apps
    bookings_between = None


def _today() -> date:
    return timezone.now().astimezone(BEIJING).date()


def _visible_or_404(request: HttpRequest, pk: int) -> Inspection:
    inspection = selectors.inspection_detail(user=request.user, pk=pk)
    if inspection is None:
        raise Http404
    return inspection


def _performer_or_403(request: HttpRequest, pk: int) -> Inspection:
    inspection = _visible_or_404(request, pk)
    if not may_perform_inspection(request.user, inspection):
        raise PermissionDenied
    return inspection


def _show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for error in exc.messages:
        messages.error(request, error)


# --- list -------------------------------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    """Inspections soonest due first; open ones (neither completed nor cancelled) by
    default. A customer contact sees their organisation's inspections and, once completed,
    their reports."""
    filters, filter_errors = filters_from_request(InspectionFilter, request)
    tab = request.GET.get("tab", "")
    visible = selectors.inspection_list(user=request.user)
    today = _today()
    tabs = {
        "": OPEN_Q,
        "overdue": overdue_q(today),
        "mine": OPEN_Q & Q(engineer_id=request.user.pk),
        "completed": STATUS_Q[InspectionStatus.COMPLETED],
        "cancelled": STATUS_Q[InspectionStatus.CANCELLED],
        "all": Q(),
    }
    if tab not in tabs or (tab == "mine" and request.user.is_customer_contact):
        tab = ""
    queryset = filters.filter(visible).filter(tabs[tab])
    if tab in ("completed", "cancelled", "all"):
        queryset = queryset.order_by("-due_on", "-id")
    page = page_of(request, queryset)
    counts = visible.order_by().aggregate(
        open=Count("id", filter=OPEN_Q),
        overdue=Count("id", filter=tabs["overdue"]),
        mine=Count("id", filter=tabs["mine"]),
    )
    return render(
        request,
        "inspections/list.html",
        {
            "page": page,
            "today": today,
            "filters": filters,
            "filter_errors": filter_errors,
            "tab": tab,
            "counts": counts,
            "methods": InspectionMethod,
            "organisations": []
            if request.user.is_customer_contact
            else organisation_visible(user=request.user).only("id", "name"),
            "engineers": [] if request.user.is_customer_contact else forms.engineers(),
            "may_plan": may_plan_inspections(request.user),
        },
    )


# --- one inspection ---------------------------------------------------------------------------


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _visible_or_404(request, pk)
    units = selectors.checklist_units(inspection)
    answers = [a for unit in units for a in unit.answers]
    staff = not request.user.is_customer_contact
    today = _today()
    days_left = inspection.days_to_due(today)
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "today": today,
            "days_left": days_left,
            "days_late": -days_left,
            "units": units,
            "total_items": len(answers),
            "answered": sum(1 for a in answers if a.result),
            "problems": [a for a in answers if a.result == ItemResult.PROBLEM],
            "findings": list(inspection.findings.all()),
            "trainings": list(inspection.trainings.all()),
            "events": list(inspection.events.all()),
            "report": getattr(inspection, "report", None),
            "staff": staff,
            "may_perform": may_perform_inspection(request.user, inspection),
            "may_plan": may_plan_inspections(request.user),
            "history": history_entries(inspection) if staff else [],
        },
    )


@login_required
@require_POST
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _performer_or_403(request, pk)
    try:
        services.inspection_start(inspection, actor=request.user)
    except services.InspectionRefused as exc:
        messages.error(request, str(exc))
        return redirect("inspection_detail", pk=pk)
    return redirect("inspection_checklist", pk=pk)


# --- the engineer's checklist -----------------------------------------------------------------


@dataclass
class ItemForm:
    """One checklist item on the phone form, with what was sent and what was wrong."""

    answer: object
    result: str
    note: str
    errors: dict[str, list[str]] = field(default_factory=dict)


def _unit_index(request: HttpRequest, units: list) -> int:
    raw = request.GET.get("unit", "")
    if raw.isdigit() and int(raw) < len(units):
        return int(raw)
    # The first site or device with an unanswered item, else the first.
    return next((u.index for u in units if not u.complete), 0)


def _save_unit(request: HttpRequest, unit) -> list[ItemForm]:
    """Record each item of the unit the engineer answered or changed; the rest are left."""
    items = []
    for answer in unit.answers:
        result = request.POST.get(f"result-{answer.pk}", "")
        note = request.POST.get(f"note-{answer.pk}", "").strip()
        upload = request.FILES.get(f"file-{answer.pk}")
        remove = request.POST.get(f"remove-{answer.pk}") == "on"
        item = ItemForm(answer=answer, result=result, note=note)
        items.append(item)
        unchanged = result == answer.result and note == answer.note and not upload and not remove
        if not result or unchanged:
            continue
        try:
            item.answer = services.checklist_answer_record(
                answer,
                result=result,
                note=note,
                attachment=upload,
                remove_attachment=remove,
                actor=request.user,
            )
        except ValidationError as exc:
            item.errors = exc.message_dict
    return items


@login_required
def inspection_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """One site's environment or one device at a time: three big buttons per item (ok,
    problem, not applicable), a note, a photo or file; saving goes on to the next."""
    inspection = _performer_or_403(request, pk)
    if inspection.started_at is None:
        messages.info(request, _("Start the inspection first."))
        return redirect("inspection_detail", pk=pk)
    units = selectors.checklist_units(inspection)
    index = _unit_index(request, units)
    unit = units[index]
    items = [ItemForm(answer=a, result=a.result, note=a.note) for a in unit.answers]
    if request.method == "POST":
        if not inspection.is_open:
            messages.error(
                request,
                _("The inspection is cancelled; it no longer changes.")
                if inspection.cancelled_at
                else _("The inspection is completed; its report is archived."),
            )
            return redirect("inspection_detail", pk=pk)
        items = _save_unit(request, unit)
        if not any(item.errors for item in items):
            inspection = _visible_or_404(request, pk)
            units = selectors.checklist_units(inspection)
            following = [u for u in units[index + 1 :] + units[:index] if not u.complete]
            if not units[index].complete:
                messages.info(request, _("Saved. Some items here are not answered yet."))
                return redirect(f"{request.path}?unit={index}")
            if following:
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?unit={following[0].index}")
            messages.success(request, _("Every item is answered."))
            return redirect(reverse("inspection_detail", args=[pk]) + "#finish")
    total = sum(len(u.answers) for u in units)
    answered = sum(u.answered for u in units)
    return render(
        request,
        "inspections/checklist.html",
        {
            "inspection": inspection,
            "units": units,
            "unit": unit,
            "items": items,
            "results": ItemResult,
            "previous": units[index - 1] if index > 0 else None,
            "next": units[index + 1] if index + 1 < len(units) else None,
            "total": total,
            "answered": answered,
            "percent": round(100 * answered / total) if total else 0,
            "accept": ",".join(f".{ext}" for ext in ALLOWED) + ",image/*",
            "readonly": not inspection.is_open,
        },
    )


@login_required
def inspection_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A checklist item's photo or file, for whoever may see the inspection."""
    answer = selectors.answer_visible(user=request.user).filter(pk=pk).first()
    if answer is None or not answer.attachment:
        raise Http404
    kind = content_type(answer.attachment_name)
    inline = kind.startswith("image/") or kind == "application/pdf"
    response = FileResponse(
        answer.attachment.open("rb"),
        content_type=kind or "application/octet-stream",
        as_attachment=not inline,
        filename=answer.attachment_name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# --- findings, training, completion, rescheduling ---------------------------------------------


def _submitted(request, form, pk: int, action, done, *, refused_to_inspection=True):
    """For a valid POST, run `action()`: on success, `done` (a message, or a function of what
    the action returned) and back to the inspection. A refusal is a message, back to the
    inspection (or on this form); the service's field errors go next to the fields. None
    when the form is to be shown (again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action()
    except services.InspectionRefused as exc:
        messages.error(request, str(exc))
        return redirect("inspection_detail", pk=pk) if refused_to_inspection else None
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect("inspection_detail", pk=pk)


def _form_page(
    request: HttpRequest,
    inspection: Inspection,
    form,
    *,
    title: str,
    intro: str = "",
    submit: str = "",
    back: str = "",
    alternative: tuple[str, str] | None = None,
):
    """A form about one inspection. `back` labels the link back to it (default "Cancel");
    `alternative` is (label, url) of another step to take instead."""
    return render(
        request,
        "inspections/form.html",
        {
            "inspection": inspection,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit or _("Save"),
            "back": back or _("Cancel"),
            "alternative": alternative,
        },
    )


@login_required
def finding_new(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _performer_or_403(request, pk)
    form = forms.FindingForm(request.POST or None, inspection=inspection)
    if request.method == "GET":
        answer_id = request.GET.get("answer", "")
        answer = next((a for a in inspection.answers.all() if str(a.pk) == answer_id), None)
        if answer is not None:
            form.initial.update(answer=answer.pk, device=answer.device_id, description=answer.note)
    submitted = _submitted(
        request,
        form,
        pk,
        lambda: services.finding_open(
            inspection=inspection, actor=request.user, **form.cleaned_data
        ),
        lambda finding: (
            _("Service record %(number)s opened.") % {"number": finding.service_record.number}
        ),
    )
    if submitted:
        return submitted
    return _form_page(
        request,
        inspection,
        form,
        title=_("Pass a problem to technical support"),
        intro=_(
            "A problem that cannot be fixed on the spot becomes a service record of its fault "
            "class; its time limits start now."
        ),
    )


@login_required
def training_new(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _performer_or_403(request, pk)
    form = forms.TrainingForm(request.POST or None)
    submitted = _submitted(
        request,
        form,
        pk,
        lambda: services.training_record(
            inspection=inspection, actor=request.user, **form.cleaned_data
        ),
        _("Training recorded."),
    )
    if submitted:
        return submitted
    return _form_page(request, inspection, form, title=_("Record training given"))


@login_required
def inspection_complete(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _performer_or_403(request, pk)
    form = forms.CompleteForm(request.POST or None)
    submitted = _submitted(
        request,
        form,
        pk,
        lambda: services.inspection_complete(inspection, actor=request.user, **form.cleaned_data),
        _("Inspection completed; the report is archived."),
        refused_to_inspection=False,
    )
    if submitted:
        return submitted
    return _form_page(
        request,
        inspection,
        form,
        title=_("Complete the inspection"),
        intro=_("The report is printed and archived now; the inspection cannot change after."),
        submit=_("Complete and archive the report"),
    )


@login_required
def inspection_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _visible_or_404(request, pk)
    if not may_plan_inspections(request.user):
        raise PermissionDenied
    form = forms.RescheduleForm(request.POST or None, inspection=inspection)
    submitted = _submitted(
        request,
        form,
        pk,
        lambda: services.inspection_reschedule(inspection, actor=request.user, **form.changes()),
        _("Saved."),
    )
    if submitted:
        return submitted
    return _form_page(request, inspection, form, title=_("Move or reassign the inspection"))


@login_required
def inspection_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager's confirmation: what cancelling means, the reason, and rescheduling
    offered instead (a yearly visit is usually moved, not dropped)."""
    inspection = _visible_or_404(request, pk)
    if not may_plan_inspections(request.user):
        raise PermissionDenied
    form = forms.CancelForm(request.POST or None)
    submitted = _submitted(
        request,
        form,
        pk,
        lambda: services.inspection_cancel(inspection, actor=request.user, **form.cleaned_data),
        _("Inspection cancelled."),
    )
    if submitted:
        return submitted
    return _form_page(
        request,
        inspection,
        form,
        title=_("Cancel the inspection"),
        intro=_(
            "Cancelling means this visit of contract year %(year)s is not done: it is not "
            "planned again, nobody is reminded of it, and the year still counts "
            "%(planned)s inspections, this one shown as cancelled, not done. If the visit "
            "is only to happen on another date, move it instead."
        )
        % {"year": inspection.plan.year, "planned": inspection.plan.inspections_planned},
        submit=_("Cancel the inspection"),
        back=_("Keep the inspection"),
        alternative=(_("Move or reassign"), reverse("inspection_reschedule", args=[pk])),
    )


# --- the calendar -----------------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    inspections: list = field(default_factory=list)
    bookings: list = field(default_factory=list)


def _month(raw: str, today: date) -> date:
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@login_required
def inspection_calendar(request: HttpRequest) -> HttpResponse:
    """A month of inspections (by due date) and meeting assurance bookings (by meeting
    days), Beijing time, Monday first."""
    today = _today()
    first = _month(request.GET.get("month", ""), today)
    if not date(1, 2, 1) <= first <= date(9998, 12, 1):
        first = today.replace(day=1)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    days = {d: CalendarDay(day=d, in_month=d.month == first.month) for w in weeks for d in w}
    for inspection in selectors.inspections_between(user=request.user, start=start, end=end):
        days[inspection.due_on].inspections.append(inspection)
    if bookings_between is not None:
        since = datetime.combine(start, time.min, tzinfo=BEIJING)
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=BEIJING)
        for booking in bookings_between(user=request.user, start=since, end=until):
            first_day = max(booking.starts_at.astimezone(BEIJING).date(), start)
            last_day = min(
                (booking.ends_at - timedelta(microseconds=1)).astimezone(BEIJING).date(), end
            )
            day = first_day
            while day <= last_day:
                days[day].bookings.append(booking)
                day += timedelta(days=1)
    return render(
        request,
        "inspections/calendar.html",
        {
            "month": first,
            "today": today,
            "weeks": [[days[d] for d in week] for week in weeks],
            "previous": _shift(first, -1),
            "next": _shift(first, 1),
            "with_bookings": bookings_between is not None,
            "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
        },
    )
