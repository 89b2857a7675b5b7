"""The RMA and quote pages: for the spares keeper (and the other staff who handle repairs)
and, scoped to their organisation and read-only except a quote's answer, the customer
contact. Each view parses its input, calls one service or selector, and renders; a refusal
is shown as a message."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vcdesk.assets.selectors import device_entitlement
from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.api import get_visible_or_404
from vcdesk.core.history import history_entries
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.core.views import add_service_errors
from vcdesk.customers.selectors import organisation_visible
from vcdesk.rma import forms, process, selectors, services
from vcdesk.rma.choices import FLOW, QuoteStatus, RmaEventType, RmaStatus, RmaStep
from vcdesk.rma.filters import OrderFilter, QuoteFilter, RmaFilter
from vcdesk.rma.models import Quote, Rma
from vcdesk.rma.permissions import may_decide_quote, may_handle_rma
from vcdesk.service.selectors import service_record_detail

# Days a faulty unit may be owed before the list marks it (warning, then overdue).
OWED_WARN_DAYS = getattr(settings, "VCDESK_RMA_OWED_WARN_DAYS", 7)
OWED_OVERDUE_DAYS = getattr(settings, "VCDESK_RMA_OWED_OVERDUE_DAYS", 14)


def _owed_level(days: int | None) -> str:
    if days is None:
        return ""
    if days >= OWED_OVERDUE_DAYS:
        return "bad"
    return "warn" if days >= OWED_WARN_DAYS else "info"


def _require_staff(user) -> None:
    if not may_handle_rma(user):
        raise PermissionDenied


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


def _show_form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- RMA list -------------------------------------------------------------------------------


@login_required
def rma_list(request: HttpRequest) -> HttpResponse:
    """RMAs by status, and the faulty units owed for advance replacements."""
    filters, filter_errors = filters_from_request(RmaFilter, request)
    if "open" not in request.GET and "status" not in request.GET:
        filters = filters.model_copy(update={"open": True})
    visible = selectors.rma_visible(user=request.user)
    page = page_of(request, filters.filter(visible))
    now = timezone.now()
    owing = list(selectors.rma_owing(user=request.user)[:100])
    for rma in [*page, *owing]:
        rma.owed_days = rma.owed_days_at(now)
        rma.owed_level = _owed_level(rma.owed_days)
    counts = dict(
        visible.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return render(
        request,
        "rma/rma_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": filter_errors,
            "owing": owing,
            "status_counts": [(s, counts.get(s.value, 0)) for s in RmaStatus],
            "organisations": []
            if request.user.is_customer_contact
            else organisation_visible(user=request.user).only("id", "name"),
            "staff": may_handle_rma(request.user),
            "owed_warn_days": OWED_WARN_DAYS,
            "owed_overdue_days": OWED_OVERDUE_DAYS,
        },
    )


# --- the RMA form: new and edit -------------------------------------------------------------


def _prefill_from_record(request: HttpRequest, form: forms.RmaForm) -> None:
    """`?record=<id>`: the service record's customer, caller, site and device."""
    record_id = request.GET.get("record", "")
    record = (
        service_record_detail(user=request.user, pk=int(record_id)) if record_id.isdigit() else None
    )
    if record is None:
        return
    device = record.device
    form.initial.update(
        service_record=record.pk,
        organisation=record.organisation_id,
        contact_name=record.caller_name,
        phone=record.caller_phone,
        fax=record.caller_fax,
        consignee=record.caller_name,
        address=record.site.address or record.organisation.address,
        product_device=device.pk,
        product_model=str(device.model),
        product_serial=device.serial,
        product_quantity=1,
        fault_symptom=record.description,
    )
    form.record = record


def _add_rma_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        field = forms.PRODUCT_ERROR_FIELDS.get(field, field)
        form.add_error(field if field in form.fields else None, errors)


@login_required
def rma_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    form = forms.RmaForm(request.POST or None, user=request.user)
    form.record = None
    if request.method == "POST":
        if form.is_valid():
            try:
                rma = services.rma_create(actor=request.user, **form.service_fields())
            except ValidationError as exc:
                _add_rma_errors(form, exc)
            else:
                messages.success(request, _("RMA %(number)s filed.") % {"number": rma.number})
                return redirect("rma_detail", pk=rma.pk)
        if form.data.get("service_record", "").isdigit():
            form.record = service_record_detail(
                user=request.user, pk=int(form.data["service_record"])
            )
    else:
        form.initial["date"] = timezone.localdate(timezone=BEIJING)
        _prefill_from_record(request, form)
    return render(request, "rma/rma_form.html", {"form": form, "rma": None})


def _visible_rma_or_404(request: HttpRequest, pk: int) -> Rma:
    return get_visible_or_404(selectors.rma_detail_visible(user=request.user), pk)


@login_required
def rma_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rma = _visible_rma_or_404(request, pk)
    _require_staff(request.user)
    fields = [
        "service_record",
        "date",
        "contact_name",
        "phone",
        "fax",
        "consignee",
        "address",
        "post_code",
        "fault_symptom",
        "cause_and_measures",
    ]
    initial = {name: getattr(rma, name) for name in fields if name != "service_record"}
    initial["service_record"] = rma.service_record_id
    form = forms.RmaForm(request.POST or None, user=request.user, editing=True, initial=initial)
    form.record = rma.service_record
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.rma_update(rma, actor=request.user, **changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("rma_detail", pk=rma.pk)
    return render(request, "rma/rma_form.html", {"form": form, "rma": rma})


# --- the RMA page ---------------------------------------------------------------------------


def _steps(rma: Rma, state: process.RmaState) -> list[dict]:
    """The flow as the page shows it: each step done (with its time), next, or to come."""
    done_at = {}
    for event in rma.events.all():
        done_at.setdefault(event.type, event)
    current = FLOW.index(state.status)
    steps = []
    for i, status in enumerate(FLOW):
        event = done_at.get(status.value)
        steps.append(
            {
                "status": status,
                "event": event,
                "done": i <= current,
                "next": i == current + 1,
            }
        )
    return steps


def _repair_entitlement(*, rma=None, record=None):
    """The repaired device, the repair's date and the device's entitlement on it."""
    device, repair_on = services.repair_of(rma=rma, service_record=record)
    entitlement = device_entitlement(device=device, on=repair_on) if device else None
    return device, repair_on, entitlement


@login_required
def rma_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rma = _visible_rma_or_404(request, pk)
    state = process.RmaState()
    for event in rma.events.all():  # prefetched in time order
        state = process.fold(state, RmaEventType(event.type), event.at)
    now = timezone.now()
    staff = may_handle_rma(request.user)
    device, _repair_on, entitlement = _repair_entitlement(rma=rma)
    owed_days = rma.owed_days_at(now)
    may_advance = staff and process.refusal(state, RmaEventType.ADVANCE_SHIPPED, now) is None
    return render(
        request,
        "rma/rma_detail.html",
        {
            "rma": rma,
            "steps": _steps(rma, state),
            "next_step": process.next_step(state),
            "events": rma.events.all(),
            "products": rma.products.all(),
            "parts": rma.parts.all(),
            "owed_days": owed_days,
            "owed_level": _owed_level(owed_days),
            "staff": staff,
            "device": device,
            "entitlement": entitlement,
            "last_warranty_day": entitlement.warranty_ends_on - timedelta(days=1)
            if entitlement
            else None,
            "quotes": selectors.quote_visible(user=request.user).filter(rma=rma),
            "step_form": forms.EventForm(),
            "may_advance": may_advance,
            "advance_form": forms.AdvanceReplacementForm() if may_advance else None,
            "part_form": forms.PartForm() if staff else None,
            "product_form": forms.ProductForm() if staff else None,
            "history": history_entries(rma, limit=20),
        },
    )


@login_required
@require_POST
def rma_event(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one step from the RMA page's buttons; out of order it is refused with a reason."""
    rma = _visible_rma_or_404(request, pk)
    _require_staff(request.user)
    try:
        step = RmaStep(request.POST.get("type", ""))
    except ValueError as exc:
        raise Http404 from exc
    form = forms.EventForm(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return redirect("rma_detail", pk=pk)
    try:
        services.rma_event_add(rma, type=step, actor=request.user, **form.cleaned_data)
    except services.RmaEventRefused as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _show_errors(request, exc, form)
    else:
        messages.success(request, _("Recorded: %(step)s.") % {"step": step.label})
    return redirect("rma_detail", pk=pk)


def _rma_line_post(request: HttpRequest, pk: int, form_class, service, done: str, **extra):
    rma = _visible_rma_or_404(request, pk)
    _require_staff(request.user)
    form = form_class(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return redirect("rma_detail", pk=pk)
    try:
        service(rma, actor=request.user, **form.cleaned_data, **extra)
    except services.RmaEventRefused as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _show_errors(request, exc, form)
    else:
        messages.success(request, done)
    return redirect("rma_detail", pk=pk)


@login_required
@require_POST
def rma_advance(request: HttpRequest, pk: int) -> HttpResponse:
    return _rma_line_post(
        request,
        pk,
        forms.AdvanceReplacementForm,
        services.rma_advance_replacement,
        _("Advance replacement shipped; the faulty unit is owed until it is received."),
    )


@login_required
@require_POST
def rma_product_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _rma_line_post(
        request, pk, forms.ProductForm, services.rma_product_add, _("Product line added.")
    )


@login_required
@require_POST
def rma_part_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _rma_line_post(
        request, pk, forms.PartForm, services.rma_part_add, _("Replacement part added.")
    )


@login_required
@require_POST
def rma_part_update(request: HttpRequest, pk: int, part_pk: int) -> HttpResponse:
    rma = _visible_rma_or_404(request, pk)
    part = next((p for p in rma.parts.all() if p.pk == part_pk), None)
    if part is None:
        raise Http404
    _require_staff(request.user)
    form = forms.PartTimesForm(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return redirect("rma_detail", pk=pk)
    changes = {k: v for k, v in form.cleaned_data.items() if v is not None}
    try:
        if changes:
            services.rma_part_update(part, actor=request.user, **changes)
    except ValidationError as exc:
        _show_errors(request, exc, form)
    else:
        messages.success(request, _("Saved."))
    return redirect("rma_detail", pk=pk)


# --- quotes ---------------------------------------------------------------------------------


@login_required
def quote_list(request: HttpRequest) -> HttpResponse:
    filters, filter_errors = filters_from_request(QuoteFilter, request)
    page = page_of(request, filters.filter(selectors.quote_visible(user=request.user)))
    statuses = QuoteStatus.choices
    if request.user.is_customer_contact:
        statuses = [(v, label) for v, label in statuses if v != QuoteStatus.DRAFT]
    return render(
        request,
        "rma/quote_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": filter_errors,
            "statuses": statuses,
            "staff": may_handle_rma(request.user),
        },
    )


def _quote_source(request: HttpRequest) -> tuple[Rma | None, object | None]:
    """The repair being quoted, from `?rma=` / `?record=` (or the same fields posted)."""
    data = request.POST if request.method == "POST" else request.GET
    rma_id, record_id = data.get("rma", ""), data.get("record", "")
    rma = (
        selectors.rma_detail_visible(user=request.user).filter(pk=int(rma_id)).first()
        if rma_id.isdigit()
        else None
    )
    record = (
        service_record_detail(user=request.user, pk=int(record_id)) if record_id.isdigit() else None
    )
    if rma is None and record is None:
        raise Http404
    return rma, record


def _add_line_errors(form, formset, rows: list[int], exc: ValidationError) -> None:
    """Show `lines.<i>.<field>` next to the field of the row it came from."""
    for key, errors in exc.error_dict.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) == 3 and int(parts[1]) < len(rows):
            row = formset.forms[rows[int(parts[1])]]
            row.add_error(parts[2] if parts[2] in row.fields else None, errors)
        elif key in form.fields:
            form.add_error(key, errors)
        else:
            form.add_error(None, errors)


@login_required
def quote_create(request: HttpRequest) -> HttpResponse:
    """Price an out-of-warranty repair: parts at most their market price, labour free."""
    _require_staff(request.user)
    rma, record = _quote_source(request)
    device, repair_on, entitlement = _repair_entitlement(rma=rma, record=record)
    form = forms.QuoteForm(request.POST or None)
    formset = forms.QuoteLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [i for i, row in enumerate(formset.forms) if not row.is_blank()]
        lines = [{"kind": "part", **formset.forms[i].cleaned_data} for i in rows]
        try:
            quote = services.quote_create(
                rma=rma, service_record=record, lines=lines, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_line_errors(form, formset, rows, exc)
        else:
            messages.success(request, _("Quote %(number)s prepared.") % {"number": quote.number})
            return redirect("quote_detail", pk=quote.pk)
    return render(
        request,
        "rma/quote_form.html",
        {
            "form": form,
            "formset": formset,
            "rma": rma,
            "record": record,
            "device": device,
            "repair_on": repair_on,
            "entitlement": entitlement,
            "last_warranty_day": entitlement.warranty_ends_on - timedelta(days=1)
            if entitlement
            else None,
        },
    )


def _visible_quote_or_404(request: HttpRequest, pk: int) -> Quote:
    return get_visible_or_404(selectors.quote_detail_visible(user=request.user), pk)


@login_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _visible_quote_or_404(request, pk)
    staff = may_handle_rma(request.user)
    return render(
        request,
        "rma/quote_detail.html",
        {
            "quote": quote,
            "lines": quote.lines.all(),
            "order": getattr(quote, "order", None) if quote.accepted_at else None,
            "staff": staff,
            "may_decide": quote.status == QuoteStatus.SENT
            and may_decide_quote(request.user, quote),
            "decision_form": forms.DecisionForm() if staff else None,
            "history": history_entries(quote, limit=20),
        },
    )


@login_required
@require_POST
def quote_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send (staff), accept or decline (the customer's contact, or staff recording it)."""
    quote = _visible_quote_or_404(request, pk)
    if action == "send":
        _require_staff(request.user)
        service, fields, done = services.quote_send, {}, _("Quote sent to the customer.")
    elif action in ("accept", "decline"):
        if not may_decide_quote(request.user, quote):
            raise PermissionDenied
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            _show_form_errors(request, form)
            return redirect("quote_detail", pk=pk)
        fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        if request.user.is_customer_contact:
            # The customer answers for themselves, now; a decline says why.
            fields = {"note": form.cleaned_data["note"]}
        service = services.quote_accept if action == "accept" else services.quote_decline
        done = (
            _("Quote accepted: the order is placed.")
            if action == "accept"
            else _("Quote declined.")
        )
    else:
        raise Http404
    try:
        service(quote, actor=request.user, **fields)
    except services.QuoteRefused as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect(reverse("quote_detail", args=[pk]))


# --- orders ---------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """The paid repairs ordered by accepting a quote, newest first; each links to its quote."""
    filters, filter_errors = filters_from_request(OrderFilter, request)
    page = page_of(request, filters.filter(selectors.order_visible(user=request.user)))
    return render(
        request,
        "rma/order_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": filter_errors,
            "organisations": []
            if request.user.is_customer_contact
            else organisation_visible(user=request.user).only("id", "name"),
        },
    )
