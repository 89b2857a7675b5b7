"""The hotline pages: intake, the live queue, the record page and an engineer's jobs.

Each view parses its input, calls one service or selector, and renders. Rules about what may
happen next live in vcdesk.service.process and the services; a refusal is shown as a message.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vcdesk.accounts.permissions import may_handle_service
from vcdesk.assets.choices import DeviceStatus
from vcdesk.assets.models import Device
from vcdesk.assets.selectors import device_entitlement, device_visible
from vcdesk.contracts.entitlement import Entitlement
from vcdesk.core.history import history_entries
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.core.views import add_service_errors, url_has_allowed_host_and_scheme_or
from vcdesk.customers.selectors import contact_visible, organisation_visible
from vcdesk.service import dispatch as dispatching
from vcdesk.service import forms, process, selectors, services
from vcdesk.service.choices import (
    HANDLING_RULES,
    ClockKind,
    EventType,
    FaultClass,
    RecordStatus,
)
from vcdesk.service.filters import ServiceRecordFilter
from vcdesk.service.models import Clock, ServiceRecord

# How many devices the intake search offers at most.
INTAKE_MATCHES = 10
# A phone search needs this many digits, so that "2" does not list every caller.
PHONE_MIN_DIGITS = 3


# --- clocks as the pages show them ---------------------------------------------------------


def _clock_facts(clock: Clock, now: datetime) -> Clock:
    """Attach the clock's state at `now` for the templates (state, warning, held minutes)."""
    clock.state = clock.state_at(now)
    clock.warning = clock.warning_at(now)
    clock.held_minutes = clock.held_minutes_at(now)
    clock.counting = clock.is_open and clock.paused_at is None
    return clock


def _next_clock(record: ServiceRecord, now: datetime, kinds=frozenset(ClockKind)) -> Clock | None:
    """The running clock (of `kinds`) that falls due first; of every kind, it is the one the
    record's queue position is for."""
    running = [
        c for c in record.clocks.all() if c.is_open and c.paused_at is None and c.kind in kinds
    ]
    clock = min(running, key=lambda c: (c.due_at, c.pk), default=None)
    return None if clock is None else _clock_facts(clock, now)


def _rule_list() -> list[tuple[str, str, str]]:
    return [
        (value, label, str(HANDLING_RULES[FaultClass(value)]))
        for value, label in FaultClass.choices
    ]


# --- intake -----------------------------------------------------------------------------------


@dataclass
class DeviceMatch:
    """A device offered by the intake search, with the caller found by phone if any."""

    device: Device
    entitlement: Entitlement
    caller_name: str = ""
    caller_phone: str = ""
    caller_fax: str = ""
    caller_email: str = ""


def _device_matches(*, user, q: str) -> list[DeviceMatch]:
    """Devices `user` may see whose serial, organisation or site name contains `q`, or whose
    organisation has a contact, or a past service record a caller, with that phone number.
    Matches by phone come first: they also name the caller."""
    q = q.strip()
    if len(q) < 2:
        return []
    devices = device_visible(user=user).exclude(status=DeviceStatus.RETIRED)
    found: dict[int, DeviceMatch] = {}
    today = timezone.localdate()

    def add(device: Device, **caller) -> None:
        if device.pk not in found and len(found) < INTAKE_MATCHES:
            found[device.pk] = DeviceMatch(
                device=device, entitlement=device_entitlement(device=device, on=today), **caller
            )

    if len(re.sub(r"\D", "", q)) >= PHONE_MIN_DIGITS:
        callers = (
            selectors.service_record_visible(user=user)
            .prefetch_related(None)
            .filter(caller_phone__contains=q)
            .order_by("-reported_at")
            .values("device_id", "caller_name", "caller_phone", "caller_fax", "caller_email")[
                :INTAKE_MATCHES
            ]
        )
        by_device = {}
        for caller in callers:
            by_device.setdefault(caller.pop("device_id"), caller)
        for device in devices.filter(pk__in=by_device):
            add(device, **by_device[device.pk])
        for contact in contact_visible(user=user).filter(phone__contains=q)[:INTAKE_MATCHES]:
            caller = {
                "caller_name": contact.name,
                "caller_phone": contact.phone,
                "caller_fax": contact.fax,
                "caller_email": contact.email,
            }
            for device in devices.filter(organisation_id=contact.organisation_id)[:INTAKE_MATCHES]:
                add(device, **caller)
    by_text = (
        Q(serial__icontains=q)
        | Q(organisation__name__icontains=q)
        | Q(organisation__short_name__icontains=q)
        | Q(site__name__icontains=q)
    )
    for device in devices.filter(by_text).order_by("organisation__name", "site__name", "serial")[
        :INTAKE_MATCHES
    ]:
        add(device)
    return list(found.values())


@login_required
def service_intake(request: HttpRequest) -> HttpResponse:
    """The hotline's one form (a customer contact's "report a fault")."""
    form = forms.IntakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.service_record_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Service record %(number)s opened.") % {"number": record.number}
            )
            return redirect("service_record_detail", pk=record.pk)
    elif request.method != "POST" and request.user.is_customer_contact:
        # A customer reporting for themselves: their name, and their numbers when their
        # organisation keeps them as a contact with the same e-mail address.
        me = request.user
        contact = (
            contact_visible(user=me).filter(email__iexact=me.email).first() if me.email else None
        )
        form.initial.update(
            caller_name=me.full_name,
            caller_email=me.email,
            caller_phone=getattr(contact, "phone", ""),
            caller_fax=getattr(contact, "fax", ""),
        )
    picked = None
    if form.is_bound and "device" not in form.errors and form.cleaned_data.get("device"):
        device = form.cleaned_data["device"]
        picked = DeviceMatch(
            device=device, entitlement=device_entitlement(device=device, on=timezone.localdate())
        )
    return render(
        request,
        "service/intake.html",
        {"form": form, "picked": picked, "rules": _rule_list()},
    )


@login_required
def service_intake_devices(request: HttpRequest) -> HttpResponse:
    """The intake search's results, an HTML fragment fetched as the duty officer types."""
    q = request.GET.get("q", "")
    return render(
        request,
        "service/_device_results.html",
        {"matches": _device_matches(user=request.user, q=q), "q": q.strip()},
    )


# --- the live queue ---------------------------------------------------------------------------


# What a queue row shows (service/_queue_rows.html): only these columns are read, with the
# clocks. A row reading another field would cost a query per row (the tests count them).
QUEUE_ROW_FIELDS = (
    "number",
    "reported_at",
    "fault_class",
    "status",
    "has_breach",
    "queue_key",
    "organisation__name",
    "organisation__short_name",
    "site__name",
    "device__serial",
    "device__model__name",
)


@login_required
def service_queue(request: HttpRequest) -> HttpResponse:
    """Open records, the next clock to fall due first; the rows refresh themselves."""
    filters, filter_errors = filters_from_request(ServiceRecordFilter, request)
    if "open" not in request.GET:
        filters = filters.model_copy(update={"open": True})
    records = selectors.service_record_visible(user=request.user).only(*QUEUE_ROW_FIELDS)
    page = page_of(request, filters.filter(records))
    now = timezone.now()
    for record in page:
        record.next_clock = _next_clock(record, now)
    context = {"page": page, "filters": filters, "filter_errors": filter_errors}
    if request.htmx:
        return render(request, "service/_queue_rows.html", context)
    organisations = organisation_visible(user=request.user).values_list("id", "name")
    return render(
        request,
        "service/queue.html",
        context
        | {
            "organisations": organisations if not request.user.is_customer_contact else [],
            "statuses": RecordStatus.choices,
            "fault_classes": FaultClass.choices,
        },
    )


# --- the record page --------------------------------------------------------------------------


def _visible_record_or_404(request: HttpRequest, pk: int) -> ServiceRecord:
    record = selectors.service_record_detail(user=request.user, pk=pk)
    if record is None:
        raise Http404
    return record


def _process_state(record: ServiceRecord) -> process.ProcessState:
    state = process.ProcessState()
    for event in record.events.all():  # prefetched in time order
        state = process.fold(state, EventType(event.type), event.at)
    return state


def _possible_events(record: ServiceRecord, user, now: datetime) -> list[EventType]:
    """The events this user may record now, by the process rules."""
    state = _process_state(record)
    return [
        event_type
        for event_type in EventType
        if may_handle_service(user, event_type=event_type)
        and process.refusal(state, event_type, now, reported_at=record.reported_at) is None
    ]


@login_required
def service_record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _visible_record_or_404(request, pk)
    now = timezone.now()
    possible = _possible_events(record, request.user, now)
    staff = may_handle_service(request.user)
    buttons = [
        e
        for e in possible
        # These have forms of their own: dispatch, hold with a reason, close with a
        # confirmation; spares move through the spares pages, which reserve the stock.
        if e
        not in (
            EventType.DISPATCHED,
            EventType.CUSTOMER_HOLD,
            EventType.CLOSED,
            EventType.SPARE_REQUESTED,
            EventType.SPARE_SHIPPED,
            EventType.SPARE_ARRIVED,
            EventType.SPARE_CANCELLED,
        )
    ]
    return render(
        request,
        "service/record_detail.html",
        {
            "record": record,
            "clocks": [_clock_facts(c, now) for c in record.clocks.all()],
            "events": record.events.all(),
            "entries": record.history_entries.all(),
            "dispatches": record.dispatches.all(),
            "staff": staff,
            "buttons": buttons,
            "may_hold": EventType.CUSTOMER_HOLD in possible,
            "may_close": EventType.CLOSED in possible,
            "may_dispatch": staff and EventType.DISPATCHED in possible,
            "event_form": forms.EventForm(),
            "history_form": forms.HistoryEntryForm(),
            "dispatch_form": forms.DispatchForm(),
            "company": {
                "name": settings.VCDESK_COMPANY_NAME,
                "phone": getattr(settings, "VCDESK_COMPANY_PHONE", ""),
                "fax": getattr(settings, "VCDESK_COMPANY_FAX", ""),
                "email": getattr(settings, "VCDESK_COMPANY_EMAIL", "")
                or getattr(record.duty_officer, "email", ""),
            },
            "history": history_entries(record, limit=20),
        },
    )


def _show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _show_form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
@require_POST
def service_record_event(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one event from the record page's buttons."""
    record = _visible_record_or_404(request, pk)
    try:
        event_type = EventType(request.POST.get("type", ""))
    except ValueError as exc:
        raise Http404 from exc
    if not may_handle_service(request.user, event_type=event_type):
        raise PermissionDenied
    form = forms.EventForm(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return redirect("service_record_detail", pk=pk)
    try:
        services.service_record_event_add(
            record,
            type=event_type,
            at=form.cleaned_data["at"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    except services.EventRefused as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("Recorded: %(event)s.") % {"event": event_type.label})
    return redirect("service_record_detail", pk=pk)


@login_required
@require_POST
def service_record_history_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = _visible_record_or_404(request, pk)
    if not may_handle_service(request.user):
        raise PermissionDenied
    form = forms.HistoryEntryForm(request.POST)
    if form.is_valid():
        try:
            services.history_entry_add(record, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("History entry added."))
    else:
        _show_form_errors(request, form)
    return redirect("service_record_detail", pk=pk)


@login_required
@require_POST
def service_record_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a field engineer to the record's site."""
    record = _visible_record_or_404(request, pk)
    if not may_handle_service(request.user, event_type=EventType.DISPATCHED):
        raise PermissionDenied
    form = forms.DispatchForm(request.POST)
    if form.is_valid():
        engineer = form.cleaned_data["engineer"]
        try:
            dispatching.dispatch_assign(record, engineer=engineer, actor=request.user)
        except services.EventRefused as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("%(engineer)s dispatched.") % {"engineer": engineer})
    else:
        _show_form_errors(request, form)
    return redirect("service_record_detail", pk=pk)


# --- an engineer's jobs -----------------------------------------------------------------------

ON_SITE_CLOCKS = frozenset({ClockKind.ONSITE, ClockKind.FIX_ON_SITE})

STEPS = {
    "accept": (dispatching.dispatch_accept, gettext_lazy("Job accepted.")),
    "set-out": (dispatching.dispatch_set_out, gettext_lazy("On your way.")),
    "check-in": (dispatching.dispatch_check_in, gettext_lazy("Checked in on site.")),
}


def _render_my_jobs(request: HttpRequest, *, failed: tuple[int, forms.CheckOutForm] | None = None):
    now = timezone.now()
    jobs = list(dispatching.dispatch_open_of(engineer=request.user))
    for job in jobs:
        # The engineer's own promises first: be there in time, then fix it in time.
        job.next_clock = _next_clock(job.record, now, ON_SITE_CLOCKS) or _next_clock(
            job.record, now
        )
        if failed and failed[0] == job.pk:
            job.checkout_form = failed[1]
        else:
            job.checkout_form = forms.CheckOutForm(auto_id=f"job{job.pk}_%s")
    return render(request, "service/my_jobs.html", {"jobs": jobs})


@login_required
def my_jobs(request: HttpRequest) -> HttpResponse:
    """A field engineer's open dispatches, most urgent first; made for a phone."""
    if request.user.is_customer_contact:
        raise PermissionDenied
    return _render_my_jobs(request)


@login_required
@require_POST
def dispatch_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Accept, set out, check in or check out: one step of a visit."""
    if step not in STEPS and step != "check-out":
        raise Http404
    dispatch = dispatching.dispatch_visible(user=request.user).filter(pk=pk).first()
    if dispatch is None:
        raise Http404
    done = url_has_allowed_host_and_scheme_or(
        request, request.POST.get("next"), "/service/my-jobs/"
    )
    try:
        if step == "check-out":
            form = forms.CheckOutForm(request.POST, auto_id=f"job{pk}_%s")
            if not form.is_valid():
                return _render_my_jobs(request, failed=(pk, form))
            try:
                dispatching.dispatch_check_out(dispatch, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                return _render_my_jobs(request, failed=(pk, form))
            messages.success(request, _("Checked out. Thank you for the report."))
        else:
            service, message = STEPS[step]
            service(dispatch, actor=request.user)
            messages.success(request, message)
    except services.EventRefused as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _show_errors(request, exc)
    return redirect(done)
